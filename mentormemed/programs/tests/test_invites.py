"""R35: a booked session seat and a generated speed-mentoring schedule arrive as calendar invites.

Through a real SMTP server on loopback: each invite is a ``text/calendar; method=…`` part
(RFC 6047) with a stable UID; giving up a seat sends a CANCEL for that seat, and a schedule
generated again is an update (a higher SEQUENCE).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from icalendar import Calendar

from mentormemed.core.access import Actor
from mentormemed.mentorships.testing import new_member
from mentormemed.programs import group_services
from mentormemed.programs.testing import admin_actor
from mentormemed.testing.smtp import calendar_part

pytestmark = pytest.mark.django_db


def _event(message) -> tuple[str, object]:
    calendar = Calendar.from_ical(calendar_part(message))
    return str(calendar["method"]), calendar.walk("VEVENT")[0]


def _attendees(vevent) -> set[str]:
    found = vevent.get("attendee")
    found = found if isinstance(found, list) else [found]
    return {str(a).removeprefix("mailto:") for a in found}


def test_r35_a_session_seat_is_an_invite_and_giving_it_up_cancels_it(
    cast, smtp_inbox, django_capture_on_commit_callbacks
):
    mentor = new_member(cast.inst_a, "mentor", "hours@alpha.edu").mentor_profile
    mentee = new_member(cast.inst_a, "mentee", "seat@alpha.edu")
    starts_at = (timezone.now() + dt.timedelta(days=4)).replace(second=0, microsecond=0)
    session = group_services.office_hours_offer(
        acting=Actor.for_membership(mentor.membership),
        title="Office hours: research careers",
        starts_at=starts_at,
        minutes=30,
        seats=3,
    )
    with django_capture_on_commit_callbacks(execute=True):
        group_services.session_book(acting=Actor.for_membership(mentee), session=session)
    (booked,) = smtp_inbox.to("seat@alpha.edu")
    method, vevent = _event(booked)
    assert method == "REQUEST"
    assert vevent.decoded("dtstart").astimezone(dt.UTC) == starts_at
    assert vevent.decoded("dtend") - vevent.decoded("dtstart") == dt.timedelta(minutes=30)
    assert _attendees(vevent) == {"hours@alpha.edu", "seat@alpha.edu"}
    assert str(vevent["location"]) == session.video_url
    (host,) = smtp_inbox.to("hours@alpha.edu")
    assert "seat@alpha.edu" in _attendees(_event(host)[1])
    assert "1 of 3 seats taken" in host.get_body(("plain",)).get_content()

    with django_capture_on_commit_callbacks(execute=True):
        group_services.session_cancel_booking(acting=Actor.for_membership(mentee), session=session)
    cancelled = smtp_inbox.to("seat@alpha.edu")[-1]
    method, again = _event(cancelled)
    assert method == "CANCEL"
    assert str(again["uid"]) == str(vevent["uid"])
    assert int(again["sequence"]) > int(vevent["sequence"])
    host_update = _event(smtp_inbox.to("hours@alpha.edu")[-1])[1]
    assert "seat@alpha.edu" not in _attendees(host_update)
    assert int(host_update["sequence"]) > int(_event(host)[1]["sequence"])


def test_r35_each_participant_gets_an_invite_with_their_own_rounds(
    cast, smtp_inbox, django_capture_on_commit_callbacks
):
    admin = admin_actor(cast.admin)
    mentors = [new_member(cast.inst_a, "mentor", f"table{i}@alpha.edu") for i in range(2)]
    mentees = [new_member(cast.inst_a, "mentee", f"rotate{i}@alpha.edu") for i in range(3)]
    starts_at = (timezone.now() + dt.timedelta(days=10)).replace(second=0, microsecond=0)
    event = group_services.event_create(
        acting=admin,
        name="Speed mentoring: choosing a specialty",
        starts_at=starts_at,
        round_minutes=8,
        break_minutes=2,
        place="Learning Center, room 204",
        mentors=mentors,
        mentees=mentees,
    )
    with django_capture_on_commit_callbacks(execute=True):
        group_services.event_schedule(acting=admin, event=event)
    assert len(smtp_inbox.messages) == 5  # one per participant
    (first,) = smtp_inbox.to("rotate0@alpha.edu")
    method, vevent = _event(first)
    assert method == "REQUEST"
    assert vevent.decoded("dtstart").astimezone(dt.UTC) == starts_at
    # three rounds of 8 minutes, 2-minute breaks between them
    assert vevent.decoded("dtend").astimezone(dt.UTC) == starts_at + dt.timedelta(minutes=28)
    assert str(vevent["location"]) == "Learning Center, room 204"
    text = str(vevent["description"])
    assert text.count("Round ") == 2  # two mentors: rotate0 meets each once
    assert mentors[0].user.display_name in text and mentors[1].user.display_name in text

    with django_capture_on_commit_callbacks(execute=True):
        group_services.event_schedule(acting=admin, event=event)  # generated again before it starts
    method, update = _event(smtp_inbox.to("rotate0@alpha.edu")[-1])
    assert str(update["uid"]) == str(vevent["uid"])
    assert int(update["sequence"]) == int(vevent["sequence"]) + 1
    assert smtp_inbox.to("rotate0@alpha.edu")[-1]["Subject"].startswith("Updated schedule")
