"""R17: booking, invites (RFC 5545/5546/6047), reschedule and cancel, held, notes, reminders, teaching hours."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import icalendar
import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from mentormemed.core.access import Actor
from mentormemed.mentorships.models import Relationship
from mentormemed.mentorships.testing import new_member, relationship
from mentormemed.scheduling import services
from mentormemed.scheduling.models import Meeting, MeetingStatus
from mentormemed.scheduling.testing import meeting, weekday_availability
from mentormemed.training.teaching import teaching_log

UTC = dt.UTC
NOW = dt.datetime(2026, 6, 1, 12, tzinfo=UTC)  # Monday 08:00 New York
SLOT = dt.datetime(2026, 6, 3, 14, tzinfo=UTC)  # Wednesday 10:00 New York


@pytest.fixture
def clock(cast):
    """Travel to NOW; both institutions' subscriptions cover it (R1 would pause the pages otherwise)."""
    day = NOW.date()
    for institution in (cast.inst_a, cast.inst_b):
        institution.subscriptions.update(term_start=day - dt.timedelta(days=30), term_end=day + dt.timedelta(days=300))
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def calendar_part(message) -> tuple[str, icalendar.Calendar]:
    """The text/calendar alternative of an e-mail: its Content-Type and the parsed calendar."""
    for part in message.message().walk():
        if part.get_content_type() == "text/calendar":
            return part["Content-Type"], icalendar.Calendar.from_ical(part.get_payload(decode=True))
    raise AssertionError("no text/calendar part")


def event_of(calendar: icalendar.Calendar) -> icalendar.Event:
    (event,) = calendar.walk("VEVENT")
    return event


@pytest.fixture(autouse=True)
def _commits(django_capture_on_commit_callbacks):
    """Run each service call's on-commit e-mails as a real commit would (tests run inside a transaction)."""
    global _capture
    _capture = django_capture_on_commit_callbacks
    yield


_capture = None


def sent(fn, **kwargs):
    with _capture(execute=True):
        return fn(**kwargs)


def book(rel, *, user=None, starts_at=SLOT, length=60, agenda="Residency applications"):
    return sent(
        services.meeting_book,
        relationship=rel,
        acting=Actor.for_user(user or rel.mentee.user),
        starts_at=starts_at,
        length=length,
        agenda=agenda,
    )


def test_r17_mentee_books_a_free_slot_and_both_get_a_request_invite(cast, rel, avail, clock):
    m = book(rel)
    assert (m.starts_at, m.ends_at, m.status, m.sequence) == (SLOT, SLOT + dt.timedelta(hours=60 / 60), "scheduled", 0)
    assert sorted(msg.to[0] for msg in mail.outbox) == ["mentee@alpha.edu", "mentor@alpha.edu"]
    for message in mail.outbox:
        content_type, calendar = calendar_part(message)
        assert 'method="REQUEST"' in content_type or "method=REQUEST" in content_type  # RFC 6047
        assert calendar["METHOD"] == "REQUEST"
        event = event_of(calendar)
        assert str(event["UID"]) == f"{m.uid}@mentormemed.org"
        assert event["SEQUENCE"] == 0
        assert event["DTSTART"].dt == SLOT and event["DTEND"].dt == SLOT + dt.timedelta(hours=1)
        assert event["DTSTART"].params["TZID"] == "America/New_York"
        assert calendar.walk("VTIMEZONE"), "a TZID needs its VTIMEZONE"
        assert event["DTSTAMP"].dt.tzinfo is not None
        assert str(event["ORGANIZER"]) == "mailto:mentor@alpha.edu"
        assert {str(a) for a in event["ATTENDEE"]} == {"mailto:mentee@alpha.edu", "mailto:mentor@alpha.edu"}
        assert any(a.filename == "invite.ics" for a in message.attachments)
    # Each person reads the time in their own zone.
    assert "10:00 AM" in mail.outbox[0].body


