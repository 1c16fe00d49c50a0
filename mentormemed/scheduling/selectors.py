"""Reads about availability, free slots, meetings and feeds. Each takes the acting membership or user.

A meeting belongs to a relationship; only its two people see it (another
institution, any third person, admins and staff: 404). Notes are read only here,
for the pair.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from mentormemed.core.tokens import hash_token
from mentormemed.mentorships.models import Relationship
from mentormemed.profiles.models import MentorProfile
from mentormemed.scheduling.busy import commitments
from mentormemed.scheduling.models import LIVE_STATUSES, Availability, CalendarFeed, DateOff, Meeting, MeetingStatus
from mentormemed.scheduling.slots import Rules, Slot, free_slots

if TYPE_CHECKING:
    from mentormemed.accounts.models import User
    from mentormemed.core.access import Actor
    from mentormemed.institutions.models import Membership

FEED_PAST_DAYS = 180
FEED_FUTURE_DAYS = 400


def mentor_profile_of(membership: Membership) -> MentorProfile | None:
    if membership is None or membership.role != "mentor":
        return None
    return MentorProfile.objects.filter(membership=membership).select_related("membership__user").first()


def availability_of(mentor: MentorProfile) -> Availability | None:
    return Availability.objects.filter(mentor=mentor).prefetch_related("windows", "dates_off").first()


@dataclass(frozen=True)
class DateOffRange:
    """Consecutive dates off with one note, shown (and removed) as one line."""

    first: DateOff
    last_date: dt.date
    note: str

    @property
    def days(self) -> int:
        return (self.last_date - self.first.date).days + 1


def date_off_ranges(availability: Availability) -> list[DateOffRange]:
    """Upcoming dates off (from yesterday in the mentor's zone), runs of consecutive days merged."""
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(availability.time_zone))
    ranges: list[DateOffRange] = []
    for off in availability.dates_off.filter(date__gte=today - dt.timedelta(days=1)).order_by("date"):
        last = ranges[-1] if ranges else None
        if last and off.date == last.last_date + dt.timedelta(days=1) and off.note == last.note:
            ranges[-1] = DateOffRange(last.first, off.date, last.note)
        else:
            ranges.append(DateOffRange(off, off.date, off.note))
    return ranges


def rules_for(availability: Availability) -> Rules:
    return Rules(
        time_zone=availability.time_zone,
        windows=[(w.weekday, w.start, w.end) for w in availability.windows.all()],
        dates_off=frozenset(d.date for d in availability.dates_off.all()),
        buffer=dt.timedelta(minutes=availability.buffer_minutes),
        notice=dt.timedelta(hours=availability.notice_hours),
        horizon=dt.timedelta(days=availability.horizon_days),
    )


def busy_intervals(
    *,
    mentor: MentorProfile,
    mentee: Membership | None = None,
    start: dt.datetime,
    end: dt.datetime,
    exclude: Meeting | None = None,
) -> list[tuple[dt.datetime, dt.datetime]]:
    """Live meetings of the mentor with any mentee (and of ``mentee`` with any mentor) touching [start, end],
    and both people's other commitments (circle meetings, sessions, events: ``scheduling.busy``)."""
    who = Q(mentor=mentor)
    if mentee is not None:
        who |= Q(relationship__mentee=mentee)
    qs = Meeting.objects.filter(who, status__in=LIVE_STATUSES, starts_at__lt=end, ends_at__gt=start)
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    people = [mentor.membership_id, mentee.pk if mentee is not None else 0]
    return [*qs.values_list("starts_at", "ends_at"), *commitments(membership_ids=people, start=start, end=end)]


def member_busy(
    *, membership: Membership, start: dt.datetime, end: dt.datetime
) -> list[tuple[dt.datetime, dt.datetime]]:
    """Everything this member is committed to in [start, end]: live one-to-one meetings on either side
    and every registered commitment."""
    who = Q(relationship__mentee=membership) | Q(mentor__membership=membership)
    qs = Meeting.objects.filter(who, status__in=LIVE_STATUSES, starts_at__lt=end, ends_at__gt=start)
    return [*qs.values_list("starts_at", "ends_at"), *commitments(membership_ids=[membership.pk], start=start, end=end)]


