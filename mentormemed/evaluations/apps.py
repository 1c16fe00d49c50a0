from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from mentormemed.core.demo import DemoContext


class EvaluationsConfig(AppConfig):
    name = "mentormemed.evaluations"
    label = "evaluations"

    def build_demo(self, ctx: DemoContext) -> None:
        """This app's part of the demo (``core.demo``); its demo module is imported only now."""
        from mentormemed.evaluations import demo

        demo.build(ctx)

    def ready(self) -> None:
        from mentormemed.core.periodic import register_job
        from mentormemed.evaluations import panels  # noqa: F401  (the staff panels)
        from mentormemed.evaluations.services import send_reminders
        from mentormemed.institutions.signals import mentee_graduated
        from mentormemed.notifications.kinds import Kind, register_kind

        register_kind(
            Kind("evaluation", gettext_lazy("Evaluations of my mentors that are due"), roles=frozenset({"mentee"}))
        )
        register_kind(
            Kind(
                "survey",
                gettext_lazy("Yearly career-update and program-feedback surveys"),
                default="digest",
                roles=frozenset({"mentee", "mentor"}),
            )
        )
        register_kind(
            Kind("graduate_mentor", gettext_lazy("Graduates who would like to mentor"), roles=frozenset({"admin"}))
        )
        register_job("evaluations", send_reminders)
        mentee_graduated.connect(_offer_to_mentor, dispatch_uid="evaluations-graduate-offer")


def _offer_to_mentor(sender, membership, **kwargs) -> None:
    """R20: a mentee ended as graduated (``institutions.signals.mentee_graduated``): offer them to mentor."""
    from mentormemed.evaluations.services import offer_mentorship_to_graduate

    offer_mentorship_to_graduate(membership=membership)
