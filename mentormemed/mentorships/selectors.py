"""Reads about requests, relationships and the mentee's network. Each takes the acting membership or user."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict

from django.db.models import F, OuterRef, Prefetch, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from mentormemed.core.conf import product
from mentormemed.core.contact import contact_refused
from mentormemed.institutions.models import Membership
from mentormemed.mentorships.finder import finder
from mentormemed.mentorships.models import Goal, MentorshipRequest, Message, Relationship, RequestState
from mentormemed.profiles.models import ContentArea, MenteeNeed, MenteeProfile, MentorProfile
from mentormemed.profiles.responsiveness import WINDOW_DAYS as RESPONSIVENESS_WINDOW_DAYS
from mentormemed.profiles.responsiveness import Responsiveness
from mentormemed.profiles.responsiveness import measure as measure_responsiveness
from mentormemed.profiles.visibility import searchable_mentors

if TYPE_CHECKING:
    from mentormemed.accounts.models import User
    from mentormemed.core.access import Actor
    from mentormemed.institutions.models import Institution
    from mentormemed.matching.selectors import Recommendation


def mentor_profile_of(membership: Membership) -> MentorProfile | None:
    if membership is None or membership.role != "mentor":
        return None
    return MentorProfile.objects.filter(membership=membership).select_related("membership__user").first()


# ------------------------------------------------------------------ who can request whom


def mentor_in_scope(*, mentee: Membership, mentor_id: int) -> MentorProfile:
    """The mentor if the mentee can find them (matching's one "visible mentors" rule: R8 consent and
    complete profile, not suspended, R9 scope, R1 access); anyone else is a 404 and shows nothing."""
    try:
        return (
            searchable_mentors(viewer=mentee)
            .select_related("membership__user", "membership__institution")
            .get(pk=mentor_id)
        )
    except MentorProfile.DoesNotExist as exc:
        raise Http404 from exc


def is_searchable_by(*, mentee: Membership, mentor: MentorProfile) -> bool:
    """R8/R9/R13: the mentor appears in this mentee's search (matching's own rule)."""
    return searchable_mentors(viewer=mentee).filter(pk=mentor.pk).exists()


def request_blocker(*, mentee: Membership, mentor: MentorProfile) -> str | None:
    """Why this mentee cannot send this mentor a request now (a sentence), or None (R12, R13)."""
    name = mentor.membership.user.display_name
    if mentor.membership.user_id == mentee.user_id:
        return "You cannot send a request to yourself."
    if mentor.suspended_at or contact_refused(user_id=mentee.user_id, other_id=mentor.membership.user_id):
        return f"{name} is not taking requests at the moment. Please choose another mentor."
    if not is_searchable_by(mentee=mentee, mentor=mentor):
        return f"{name} is not taking requests at the moment. Please choose another mentor."
    if finishing_training(mentor):
        return f"{name} is finishing their mentor training and cannot take requests yet. Please choose another mentor."
    if mentor.is_full:
        return f"{name} is full (mentoring as many people as they can). Please choose another mentor."
    if Relationship.objects.filter(mentee=mentee, mentor=mentor, ended_at__isnull=True).exists():
        return f"{name} is already your mentor."
    if MentorshipRequest.objects.filter(mentee=mentee, mentor=mentor, state=RequestState.PENDING).exists():
        return f"You already have a request waiting for {name}; withdraw it before sending another."
    cooldown = product.rerequest_cooldown_days
    recent = MentorshipRequest.objects.filter(
        mentee=mentee,
        mentor=mentor,
        state__in=[RequestState.DECLINED, RequestState.EXPIRED],
        created_at__gte=timezone.now() - dt.timedelta(days=cooldown),
    )
    if recent.exists():
        return f"You asked {name} within the last {cooldown} days; please ask someone else for now."
    return None


# ------------------------------------------------------------------------- requests


def requests_of_mentee(*, mentee: Membership) -> QuerySet[MentorshipRequest]:
    return (
        MentorshipRequest.objects.filter(mentee=mentee)
        .select_related("mentor__membership__user", "mentor__membership__institution")
        .prefetch_related("areas")
        .order_by("-created_at", "-id")
    )


def inbox_of_mentor(*, mentor: MentorProfile) -> QuerySet[MentorshipRequest]:
    """Pending requests, soonest deadline first, with what the mentor needs to decide (R28)."""
    return (
        MentorshipRequest.objects.filter(mentor=mentor, state=RequestState.PENDING)
        .select_related("mentee__user", "mentee__institution", "mentee__mentee_profile")
        .prefetch_related(
            "areas",
            Prefetch(
                "mentee__mentee_profile__needs",
                queryset=MenteeNeed.objects.select_related("content_area").order_by("rank"),
            ),
            "mentee__mentee_profile__specialty_interests",
            "mentee__mentee_profile__languages",
        )
        .order_by("deadline", "id")
    )


def request_for_mentor_or_404(*, mentor: MentorProfile | None, pk: int) -> MentorshipRequest:
    if mentor is None:
        raise Http404
    try:
        return MentorshipRequest.objects.select_related(
            "mentee__user", "mentee__institution", "mentor__membership__user"
        ).get(pk=pk, mentor=mentor)
    except MentorshipRequest.DoesNotExist as exc:
        raise Http404 from exc


@dataclass(frozen=True)
class MenteeAsShown:
    """What a mentor may see of a mentee (R8, R28): their shared values only, never a private one."""

    languages: list[str]
    home: str
    identities: list[str]


def mentee_as_shown(membership: Membership) -> MenteeAsShown:
    """The one place that decides which of a mentee's characteristics a mentor sees."""
    profile = getattr(membership, "mentee_profile", None)
    languages = [str(lang) for lang in profile.languages.all()] if profile and profile.languages_shared else []
    home = ""
    if profile and profile.home_shared:
        home = ", ".join(str(p) for p in (profile.home_state, getattr(profile, "home_country", None)) if p)
    return MenteeAsShown(languages, home, shared_identities(membership))


