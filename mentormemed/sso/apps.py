from __future__ import annotations

from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "mentormemed.sso"
    label = "sso"
    verbose_name = "Campus sign-in"

    def ready(self) -> None:
        from mentormemed.sso import signals  # noqa: F401  (remembers how a session signed in)
