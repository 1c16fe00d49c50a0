"""Run the demo's campus identity provider (a pysaml2 SAML IdP) on loopback.

Its people are Northgate's featured demo members (username = the part of their e-mail before
"@", password = the demo password), a faculty member who is not invited yet (joins just in time
as a mentor) and a visitor the IdP knows but MentorMeMed refuses.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from mentormemed.core.demo import DEMO_DOMAIN, DEMO_PASSWORD
from mentormemed.sso.demo import DEMO_IDP_OTP
from mentormemed.sso.testing.saml_idp import IdpUser, SamlIdp


def demo_users() -> dict[str, IdpUser]:
    def person(local: str, given: str, surname: str, affiliations: list[str], otp: str = "") -> IdpUser:
        email = f"{local}@{DEMO_DOMAIN}"
        return IdpUser(DEMO_PASSWORD, email, f"{local}@northgate.example.edu", given, surname, affiliations, otp)

    return {
        "mentee": person("mentee", "Odera", "Okafor", ["student", "member"]),
        "mentor": person("mentor", "Demo", "Mentor", ["faculty", "member"]),
        "admin": person("admin", "Tera", "Howard", ["staff", "faculty"], otp=DEMO_IDP_OTP),
        "newfaculty": person("new.faculty", "Imani", "Greene", ["faculty"]),
        "visitor": person("visitor", "Vic", "Tor", ["affiliate"]),
    }


class Command(BaseCommand):
    help = "Serve the demo SAML identity provider (Ctrl-C stops it)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--port", type=int, default=8001)

    def handle(self, *args, port: int, **options) -> None:
        idp = SamlIdp(
            users=demo_users(),
            port=port,
            name="Northgate University Login (demo)",
            key_dir=Path(settings.BASE_DIR) / ".demo-idp",
        )
        self.stdout.write(f"Demo campus IdP on {idp.base_url} (metadata: {idp.metadata_url})")
        idp.serve_forever()
