from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from mentormemed.core.demo import DemoContext


class ProvisioningConfig(AppConfig):
    name = "mentormemed.provisioning"
    label = "provisioning"
    verbose_name = "Provisioning (SCIM and roster sync)"

    def build_demo(self, ctx: DemoContext) -> None:
        """This app's part of the demo (``core.demo``); its demo module is imported only now."""
        from mentormemed.provisioning import demo

        demo.build(ctx)

    def ready(self) -> None:
        from mentormemed.core.resume import Resumable, register_resumable
        from mentormemed.provisioning.models import RosterSync
        from mentormemed.provisioning.tasks import apply_roster_sync

        register_resumable(
            "roster_sync",
            Resumable(
                task=apply_roster_sync,
                owed=lambda: RosterSync.objects.filter(status=RosterSync.Status.QUEUED),
                kwarg="sync_id",
            ),
        )
