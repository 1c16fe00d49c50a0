"""iCalendar invites for the group formats (RFC 5545/5546): circle meetings, one-off sessions and
speed-mentoring events.

One calendar object per thing with a stable UID; SEQUENCE rises with every change sent;
REQUEST for a new or moved time, CANCEL when it is called off. Times carry the organiser's
zone. Thread messages and goals never enter an invite (R30).

- A circle meeting: ONE object, every member an ATTENDEE (facilitators CHAIR).
- A session seat: one object per booking (the mentor organises, the mentee attends), so a
  mentee who gives up a seat is sent a CANCEL for that seat alone; the mentor's own object
  for the session lists the seats taken.
- An event: one object per participant for the event's span, with their rounds in the text.

Texts are worded in the current language: the caller renders each reader's copy under theirs
(the same object — UID, SEQUENCE, people — whatever the wording).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Event, vCalAddress, vText

from mentormemed.core.conf import product
from mentormemed.core.timezones import zone_or_utc
from mentormemed.core.types import Text
from mentormemed.programs.models import CircleMeeting, CircleRole, GroupMeetingStatus, OfficeHours, SpeedEvent
from mentormemed.scheduling.ics import _calendar


@dataclass(frozen=True)
class GroupInvite:
    uid: str
    sequence: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    summary: str
    description: str
    organizer: object  # User
    attendees: list[tuple[object, str]]  # (User, ROLE)
    video_url: str = ""
    place: str = ""


def _uid(kind: str, key) -> str:
    return f"{kind}-{key}@{product.ical_uid_domain}"


def uid_of(meeting: CircleMeeting) -> str:
    return _uid("circle", meeting.uid)


def _address(user, *, role: str, organizer: bool = False) -> vCalAddress:
    address = vCalAddress(f"mailto:{user.email}")
    address.params["CN"] = vText(user.display_name)
    if not organizer:
        address.params["ROLE"] = vText(role)
        address.params["PARTSTAT"] = vText("ACCEPTED" if role == "CHAIR" else "NEEDS-ACTION")
        address.params["RSVP"] = vText("FALSE")
    return address


def render(invite: GroupInvite, *, method: str, now: dt.datetime | None = None) -> str:
    """The iTIP message for one group invite."""
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(method)
    zone = zone_or_utc(invite.organizer.time_zone)
    event = Event()
    event.add("uid", invite.uid)
    event.add("dtstamp", (now or timezone.now()).astimezone(dt.UTC))
    event.add("sequence", invite.sequence)
    event.add("dtstart", invite.starts_at.astimezone(zone))
    event.add("dtend", invite.ends_at.astimezone(zone))
    event.add("summary", invite.summary)
    lines = [invite.description, _("Join: %(url)s") % {"url": invite.video_url} if invite.video_url else ""]
    event.add("description", "\n".join(filter(None, lines)))
    if invite.video_url:
        event.add("location", invite.video_url)
        event.add("url", invite.video_url)
    elif invite.place:
        event.add("location", invite.place)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    event.add("organizer", _address(invite.organizer, role="CHAIR", organizer=True))
    for user, role in invite.attendees:
        event.add("attendee", _address(user, role=role))
    calendar = _calendar(method)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical().decode()


def _link(name: str, *args) -> str:
    return f"{settings.SITE_URL}{reverse(name, args=args)}"


def invite_ics(meeting: CircleMeeting, *, seats: list, method: str, now: dt.datetime | None = None) -> str:
    """``seats``: the circle's current CircleMember rows (facilitators first), user loaded."""
    facilitators = [s for s in seats if s.role == CircleRole.FACILITATOR]
    cancelled = meeting.status == GroupMeetingStatus.CANCELLED or method == "CANCEL"
    invite = GroupInvite(
        uid=uid_of(meeting),
        sequence=meeting.sequence,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        summary=_("Mentoring circle: %(name)s") % {"name": meeting.circle.name},
        description="\n".join(
            filter(None, [meeting.agenda, _("Circle: %(url)s") % {"url": _link("programs:circle", meeting.circle_id)}])
        ),
        organizer=facilitators[0].membership.user,
        attendees=[
            (s.membership.user, "CHAIR" if s.role == CircleRole.FACILITATOR else "REQ-PARTICIPANT") for s in seats
        ],
        video_url=meeting.video_url,
    )
    return render(invite, method="CANCEL" if cancelled else method, now=now)


def session_seat_ics(session: OfficeHours, *, mentee_user, booking_id: int, method: str) -> str:
    """The mentee's invite for one seat of a session (a CANCEL when they give the seat up)."""
    mentor_user = session.mentor.membership.user
    invite = GroupInvite(
        uid=_uid("session-seat", booking_id),
        sequence=0 if method == "REQUEST" else 1,
        starts_at=session.starts_at,
        ends_at=session.starts_at + dt.timedelta(minutes=session.minutes),
        summary=_("%(title)s with %(name)s") % {"title": session.title, "name": mentor_user.display_name},
        description=_("A one-off session. Sessions: %(url)s") % {"url": _link("programs:sessions")},
        organizer=mentor_user,
        attendees=[(mentor_user, "CHAIR"), (mentee_user, "REQ-PARTICIPANT")],
        video_url=session.video_url,
    )
    return render(invite, method=method)


def session_host_ics(session: OfficeHours, *, mentee_users: list, sequence: int) -> str:
    """The mentor's own invite for the session, listing the seats taken (a new SEQUENCE per booking)."""
    mentor_user = session.mentor.membership.user
    invite = GroupInvite(
        uid=_uid("session", session.pk),
        sequence=sequence,
        starts_at=session.starts_at,
        ends_at=session.starts_at + dt.timedelta(minutes=session.minutes),
        summary=_("%(title)s (your session, %(taken)s of %(seats)s seats taken)")
        % {"title": session.title, "taken": len(mentee_users), "seats": session.seats},
        description=_("Your one-off session. Sessions: %(url)s") % {"url": _link("programs:sessions")},
        organizer=mentor_user,
        attendees=[(mentor_user, "CHAIR"), *[(u, "REQ-PARTICIPANT") for u in mentee_users]],
        video_url=session.video_url,
    )
    return render(invite, method="REQUEST")


def event_ics(event: SpeedEvent, *, user, rounds: Sequence[Text], ends_at: dt.datetime, organizer) -> str:
    """A participant's invite for a speed-mentoring event: its span, their rounds in the text."""
    invite = GroupInvite(
        uid=_uid(f"event-{event.pk}", user.pk),
        sequence=event.sequence,
        starts_at=event.starts_at,
        ends_at=ends_at,
        summary=_("Speed mentoring: %(name)s") % {"name": event.name},
        description="\n".join(
            [*map(str, rounds), _("Your schedule: %(url)s") % {"url": _link("programs:event", event.pk)}]
        ),
        organizer=organizer,
        attendees=[(user, "REQ-PARTICIPANT")],
        place=event.place,
    )
    return render(invite, method="REQUEST")