def shared_identities(membership: Membership) -> list[str]:
    """Only *shared* identity values (R8): private ones are never shown to anyone."""
    return [
        v.write_in or v.option.name
        for v in membership.identity_values.filter(shared=True).select_related("option", "option__dimension")
    ]


# -------------------------------------------------------------------- relationships


def relationships_of(*, membership: Membership) -> QuerySet[Relationship]:
    """The actor's relationships from their side (mentee or mentor), active first."""
    qs = Relationship.objects.select_related(
        "mentee__user", "mentee__institution", "mentor__membership__user", "mentor__membership__institution"
    )
    if membership.role == "mentee":
        qs = qs.filter(mentee=membership)
    elif membership.role == "mentor":
        qs = qs.filter(mentor__membership=membership)
    else:
        return qs.none()
    return qs.order_by(F("ended_at").desc(nulls_first=True), "-started_at")


def mentee_phone_for(*, relationship: Relationship, side: str) -> str:
    """The mentee's phone, shown to their mentor while the mentorship runs (as the profile promises)."""
    if side != "mentor" or not relationship.is_active:
        return ""
    return (
        MenteeProfile.objects.filter(membership_id=relationship.mentee_id).values_list("phone", flat=True).first() or ""
    )


def checkins_due(*, membership: Membership) -> list[Relationship]:
    """R29: running mentorships whose early check-in was sent and that this side has not answered."""
    side = "mentee_checkin" if membership.role == "mentee" else "mentor_checkin"
    return list(
        relationships_of(membership=membership).filter(
            ended_at__isnull=True, checkin_sent_at__isnull=False, **{side: ""}
        )
    )


