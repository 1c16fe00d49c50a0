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


def test_r39_event_times_read_on_each_recipients_clock_and_language(
    cast, smtp_inbox, django_capture_on_commit_callbacks
):
    """R39, issue 19: the schedule notification and each round in the invite give the time in the
    reader's locale format ("4:30 PM" in English, "16:30" in Spanish) and zone, not a fixed "16:30"."""
    from mentormemed.notifications.models import Notification

    admin = admin_actor(cast.admin)
    mentor = new_member(cast.inst_a, "mentor", "clock-mentor@alpha.edu")
    english = new_member(cast.inst_a, "mentee", "clock-en@alpha.edu")
    spanish = new_member(cast.inst_a, "mentee", "clock-es@alpha.edu")
    for member, language in ((mentor, "en"), (english, "en"), (spanish, "es")):
        member.user.language = language
        member.user.time_zone = "America/Chicago"
        member.user.save(update_fields=["language", "time_zone"])
    starts_at = dt.datetime(timezone.now().year + 1, 1, 14, 22, 30, tzinfo=dt.UTC)  # 4:30 PM in Chicago (CST)
    event = group_services.event_create(
        acting=admin,
        name="Speed mentoring",
        starts_at=starts_at,
        round_minutes=8,
        break_minutes=2,
        place="",
        mentors=[mentor],
        mentees=[english, spanish],
    )
    with django_capture_on_commit_callbacks(execute=True):
        group_services.event_schedule(acting=admin, event=event)
    assert Notification.objects.get(user=english.user, kind="event").body == "Starts January 14 at 4:30 PM."
    assert Notification.objects.get(user=spanish.user, kind="event").body == "Empieza el 14 de enero a las 16:30."
    (to_english,) = smtp_inbox.to("clock-en@alpha.edu")
    (to_spanish,) = smtp_inbox.to("clock-es@alpha.edu")
    english_text = str(_event(to_english)[1]["description"])
    spanish_text = str(_event(to_spanish)[1]["description"])
    assert "Round 1, 4:30 PM, table" in english_text or "Round 2, 4:40 PM, table" in english_text, english_text
    assert "Ronda 1, 16:30, mesa" in spanish_text or "Ronda 2, 16:40, mesa" in spanish_text, spanish_text
    assert "16:30" not in english_text and "16:40" not in english_text
