"""Group formats as "Learning from Teaching" sessions (R22) and in the mentor's record (R24, R35).

When and how long only: never thread messages, goals or answers (R30).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from mentormemed.core.clock import platform_today
from mentormemed.programs.models import CircleMeeting, CircleRole, EventSlot, GroupMeetingStatus, OfficeHours
from mentormemed.training.teaching import TeachingSession


def _hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / Decimal(60)).quantize(Decimal("0.01"))


def group_sessions(*, membership, start: dt.date, end: dt.date) -> list[TeachingSession]:
    if membership.role != "mentor":
        return []
    sessions = []
    held = CircleMeeting.objects.filter(
        status=GroupMeetingStatus.HELD,
        circle__members__membership=membership,
        circle__members__role=CircleRole.FACILITATOR,
    ).distinct()
    for meeting in held:
        day = platform_today(meeting.starts_at)
        if start <= day <= end:
            sessions.append(TeachingSession(day, _hours(meeting.minutes), "Mentoring circle meeting"))
    offered = OfficeHours.objects.filter(mentor__membership=membership, cancelled_at__isnull=True).annotate(
        seats_taken=Count("bookings", filter=Q(bookings__cancelled_at__isnull=True))
    )
    for session in offered.filter(seats_taken__gt=0, starts_at__lte=timezone.now()):
        day = platform_today(session.starts_at)
        if start <= day <= end:
            sessions.append(TeachingSession(day, _hours(session.minutes), "One-off mentoring session"))
    minutes_by_event: dict[int, tuple[dt.date, int]] = {}
    for slot in EventSlot.objects.filter(mentor=membership, ends_at__lte=timezone.now()).select_related("event"):
        day = platform_today(slot.starts_at)
        if start <= day <= end:
            _, total = minutes_by_event.get(slot.event_id, (day, 0))
            minutes_by_event[slot.event_id] = (day, total + slot.event.round_minutes)
    for day, total in minutes_by_event.values():
        sessions.append(TeachingSession(day, _hours(total), "Speed-mentoring event"))
    return sessions


def group_participation(*, mentor_ids: list[int], since: dt.datetime) -> dict[int, int]:
    """R24/R35: group sessions each mentor led since ``since`` — held circle meetings they facilitate,
    one-off sessions with a booked seat, speed-mentoring events they sat at. Three queries."""
    from collections import Counter

    from mentormemed.profiles.models import MentorProfile

    profile_of = dict(MentorProfile.objects.filter(pk__in=mentor_ids).values_list("membership_id", "pk"))
    counts: Counter = Counter()
    now = timezone.now()
    for membership_id in CircleMeeting.objects.filter(
        status=GroupMeetingStatus.HELD,
        starts_at__gte=since,
        circle__members__membership_id__in=list(profile_of),
        circle__members__role=CircleRole.FACILITATOR,
    ).values_list("circle__members__membership_id", flat=True):
        counts[profile_of[membership_id]] += 1
    sessions = (
        OfficeHours.objects.filter(
            mentor_id__in=mentor_ids,
            cancelled_at__isnull=True,
            starts_at__gte=since,
            starts_at__lte=now,
            bookings__cancelled_at__isnull=True,
        )
        .values_list("pk", "mentor_id")
        .distinct()
    )
    counts.update(mentor_id for _pk, mentor_id in sessions)
    for membership_id, _event in (
        EventSlot.objects.filter(mentor_id__in=list(profile_of), starts_at__gte=since, ends_at__lte=now)
        .values_list("mentor_id", "event_id")
        .distinct()
    ):
        counts[profile_of[membership_id]] += 1
    return dict(counts)