def relationship_for_or_404(*, actor: Actor, pk: int) -> Relationship:
    """A relationship only its pair can see (another person's, an admin's or staff's request: 404)."""
    membership = actor.membership
    if membership is None or membership.role not in ("mentee", "mentor"):
        raise Http404
    try:
        return relationships_of(membership=membership).select_related("compact").get(pk=pk)
    except Relationship.DoesNotExist as exc:
        raise Http404 from exc


def own_request_or_404(*, actor: Actor, pk: int) -> MentorshipRequest:
    """A request the acting mentee sent (anyone else's: 404)."""
    try:
        return MentorshipRequest.objects.select_related("mentor__membership__user").get(pk=pk, mentee=actor.membership)
    except MentorshipRequest.DoesNotExist as exc:
        raise Http404 from exc


def goal_for_or_404(*, actor: Actor, pk: int) -> Goal:
    """A goal of a relationship only its pair can see (anyone else: 404)."""
    try:
        goal = Goal.objects.select_related("relationship").get(pk=pk)
    except Goal.DoesNotExist as exc:
        raise Http404 from exc
    relationship_for_or_404(actor=actor, pk=goal.relationship_id)
    return goal


def messages_of(*, relationship: Relationship) -> QuerySet[Message]:
    return relationship.messages.select_related("sender").order_by("created_at", "id")


# ------------------------------------------------------------------------ network (R14)


@dataclass
class NetworkRow:
    relationship: Relationship
    covers: list[ContentArea] = field(default_factory=list)


@dataclass
class Network:
    needs: list[ContentArea]  # by rank
    rows: list[NetworkRow]
    uncovered: list[ContentArea]
    suggestions: list[Suggestion]


def mentee_needs(mentee: Membership) -> list[ContentArea]:
    return [
        n.content_area
        for n in MenteeNeed.objects.filter(profile__membership=mentee).select_related("content_area").order_by("rank")
    ]


def with_tie(qs: QuerySet[MentorProfile], *, mentee: Membership) -> QuerySet[MentorProfile]:
    """Annotate what ``tie_between`` reads, in the same statement as the mentors (the mentor's page)."""
    relationship = Relationship.objects.filter(mentee=mentee, mentor=OuterRef("pk"), ended_at__isnull=True)
    pending = MentorshipRequest.objects.filter(mentee=mentee, mentor=OuterRef("pk"), state=RequestState.PENDING)
    return qs.annotate(
        tie_relationship_id=Subquery(relationship.order_by("-started_at", "-pk").values("pk")[:1]),
        tie_pending_id=Subquery(pending.order_by("-created_at", "-pk").values("pk")[:1]),
        tie_pending_deadline=Subquery(pending.order_by("-created_at", "-pk").values("deadline")[:1]),
    )


class Tie(TypedDict):
    """How a mentee stands with a mentor: their mentorship, else their pending request."""

    relationship: Relationship | None
    pending: MentorshipRequest | None
    finishing: bool


def tie_between(*, mentee: Membership, mentor: MentorProfile) -> Tie:
    """The active mentorship of ``mentee`` with ``mentor``, else the pending request to them."""
    if (  # read with the mentor (``with_tie`` sets the three ``tie_`` columns together)
        hasattr(mentor, "tie_relationship_id")
        and hasattr(mentor, "tie_pending_id")
        and hasattr(mentor, "tie_pending_deadline")
        and hasattr(mentor, "finishing_training")
    ):
        relationship = Relationship(pk=mentor.tie_relationship_id) if mentor.tie_relationship_id else None
        pending = (
            MentorshipRequest(pk=mentor.tie_pending_id, deadline=mentor.tie_pending_deadline)
            if relationship is None and mentor.tie_pending_id
            else None
        )
        finishing = relationship is None and pending is None and mentor.finishing_training
        return {"relationship": relationship, "pending": pending, "finishing": finishing}
    relationship = Relationship.objects.filter(mentee=mentee, mentor=mentor, ended_at__isnull=True).first()
    pending = (
        None
        if relationship
        else MentorshipRequest.objects.filter(mentee=mentee, mentor=mentor, state=RequestState.PENDING).first()
    )
    return {
        "relationship": relationship,
        "pending": pending,
        "finishing": relationship is None and pending is None and finishing_training(mentor),
    }


