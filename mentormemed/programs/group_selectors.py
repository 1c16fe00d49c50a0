"""Reads about circles, one-off sessions, speed-mentoring events and questions to the network (R35).

A circle's thread, goals and meetings are read only by its members; admins see who is in it and
how many meetings were held, never content (R30). Sessions and questions follow the mentor's
scope (R9): a mentee sees what a mentor they could find offers.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from mentormemed.matching.selectors import searchable_mentors as searchable_mentors  # programs.demo reads it here
from mentormemed.outcomes.needs import NeedRow
from mentormemed.profiles.models import ContentArea, MentorProfile, Scope
from mentormemed.programs.models import (
    Circle,
    CircleMeeting,
    CircleMember,
    CircleRole,
    EventParticipant,
    EventSlot,
    GroupMeetingStatus,
    NetworkAnswer,
    OfficeHours,
    Question,
    SessionBooking,
    SpeedEvent,
)
from mentormemed.programs.rotation import rounds_needed
from mentormemed.scheduling.models import Availability
from mentormemed.scheduling.selectors import busy_intervals, rules_for
from mentormemed.scheduling.slots import Slot, free_slots

if TYPE_CHECKING:
    from mentormemed.core.access import Actor
    from mentormemed.institutions.models import Institution, Membership

UNANSWERED_AFTER_DAYS = 7


# ------------------------------------------------------------------------- circles


def circles_of_member(*, membership: Membership) -> QuerySet[Circle]:
    return Circle.objects.filter(
        members__membership=membership, members__left_at__isnull=True, closed_at__isnull=True
    ).distinct()


def circles_of_institution(*, institution: Institution) -> QuerySet[Circle]:
    current = Q(members__left_at__isnull=True)
    return Circle.objects.filter(institution=institution).annotate(
        facilitators=Count("members", filter=current & Q(members__role=CircleRole.FACILITATOR)),
        mentees=Count("members", filter=current & Q(members__role=CircleRole.MEMBER)),
    )


def circle_for_member_or_404(*, actor: Actor, pk: int) -> Circle:
    membership = actor.membership
    if membership is None:
        raise Http404
    try:
        return circles_of_member(membership=membership).select_related("program").get(pk=pk)
    except Circle.DoesNotExist as exc:
        raise Http404 from exc


def circle_for_admin_or_404(*, actor: Actor, pk: int) -> Circle:
    if actor.institution_id is None:
        raise Http404
    try:
        return Circle.objects.get(pk=pk, institution_id=actor.institution_id)
    except Circle.DoesNotExist as exc:
        raise Http404 from exc


def seat_for_admin_or_404(*, actor: Actor, pk: int) -> CircleMember:
    """A current seat of a circle of the admin's institution (another institution's: 404)."""
    if actor.institution_id is None:
        raise Http404
    try:
        return CircleMember.objects.select_related("membership__user", "circle").get(
            pk=pk, left_at__isnull=True, circle__institution_id=actor.institution_id
        )
    except CircleMember.DoesNotExist as exc:
        raise Http404 from exc


def seats(circle: Circle) -> list[CircleMember]:
    return list(circle.members.filter(left_at__isnull=True).select_related("membership__user").order_by("role", "id"))


def facilitator_profiles(circle: Circle) -> list[MentorProfile]:
    ids = circle.members.filter(left_at__isnull=True, role=CircleRole.FACILITATOR).values("membership_id")
    return list(MentorProfile.objects.filter(membership_id__in=ids).select_related("membership__user"))


def circle_slots(*, circle: Circle, length: int, now: dt.datetime | None = None) -> list[Slot]:
    """Times every facilitator is free (their own availability rules, R17), avoiding live circle meetings."""
    now = now or timezone.now()
    common: set[Slot] | None = None
    for mentor in facilitator_profiles(circle):
        availability = Availability.objects.filter(mentor=mentor).prefetch_related("windows", "dates_off").first()
        if availability is None:
            return []
        rules = rules_for(availability)
        hi = now + rules.horizon + dt.timedelta(days=1)
        busy = busy_intervals(mentor=mentor, start=now - dt.timedelta(days=1), end=hi)  # group formats too
        found = set(free_slots(rules=rules, length=length, busy=busy, now=now))
        common = found if common is None else common & found
    return sorted(common or set(), key=lambda s: s.starts_at)


def group_commitments(
    membership_ids: list[int], start: dt.datetime, end: dt.datetime
) -> list[tuple[dt.datetime, dt.datetime]]:
    """Busy source for scheduling (``scheduling.busy``): the group formats these members are committed to
    in [start, end] — live circle meetings of a circle they sit in, sessions a mentor offers or a mentee
    booked, and the whole span of a speed-mentoring event they take part in."""
    circles = CircleMeeting.objects.filter(
        circle__members__membership_id__in=membership_ids,
        circle__members__left_at__isnull=True,
        status__in=[GroupMeetingStatus.SCHEDULED, GroupMeetingStatus.HELD],
        starts_at__lt=end,
        ends_at__gt=start,
    ).values_list("starts_at", "ends_at")
    sessions = OfficeHours.objects.filter(
        Q(mentor__membership_id__in=membership_ids)
        | Q(bookings__mentee_id__in=membership_ids, bookings__cancelled_at__isnull=True),
        cancelled_at__isnull=True,
        starts_at__lt=end,
        starts_at__gt=start - dt.timedelta(minutes=120),
    ).values_list("starts_at", "minutes")
    found = set(circles)
    found |= {(s, s + dt.timedelta(minutes=m)) for s, m in sessions if s + dt.timedelta(minutes=m) > start}
    taking_part = EventParticipant.objects.filter(membership_id__in=membership_ids).values("event_id")
    events = SpeedEvent.objects.filter(
        pk__in=taking_part, starts_at__lt=end, starts_at__gt=start - dt.timedelta(days=1)
    )
    for event in events_with_span(events):
        if event.ends_at > start:
            found.add((event.starts_at, event.ends_at))
    return sorted(found)


def events_with_span(events: QuerySet[SpeedEvent]) -> Sequence[SpeedEvent]:
    """Events with ``ends_at``: the end of the last round (generated, or as many rounds as the list needs)."""
    rows = list(
        events.annotate(
            n_mentors=Count("participants", filter=Q(participants__role="mentor"), distinct=True),
            n_mentees=Count("participants", filter=Q(participants__role="mentee"), distinct=True),
        )
    )
    for event in rows:
        step = dt.timedelta(minutes=event.round_minutes + event.break_minutes)
        rounds = max(1, rounds_needed(event.n_mentors, event.n_mentees))
        event.ends_at = event.starts_at + rounds * step - dt.timedelta(minutes=event.break_minutes)
    return rows


def circle_meeting_for_or_404(*, actor: Actor, pk: int) -> CircleMeeting:
    membership = actor.membership
    if membership is None:
        raise Http404
    try:
        return CircleMeeting.objects.select_related("circle").get(
            pk=pk, circle__members__membership=membership, circle__members__left_at__isnull=True
        )
    except CircleMeeting.DoesNotExist as exc:
        raise Http404 from exc


# ----------------------------------------------------------------- one-off sessions


def sessions_for_mentee(*, mentee: Membership, now: dt.datetime | None = None) -> QuerySet[OfficeHours]:
    """Upcoming sessions of mentors this mentee may find (R9), with seats taken."""
    now = now or timezone.now()
    return (
        OfficeHours.objects.filter(
            mentor__in=searchable_mentors(viewer=mentee), starts_at__gt=now, cancelled_at__isnull=True
        )
        .select_related("mentor__membership__user", "mentor__membership__institution")
        .annotate(taken=Count("bookings", filter=Q(bookings__cancelled_at__isnull=True)))
        .order_by("starts_at", "id")
    )


def sessions_of_mentor(*, mentor: MentorProfile) -> QuerySet[OfficeHours]:
    return (
        OfficeHours.objects.filter(mentor=mentor)
        .annotate(taken=Count("bookings", filter=Q(bookings__cancelled_at__isnull=True)))
        .prefetch_related("bookings__mentee__user")
        .order_by("-starts_at", "id")
    )


def booked_session_ids(*, mentee: Membership) -> set[int]:
    return set(
        SessionBooking.objects.filter(mentee=mentee, cancelled_at__isnull=True).values_list("session_id", flat=True)
    )


def session_for_mentee_or_404(*, mentee: Membership, pk: int) -> OfficeHours:
    try:
        return sessions_for_mentee(mentee=mentee, now=timezone.now() - dt.timedelta(days=3650)).get(pk=pk)
    except OfficeHours.DoesNotExist as exc:
        raise Http404 from exc


# --------------------------------------------------------------------------- events


def events_of_institution(*, institution: Institution) -> QuerySet[SpeedEvent]:
    return SpeedEvent.objects.filter(institution=institution).annotate(people=Count("participants"))


def events_of_member(*, membership: Membership) -> QuerySet[SpeedEvent]:
    return SpeedEvent.objects.filter(participants__membership=membership)


def event_for_admin_or_404(*, actor: Actor, pk: int) -> SpeedEvent:
    if actor.institution_id is None:
        raise Http404
    try:
        return SpeedEvent.objects.get(pk=pk, institution_id=actor.institution_id)
    except SpeedEvent.DoesNotExist as exc:
        raise Http404 from exc


def event_for_member_or_404(*, actor: Actor, pk: int) -> SpeedEvent:
    if actor.membership is None:
        raise Http404
    try:
        return events_of_member(membership=actor.membership).get(pk=pk)
    except SpeedEvent.DoesNotExist as exc:
        raise Http404 from exc


def participants(event: SpeedEvent, role: str) -> list[EventParticipant]:
    return list(event.participants.filter(role=role).select_related("membership__user").order_by("id"))


def schedule_of(*, event: SpeedEvent, membership: Membership | None = None) -> QuerySet[EventSlot]:
    qs = event.slots.select_related("mentor__user", "mentee__user")
    if membership is not None:
        qs = qs.filter(Q(mentor=membership) | Q(mentee=membership))
    return qs.order_by("round_no", "table")


# ------------------------------------------------------------------ ask the network


def questions_of_mentee(*, mentee: Membership) -> QuerySet[Question]:
    return Question.objects.filter(asker=mentee).prefetch_related("areas").annotate(n_answers=Count("answers"))


def shared_questions(*, mentee: Membership) -> QuerySet[Question]:
    """Questions other mentees of the same institution chose to share, with answers."""
    return (
        Question.objects.filter(institution_id=mentee.institution_id, share_with_institution=True)
        .exclude(asker=mentee)
        .annotate(n_answers=Count("answers"))
        .filter(n_answers__gt=0)
        .prefetch_related("areas")
    )


def questions_for_mentor(*, mentor: MentorProfile) -> QuerySet[Question]:
    """Open questions about an area this mentor offers, from mentees who could find them (R9):
    their own institution's, or every institution's when the mentor's scope is national."""
    areas = mentor.content_areas.all()
    qs = Question.objects.filter(areas__in=areas, closed_at__isnull=True).exclude(
        asker__user_id=mentor.membership.user_id
    )
    if mentor.scope != Scope.NATIONAL:
        qs = qs.filter(institution_id=mentor.membership.institution_id)
    return qs.distinct().prefetch_related("areas").annotate(n_answers=Count("answers", distinct=True))


