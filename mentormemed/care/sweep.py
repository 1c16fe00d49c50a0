"""Periodic care work, registered with ``core.periodic`` (run by the sweep): refresh every active
relationship's health signal, nudge pairs whose mentorship drifts, and send the regular check-ins.

Idempotent and safe to run concurrently: the refresh is claimed with a conditional UPDATE on its
mark (at most once per ``CARE_REFRESH_MINUTES``), a nudge with a conditional UPDATE on
``nudged_at``, a check-in by its unique (relationship, occasion) row.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _

from mentormemed.care.health import Signal, assess
from mentormemed.care.models import HealthState, RefreshMark, RelationshipHealth
from mentormemed.core.conf import product
from mentormemed.mentorships.models import Relationship
from mentormemed.notifications.services import notify

BATCH = 1000
NEEDS_NUDGE = (HealthState.DRIFTING, HealthState.AT_RISK)


def claim_interval(name: str, *, now: dt.datetime) -> bool:
    """True for the one sweep that may run job ``name`` now: at most every ``CARE_REFRESH_MINUTES``."""
    every = dt.timedelta(minutes=product.care_refresh_minutes)
    RefreshMark.objects.get_or_create(name=name)
    return bool(
        RefreshMark.objects.filter(Q(ran_at__isnull=True) | Q(ran_at__lte=now - every), name=name).update(ran_at=now)
    )


def refresh_health(*, now: dt.datetime | None = None, force: bool = False) -> dict[str, int]:
    """Recompute every active relationship's signal (in batches) and nudge the drifting pairs."""
    now = now or timezone.now()
    if force:
        RefreshMark.objects.update_or_create(name="health", defaults={"ran_at": now})
    elif not claim_interval("health", now=now):
        return {"care_health": 0, "care_nudges": 0}
    RelationshipHealth.objects.filter(relationship__ended_at__isnull=False).delete()
    refreshed = nudged = 0
    last_pk = 0
    while True:
        batch = list(
            Relationship.objects.filter(ended_at__isnull=True, pk__gt=last_pk)
            .select_related("mentee__user", "mentor__membership__user")
            .order_by("pk")[:BATCH]
        )
        if not batch:
            break
        last_pk = batch[-1].pk
        signals = assess(batch, now=now)
        _store(batch, signals, now)
        refreshed += len(batch)
        nudged += sum(_nudge(rel, signals[rel.pk].for_pair(), now) for rel in batch)
    return {"care_health": refreshed, "care_nudges": nudged}


def _store(batch: list[Relationship], signals: dict[int, Signal], now: dt.datetime) -> None:
    rows = [
        RelationshipHealth(
            relationship=rel,
            mentee_institution_id=rel.mentee.institution_id,
            mentor_institution_id=rel.mentor.membership.institution_id,
            state=signals[rel.pk].state,
            reasons=[r.as_json() for r in signals[rel.pk].reasons],
            facts=signals[rel.pk].facts.as_json(),
            last_contact_at=signals[rel.pk].facts.last_contact_at,
            computed_at=now,
        )
        for rel in batch
    ]
    RelationshipHealth.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["relationship"],
        update_fields=[
            "mentee_institution",
            "mentor_institution",
            "state",
            "reasons",
            "facts",
            "last_contact_at",
            "computed_at",
        ],
    )


def _nudge(rel: Relationship, signal: Signal, now: dt.datetime) -> bool:
    """Tell both people, at most every ``CARE_NUDGE_EVERY_DAYS``, what the pair can see of the drift."""
    if signal.state not in NEEDS_NUDGE:
        return False
    every = dt.timedelta(days=product.care_nudge_every_days)
    with transaction.atomic():
        claimed = RelationshipHealth.objects.filter(
            Q(nudged_at__isnull=True) | Q(nudged_at__lte=now - every), relationship=rel
        ).update(nudged_at=now)
        if not claimed:
            return False
        url = reverse("mentorships:relationship", args=[rel.pk])
        why = capfirst(signal.summary)  # lazy: each person reads the facts in their language
        for user, other in (
            (rel.mentee.user, rel.mentor.membership.user),
            (rel.mentor.membership.user, rel.mentee.user),
        ):
            notify(
                user=user,
                kind="care_nudge",
                title=format_lazy(_("Your mentorship with {name} could use some attention"), name=other.display_name),
                body=format_lazy(
                    _(
                        "{why}. A short message or a booked meeting keeps it going; if it no "
                        "longer works for you, you can end it kindly from the mentorship page."
                    ),
                    why=why,
                ),
                url=url,
                action=_("Open the mentorship"),
            )
    return True