def finishing_training(mentor: MentorProfile) -> bool:
    """R7: the mentor could not accept a request now (a required step such as training is missing)."""
    return bool(finder().finishing_training([mentor.pk]))


def not_to_suggest(*, mentee: Membership) -> set[int]:
    """Mentors a suggestion must leave out: current mentors and everyone the mentee has asked
    (pending, declined, expired, withdrawn or accepted) — re-match and recommendations (R29)."""
    asked = MentorshipRequest.objects.filter(mentee=mentee).values_list("mentor_id", flat=True)
    return active_mentor_ids(mentee=mentee) | set(asked)


def not_to_suggest_queries(*, mentee: Membership) -> list[QuerySet[Relationship | MentorshipRequest, object]]:
    """``not_to_suggest`` as subqueries of mentor ids, for a query that leaves them out itself."""
    return [
        Relationship.objects.filter(mentee=mentee, ended_at__isnull=True).values("mentor_id"),
        MentorshipRequest.objects.filter(mentee=mentee).values("mentor_id"),
    ]


def active_mentor_ids(*, mentee: Membership) -> set[int]:
    """The mentee's current mentors (for the "your mentor" badge)."""
    return set(Relationship.objects.filter(mentee=mentee, ended_at__isnull=True).values_list("mentor_id", flat=True))


def coverage(
    *, mentee: Membership, relationships: list[Relationship], needs: list[ContentArea]
) -> dict[int, list[ContentArea]]:
    """mentor profile id -> the mentee's needs that mentor covers.

    A mentor covers a need they offer (matching's ``needs_coverage``, shared data only) or one
    the mentee asked them about in the request that started the relationship.
    """
    need_ids = {n.pk for n in needs}
    mentors = [r.mentor for r in relationships]
    offered: dict[int, set[int]] = {}
    if mentors:
        for row in finder().needs_coverage(mentee=mentee, mentor_profiles=mentors):
            for mentor in row.mentors:
                offered.setdefault(mentor.pk, set()).add(row.area.pk)
    asked = MentorshipRequest.areas.through.objects.filter(
        mentorshiprequest_id__in=[r.request_id for r in relationships if r.request_id], contentarea_id__in=need_ids
    ).values_list("mentorshiprequest_id", "contentarea_id")
    by_request: dict[int | None, set[int]] = {}
    for request_id, area_id in asked:
        by_request.setdefault(request_id, set()).add(area_id)
    result = {}
    for r in relationships:
        ids = (offered.get(r.mentor_id, set()) | by_request.get(r.request_id, set())) & need_ids
        result[r.mentor_id] = [n for n in needs if n.pk in ids]
    return result


@dataclass
class Suggestion:
    mentor: MentorProfile
    covers: list[ContentArea]
    reasons: list[str] = field(default_factory=list)


def suggestions_for(
    *, mentee: Membership, uncovered: list[ContentArea], exclude_mentor_ids: Iterable[int], limit: int = 5
) -> list[Suggestion]:
    """Mentors with room for the uncovered needs (matching's per-need suggestions), each listed once."""
    found: dict[int, Suggestion] = {}
    per_area = finder().suggestions_for_needs(mentee=mentee, areas=uncovered, exclude_mentor_ids=exclude_mentor_ids)
    for area in uncovered:
        for mentor in per_area.get(area.pk, []):
            found.setdefault(mentor.pk, Suggestion(mentor=mentor, covers=[])).covers.append(area)
    ranked = sorted(found.values(), key=lambda s: -len(s.covers))
    return ranked[:limit]


def recommendations(
    *, mentee: Membership, exclude_mentor_ids: Iterable[int] = (), limit: int = 5
) -> list[Recommendation]:
    """Matching's ranked recommendations (R10, R27)."""
    return list(finder().recommend(mentee=mentee, limit=limit, exclude_mentor_ids=tuple(exclude_mentor_ids)))


