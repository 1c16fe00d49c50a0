from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from mentormemed.core.demo import DemoContext


class ProgramsConfig(AppConfig):
    name = "mentormemed.programs"
    label = "programs"
    verbose_name = "Programs and group mentoring"

    def build_demo(self, ctx: DemoContext) -> None:
        """This app's part of the demo (``core.demo``); its demo module is imported only now."""
        from mentormemed.programs import demo

        demo.build(ctx)

    def ready(self) -> None:
        from mentormemed.programs import registrations

        registrations.register_all()
