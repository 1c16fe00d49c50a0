from __future__ import annotations

from django.apps import AppConfig


class ProfilesConfig(AppConfig):
    name = "mentormemed.profiles"
    label = "profiles"

    def ready(self) -> None:
        from mentormemed.profiles.onboarding import register_steps

        register_steps()
