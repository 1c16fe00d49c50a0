"""Writes of the matching app: the search log (R11) and recommendation exposure (R27)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, TypedDict

from django.db import connection

from mentormemed.core.types import JSONDict
from mentormemed.institutions.models import Membership
from mentormemed.matching.models import MentorExposure, SearchEvent, SearchLog
from mentormemed.profiles.models import MentorProfile

if TYPE_CHECKING:
    from mentormemed.matching.selectors import Recommendation


class ViewerDescriptor(TypedDict):
    institution_id: int
    role: str
    training_level: str
    eligibility_bases: list[str]


def viewer_descriptor(viewer: Membership) -> ViewerDescriptor:
    """Who searched, as outcomes data needs it: role, training level, eligibility bases — no identity."""
    from mentormemed.matching.viewer import viewer_facts

    facts = viewer_facts(viewer)  # read once per request, cached until the person edits them
    return {
        "institution_id": viewer.institution_id,
        "role": viewer.role,
        "training_level": facts.training_level if viewer.role == "mentee" else "",
        "eligibility_bases": list(facts.eligibility_bases),
    }


def log_search(*, viewer: Membership, kind: str, filters: JSONDict, result_count: int) -> SearchLog:
    """Record one search or recommendation view (R11)."""
    return SearchLog.objects.create(
        viewer=viewer, kind=kind, filters=filters, result_count=result_count, **viewer_descriptor(viewer)
    )


def log_search_event(*, search_id: int | None, mentee: Membership, mentor: MentorProfile, kind: str) -> SearchEvent:
    """Record that ``mentee`` opened or requested ``mentor`` (R11), linked to the search it came from.

    ``kind`` is ``"opened"`` or ``"requested"``. A ``search_id`` that is not the mentee's
    own search is ignored (the event is still recorded, unlinked), so a forged link
    cannot attach clicks to another person's search.
    """
    if kind not in SearchEvent.Kind.values:
        raise ValueError(f"Unknown search event kind {kind!r}")
    search = None
    if search_id:
        search = SearchLog.objects.filter(pk=search_id, viewer=mentee).only("pk").first()
    descriptor = viewer_descriptor(mentee)
    return SearchEvent.objects.create(search=search, mentor=mentor, kind=kind, **descriptor)


def recommendations_shown(*, viewer: Membership, recs: list[Recommendation]) -> list[Recommendation]:
    """The page showed ``recs`` to ``viewer``: one search-log row (R11) and one more showing of each mentor
    (R27's exposure balancing); each recommendation carries the log's id for the clicks it leads to."""
    search = log_search(viewer=viewer, kind="recommendations", filters={"limit": len(recs)}, result_count=len(recs))
    record_exposure(mentor_ids=[r.mentor.pk for r in recs])
    for rec in recs:
        rec.search_id = search.pk
    return recs


def record_exposure(*, mentor_ids: Iterable[int]) -> None:
    """Count one more showing of each mentor this week (R27): one upsert whatever the number."""
    from mentormemed.matching.selectors import week_start

    ids = sorted(set(mentor_ids))
    if not ids:
        return
    week = week_start()
    table = connection.ops.quote_name(MentorExposure._meta.db_table)
    rows = ", ".join(["(%s, %s, 1)"] * len(ids))
    params = [value for pk in ids for value in (pk, week)]
    with connection.cursor() as cursor:  # PostgreSQL and SQLite (3.24+) share the upsert syntax
        cursor.execute(
            f"INSERT INTO {table} (mentor_id, week, shown) VALUES {rows} "
            f"ON CONFLICT (mentor_id, week) DO UPDATE SET shown = {table}.shown + 1",
            params,
        )
