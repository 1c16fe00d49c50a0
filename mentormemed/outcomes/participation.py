"""Other capabilities' contributions to a mentor's participation record (R24).

Group formats (circles, one-off sessions, speed-mentoring events) count in the record without
outcomes knowing them: each registers a source in its ``ready()``:

    register_participation_source(ParticipationSource("group", "Group sessions led", count_fn))

where ``count_fn(*, mentor_ids: list[int], since: datetime) -> dict[int, int]`` counts per
MentorProfile id (one or two queries for the whole page, never per mentor).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ParticipationSource:
    key: str
    label: str
    count: Callable[..., dict[int, int]]


_SOURCES: dict[str, ParticipationSource] = {}


def register_participation_source(source: ParticipationSource) -> None:
    _SOURCES[source.key] = source


def sources() -> list[ParticipationSource]:
    return list(_SOURCES.values())


def extra_counts(*, mentor_ids: list[int], since: dt.datetime) -> dict[int, list[tuple[str, int]]]:
    """For each mentor, (label, count) of every registered source, in registration order."""
    counted = [(s.label, s.count(mentor_ids=mentor_ids, since=since)) for s in sources()]
    return {pk: [(label, counts.get(pk, 0)) for label, counts in counted] for pk in mentor_ids}
