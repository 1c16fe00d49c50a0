"""Commitments outside one-to-one meetings that make a person busy (R17).

Scheduling knows only one-to-one meetings. Other capabilities (circle meetings, one-off
sessions, speed-mentoring events) register a *busy source* in ``ready()``: a function
``(membership_ids, start, end) -> [(starts_at, ends_at), …]`` giving the intervals in which
any of those members is committed. Free slots, bookings and moves consult every source, so a
one-to-one meeting is never booked over a circle meeting or an event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

Interval = tuple[dt.datetime, dt.datetime]
BusySource = Callable[[list[int], dt.datetime, dt.datetime], Iterable[Interval]]

_SOURCES: list[BusySource] = []


def register_busy_source(source: BusySource) -> BusySource:
    if source not in _SOURCES:
        _SOURCES.append(source)
    return source


def commitments(*, membership_ids: Iterable[int], start: dt.datetime, end: dt.datetime) -> list[Interval]:
    """Every registered commitment of these members touching [start, end]."""
    ids = sorted({i for i in membership_ids if i})
    if not ids:
        return []
    return [interval for source in _SOURCES for interval in source(ids, start, end)]
