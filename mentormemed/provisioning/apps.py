from __future__ import annotations

from django.apps import AppConfig


class ProvisioningConfig(AppConfig):
    name = "mentormemed.provisioning"
    label = "provisioning"
    verbose_name = "Provisioning (SCIM and roster sync)"

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
