"""Time-zone choices offered wherever a person picks their zone."""

from __future__ import annotations

import zoneinfo
from functools import cache

COMMON_ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Puerto_Rico",
]


@cache
def zone_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    rest = sorted(z for z in zoneinfo.available_timezones() if "/" in z and z not in COMMON_ZONES)
    return [
        ("United States", [(z, z.replace("_", " ")) for z in COMMON_ZONES]),
        ("Everywhere", [("UTC", "UTC"), *((z, z.replace("_", " ")) for z in rest)]),
    ]


def zone_or_none(name: str | None) -> zoneinfo.ZoneInfo | None:
    """The named zone, or None when the name is empty or not a zone."""
    try:
        return zoneinfo.ZoneInfo(name) if name else None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def zone_or_utc(name: str | None) -> zoneinfo.ZoneInfo:
    return zone_or_none(name) or zoneinfo.ZoneInfo("UTC")


def is_zone(name: str) -> bool:
    return zone_or_none(name) is not None
