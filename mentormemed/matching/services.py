"""Writes of the matching app: the search log (R11) and recommendation exposure (R27)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import F

from mentormemed.institutions.models import Membership
from mentormemed.matching.models import MentorExposure, SearchEvent, SearchLog
from mentormemed.profiles.models import MentorProfile


def viewer_descriptor(viewer: Membership) -> dict:
    """Who searched, as outcomes data needs it: role, training level, eligibility bases — no identity."""
    profile = getattr(viewer, "mentee_profile", None) if viewer.role == "mentee" else None
    try:
        eligibility = viewer.eligibility
    except Exception:  # noqa: BLE001 — RelatedObjectDoesNotExist: no attestation yet
        eligibility = None
    return {
        "institution_id": viewer.institution_id,
        "role": viewer.role,
        "training_level": profile.training_level if profile else "",
        "eligibility_bases": eligibility.bases if eligibility else [],
    }


def log_search(*, viewer: Membership, kind: str, filters: dict, result_count: int) -> SearchLog:
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


@transaction.atomic
def record_exposure(*, mentor_ids: Iterable[int]) -> None:
    """Count one more showing of each mentor this week (R27). Two queries whatever the number."""
    from mentormemed.matching.selectors import week_start

    ids = list(mentor_ids)
    if not ids:
        return
    week = week_start()
    MentorExposure.objects.bulk_create(
        [MentorExposure(mentor_id=pk, week=week, shown=0) for pk in ids], ignore_conflicts=True
    )
    MentorExposure.objects.filter(mentor_id__in=ids, week=week).update(shown=F("shown") + 1)
