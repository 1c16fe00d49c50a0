"""The seam for "Learning from Teaching" CME documentation (R22, Standards: CME).

Mentoring hours can back a "Learning from Teaching" claim once meetings exist.
Training does not know about meetings; the scheduling capability registers a
source of teaching sessions and the CME page lists the documented hours:

    from mentormemed.training.teaching import TeachingSession, register_teaching_source

    def mentoring_sessions(*, membership, start: date, end: date) -> list[TeachingSession]:
        # one row per held (not cancelled) meeting the mentor led in [start, end]
        ...

    register_teaching_source(mentoring_sessions)   # in SchedulingConfig.ready()

``teaching_log`` then sums the hours. Claiming credit from those hours (which
an accredited provider must approve as a separate activity) is left for when
a provider asks for it; this module only documents the hours.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class TeachingSession:
    """One mentoring session a mentor led: when, how long, and a label without private content."""

    held_on: dt.date
    hours: Decimal
    label: str  # e.g. "Meeting with a mentee" — never message bodies, goals or notes (R30)


TeachingSource = Callable[..., list[TeachingSession]]
_SOURCES: list[TeachingSource] = []


def register_teaching_source(source: TeachingSource) -> None:
    """Register ``source(*, membership, start: date, end: date) -> list[TeachingSession]``."""
    if source not in _SOURCES:
        _SOURCES.append(source)


def has_teaching_sources() -> bool:
    return bool(_SOURCES)


@dataclass(frozen=True)
class TeachingLog:
    sessions: list[TeachingSession]

    @property
    def hours(self) -> Decimal:
        return sum((s.hours for s in self.sessions), Decimal("0"))


def teaching_log(*, membership, start: dt.date, end: dt.date) -> TeachingLog:
    """Every registered source's sessions for the mentor between ``start`` and ``end`` (inclusive)."""
    sessions = [s for source in _SOURCES for s in source(membership=membership, start=start, end=end)]
    return TeachingLog(sorted(sessions, key=lambda s: s.held_on))
