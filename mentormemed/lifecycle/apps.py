from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from mentormemed.core.demo import DemoContext


class LifecycleConfig(AppConfig):
    name = "mentormemed.lifecycle"
    label = "lifecycle"
    verbose_name = "Data lifecycle (exports, retention, close-out, people's rights)"

    def build_demo(self, ctx: DemoContext) -> None:
        """This app's part of the demo (``core.demo``); its demo module is imported only now."""
        from mentormemed.lifecycle import demo

        demo.build(ctx)

    def ready(self) -> None:
        from mentormemed.core.periodic import register_job
        from mentormemed.lifecycle import retention
        from mentormemed.notifications.kinds import Kind, register_kind

        register_job("lifecycle", retention.sweep)
        _register_resumables()
        register_kind(Kind("data", "Your data: exports, erasure, contract close-out"))


def _register_resumables() -> None:
    """Exports and destructions whose task was lost are enqueued again (``core.resume``)."""
    from mentormemed.core.models import AuditEntry
    from mentormemed.core.resume import Resumable, register_resumable
    from mentormemed.lifecycle.models import CloseOut, DataExport
    from mentormemed.lifecycle.tasks import build_export, destroy_institution

    State = DataExport.State

    def requeue_export(export: DataExport) -> bool:
        # A build claims only a queued export; one left "running" by a dead worker goes back to queued.
        return export.state == State.QUEUED or bool(
            DataExport.objects.filter(pk=export.pk, state=State.RUNNING).update(state=State.QUEUED, progress=0)
        )

    def confirmed_by(closeout: CloseOut) -> dict:
        entry = AuditEntry.objects.filter(action="lifecycle.closeout.destroy", object_id=str(closeout.pk))
        return {"user_id": entry.order_by("-pk").values_list("actor_id", flat=True).first()}

    register_resumable(
        "data_export",
        Resumable(
            task=build_export,
            owed=lambda: DataExport.objects.filter(state__in=[State.QUEUED, State.RUNNING]),
            kwarg="export_id",
            reset=requeue_export,
        ),
    )
    register_resumable(
        "closeout_destroy",
        Resumable(
            task=destroy_institution,
            owed=lambda: CloseOut.objects.filter(state=CloseOut.State.DESTROYING),
            kwarg="closeout_id",
            extra=confirmed_by,
        ),
    )
