from __future__ import annotations

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "mentormemed.notifications"
    label = "notifications"

    def ready(self) -> None:
        from mentormemed.core.periodic import register_job
        from mentormemed.notifications.tasks import requeue_outbox

        register_job("outbox_requeued", requeue_outbox)  # e-mails whose enqueue was lost, or whose worker died
