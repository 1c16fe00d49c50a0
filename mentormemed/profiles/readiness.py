"""``MentorProfile.accept_ready``: the copy of R7's gate ("every required step with an ``unready`` rule
done") that lists of mentors read from the profile row (issue 14).

The rule itself stays in ``core.onboarding`` (the steps' ``unready`` subqueries, training's among
them); this module only writes its result onto the profiles. The owner of a step's facts calls
``refresh_readiness`` when they change (training: a completion saved or deleted, a module saved or
deleted), and the sweep runs it for every mentor as a repair.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q

from mentormemed.core.onboarding import unready_membership_ids
from mentormemed.institutions.models import Membership
from mentormemed.profiles.models import MentorProfile


def _unready(field: str) -> Q | None:
    """``field`` (a mentor membership id) is one that a required step still stops; ``None``: no step can."""
    condition = None
    for subquery in unready_membership_ids("mentor"):
        term = Q(**{f"{field}__in": subquery})
        condition = term if condition is None else condition | term
    return condition


def membership_ready(membership_id: int) -> bool:
    """R7's gate for one mentor membership, read now (a new profile's first value)."""
    unready = _unready("pk")
    return unready is None or not Membership.objects.filter(unready, pk=membership_id).exists()


def refresh_readiness(*, membership_ids: Iterable[int] | None = None) -> int:
    """Rewrite ``accept_ready`` for these mentor memberships (``None``: every mentor). Two UPDATEs, each
    touching only the rows whose value changes; returns how many changed."""
    profiles = MentorProfile.objects.all()
    if membership_ids is not None:
        profiles = profiles.filter(membership_id__in=list(membership_ids))
    unready = _unready("membership_id")
    if unready is None:
        return profiles.filter(accept_ready=False).update(accept_ready=True)
    changed = profiles.filter(unready, accept_ready=True).update(accept_ready=False)
    return changed + profiles.exclude(unready).filter(accept_ready=False).update(accept_ready=True)


def repair_readiness(*, now: dt.datetime) -> int:
    """The sweep's job: every mentor's copy checked against the rule (0 when nothing drifted)."""
    return refresh_readiness()
