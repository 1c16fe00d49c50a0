"""Free-slot arithmetic, free of the database so it can be tested in isolation (R17).

The rules, in order:
- A window is wall-clock time in the mentor's zone. Each local day's window is
  turned into UTC on its own, so 9:00 stays 9:00 local on both sides of a
  daylight-saving change. A boundary that falls in the spring-forward gap
  follows Python's ``fold=0`` rule (02:30 becomes 03:30 daylight time); in the
  fall-back hour the first occurrence is meant.
- Slots step through the window in real time every ``step`` minutes and last
  exactly ``length`` real minutes, ending inside the window.
- A slot must start at least ``notice`` after now and no later than ``horizon``
  after now, must not fall on a date off (local date of the window), and must
  keep ``buffer`` clear of every busy interval (the mentor's live meetings with
  any mentee, and the booking mentee's own meetings).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass

MAX_STEP_MINUTES = 30


@dataclass(frozen=True)
class Slot:
    starts_at: dt.datetime  # aware, UTC
    ends_at: dt.datetime

    @property
    def key(self) -> str:
        """The value a booking form posts: the UTC start in ISO 8601."""
        return self.starts_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%MZ")


@dataclass(frozen=True)
class Rules:
    time_zone: str
    windows: list[tuple[int, dt.time, dt.time]]  # (weekday 0=Monday, start, end)
    dates_off: frozenset[dt.date]
    buffer: dt.timedelta
    notice: dt.timedelta
    horizon: dt.timedelta


def local_to_utc(day: dt.date, clock: dt.time, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, clock, tzinfo=zone).astimezone(dt.UTC)


def step_for(length: int) -> dt.timedelta:
    return dt.timedelta(minutes=min(MAX_STEP_MINUTES, length))


def free_slots(
    *,
    rules: Rules,
    length: int,
    busy: Iterable[tuple[dt.datetime, dt.datetime]],
    now: dt.datetime,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> list[Slot]:
    """Every free slot of ``length`` minutes between ``start`` and ``end`` (default: the bookable range)."""
    zone = zoneinfo.ZoneInfo(rules.time_zone)
    earliest = max(now + rules.notice, start or now)
    latest = min(now + rules.horizon, end or now + rules.horizon)  # latest allowed *start*
    duration, step = dt.timedelta(minutes=length), step_for(length)
    busy = sorted((b0 - rules.buffer, b1 + rules.buffer) for b0, b1 in busy)
    slots: list[Slot] = []
    # One day either side so windows late at night in a far zone are not missed.
    day = earliest.astimezone(zone).date() - dt.timedelta(days=1)
    last_day = latest.astimezone(zone).date() + dt.timedelta(days=1)
    while day <= last_day:
        if day not in rules.dates_off:
            for weekday, w_start, w_end in rules.windows:
                if weekday != day.weekday():
                    continue
                t, w_end_utc = local_to_utc(day, w_start, zone), local_to_utc(day, w_end, zone)
                while t + duration <= w_end_utc and t <= latest:
                    if t >= earliest and not _collides(t, t + duration, busy):
                        slots.append(Slot(t, t + duration))
                    t += step
        day += dt.timedelta(days=1)
    return sorted(set(slots), key=lambda s: s.starts_at)


def _collides(s0: dt.datetime, s1: dt.datetime, busy: list[tuple[dt.datetime, dt.datetime]]) -> bool:
    return any(s0 < b1 and b0 < s1 for b0, b1 in busy)
