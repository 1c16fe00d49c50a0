from __future__ import annotations

from django.apps import AppConfig


class MentorshipsConfig(AppConfig):
    name = "mentormemed.mentorships"
    label = "mentorships"

    def ready(self) -> None:
        from mentormemed.core.periodic import register_job
        from mentormemed.mentorships import panels  # noqa: F401  (registers dashboard panels)
        from mentormemed.mentorships.services import refresh_aged_responsiveness

        register_job("responsiveness", refresh_aged_responsiveness)