def test_r17_mentor_can_book_too(cast, rel, avail, clock):
    m = book(rel, user=cast.mentor.user)
    assert m.booked_by == cast.mentor.user and len(mail.outbox) == 2


def test_r17_reschedule_resends_with_higher_sequence_and_same_uid(cast, rel, avail, clock):
    m = book(rel)
    mail.outbox.clear()
    later = SLOT + dt.timedelta(days=1)
    sent(services.meeting_reschedule, meeting=m, acting=Actor.for_user(cast.mentor.user), starts_at=later)
    m.refresh_from_db()
    assert (m.starts_at, m.sequence) == (later, 1)
    _, calendar = calendar_part(mail.outbox[0])
    event = event_of(calendar)
    assert calendar["METHOD"] == "REQUEST"
    assert str(event["UID"]) == f"{m.uid}@mentormemed.org"
    assert event["SEQUENCE"] == 1
    assert event["DTSTART"].dt == later


def test_r17_cancel_sends_method_cancel_with_status_cancelled(cast, rel, avail, clock):
    m = book(rel)
    sent(
        services.meeting_reschedule,
        meeting=m,
        acting=Actor.for_user(cast.mentee.user),
        starts_at=SLOT + dt.timedelta(hours=2),
    )
    mail.outbox.clear()
    sent(services.meeting_cancel, meeting=m, acting=Actor.for_user(cast.mentee.user), reason="Exam moved")
    m.refresh_from_db()
    assert (m.status, m.sequence) == (MeetingStatus.CANCELLED, 2)
    assert len(mail.outbox) == 2
    content_type, calendar = calendar_part(mail.outbox[0])
    assert "CANCEL" in content_type
    event = event_of(calendar)
    assert calendar["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED"
    assert event["SEQUENCE"] == 2
    assert str(event["UID"]) == f"{m.uid}@mentormemed.org"
    assert event["DTSTART"].dt == SLOT + dt.timedelta(hours=2)
    with pytest.raises(ValidationError):
        services.meeting_cancel(meeting=m, acting=Actor.for_user(cast.mentee.user))


def test_r17_a_taken_slot_is_refused(cast, rel, avail, clock):
    book(rel)
    second_mentee = new_member(cast.inst_a, "mentee", "second.mentee@alpha.edu")
    other = relationship(second_mentee, rel.mentor)
    with pytest.raises(ValidationError, match="no longer free"):
        book(other, starts_at=SLOT + dt.timedelta(minutes=30), length=30)
    assert Meeting.objects.count() == 1


@pytest.mark.parametrize(
    ("starts_at", "why"),
    [
        (NOW + dt.timedelta(hours=2), "inside the minimum notice"),
        (NOW + dt.timedelta(days=40), "beyond the horizon"),
        (dt.datetime(2026, 6, 3, 23, tzinfo=UTC), "outside every window"),
        (dt.datetime(2026, 6, 3, 14, 10, tzinfo=UTC), "not on the slot grid"),
    ],
)
def test_r17_only_offered_slots_can_be_booked(cast, rel, avail, clock, starts_at, why):
    with pytest.raises(ValidationError):
        book(rel, starts_at=starts_at)
    assert not Meeting.objects.exists(), why


def test_r17_an_unoffered_length_is_refused(cast, rel, avail, clock):
    with pytest.raises(ValidationError, match="lengths"):
        book(rel, length=45)


def test_r17_only_the_pair_can_book_and_only_while_active(cast, rel, avail, clock):
    stranger = new_member(cast.inst_a, "mentee", "stranger@alpha.edu")
    with pytest.raises(ValidationError):
        book(rel, user=stranger.user)
    Relationship.objects.filter(pk=rel.pk).update(ended_at=NOW)
    rel.refresh_from_db()
    with pytest.raises(ValidationError, match="ended"):
        book(rel)


def test_r17_without_availability_booking_explains_what_to_do(cast, rel, clock):
    with pytest.raises(ValidationError, match="not published"):
        book(rel)


def test_r17_link_preference_generated_own_or_place(cast, rel, avail, clock):
    first = book(rel)
    second = book(rel, starts_at=SLOT + dt.timedelta(days=1))
    assert first.video_url.startswith("https://meet.jit.si/MentorMeMed-")
    assert len(first.video_url.rsplit("-", 1)[-1]) >= 20 or len(first.video_url) > 45  # 128 random bits
    assert first.video_url != second.video_url
    weekday_availability(rel.mentor, link_kind="own", own_link="https://zoom.example.org/j/123")
    own = book(rel, starts_at=SLOT + dt.timedelta(days=2))
    assert own.video_url == "https://zoom.example.org/j/123"
    weekday_availability(rel.mentor, link_kind="place", place="Room 4B")
    place = book(rel, starts_at=SLOT + dt.timedelta(days=7))
    assert (place.place, place.video_url) == ("Room 4B", "")
    _, calendar = calendar_part(mail.outbox[-1])
    assert str(event_of(calendar)["LOCATION"]) == "Room 4B"


def test_r17_marking_held_moves_initiation_to_cultivation_once(cast, rel, avail, clock):
    m = book(rel)
    with pytest.raises(ValidationError):
        services.meeting_mark_held(meeting=m, acting=Actor.for_user(cast.mentee.user))  # not started yet
    clock.move_to(SLOT + dt.timedelta(minutes=5))
    services.meeting_mark_held(meeting=m, acting=Actor.for_user(cast.mentor.user))
    rel.refresh_from_db()
    m.refresh_from_db()
    assert (m.status, rel.stage) == (MeetingStatus.HELD, "cultivation")
    # A later stage is never moved back by another held meeting.
    Relationship.objects.filter(pk=rel.pk).update(stage="redefinition")
    other = meeting(rel, starts_at=SLOT + dt.timedelta(hours=3))
    clock.move_to(SLOT + dt.timedelta(hours=4))
    services.meeting_mark_held(meeting=other, acting=Actor.for_user(cast.mentee.user))
    rel.refresh_from_db()
    assert rel.stage == "redefinition"


def test_r17_day_before_reminder_goes_out_once(cast, rel, avail, clock):
    m = book(rel)
    mail.outbox.clear()
    assert sent(services.send_reminders, now=SLOT - dt.timedelta(hours=30)) == 0
    assert sent(services.send_reminders, now=SLOT - dt.timedelta(hours=20)) == 1
    assert sent(services.send_reminders, now=SLOT - dt.timedelta(hours=19)) == 0
    assert sorted(msg.to[0] for msg in mail.outbox) == ["mentee@alpha.edu", "mentor@alpha.edu"]
    assert all("Tomorrow" in msg.subject or "Tomorrow" in msg.body for msg in mail.outbox)
    # Moving the meeting later earns it a fresh reminder before the new time.
    sent(
        services.meeting_reschedule,
        meeting=m,
        acting=Actor.for_user(cast.mentee.user),
        starts_at=SLOT + dt.timedelta(days=2),
    )
    assert sent(services.send_reminders, now=SLOT + dt.timedelta(days=1, hours=4)) == 1


def test_r17_reminder_command_runs(cast, rel, avail, clock):
    from django.core.management import call_command

    book(rel)
    clock.move_to(SLOT - dt.timedelta(hours=10))
    call_command("send_meeting_reminders")
    assert Meeting.objects.get().reminder_sent_at is not None


def test_r17_held_meetings_document_teaching_hours(cast, rel, avail, clock):
    m = book(rel, length=60)
    clock.move_to(SLOT + dt.timedelta(hours=2))
    services.meeting_mark_held(meeting=m, acting=Actor.for_user(cast.mentor.user))
    log = teaching_log(membership=cast.mentor, start=dt.date(2026, 6, 1), end=dt.date(2026, 6, 30))
    assert log.hours == Decimal("1.00")
    assert [s.held_on for s in log.sessions] == [dt.date(2026, 6, 3)]
    assert teaching_log(membership=cast.mentor, start=dt.date(2026, 7, 1), end=dt.date(2026, 7, 30)).hours == 0


def test_r30_notes_are_for_the_pair_only(cast, rel, avail, clock):
    m = book(rel)
    services.meeting_notes_save(meeting=m, acting=Actor.for_user(cast.mentee.user), notes="Talk about the Step 1 plan")
    url = reverse("scheduling:meeting", args=[m.pk])
    assert "Step 1 plan" in cast.client_for(cast.mentor).get(url).content.decode()
    assert cast.client_for(cast.admin).get(url).status_code == 403
    assert cast.client_for(cast.staff).get(url).status_code == 403
    stranger = new_member(cast.inst_a, "mentee", "stranger@alpha.edu")
    assert cast.client_for(stranger).get(url).status_code == 404
    assert cast.client_for(cast.mentee_b).get(url).status_code == 404
    with pytest.raises(ValidationError):
        services.meeting_notes_save(meeting=m, acting=Actor.for_user(stranger.user), notes="x")


def test_r17_the_sweep_sends_the_day_before_reminder(cast, rel, avail, clock):
    from mentormemed.mentorships.sweep import sweep

    book(rel)
    done = sweep(now=SLOT - dt.timedelta(hours=10))
    assert done["meeting_reminders"] == 1
    assert "evaluation_reminders" in done and "survey_reminders" in done
    assert Meeting.objects.get().reminder_sent_at is not None
    assert sweep(now=SLOT - dt.timedelta(hours=9))["meeting_reminders"] == 0


def test_r17_the_mentorship_page_shows_the_next_meeting_and_books_one(cast, rel, avail, clock):
    from django.urls import reverse

    url = reverse("mentorships:relationship", args=[rel.pk])
    page = cast.client_for(cast.mentee).get(url).content.decode()
    assert "No meeting booked yet." in page
    assert reverse("scheduling:book", args=[rel.pk]) in page
    m = book(rel)
    page = cast.client_for(cast.mentor).get(url).content.decode()
    assert reverse("scheduling:meeting", args=[m.pk]) in page
    assert "Wednesday, June 3, 10:00 AM" in page  # the mentor's zone (New York)


def test_r1_no_booking_with_a_mentor_whose_institution_is_paused(cast, rel, avail, clock):
    from django.core.exceptions import ValidationError

    mentor_institution = rel.mentor.membership.institution
    mentor_institution.subscriptions.update(term_end=NOW.date() - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="access to MentorMeMed is paused"):
        book(rel)
    assert not Meeting.objects.exists()


def test_r17_ending_the_mentorship_cancels_the_meetings_ahead_with_cancel_invites(cast, rel, avail, clock):
    from mentormemed.mentorships import services as mentorships

    ahead = book(rel)
    past = meeting(rel, starts_at=NOW - dt.timedelta(days=2), status=MeetingStatus.HELD)
    mail.outbox.clear()
    sent(mentorships.relationship_end, acting=Actor.for_user(cast.mentee.user), relationship=rel, reason="time")
    ahead.refresh_from_db()
    past.refresh_from_db()
    assert (ahead.status, ahead.cancel_reason) == (MeetingStatus.CANCELLED, "The mentorship ended.")
    assert past.status == MeetingStatus.HELD, "history is kept"
    invites = [m for m in mail.outbox if any(p.get_content_type() == "text/calendar" for p in m.message().walk())]
    assert len(invites) == 2  # mentee and mentor
    for message in invites:
        content_type, calendar = calendar_part(message)
        assert "CANCEL" in content_type and event_of(calendar)["STATUS"] == "CANCELLED"
    assert services.send_reminders(now=ahead.starts_at - dt.timedelta(hours=5)) == 0, "no reminder for it"
