"""Reads for relationship health and duty of care, always given the acting person or institution."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Case as CaseWhen
from django.db.models import F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from mentormemed.care.health import Signal, assess
from mentormemed.care.models import (
    Block,
    CareCheckIn,
    CarePolicy,
    Case,
    CaseStatus,
    DuplicateNeed,
    HealthState,
    NoShow,
    Outreach,
    RelationshipHealth,
)
from mentormemed.mentorships.models import Relationship
from mentormemed.mentorships.selectors import relationships_of

if TYPE_CHECKING:
    from mentormemed.accounts.models import User
    from mentormemed.core.access import Actor
    from mentormemed.institutions.models import Institution, Membership
    from mentormemed.profiles.models import MentorProfile

OPEN_CHECKIN_DAYS = 30  # a check-in left unanswered this long is no longer asked


def policy_for(institution: Institution | int) -> CarePolicy:
    """The institution's duty-of-care settings (the defaults until an admin saves them); an institution or its id."""
    institution_id = institution if isinstance(institution, int) else institution.pk
    return CarePolicy.objects.filter(institution_id=institution_id).first() or CarePolicy(institution_id=institution_id)


# ------------------------------------------------------------------------------ health


def relationship_signal(*, relationship: Relationship, now: dt.datetime | None = None) -> Signal:
    """The live signal of one relationship (the pair's card), as the at-risk list computes it."""
    rel = Relationship.objects.select_related("mentee", "mentor__membership").get(pk=relationship.pk)
    return assess([rel], now=now)[rel.pk]


