from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "mentormemed.accounts"
    label = "accounts"

    def ready(self) -> None:
        from mentormemed.accounts import mfa_audit, totp  # noqa: F401 (mfa_audit connects receivers)
        from mentormemed.accounts.onboarding import register_steps

        register_steps()
        totp.install()