def network_of(*, mentee: Membership) -> Network:
    """R14: every active mentor, which needs each covers, the uncovered needs and suggestions for them."""
    needs = mentee_needs(mentee)
    relationships = list(relationships_of(membership=mentee).filter(ended_at__isnull=True).prefetch_related("goals"))
    covered = coverage(mentee=mentee, relationships=relationships, needs=needs)
    rows = [NetworkRow(r, covered.get(r.mentor_id, [])) for r in relationships]
    covered_ids = {a.pk for row in rows for a in row.covers}
    uncovered = [n for n in needs if n.pk not in covered_ids]
    suggestions = []
    if uncovered:
        suggestions = suggestions_for(
            mentee=mentee, uncovered=uncovered, exclude_mentor_ids=not_to_suggest(mentee=mentee)
        )
    return Network(needs=needs, rows=rows, uncovered=uncovered, suggestions=suggestions)


# ------------------------------------------------------------------- responsiveness (R13)


def responsiveness(*, mentor: MentorProfile, now: dt.datetime | None = None) -> Responsiveness:
    """R13, as ``profiles.responsiveness`` defines it: requests decided in the window, median hours to
    answer the answered ones, answered ÷ decided; too few decided → a new mentor (no figures)."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=RESPONSIVENESS_WINDOW_DAYS)
    rows = MentorshipRequest.objects.filter(
        mentor=mentor,
        created_at__gte=since,
        state__in=[RequestState.ACCEPTED, RequestState.DECLINED, RequestState.EXPIRED],
    ).values_list("state", "created_at", "responded_at")
    hours = [(r - c).total_seconds() / 3600 for s, c, r in rows if s != RequestState.EXPIRED and r]
    # Meetings the mentor did not attend count as occasions not answered (issue 18).
    missed = sum(source(mentor=mentor, since=since) for source in MISSED_OCCASION_SOURCES)
    return measure_responsiveness(answered_hours=hours, decided=len(rows) + missed)


# Other capabilities register ``fn(*, mentor, since) -> int``: occasions the mentor missed (no-shows).
MISSED_OCCASION_SOURCES: list[Callable[..., int]] = []


def capacity_of(mentor: MentorProfile) -> int:
    return min(mentor.capacity, product.mentor_cap)


class MentorOverview(TypedDict):
    active: list[Relationship]
    capacity: int
    free: int


def mentor_overview(*, mentor: MentorProfile) -> MentorOverview:
    """The mentor's page: requests waiting, active mentees and free capacity (R12)."""
    active = list(
        Relationship.objects.filter(mentor=mentor, ended_at__isnull=True)
        .select_related("mentee__user", "mentee__institution")
        .order_by("started_at")
    )
    capacity = capacity_of(mentor)
    return {"active": active, "capacity": capacity, "free": max(capacity - len(active), 0)}


def suspended_mentors(*, actor: Actor) -> QuerySet[MentorProfile]:
    """Suspended mentors an admin (their institution) or staff (everyone) may reinstate."""
    qs = MentorProfile.objects.filter(suspended_at__isnull=False).select_related(
        "membership__user", "membership__institution"
    )
    if actor.role == "staff":
        return qs.order_by("-suspended_at")
    assert actor.institution_id is not None  # an admin (mentorships.reinstate: admins and staff)
    return qs.filter(membership__institution_id=actor.institution_id).order_by("-suspended_at")


def suspended_mentor_or_404(*, actor: Actor, mentor_id: int) -> MentorProfile:
    try:
        return suspended_mentors(actor=actor).get(pk=mentor_id)
    except MentorProfile.DoesNotExist as exc:
        raise Http404 from exc


def admins_of(institution: Institution | int) -> list[User]:  # an institution or its id
    return [
        m.user
        for m in Membership.objects.filter(institution=institution, role="admin", status="active").select_related(
            "user"
        )
    ]
