"""Demo: Northgate School of Medicine signs in through a local SAML IdP that `make demo` starts
(``manage.py run_demo_idp`` on port 8001). docs/operations.md says how to point it at a real one."""

from __future__ import annotations

from mentormemed.core.access import Actor
from mentormemed.core.demo import DEMO_DOMAIN
from mentormemed.sso.services import IdpSettings, identity_provider_save

DEMO_IDP_URL = "http://127.0.0.1:8001/metadata"
DEMO_IDP_OTP = "123456"


def build(ctx) -> None:
    northgate = ctx.institutions["northgate"]
    identity_provider_save(
        acting=Actor.for_user(ctx.staff),
        institution=northgate,
        data=IdpSettings(
            protocol="saml",
            display_name="Northgate campus login",
            email_domains=DEMO_DOMAIN,
            metadata_url=DEMO_IDP_URL,
            jit_enabled=True,
        ),
        fetch_metadata=False,  # the demo IdP starts after the data is loaded
    )