def _severity_order() -> CaseWhen:
    return CaseWhen(
        When(state=HealthState.AT_RISK, then=Value(0)),
        When(state=HealthState.PAUSED, then=Value(1)),
        When(state=HealthState.DRIFTING, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )


def at_risk(
    *, actor: Actor, states: Iterable[str] = (HealthState.AT_RISK, HealthState.DRIFTING, HealthState.PAUSED)
) -> QuerySet[RelationshipHealth]:
    """Mentorships whose signal needs attention, worst first: an admin sees those where the mentee or
    the mentor is theirs, staff all. Facts and reasons only — never a message, goal or note (R30)."""
    qs = RelationshipHealth.objects.filter(state__in=list(states), relationship__ended_at__isnull=True)
    if actor.role != "staff":
        qs = qs.filter(Q(mentee_institution_id=actor.institution_id) | Q(mentor_institution_id=actor.institution_id))
    return (
        qs.select_related(
            "relationship__mentee__user",
            "relationship__mentee__institution",
            "relationship__mentor__membership__user",
            "relationship__mentor__membership__institution",
        )
        .prefetch_related(
            Prefetch("relationship__outreach", queryset=Outreach.objects.select_related("by").order_by("-at"))
        )
        .annotate(worst=_severity_order())
        .order_by("worst", "last_contact_at", "relationship_id")
    )


def health_or_404(*, actor: Actor, relationship_id: int) -> RelationshipHealth:
    try:
        return at_risk(actor=actor, states=HealthState.values).get(relationship_id=relationship_id)
    except RelationshipHealth.DoesNotExist as exc:
        raise Http404 from exc


def state_counts(*, actor: Actor) -> dict[str, int]:
    qs = at_risk(actor=actor, states=HealthState.values).order_by()
    counts = dict.fromkeys(HealthState.values, 0)
    for state in qs.values_list("state", flat=True):
        counts[state] += 1
    return counts


# ---------------------------------------------------------------------------- check-ins


def open_checkins(*, relationship: Relationship, side: str, now: dt.datetime | None = None) -> list[CareCheckIn]:
    """Check-ins this side has not answered yet (the latest first; older than 30 days are dropped)."""
    now = now or timezone.now()
    return list(
        CareCheckIn.objects.filter(relationship=relationship, sent_at__gte=now - dt.timedelta(days=OPEN_CHECKIN_DAYS))
        .exclude(answers__side=side)
        .order_by("-sent_at")
    )


def checkin_for_or_404(*, actor: Actor, pk: int) -> CareCheckIn:
    if actor.membership is None:
        raise Http404
    try:
        return CareCheckIn.objects.select_related("relationship__mentee__user", "relationship__mentor__membership").get(
            pk=pk, relationship__in=relationships_of(membership=actor.membership)
        )
    except CareCheckIn.DoesNotExist as exc:
        raise Http404 from exc


# ---------------------------------------------------------------------------- no-shows


def no_show_count(*, user_id: int, since: dt.datetime) -> int:
    """Meetings ``user_id`` was marked absent from since ``since`` (either role)."""
    return NoShow.objects.filter(absent_user_id=user_id, marked_at__gte=since).count()


def mentor_missed_meetings(*, mentor: MentorProfile, since: dt.datetime) -> int:
    """Responsiveness (R13): meetings this mentor did not show for, registered with mentorships."""
    return NoShow.objects.filter(relationship__mentor=mentor, absent_side="mentor", marked_at__gte=since).count()


# -------------------------------------------------------------------------------- blocks


def _blocks_between(a: int, b: int) -> QuerySet[Block]:
    return Block.objects.filter(Q(blocker_id=a, blocked_id=b) | Q(blocker_id=b, blocked_id=a), lifted_at__isnull=True)


def contact_refusal(user_id: int, other_id: int) -> str | None:
    """Registered with ``core.contact``: the same sentence for both sides, so no one learns who blocked."""
    if _blocks_between(user_id, other_id).exists():
        return "Contact between the two of you is paused, so messages, meetings and requests are closed."
    return None


def hidden_from(user_id: int) -> list[QuerySet[Block, object]]:
    """Registered with ``core.contact``: people blocked by, or blocking, ``user_id`` (one lazy subquery).

    One subquery, not one per direction: ``user IN (a) OR user IN (b)`` kept PostgreSQL from
    starting at the (nearly always empty) blocks and made it filter every membership instead."""
    active = Block.objects.filter(Q(blocker_id=user_id) | Q(blocked_id=user_id), lifted_at__isnull=True)
    other = CaseWhen(When(blocker_id=user_id, then=F("blocked_id")), default=F("blocker_id"))
    return [active.annotate(other=other).values("other")]


def my_block(*, user: User, other_id: int) -> Block | None:
    """The block ``user`` placed on ``other_id`` (only the blocker can lift it)."""
    return Block.objects.filter(blocker=user, blocked_id=other_id, lifted_at__isnull=True).first()


def is_paused(*, relationship: Relationship) -> bool:
    return _blocks_between(relationship.mentee.user_id, relationship.mentor.membership.user_id).exists()


# --------------------------------------------------------------------------------- cases


def cases_for(*, actor: Actor, status: str = "") -> QuerySet[Case]:
    """Cases an admin (their institution, or the other one of a cross-institutional report) or staff may handle."""
    qs = Case.objects.select_related(
        "reporter", "subject", "owner", "institution", "other_institution", "reporter_membership"
    )
    if actor.role != "staff":
        qs = qs.filter(Q(institution_id=actor.institution_id) | Q(other_institution_id=actor.institution_id))
    if status in CaseStatus.values:
        qs = qs.filter(status=status)
    return qs


def case_or_404(*, actor: Actor, pk: int) -> Case:
    try:
        return cases_for(actor=actor).get(pk=pk)
    except Case.DoesNotExist as exc:
        raise Http404 from exc


def cases_filed_by(*, user: User) -> QuerySet[Case]:
    """The reporter's own cases: status only (notes and handlers stay with the people handling them)."""
    return Case.objects.filter(reporter=user).select_related("subject").order_by("-created_at")


def open_case_counts(*, actor: Actor) -> dict[str, int]:
    qs = cases_for(actor=actor).exclude(status=CaseStatus.RESOLVED).order_by()
    return {"open": qs.count(), "urgent": qs.filter(urgent=True).count()}


# ---------------------------------------------------------------------- duplicate needs


def open_duplicates(*, mentee: Membership) -> QuerySet[DuplicateNeed]:
    return DuplicateNeed.objects.filter(
        mentee=mentee, resolved_at__isnull=True, first__ended_at__isnull=True, second__ended_at__isnull=True
    ).select_related("first__mentor__membership__user", "second__mentor__membership__user")


def duplicate_or_404(*, mentee: Membership, pk: int) -> DuplicateNeed:
    try:
        return open_duplicates(mentee=mentee).get(pk=pk)
    except DuplicateNeed.DoesNotExist as exc:
        raise Http404 from exc


# ------------------------------------------------------------------------------ people


def staff_users() -> list[User]:
    from django.contrib.auth import get_user_model

    return list(get_user_model().objects.filter(is_staff=True, is_active=True))


def blocks_placed(*, user: User) -> QuerySet[Block]:
    """Blocks ``user`` placed and may lift."""
    return Block.objects.filter(blocker=user, lifted_at__isnull=True).select_related("blocked")


def last_refresh() -> dt.datetime | None:
    from mentormemed.care.models import RefreshMark

    return RefreshMark.objects.filter(name="health").values_list("ran_at", flat=True).first()
