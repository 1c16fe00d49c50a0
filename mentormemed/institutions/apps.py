from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from mentormemed.core.demo import DemoContext


class InstitutionsConfig(AppConfig):
    name = "mentormemed.institutions"
    label = "institutions"

    def build_demo(self, ctx: DemoContext) -> None:
        """This app's part of the demo (``core.demo``); its demo module is imported only now."""
        from mentormemed.institutions import demo

        demo.build(ctx)

    def ready(self) -> None:
        from mentormemed.accounts.invitations import Invitations, register_invitations
        from mentormemed.core.middleware import register_request_fact
        from mentormemed.core.resume import Resumable, register_resumable
        from mentormemed.institutions import panels, services  # noqa: F401  (panels: registers dashboard panels)
        from mentormemed.institutions.models import RosterImport
        from mentormemed.institutions.selectors import with_coverage
        from mentormemed.institutions.tasks import run_roster_import

        working = [RosterImport.Status.QUEUED, RosterImport.Status.RUNNING]
        register_resumable(  # the task carries on from ``processed``, batch by batch
            "roster_import",
            Resumable(
                task=run_roster_import, owed=lambda: RosterImport.objects.filter(status__in=working), kwarg="import_id"
            ),
        )
        # What the apps below need of institutions, through their hooks (docs/architecture.md, "Layers").
        register_request_fact("institution_covered", with_coverage)  # R1's pause, read with the memberships
        register_invitations(  # the invitation sign-up page (accounts)
            Invitations(
                by_token=services.invitation_by_token,
                problem=services.invitation_problem,
                accept=services.invitation_accept,
                error=services.InvitationError,
            )
        )
