from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from mentormemed.core.demo import DemoContext


class CareConfig(AppConfig):
    name = "mentormemed.care"
    label = "care"
    verbose_name = "Relationship health and duty of care"

    def build_demo(self, ctx: DemoContext) -> None:
        """This app's part of the demo (``core.demo``); its demo module is imported only now."""
        from mentormemed.care import demo

        demo.build(ctx)

    def ready(self) -> None:
        from mentormemed.care import (
            panels,  # noqa: F401  (registers dashboard panels)
            selectors,
            services,
            sweep,
        )
        from mentormemed.care.cards import relationship_card
        from mentormemed.core.cards import register_card
        from mentormemed.core.contact import register_hidden, register_refusal
        from mentormemed.core.periodic import register_job
        from mentormemed.mentorships.selectors import MISSED_OCCASION_SOURCES
        from mentormemed.mentorships.signals import relationship_started
        from mentormemed.notifications.kinds import Kind, register_kind

        pair = frozenset({"mentee", "mentor"})
        for kind in (
            Kind("care_nudge", gettext_lazy("Nudges when a mentorship goes quiet"), roles=pair),
            Kind(
                "care_checkin",
                gettext_lazy("Regular check-ins and after-meeting questions"),
                default="digest",
                roles=pair,
            ),
            Kind("care_accountability", gettext_lazy("Missed meetings"), roles=pair),
            Kind("care_outreach", gettext_lazy("My program office checking in"), roles=pair),
            Kind("care_concern", gettext_lazy("A mentor's concern for my wellbeing"), roles=frozenset({"mentee"})),
            Kind("care_duplicate", gettext_lazy("Two mentors for the same need"), roles=frozenset({"mentee"})),
            Kind(
                "care_case", "Reports and wellbeing concerns", roles=frozenset({"mentee", "mentor", "admin", "staff"})
            ),
            Kind("care_admin", gettext_lazy("Mentees who keep missing meetings"), roles=frozenset({"admin"})),
        ):
            register_kind(kind)
        register_card("relationship", relationship_card)
        register_refusal(selectors.contact_refusal)
        register_hidden(selectors.hidden_from)
        register_job("care_health", sweep.refresh_health)
        register_job("care_checkins", services.send_checkins)
        MISSED_OCCASION_SOURCES.append(selectors.mentor_missed_meetings)
        relationship_started.connect(services.on_relationship_started, dispatch_uid="care_duplicate_need")
