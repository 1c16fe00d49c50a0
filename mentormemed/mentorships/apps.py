from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from mentormemed.core.demo import DemoContext


class MentorshipsConfig(AppConfig):
    name = "mentormemed.mentorships"
    label = "mentorships"

    def build_demo(self, ctx: DemoContext) -> None:
        """This app's part of the demo (``core.demo``); its demo module is imported only now."""
        from mentormemed.mentorships import demo

        demo.build(ctx)

    def ready(self) -> None:
        from mentormemed.core.periodic import register_job
        from mentormemed.mentorships import panels  # noqa: F401  (registers dashboard panels)
        from mentormemed.mentorships.services import refresh_aged_responsiveness

        register_job("responsiveness", refresh_aged_responsiveness)
