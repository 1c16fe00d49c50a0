from __future__ import annotations

from django.apps import AppConfig


class LifecycleConfig(AppConfig):
    name = "mentormemed.lifecycle"
    label = "lifecycle"
    verbose_name = "Data lifecycle (exports, retention, close-out, people's rights)"

    def ready(self) -> None:
        from mentormemed.core.periodic import register_job
        from mentormemed.lifecycle import retention
        from mentormemed.notifications.kinds import Kind, register_kind

        register_job("lifecycle", retention.sweep)
        register_kind(Kind("data", "Your data: exports, erasure, contract close-out"))
