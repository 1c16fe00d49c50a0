"""Background work of institutions (django-tasks): inviting a confirmed roster."""

from __future__ import annotations

from django_tasks import task


@task()
def run_roster_import(*, import_id: int) -> dict:
    from mentormemed.institutions.services import roster_import_run

    roster = roster_import_run(import_id=import_id)
    return {"status": roster.status, "created": roster.created, "skipped": roster.skipped, "failed": roster.failed}
