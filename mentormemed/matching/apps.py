from __future__ import annotations

from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "mentormemed.matching"
    label = "matching"

    def ready(self) -> None:
        from mentormemed.matching import signals

        signals.connect()
