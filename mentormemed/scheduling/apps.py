from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from mentormemed.core.demo import DemoContext


class SchedulingConfig(AppConfig):
    name = "mentormemed.scheduling"
    label = "scheduling"
    verbose_name = "Scheduling and meetings"

    def build_demo(self, ctx: DemoContext) -> None:
        """This app's part of the demo (``core.demo``); its demo module is imported only now."""
        from mentormemed.scheduling import demo

        demo.build(ctx)

    def ready(self) -> None:
        from mentormemed.core.periodic import register_job
        from mentormemed.notifications.kinds import Kind, register_kind
        from mentormemed.scheduling import panels  # noqa: F401  (registers dashboard panels)
        from mentormemed.scheduling.services import send_reminders
        from mentormemed.scheduling.teaching import mentoring_sessions
        from mentormemed.training.teaching import register_teaching_source

        register_teaching_source(mentoring_sessions)  # "Learning from Teaching" hours (R22)
        register_kind(
            Kind("meeting", gettext_lazy("Meeting reminders the day before"), roles=frozenset({"mentee", "mentor"}))
        )
        register_job("meeting_reminders", send_reminders)

        from mentormemed.mentorships.signals import relationship_ended

        relationship_ended.connect(_cancel_meetings_ahead, dispatch_uid="scheduling.cancel_on_end")


def _cancel_meetings_ahead(sender, relationship, **kwargs) -> None:
    from mentormemed.scheduling.services import meetings_cancel_for_ended

    meetings_cancel_for_ended(relationship=relationship)
