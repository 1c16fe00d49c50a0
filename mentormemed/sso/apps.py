from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from mentormemed.core.demo import DemoContext


class SsoConfig(AppConfig):
    name = "mentormemed.sso"
    label = "sso"
    verbose_name = "Campus sign-in"

    def build_demo(self, ctx: DemoContext) -> None:
        """This app's part of the demo (``core.demo``); its demo module is imported only now."""
        from mentormemed.sso import demo

        demo.build(ctx)

    def ready(self) -> None:
        from mentormemed.accounts.adapter import register_login_check
        from mentormemed.core.middleware import register_mfa_waiver
        from mentormemed.sso import signals  # noqa: F401  (remembers how a session signed in)
        from mentormemed.sso.adapter import campus_login_required
        from mentormemed.sso.selectors import idp_mfa_satisfied

        # R33, through hooks of the apps below (docs/architecture.md, "Layers"):
        register_login_check("campus_login", campus_login_required)  # no password sign-in where SSO is required
        register_mfa_waiver("refeds_mfa", idp_mfa_satisfied)  # the campus IdP asserted REFEDS MFA
