"""Demo: availability for every mentor with a complete profile, and meetings in the demo mentorships.

Runs after mentorships' demo and reads the relationships it made. Availability
goes through ``services.availability_save`` (its validation holds); meetings in
the past cannot be booked through the booking service, so rows are written
directly, placed inside the mentor's windows and never overlapping (the same
rules the service enforces). No invitations are e-mailed for demo rows.
"""

from __future__ import annotations

import datetime as dt
import string

from django.utils import timezone

from mentormemed.core.access import Actor
from mentormemed.core.demo import DemoContext
from mentormemed.core.text import fold
from mentormemed.core.timezones import is_zone
from mentormemed.mentorships.models import Relationship
from mentormemed.profiles.models import MentorProfile
from mentormemed.scheduling import selectors, services
from mentormemed.scheduling.models import LinkKind, Meeting, MeetingStatus

# (weekday, start hour, end hour) patterns a busy clinician might publish; several windows a day happen.
PATTERNS = [
    [(0, 7, 8), (2, 12, 13), (2, 17, 19), (4, 8, 10)],
    [(1, 16, 18), (3, 16, 18)],
    [(0, 12, 13), (1, 12, 13), (2, 12, 13), (3, 12, 13), (4, 12, 13)],
    [(1, 9, 11), (1, 14, 16), (4, 14, 17)],
    [(2, 18, 20), (5, 9, 12)],
    [(0, 17, 19), (3, 7, 9), (3, 18, 19)],
]
AGENDAS = [
    "Residency application timeline and who to ask for letters.",
    "Finding a research project for the summer; how to approach a PI.",
    "Step 1 study plan and keeping well during dedicated time.",
    "Specialty choice: what a week in your field actually looks like.",
    "Personal statement first draft — please read before we meet.",
    "Imposter feelings on the wards and how you handled them.",
]
PLACES = ["Medical Education Building, Room 4B", "Hospital cafeteria, 2nd floor", "Department library"]


def build(ctx: DemoContext) -> None:
    rng = ctx.rng
    mentors = list(
        MentorProfile.objects.filter(is_complete=True)
        .select_related("membership__user", "membership__institution")
        .order_by("pk")
    )
    for index, mentor in enumerate(mentors):
        _availability(mentor, index=index, rng=rng)
    now = timezone.now()
    relationships = (
        Relationship.objects.filter(mentor__in=mentors)
        .select_related("mentee__user", "mentor__membership__user")
        .order_by("pk")
    )
    for rel in relationships:
        held_meetings(rel, now=now, rng=rng)


def _zone_of(mentor: MentorProfile) -> str:
    for name in (mentor.membership.user.time_zone, mentor.membership.institution.time_zone):
        if is_zone(name):
            return name
    return "America/New_York"


def _availability(mentor: MentorProfile, *, index: int, rng) -> None:
    pattern = PATTERNS[index % len(PATTERNS)]
    kind = rng.choices([LinkKind.GENERATED, LinkKind.OWN, LinkKind.PLACE], weights=[6, 2, 2])[0]
    services.availability_save(  # the mentor publishes their own times
        acting=Actor.for_membership(mentor.membership),
        time_zone=_zone_of(mentor),
        lengths=rng.choice([[30, 60], [30], [45], [30, 45, 60]]),
        buffer_minutes=rng.choice([0, 10, 15, 15, 30]),
        notice_hours=rng.choice([12, 24, 24, 48]),
        horizon_days=rng.choice([21, 30, 30, 60]),
        link_kind=kind,
        # The mentor's "own" room is a real, openable video room too (never a placeholder domain).
        own_link=f"https://meet.jit.si/{_room_name(mentor, rng)}" if kind == LinkKind.OWN else "",
        place=rng.choice(PLACES) if kind == LinkKind.PLACE else "",
        windows=[services.WindowSpec(day, dt.time(h0), dt.time(h1)) for day, h0, h1 in pattern],
    )
    # What the profile says about availability is written from the windows it publishes.
    MentorProfile.objects.filter(pk=mentor.pk).update(
        availability_statement=availability_text(pattern, _zone_of(mentor))
    )


