"""Background work of the data lifecycle (django-tasks): building exports, destroying at close-out."""

from __future__ import annotations

from django_tasks import task


@task()
def build_export(*, export_id: int) -> dict:
    from mentormemed.lifecycle.exports import export_build

    return export_build(export_id=export_id)


@task()
def destroy_institution(*, closeout_id: int, user_id: int | None) -> dict:
    from mentormemed.lifecycle.closeout import closeout_destroy

    return closeout_destroy(closeout_id=closeout_id, user_id=user_id)
