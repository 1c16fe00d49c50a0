"""Product settings read in more than one app: one accessor each, with its default and meaning."""

from __future__ import annotations

from django.conf import settings

SMALL_CELL_MIN_DEFAULT = 11


def small_cell_min() -> int:
    """The fewest people any released figure may describe (R23, R18, R25): smaller groups are hidden."""
    return int(settings.MMM.get("SMALL_CELL_MIN", SMALL_CELL_MIN_DEFAULT))