def question_for_actor_or_404(*, actor: Actor, pk: int) -> Question:
    """Asker; same-institution mentee when shared; a mentor the question reaches (R9)."""
    membership = actor.membership
    if membership is None:
        raise Http404
    if membership.role == "mentee":
        visible = Q(asker=membership) | Q(institution_id=membership.institution_id, share_with_institution=True)
        qs = Question.objects.filter(visible)
    else:
        mentor = MentorProfile.objects.filter(membership=membership).first()
        if mentor is None:
            raise Http404
        qs = questions_for_mentor(mentor=mentor)
    try:
        return qs.select_related("asker__user").get(pk=pk)
    except Question.DoesNotExist as exc:
        raise Http404 from exc


def answers_of(question: Question) -> QuerySet[NetworkAnswer]:
    return question.answers.select_related("mentor__membership__user", "mentor__membership__institution")


def _unanswered(
    *, institution: Institution | None, now: dt.datetime | None = None, days: int = UNANSWERED_AFTER_DAYS
) -> QuerySet[Question]:
    """Questions without an answer ``days`` after they were asked (an institution's, or the network's)."""
    asked_before = (now or timezone.now()) - dt.timedelta(days=days)
    qs = Question.objects.filter(answers__isnull=True, created_at__lte=asked_before)
    return qs if institution is None else qs.filter(institution=institution)


