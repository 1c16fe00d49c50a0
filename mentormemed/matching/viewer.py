"""What search, recommendations and the mentor page need to know about the person looking.

A mentee's wishes (ranked needs, affinities, specialty interests, shared values) and the
descriptor the search log records (training level, eligibility bases) take six statements
to read and change only when the person edits their profile. They are read once per request
(kept on the membership object) and cached across requests under the membership's id; every
write to a row they come from forgets the entry when its transaction commits (``signals``).
Taxonomy names inside them (a content area renamed by staff) refresh within ``TTL``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db import transaction

if TYPE_CHECKING:
    from mentormemed.matching.selectors import Wishes

TTL = 300  # seconds; also bounds staleness where the cache is per process (see docs/decisions.md)
ATTR = "_viewer_facts"


@dataclass
class ViewerFacts:
    wishes: Wishes  # selectors.Wishes without the network-wide ``common`` keys
    training_level: str = ""
    eligibility_bases: list[str] = field(default_factory=list)
    profile_complete: bool = False  # a mentee profile exists and is complete


def key_for(membership_id: int) -> str:
    return f"matching:viewer:{membership_id}"


def viewer_facts(membership) -> ViewerFacts:
    """The viewer's facts: from this request, else the cache, else the database (and cached)."""
    facts = getattr(membership, ATTR, None)
    if facts is not None:
        return facts
    facts = cache.get(key_for(membership.pk))
    if facts is None:
        facts = _read(membership)
        cache.set(key_for(membership.pk), facts, TTL)
    setattr(membership, ATTR, facts)
    return facts


def _read(membership) -> ViewerFacts:
    from mentormemed.accounts.models import MenteeEligibility
    from mentormemed.matching.selectors import read_wishes
    from mentormemed.profiles.models import MenteeProfile

    profile = MenteeProfile.objects.filter(membership=membership).select_related("home_state", "home_country").first()
    eligibility = MenteeEligibility.objects.filter(membership=membership).first()
    return ViewerFacts(
        wishes=read_wishes(membership, profile),
        training_level=profile.training_level if profile else "",
        eligibility_bases=list(eligibility.bases) if eligibility else [],
        profile_complete=bool(profile and profile.is_complete),
    )


def forget(*membership_ids: int) -> None:
    """Drop cached facts now and again when the current transaction commits (no stale re-read
    by a concurrent request can outlive the write)."""
    keys = [key_for(pk) for pk in membership_ids if pk]
    if not keys:
        return
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))
