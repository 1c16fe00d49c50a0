from __future__ import annotations

from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "mentormemed.evaluations"
    label = "evaluations"

    def ready(self) -> None:
        from mentormemed.core.periodic import register_job
        from mentormemed.evaluations import panels, signals  # noqa: F401  (panels and the R20 hook)
        from mentormemed.evaluations.services import send_reminders
        from mentormemed.notifications.kinds import Kind, register_kind

        register_kind(Kind("evaluation", "Evaluations of my mentors that are due", roles=frozenset({"mentee"})))
        register_kind(
            Kind(
                "survey",
                "Yearly career-update and program-feedback surveys",
                default="digest",
                roles=frozenset({"mentee", "mentor"}),
            )
        )
        register_kind(Kind("graduate_mentor", "Graduates who would like to mentor", roles=frozenset({"admin"})))
        register_job("evaluations", send_reminders)