DAYS = ["Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays"]
ZONE_NAMES = {
    "America/New_York": "Eastern time",
    "America/Chicago": "Central time",
    "America/Denver": "Mountain time",
    "America/Los_Angeles": "Pacific time",
    "Pacific/Honolulu": "Hawaii time",
}


def _hour(h: int) -> str:
    return "noon" if h == 12 else f"{h % 12 or 12} {'am' if h < 12 else 'pm'}"


def availability_text(pattern, zone: str) -> str:
    """'Mondays 7 am–8 am; Wednesdays noon–1 pm and 5 pm–7 pm (Central time)' from the windows."""
    by_day: dict[int, list[str]] = {}
    for day, h0, h1 in pattern:
        by_day.setdefault(day, []).append(f"{_hour(h0)}–{_hour(h1)}")
    parts = [f"{DAYS[day]} {' and '.join(spans)}" for day, spans in sorted(by_day.items())]
    return f"{'; '.join(parts)} ({ZONE_NAMES.get(zone, zone.replace('_', ' '))})."


def _room_name(mentor: MentorProfile, rng) -> str:
    suffix = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(10))
    return f"MentorMeMed-{fold(mentor.membership.user.last_name).title().replace(' ', '')}-office-{suffix}"


def held_meetings(rel: Relationship, *, now: dt.datetime, rng) -> None:
    """Past meetings every two to three weeks since the start (held); one or two upcoming if active."""
    availability = selectors.availability_of(rel.mentor)
    if availability is None:
        return
    length = availability.default_length
    end = rel.ended_at or now
    held = 0
    moment = rel.started_at + dt.timedelta(days=rng.randint(4, 9))
    while moment + dt.timedelta(days=1) < end:
        if _place(rel, availability, moment, length=length, past=True, rng=rng):
            held += 1
        moment += dt.timedelta(days=rng.randint(14, 24))
    if held:
        # As the service does when a meeting is marked held (issue 6).
        Relationship.objects.filter(pk=rel.pk, stage="initiation").update(stage="cultivation")
    if rel.ended_at is None:
        for days in (rng.randint(2, 6), rng.randint(12, 18)):
            _place(rel, availability, now + dt.timedelta(days=days), length=length, past=False, rng=rng)


def _video_url(availability, rng) -> str:
    if availability.link_kind == LinkKind.OWN:
        return availability.own_link
    if availability.link_kind == LinkKind.GENERATED:
        # Deterministic for the demo (seeded), same shape as services._video_room.
        name = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(22))
        return f"https://meet.jit.si/MentorMeMed-{name}"
    return ""


def _place(rel, availability, around: dt.datetime, *, length: int, past: bool, rng) -> Meeting | None:
    """Put a meeting in the first free slot of the mentor's windows in the week from ``around``."""
    # Slots are computed as if "now" were just before ``around``, so notice and horizon allow it.
    slots = selectors.bookable_slots(
        relationship=rel,
        availability=availability,
        length=length,
        now=around - dt.timedelta(days=2),
        start=around,
        end=around + dt.timedelta(days=7),
    )
    if past:
        slots = [s for s in slots if s.ends_at < timezone.now() and (rel.ended_at is None or s.ends_at < rel.ended_at)]
    if not slots:
        return None
    slot = slots[rng.randrange(min(3, len(slots)))]
    meeting = Meeting(
        relationship=rel,
        mentor=rel.mentor,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        agenda=rng.choice(AGENDAS),
        status=MeetingStatus.HELD if past else MeetingStatus.SCHEDULED,
        booked_by=rng.choice([rel.mentee.user, rel.mentor.membership.user]),
        created_at=slot.starts_at - dt.timedelta(days=rng.randint(3, 10)),
        updated_at=slot.starts_at - dt.timedelta(days=1),
        held_at=slot.ends_at if past else None,
        reminder_sent_at=slot.starts_at - dt.timedelta(hours=20) if past else None,
        link_kind=availability.link_kind,
        place=availability.place,
        video_url=_video_url(availability, rng),
    )
    if past and rng.random() < 0.4:
        meeting.notes = "Agreed next steps; follow up by message."
    meeting.save()
    return meeting
