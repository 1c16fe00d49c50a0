from __future__ import annotations

from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "mentormemed.programs"
    label = "programs"
    verbose_name = "Programs and group mentoring"

    def ready(self) -> None:
        from mentormemed.programs import registrations

        registrations.register_all()