def unanswered_question_needs(
    *, institution: Institution | None = None, now: dt.datetime | None = None, days: int = UNANSWERED_AFTER_DAYS
) -> list[tuple[ContentArea, int]]:
    """Unmet need: areas of questions still without an answer after ``days`` (an institution's, or national).

    For outcomes' unmet-need figures; counts only, never the questions' text.
    """
    qs = _unanswered(institution=institution, now=now, days=days)
    counts = Counter(qs.values_list("areas", flat=True))
    areas = ContentArea.objects.in_bulk([pk for pk in counts if pk])
    return sorted(((areas[pk], n) for pk, n in counts.items() if pk in areas), key=lambda t: (-t[1], t[0].name))


def unanswered_question_rows(
    *, institution: Institution | None, start: dt.date, end: dt.date, now: dt.datetime | None = None
) -> list[NeedRow]:
    """Registered with ``outcomes.needs``: per content area, questions asked in ``start``–``end`` still without
    an answer ``UNANSWERED_AFTER_DAYS`` later, and how many different mentees asked them (counts only, R30)."""
    qs = _unanswered(institution=institution, now=now).filter(created_at__date__gte=start, created_at__date__lte=end)
    figures = (
        qs.filter(areas__isnull=False)
        .values("areas__name")
        .annotate(times=Count("pk", distinct=True), people=Count("asker_id", distinct=True))
        .order_by("-times", "areas__name")
    )
    return [NeedRow(row["areas__name"], row["times"], row["people"]) for row in figures]
