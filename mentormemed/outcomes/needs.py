"""Other capabilities' unmet needs on the outcomes unmet-need view (R27), without outcomes knowing them.

A capability registers a source in its ``ready()``::

    register_need_source(NeedSource("unanswered_questions", title_fn, description_fn, rows_fn))

where ``rows_fn(*, institution, start, end) -> list[NeedRow]`` counts, per need, how many times it went
unmet in the period and how many different mentees that was (one or two queries, never per row). The view
suppresses every row describing fewer than the minimum, like its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class NeedRow:
    label: str
    times: int
    people: int


@dataclass(frozen=True)
class NeedSource:
    key: str
    title: Callable[[], str]  # worded when shown, in the reader's language
    description: Callable[[], str]
    rows: Callable[..., list[NeedRow]]


_SOURCES: dict[str, NeedSource] = {}


def register_need_source(source: NeedSource) -> None:
    _SOURCES[source.key] = source


def need_sources() -> list[NeedSource]:
    return list(_SOURCES.values())


def rows_for(source: NeedSource, *, institution: Any, start: dt.date, end: dt.date) -> list[NeedRow]:
    return source.rows(institution=institution, start=start, end=end)
