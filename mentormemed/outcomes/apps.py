from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from mentormemed.core.demo import DemoContext


class OutcomesConfig(AppConfig):
    name = "mentormemed.outcomes"
    label = "outcomes"

    def build_demo(self, ctx: DemoContext) -> None:
        """This app's part of the demo (``core.demo``); its demo module is imported only now."""
        from mentormemed.outcomes import demo

        demo.build(ctx)

    def ready(self) -> None:
        from mentormemed.core.periodic import register_job
        from mentormemed.notifications.kinds import Kind, register_kind
        from mentormemed.outcomes import panels  # noqa: F401  (registers dashboard panels)
        from mentormemed.outcomes.precompute import precompute_job
        from mentormemed.outcomes.private import release_job
        from mentormemed.outcomes.rollups import refresh_job
        from mentormemed.outcomes.services import agreement_job

        register_job("outcomes_rollups", refresh_job)  # the dashboards' rollups (R23)
        register_job("outcomes_releases", precompute_job)  # after the rollups: the pages' figures (R23)
        register_job("outcomes_private", release_job)  # after the rollups: quarters they now hold (R23)
        register_job("research_agreements", agreement_job)  # destruction reminders of data use agreements
        register_kind(Kind("research", "Decisions on my research data requests", roles=frozenset({"mentor"})))
