"""One iCalendar object per circle meeting with every member as an ATTENDEE (RFC 5545/5546).

The same UID for everyone and for every change; SEQUENCE rises with every change sent;
REQUEST for a new or moved meeting, CANCEL when it is called off. Times carry the first
facilitator's zone. Thread messages and goals never enter the invite (R30).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Event, vCalAddress, vText

from mentormemed.core.timezones import zone_or_utc
from mentormemed.programs.models import CircleMeeting, CircleRole, GroupMeetingStatus
from mentormemed.scheduling.ics import _calendar


def uid_of(meeting: CircleMeeting) -> str:
    return f"circle-{meeting.uid}@{settings.MMM.get('ICAL_UID_DOMAIN', 'mentormemed.org')}"


def _address(user, *, role: str, organizer: bool = False) -> vCalAddress:
    address = vCalAddress(f"mailto:{user.email}")
    address.params["CN"] = vText(user.display_name)
    if not organizer:
        address.params["ROLE"] = vText(role)
        address.params["PARTSTAT"] = vText("ACCEPTED" if role == "CHAIR" else "NEEDS-ACTION")
        address.params["RSVP"] = vText("FALSE")
    return address


def invite_ics(meeting: CircleMeeting, *, seats: list, method: str, now: dt.datetime | None = None) -> str:
    """``seats``: the circle's current CircleMember rows (facilitators first), user loaded."""
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(method)
    facilitators = [s for s in seats if s.role == CircleRole.FACILITATOR]
    organizer = facilitators[0].membership.user
    zone = zone_or_utc(organizer.time_zone)
    event = Event()
    event.add("uid", uid_of(meeting))
    event.add("dtstamp", (now or timezone.now()).astimezone(dt.UTC))
    event.add("sequence", meeting.sequence)
    event.add("dtstart", meeting.starts_at.astimezone(zone))
    event.add("dtend", meeting.ends_at.astimezone(zone))
    event.add("summary", f"Mentoring circle: {meeting.circle.name}")
    link = f"{settings.SITE_URL}{reverse('programs:circle', args=[meeting.circle_id])}"
    event.add("description", "\n".join(filter(None, [meeting.agenda, f"Join: {meeting.video_url}", f"Circle: {link}"])))
    if meeting.video_url:
        event.add("location", meeting.video_url)
        event.add("url", meeting.video_url)
    cancelled = meeting.status == GroupMeetingStatus.CANCELLED or method == "CANCEL"
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("organizer", _address(organizer, role="CHAIR", organizer=True))
    for seat in seats:
        role = "CHAIR" if seat.role == CircleRole.FACILITATOR else "REQ-PARTICIPANT"
        event.add("attendee", _address(seat.membership.user, role=role))
    calendar = _calendar(method)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical().decode()
