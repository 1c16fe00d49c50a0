"""The facet index: the ``MentorFacet`` rows that search reads, and the version its cached counts
are keyed by.

Which values of a mentor are searchable, and their labels, is the facet vocabulary of
``profiles.facets`` (re-exported here for search). The index follows the profiles and the
memberships through their signals (``matching.signals``): it is written when a mentor's profile is
refreshed, and its cached counts are dropped when a mentor may appear or disappear.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction

from mentormemed.matching.models import MentorFacet
from mentormemed.profiles.facets import (
    GROUP_LABELS,
    FacetInfo,
    catalog,
    expire_catalog,
    forget_catalog,
    group_label,
    group_of,
    mentor_facet_keys,
)

__all__ = [
    "GROUP_LABELS",
    "FacetInfo",
    "bump_index_version",
    "catalog",
    "forget_catalog",
    "group_label",
    "group_of",
    "index_version",
    "mentor_facet_keys",
    "reindex_mentor",
]


@transaction.atomic
def reindex_mentor(profile, keys: set[str] | None = None) -> set[str]:
    """Rewrite ``profile``'s facet rows to match its shared values (``keys``, else read from the profile)."""
    if keys is None:
        keys = mentor_facet_keys(profile)
    existing = set(MentorFacet.objects.filter(mentor=profile).values_list("key", flat=True))
    MentorFacet.objects.filter(mentor=profile, key__in=existing - keys).delete()
    MentorFacet.objects.bulk_create([MentorFacet(mentor=profile, key=k) for k in keys - existing])
    expire_catalog()  # a new value may need a label
    bump_index_version()
    return keys


INDEX_VERSION_KEY = "matching:index-version"


def index_version() -> int:
    return cache.get(INDEX_VERSION_KEY, 0)


def bump_index_version() -> None:
    """Invalidate cached facet counts (they are keyed by this version): now, for the writer's own
    transaction, and again once the change is committed (transaction.on_commit).

    A bump only inside the transaction lets a concurrent search cache pre-commit counts under the
    new version and serve them after the commit; the after-commit bump leaves any such entry under
    a version nobody reads again. (Without a transaction both bumps happen at once.)"""
    _bump_now()
    transaction.on_commit(_bump_now, robust=True)


def _bump_now() -> None:
    try:
        cache.incr(INDEX_VERSION_KEY)
    except ValueError:
        cache.set(INDEX_VERSION_KEY, 1, None)
