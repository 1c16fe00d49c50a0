"""Background work of provisioning (django-tasks): applying a confirmed roster sync."""

from __future__ import annotations

from django_tasks import task


@task()
def apply_roster_sync(*, sync_id: int) -> dict:
    from mentormemed.provisioning.roster import roster_sync_apply

    return roster_sync_apply(sync_id=sync_id)
