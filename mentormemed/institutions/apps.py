from __future__ import annotations

from django.apps import AppConfig


class InstitutionsConfig(AppConfig):
    name = "mentormemed.institutions"
    label = "institutions"

    def ready(self) -> None:
        from mentormemed.core.resume import Resumable, register_resumable
        from mentormemed.institutions import panels  # noqa: F401  (registers dashboard panels)
        from mentormemed.institutions.models import RosterImport
        from mentormemed.institutions.tasks import run_roster_import

        working = [RosterImport.Status.QUEUED, RosterImport.Status.RUNNING]
        register_resumable(  # the task carries on from ``processed``, batch by batch
            "roster_import",
            Resumable(
                task=run_roster_import, owed=lambda: RosterImport.objects.filter(status__in=working), kwarg="import_id"
            ),
        )
