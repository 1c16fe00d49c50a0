"""Repair: rebuild every outcomes rollup from the source tables (the sweep keeps them up to date)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from mentormemed.outcomes import rollups


class Command(BaseCommand):
    help = "Rebuild every outcomes rollup from the source tables (the sweep updates them incrementally)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--changed", action="store_true", help="Only the partitions that changed (what the sweep does)."
        )

    def handle(self, *args, changed: bool = False, **options) -> None:
        done = rollups.update() if changed else rollups.refresh()
        self.stdout.write(f"Outcomes rollups {'updated' if changed else 'rebuilt'} in {done.seconds:.2f} s.")