def bookable_slots(
    *,
    relationship: Relationship,
    availability: Availability,
    length: int,
    now: dt.datetime | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    exclude: Meeting | None = None,
) -> list[Slot]:
    """Free slots of ``length`` minutes for this pair, honouring every rule of the mentor (R17)."""
    now = now or timezone.now()
    rules = rules_for(availability)
    # Busy meetings can reach into the range by up to a buffer on either side.
    lo = (start or now) - rules.buffer - dt.timedelta(days=1)
    hi = (end or now + rules.horizon) + rules.buffer + dt.timedelta(days=1, minutes=length)
    busy = busy_intervals(mentor=availability.mentor, mentee=relationship.mentee, start=lo, end=hi, exclude=exclude)
    return free_slots(rules=rules, length=length, busy=busy, now=now, start=start, end=end)


WEEK = dt.timedelta(days=7)


def _chosen_length(value: str | None, lengths: list[int]) -> int:
    """The meeting length asked for, if the mentor offers it; else the mentor's first (30 without any)."""
    default = lengths[0] if lengths else 30
    try:
        length = int(value or default)
    except ValueError:
        return default
    return default if lengths and length not in lengths else length


def _chosen_week(value: str | None) -> int:
    try:
        return max(0, int(value or 0))
    except ValueError:
        return 0


def slot_page(
    *,
    relationship: Relationship,
    availability: Availability | None,
    length: str | None,
    week: str | None,
    zone: zoneinfo.ZoneInfo,
    exclude: Meeting | None = None,
    now: dt.datetime | None = None,
) -> dict[str, object]:
    """One week of bookable slots (``week`` weeks from now), of the length asked for, by the viewer's day."""
    lengths = availability.lengths if availability else []
    minutes, weeks = _chosen_length(length, lengths), _chosen_week(week)
    now = now or timezone.now()
    start, end = now + weeks * WEEK, now + (weeks + 1) * WEEK
    slots: list[Slot] = []
    if availability is not None:
        slots = bookable_slots(
            relationship=relationship,
            availability=availability,
            length=minutes,
            now=now,
            start=start,
            end=end,
            exclude=exclude,
        )
    horizon = now + dt.timedelta(days=availability.horizon_days) if availability else now
    return {
        "availability": availability,
        "length": minutes,
        "lengths": lengths,
        "week": weeks,
        "has_later": end < horizon,
        "days": slots_by_day(slots, zone),
        "range_start": start,
        "range_end": min(end, horizon),
    }


def slots_by_day(slots: list[Slot], zone: dt.tzinfo) -> list[tuple[dt.date, list[Slot]]]:
    """Group slots by the viewer's local date, in order."""
    days: dict[dt.date, list[Slot]] = {}
    for slot in slots:
        days.setdefault(timezone.localtime(slot.starts_at, zone).date(), []).append(slot)
    return list(days.items())


# --------------------------------------------------------------------------- meetings


def _meetings() -> QuerySet[Meeting]:
    return Meeting.objects.select_related(
        "relationship__mentee__user",
        "relationship__mentee__institution",
        "mentor__membership__user",
        "mentor__membership__institution",
        "mentor__availability",
    )


def meetings_of(*, membership: Membership | None) -> QuerySet[Meeting]:
    """The acting member's meetings from their side; admins and staff have none (notes stay private)."""
    if membership is None:
        return Meeting.objects.none()
    if membership.role == "mentee":
        return _meetings().filter(relationship__mentee=membership)
    if membership.role == "mentor":
        return _meetings().filter(mentor__membership=membership)
    return Meeting.objects.none()


def upcoming_meetings(*, membership: Membership, now: dt.datetime | None = None) -> QuerySet[Meeting]:
    now = now or timezone.now()
    return meetings_of(membership=membership).filter(status=MeetingStatus.SCHEDULED, ends_at__gt=now)


def past_meetings(*, membership: Membership, now: dt.datetime | None = None) -> QuerySet[Meeting]:
    """Meetings that are over or were cancelled, most recent first."""
    now = now or timezone.now()
    return (
        meetings_of(membership=membership)
        .filter(Q(ends_at__lte=now) | Q(status=MeetingStatus.CANCELLED) | Q(status=MeetingStatus.HELD))
        .order_by("-starts_at", "-id")
    )


