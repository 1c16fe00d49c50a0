from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class EvaluationsConfig(AppConfig):
    name = "mentormemed.evaluations"
    label = "evaluations"

    def ready(self) -> None:
        from mentormemed.core.periodic import register_job
        from mentormemed.evaluations import panels  # noqa: F401  (the staff panels)
        from mentormemed.evaluations.services import send_reminders
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
