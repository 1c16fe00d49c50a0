from __future__ import annotations

from django.apps import AppConfig


class MentorshipsConfig(AppConfig):
    name = "mentormemed.mentorships"
    label = "mentorships"

    def ready(self) -> None:
        from mentormemed.mentorships import panels  # noqa: F401  (registers dashboard panels)
