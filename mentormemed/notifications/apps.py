from __future__ import annotations

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "mentormemed.notifications"
    label = "notifications"

    def ready(self) -> None:
        from mentormemed.core.context_processors import register_bell_count
        from mentormemed.core.health import register_outbox
        from mentormemed.core.middleware import register_request_fact
        from mentormemed.core.periodic import register_job
        from mentormemed.notifications.selectors import outbox_figures, unread_count, with_unread
        from mentormemed.notifications.tasks import requeue_outbox

        register_job("outbox_requeued", requeue_outbox)  # e-mails whose enqueue was lost, or whose worker died
        # What core shows of the notifications, without importing this app (docs/architecture.md, "Layers").
        register_request_fact("unread_notifications", with_unread)  # the bell, read with the memberships
        register_bell_count(unread_count)  # the bell of someone without memberships (staff)
        register_outbox(outbox_figures)  # /readyz, /metrics and the staff panel
