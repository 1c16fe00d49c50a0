from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from mentormemed.core.demo import DemoContext


class TrainingConfig(AppConfig):
    name = "mentormemed.training"
    label = "training"
    verbose_name = "Training and CME"

    def build_demo(self, ctx: DemoContext) -> None:
        """This app's part of the demo (``core.demo``); its demo module is imported only now."""
        from mentormemed.training import demo

        demo.build(ctx)

    def ready(self) -> None:
        from mentormemed.training import panels  # noqa: F401  (registers dashboard panels)
        from mentormemed.training.onboarding import keep_readiness, register_steps

        register_steps()
        keep_readiness()
