"""What mentorships asks of matching: who a mentee may find, whom to suggest, what a mentor covers.

Matching sits above mentorships (its cards read the mentorships), so it registers these reads in
``MatchingConfig.ready()`` and mentorships calls them through ``finder()`` (docs/architecture.md,
"Layers"). Who a mentee may find at all is asked of ``profiles.visibility``, the same rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Finder:
    # (mentor_ids) -> those who cannot accept yet (R7: a required step such as training is missing)
    finishing_training: Callable[[Iterable[int]], set[int]]
    # (*, mentee, mentor_profiles) -> per need of the mentee, the given mentors offering it (shared data only)
    needs_coverage: Callable[..., list[Any]]
    # (*, mentee, areas, exclude_mentor_ids) -> per area id, mentors with room who offer it (one statement)
    suggestions_for_needs: Callable[..., dict[int, list[Any]]]
    # (*, mentee, limit, exclude_mentor_ids, log) -> ranked recommendations (R10, R27)
    recommend: Callable[..., list[Any]]
    # (*, search_id, mentee, mentor, kind) -> records that a search led somewhere (R11)
    log_search_event: Callable[..., object]


_finder: list[Finder] = []


def register_finder(finder: Finder) -> None:
    _finder[:] = [finder]


def finder() -> Finder:
    if not _finder:
        raise ImproperlyConfigured("No mentor finder registered: is mentormemed.matching installed?")
    return _finder[0]
