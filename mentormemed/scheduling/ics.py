"""iCalendar for meetings: invites (RFC 5546 REQUEST/CANCEL) and personal feeds (RFC 5545).

- UID is the meeting's UUID and never changes, so a client updates the event it has.
- SEQUENCE is the meeting's counter, raised by every change that is sent.
- DTSTART/DTEND carry the mentor's zone (TZID) with a matching VTIMEZONE; the
  instant is the stored UTC one, so any client shows it right in any zone.
- DTSTAMP is when the object was made. Notes never leave the platform (R30).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from mentormemed.core.conf import product
from mentormemed.core.timezones import zone_or_utc
from mentormemed.scheduling.models import LinkKind, Meeting, MeetingStatus

PRODID = "-//MentorMeMed//Meetings//EN"


def uid_of(meeting: Meeting) -> str:
    return f"{meeting.uid}@{product.ical_uid_domain}"


def zone_of(meeting: Meeting) -> zoneinfo.ZoneInfo:
    """The organizer's (mentor's) zone: their availability's, else their account's, else UTC."""
    availability = getattr(meeting.mentor, "availability", None)
    name = availability.time_zone if availability else meeting.mentor.membership.user.time_zone
    return zone_or_utc(name)


def _address(user, *, role: str | None = None) -> vCalAddress:
    address = vCalAddress(f"mailto:{user.email}")
    address.params["CN"] = vText(user.display_name)
    if role:
        address.params["ROLE"] = vText(role)
        address.params["PARTSTAT"] = vText("ACCEPTED")
        address.params["RSVP"] = vText("FALSE")
    return address


def summary_of(meeting: Meeting) -> str:
    mentee = meeting.relationship.mentee.user.display_name
    mentor = meeting.mentor.membership.user.display_name
    return _("Mentoring meeting: %(mentee)s and %(mentor)s") % {"mentee": mentee, "mentor": mentor}


def description_of(meeting: Meeting) -> str:
    lines = []
    if meeting.agenda:
        lines += [_("Agenda:"), meeting.agenda, ""]
    if meeting.link_kind == LinkKind.PLACE:
        lines.append(_("Place: %(place)s") % {"place": meeting.place})
    elif meeting.video_url:
        lines.append(_("Join: %(url)s") % {"url": meeting.video_url})
    details = f"{settings.SITE_URL}{reverse('scheduling:meeting', args=[meeting.pk])}"
    lines.append(_("Details: %(url)s") % {"url": details})
    return "\n".join(lines)


def meeting_event(meeting: Meeting, *, people: bool = True, now: dt.datetime | None = None) -> Event:
    """One VEVENT. ``people``: add ORGANIZER/ATTENDEE (invites); feeds leave addresses out."""
    zone = zone_of(meeting)
    event = Event()
    event.add("uid", uid_of(meeting))
    event.add("dtstamp", (now or timezone.now()).astimezone(dt.UTC))
    event.add("sequence", meeting.sequence)
    event.add("dtstart", meeting.starts_at.astimezone(zone))
    event.add("dtend", meeting.ends_at.astimezone(zone))
    event.add("summary", summary_of(meeting))
    event.add("description", description_of(meeting))
    event.add("created", meeting.created_at.astimezone(dt.UTC))
    event.add("last-modified", meeting.updated_at.astimezone(dt.UTC))
    if meeting.where:
        event.add("location", meeting.where)
    if meeting.link_kind != LinkKind.PLACE and meeting.video_url:
        event.add("url", meeting.video_url)
    cancelled = meeting.status == MeetingStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if people:
        mentor_user = meeting.mentor.membership.user
        event.add("organizer", _address(mentor_user))
        event.add("attendee", _address(meeting.relationship.mentee.user, role="REQ-PARTICIPANT"))
        event.add("attendee", _address(mentor_user, role="CHAIR"))
    return event


def _calendar(method: str | None = None, name: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    return calendar


def invite_ics(meeting: Meeting, *, method: str, now: dt.datetime | None = None) -> str:
    """An iTIP message: ``REQUEST`` for a new or changed meeting, ``CANCEL`` for a cancelled one."""
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(method)
    calendar = _calendar(method)
    calendar.add_component(meeting_event(meeting, now=now))
    calendar.add_missing_timezones()
    return calendar.to_ical().decode()


def feed_ics(meetings: list[Meeting], *, name: str = "MentorMeMed meetings") -> str:
    """A subscription feed (no METHOD): the person's live meetings, without e-mail addresses or notes."""
    calendar = _calendar(name=name)
    now = timezone.now()
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting, people=False, now=now))
    calendar.add_missing_timezones()
    return calendar.to_ical().decode()