def relationship_meetings_summary(*, relationship: Relationship, limit: int = 3) -> tuple[list[Meeting], int]:
    """The pair's next ``limit`` meetings and how many they have held (the mentorship page's card)."""
    upcoming = Meeting.objects.filter(
        relationship=relationship, status=MeetingStatus.SCHEDULED, ends_at__gt=timezone.now()
    ).order_by("starts_at")[:limit]
    held = Meeting.objects.filter(relationship=relationship, status=MeetingStatus.HELD).count()
    return list(upcoming), held


def date_off_for_or_404(*, actor: Actor, pk: int) -> DateOff:
    """A date off of the acting mentor's own availability (anyone else's: 404)."""
    try:
        return DateOff.objects.get(pk=pk, availability__mentor__membership=actor.membership)
    except DateOff.DoesNotExist as exc:
        raise Http404 from exc


def meeting_for_or_404(*, actor: Actor, pk: int) -> Meeting:
    try:
        return meetings_of(membership=actor.membership).get(pk=pk)
    except Meeting.DoesNotExist as exc:
        raise Http404 from exc


def relationship_for_or_404(*, actor: Actor, pk: int) -> Relationship:
    """A relationship of the acting mentee or mentor (any other person: 404)."""
    membership = actor.membership
    qs = Relationship.objects.select_related(
        "mentee__user", "mentee__institution", "mentor__membership__user", "mentor__membership__institution"
    )
    if membership is None or membership.role not in ("mentee", "mentor"):
        raise Http404
    side = Q(mentee=membership) if membership.role == "mentee" else Q(mentor__membership=membership)
    try:
        return qs.filter(side).get(pk=pk)
    except Relationship.DoesNotExist as exc:
        raise Http404 from exc


def bookable_relationships(*, membership: Membership) -> QuerySet[Relationship]:
    """Active relationships of the acting member, for "book a meeting" links."""
    qs = Relationship.objects.filter(ended_at__isnull=True).select_related(
        "mentee__user", "mentor__membership__user", "mentor__availability"
    )
    if membership is None:
        return qs.none()
    if membership.role == "mentee":
        return qs.filter(mentee=membership)
    if membership.role == "mentor":
        return qs.filter(mentor__membership=membership)
    return qs.none()


# ------------------------------------------------------------------------------ feeds


def active_feed(*, user: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()


def feed_by_token(token: str) -> CalendarFeed | None:
    """The active feed this token opens, or None (unknown or revoked)."""
    return (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=hash_token(token), revoked_at__isnull=True)
        .first()
    )


def _with_access(prefix: str) -> Q:
    """Through an active membership of an institution whose subscription covers today (R1)."""
    from mentormemed.institutions.models import Subscription

    covering = Subscription.objects.covering().values("institution_id")
    return Q(**{f"{prefix}status": "active", f"{prefix}institution_id__in": covering})


def feed_meetings(*, user: User, now: dt.datetime | None = None) -> list[Meeting]:
    """Every live meeting of the person, as mentee or mentor, from half a year back to a year ahead,
    through memberships that still give access (a suspended or lapsed one shows nothing, R1)."""
    now = now or timezone.now()
    return list(
        _meetings()
        .filter(
            (Q(relationship__mentee__user=user) & _with_access("relationship__mentee__"))
            | (Q(mentor__membership__user=user) & _with_access("mentor__membership__"))
        )
        .filter(
            status__in=LIVE_STATUSES,
            starts_at__gte=now - dt.timedelta(days=FEED_PAST_DAYS),
            starts_at__lte=now + dt.timedelta(days=FEED_FUTURE_DAYS),
        )
        .order_by("starts_at")
    )


# ------------------------------------------------------------------ teaching hours (R22)


def held_meetings_led(*, membership: Membership, start: dt.date, end: dt.date) -> list[Meeting]:
    """Held meetings the mentor led whose start falls on a date in [start, end] (mentor's zone, roughly UTC±1d)."""
    lo = dt.datetime.combine(start - dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
    hi = dt.datetime.combine(end + dt.timedelta(days=2), dt.time.min, tzinfo=dt.UTC)
    return list(
        Meeting.objects.filter(
            mentor__membership=membership, status=MeetingStatus.HELD, starts_at__gte=lo, starts_at__lt=hi
        )
        .select_related("mentor__availability", "mentor__membership__user")
        .order_by("starts_at")
    )
