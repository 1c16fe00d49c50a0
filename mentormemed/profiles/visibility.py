"""Which mentors a person may find is matching's one rule (R8 consent and a complete profile, not
suspended, R9 scope, R1 access, R37 blocks). Matching sits above profiles, so it registers the rule
here in ``MatchingConfig.ready()``, and profiles and the apps between ask it through
``searchable_mentors`` (docs/architecture.md, "Layers").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

if TYPE_CHECKING:
    from mentormemed.institutions.models import Membership
    from mentormemed.profiles.models import MentorProfile

SearchableMentors = Callable[..., "QuerySet[MentorProfile]"]  # (*, viewer: Membership)

_rule: list[SearchableMentors] = []


def register_searchable_mentors(rule: SearchableMentors) -> None:
    _rule[:] = [rule]


def searchable_mentors(*, viewer: Membership) -> QuerySet[MentorProfile]:
    """The mentors ``viewer`` may find (matching's ``searchable_mentors``)."""
    if not _rule:
        raise ImproperlyConfigured("No rule for searchable mentors: is mentormemed.matching installed?")
    return _rule[0](viewer=viewer)
