from __future__ import annotations

from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "mentormemed.training"
    label = "training"
    verbose_name = "Training and CME"

    def ready(self) -> None:
        from mentormemed.training import panels  # noqa: F401  (registers dashboard panels)
        from mentormemed.training.onboarding import register_steps

        register_steps()
