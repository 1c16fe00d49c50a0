from __future__ import annotations

from django.apps import AppConfig


class InstitutionsConfig(AppConfig):
    name = "mentormemed.institutions"
    label = "institutions"

    def ready(self) -> None:
        from mentormemed.institutions import panels  # noqa: F401  (registers dashboard panels)
