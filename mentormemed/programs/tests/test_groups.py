"""R35: circles (one invite to all), office hours, speed-mentoring rotation, questions to the network."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone
from icalendar import Calendar

from mentormemed.core.access import Actor
from mentormemed.mentorships.testing import new_member
from mentormemed.profiles.models import ContentArea, MentorProfile
from mentormemed.programs import group_selectors, group_services
from mentormemed.programs.models import EventSlot
from mentormemed.programs.rotation import rotation
from mentormemed.programs.testing import admin_actor
from mentormemed.scheduling.testing import weekday_availability

pytestmark = pytest.mark.django_db


@pytest.fixture
def circle(cast):
    facilitators = [new_member(cast.inst_a, "mentor", f"fac{i}@alpha.edu") for i in range(2)]
    for f in facilitators:
        weekday_availability(f.mentor_profile)
    mentees = [new_member(cast.inst_a, "mentee", f"circ{i}@alpha.edu") for i in range(4)]
    return group_services.circle_create(
        acting=admin_actor(cast.admin),
        name="First-gen circle",
        facilitators=facilitators,
        mentees=mentees,
        max_mentees=6,
    )


def test_r35_circle_has_one_or_two_facilitators_and_room_for_n(cast):
    mentors = [new_member(cast.inst_a, "mentor", f"m{i}@alpha.edu") for i in range(3)]
    mentees = [new_member(cast.inst_a, "mentee", f"l{i}@alpha.edu") for i in range(3)]
    with pytest.raises(ValidationError, match="one or two facilitating"):
        group_services.circle_create(acting=admin_actor(cast.admin), name="Too many", facilitators=mentors, mentees=[])
    with pytest.raises(ValidationError, match="room for 2 mentees"):
        group_services.circle_create(
            acting=admin_actor(cast.admin), name="Small", facilitators=mentors[:1], mentees=mentees, max_mentees=2
        )


def test_r35_circle_meeting_is_one_invite_with_every_member_as_attendee(circle, django_capture_on_commit_callbacks):
    facilitator = group_selectors.seats(circle)[0].membership
    slots = group_selectors.circle_slots(circle=circle, length=60)
    assert slots, "both facilitators are free on weekdays"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        meeting = group_services.circle_meeting_book(
            acting=Actor.for_membership(facilitator), circle=circle, starts_at=slots[0].starts_at, length=60
        )
    assert len(mail.outbox) == 6  # one e-mail per person …
    uids = set()
    for message in mail.outbox:
        ics = next(a for a in message.attachments if a[0] == "invite.ics")[1]
        event = next(c for c in Calendar.from_ical(ics).walk("VEVENT"))
        uids.add(str(event["UID"]))
        assert len(event.get("ATTENDEE")) == 6  # … carrying the same object with all six ATTENDEEs
        assert Calendar.from_ical(ics)["METHOD"] == "REQUEST" and int(event["SEQUENCE"]) == 0
    assert len(uids) == 1
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        group_services.circle_meeting_move(
            acting=Actor.for_membership(facilitator), meeting=meeting, starts_at=slots[3].starts_at
        )
    moved = Calendar.from_ical(next(a for a in mail.outbox[0].attachments if a[0] == "invite.ics")[1])
    assert int(moved.walk("VEVENT")[0]["SEQUENCE"]) == 1 and str(moved.walk("VEVENT")[0]["UID"]) in uids
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        group_services.circle_meeting_cancel(acting=Actor.for_membership(facilitator), meeting=meeting)
    cancelled = Calendar.from_ical(next(a for a in mail.outbox[0].attachments if a[0] == "invite.ics")[1])
    assert cancelled["METHOD"] == "CANCEL" and int(cancelled.walk("VEVENT")[0]["SEQUENCE"]) == 2


def test_r35_only_facilitators_book_and_a_taken_time_is_refused(circle):
    seats = group_selectors.seats(circle)
    facilitator, member = seats[0].membership, seats[-1].membership
    slot = group_selectors.circle_slots(circle=circle, length=60)[0]
    with pytest.raises(ValidationError, match="Only the circle's facilitators"):
        group_services.circle_meeting_book(
            acting=Actor.for_membership(member), circle=circle, starts_at=slot.starts_at, length=60
        )
    group_services.circle_meeting_book(
        acting=Actor.for_membership(facilitator), circle=circle, starts_at=slot.starts_at, length=60
    )
    with pytest.raises(ValidationError, match="not free"):
        group_services.circle_meeting_book(
            acting=Actor.for_membership(facilitator), circle=circle, starts_at=slot.starts_at, length=60
        )


def test_r35_circles_do_not_count_toward_the_cap(circle):
    for seat in group_selectors.seats(circle):
        if seat.role == "facilitator":
            assert MentorProfile.objects.get(membership=seat.membership).active_mentee_count == 0


def test_r30_thread_is_for_members_only(circle, cast, client):
    member = group_selectors.seats(circle)[-1].membership
    group_services.circle_message_send(
        acting=Actor.for_membership(member), circle=circle, body="Shall we talk about Step 1?"
    )
    client.force_login(cast.admin.user)
    page = client.get(f"/programs/manage/circles/{circle.pk}/").content.decode()
    assert "Step 1" not in page
    client.force_login(cast.mentee.user)  # not in the circle
    assert client.get(f"/programs/circles/{circle.pk}/").status_code == 404


@pytest.mark.parametrize(("mentors", "mentees"), list(itertools.product(range(1, 7), range(1, 9))))
def test_r35_rotation_each_pair_once_nobody_double_booked(mentors, mentees):
    seats = rotation(mentors, mentees)
    assert sorted((s.mentor, s.mentee) for s in seats) == sorted(itertools.product(range(mentors), range(mentees)))
    for r in {s.round_no for s in seats}:
        in_round = [s for s in seats if s.round_no == r]
        assert len({s.mentor for s in in_round}) == len(in_round) == len({s.mentee for s in in_round})
    assert max(s.round_no for s in seats) == max(mentors, mentees)


def test_r35_event_schedule_is_booked(cast):
    mentors = [new_member(cast.inst_a, "mentor", f"sm{i}@alpha.edu") for i in range(3)]
    mentees = [new_member(cast.inst_a, "mentee", f"sl{i}@alpha.edu") for i in range(5)]
    event = group_services.event_create(
        acting=admin_actor(cast.admin),
        name="Speed mentoring night",
        starts_at=timezone.now() + dt.timedelta(days=7),
        round_minutes=8,
        break_minutes=2,
        mentors=mentors,
        mentees=mentees,
    )
    assert group_services.event_schedule(acting=admin_actor(cast.admin), event=event) == 15
    slots = list(EventSlot.objects.filter(event=event))
    assert (slots[-1].starts_at - event.starts_at) == dt.timedelta(minutes=10 * 4)  # 5 rounds
    assert group_selectors.schedule_of(event=event, membership=mentees[0]).count() == 3


def test_r35_office_hours_seats_and_scope(cast):
    mentor = new_member(cast.inst_a, "mentor", "oh@alpha.edu").mentor_profile
    session = group_services.office_hours_offer(
        acting=Actor.for_membership(mentor.membership),
        title="Office hours: Step 1",
        starts_at=timezone.now() + dt.timedelta(days=2),
        minutes=30,
        seats=1,
    )
    first = new_member(cast.inst_a, "mentee", "oh1@alpha.edu")
    group_services.session_book(acting=Actor.for_membership(first), session=session)
    with pytest.raises(ValidationError, match="Every seat"):
        group_services.session_book(
            acting=Actor.for_membership(new_member(cast.inst_a, "mentee", "oh2@alpha.edu")), session=session
        )
    outsider = new_member(cast.inst_b, "mentee", "oh3@beta.org")
    with pytest.raises(ValidationError, match="not open to you"):  # local mentor, other institution (R9)
        group_services.session_book(acting=Actor.for_membership(outsider), session=session)
    assert MentorProfile.objects.get(pk=mentor.pk).active_mentee_count == 0


def test_r35_questions_reach_mentors_offering_the_area_within_scope(cast):
    research = ContentArea.objects.filter(key="research")
    local_a = new_member(cast.inst_a, "mentor", "qa@alpha.edu", areas=("research",)).mentor_profile
    local_b = new_member(cast.inst_b, "mentor", "qb@beta.org", areas=("research",)).mentor_profile
    national_b = new_member(cast.inst_b, "mentor", "qn@beta.org", areas=("research",), scope="national").mentor_profile
    asker = new_member(cast.inst_a, "mentee", "asker@alpha.edu")
    question = group_services.question_ask(
        acting=Actor.for_membership(asker),
        title="How do I find a research mentor?",
        body="I am an MS1 and want to start research this year.",
        areas=research,
        share_with_institution=True,
    )
    assert question in group_selectors.questions_for_mentor(mentor=local_a)
    assert question in group_selectors.questions_for_mentor(mentor=national_b)
    assert question not in group_selectors.questions_for_mentor(mentor=local_b)
    with pytest.raises(ValidationError, match="outside your reach"):
        group_services.question_answer(
            acting=Actor.for_membership(local_b.membership),
            question=question,
            body="Look for a lab with good mentoring.",
        )
    assert [a for a, _ in group_selectors.unanswered_question_needs(now=timezone.now() + dt.timedelta(days=8))] == list(
        research
    )
    group_services.question_answer(
        acting=Actor.for_membership(national_b.membership),
        question=question,
        body="Ask your dean's office for a research list.",
    )
    assert group_selectors.unanswered_question_needs(now=timezone.now() + dt.timedelta(days=8)) == []
    peer = new_member(cast.inst_a, "mentee", "peer@alpha.edu")
    assert question in group_selectors.shared_questions(mentee=peer)
    assert question not in group_selectors.shared_questions(mentee=new_member(cast.inst_b, "mentee", "far@beta.org"))


def test_r24_r35_group_sessions_count_in_the_participation_record_not_the_cap(circle, cast):
    from mentormemed.outcomes.reward import participation_records
    from mentormemed.programs.models import CircleMeeting, GroupMeetingStatus

    facilitator = group_selectors.seats(circle)[0].membership
    past = timezone.now() - dt.timedelta(days=3)
    CircleMeeting.objects.create(
        circle=circle, starts_at=past, ends_at=past + dt.timedelta(hours=1), status=GroupMeetingStatus.HELD
    )
    session = group_services.office_hours_offer(
        acting=Actor.for_membership(facilitator.mentor_profile.membership),
        title="Office hours",
        starts_at=timezone.now() + dt.timedelta(days=1),
        minutes=30,
        seats=3,
    )
    group_services.session_book(
        acting=Actor.for_membership(group_selectors.seats(circle)[-1].membership), session=session
    )
    type(session).objects.filter(pk=session.pk).update(starts_at=past)  # it has taken place
    record = next(r for r in participation_records(institution=cast.inst_a) if r.mentor.membership_id == facilitator.pk)
    assert record.extras == [("Group sessions led", 2)]
    assert record.mentees == 0 and MentorProfile.objects.get(membership=facilitator).active_mentee_count == 0


def test_r35_a_programs_circle_takes_at_most_its_circle_size(cast):
    from mentormemed.programs.testing import program

    prog = program(cast.inst_a, circle_size=3)
    facilitator = new_member(cast.inst_a, "mentor", "pc@alpha.edu")
    mentees = [new_member(cast.inst_a, "mentee", f"pcm{i}@alpha.edu") for i in range(4)]
    with pytest.raises(ValidationError, match="room for 3 mentees"):
        group_services.circle_create(
            acting=admin_actor(cast.admin),
            name="Program circle",
            facilitators=[facilitator],
            mentees=mentees,
            max_mentees=8,
            program=prog,
        )
    circle = group_services.circle_create(
        acting=admin_actor(cast.admin),
        name="Program circle",
        facilitators=[facilitator],
        mentees=mentees[:3],
        max_mentees=8,
        program=prog,
    )
    assert circle.max_mentees == 3 and circle.program == prog


def test_r35_group_writes_are_the_acting_members_own(circle, cast):
    """Circles, sessions and questions take the acting principal: an admin, a member of another
    institution or the wrong side is refused, whatever membership the caller holds."""
    goal = group_services.circle_goal_add(
        acting=Actor.for_membership(group_selectors.seats(circle)[-1].membership), circle=circle, text="Present once"
    )
    for outsider in (cast.admin, cast.mentee_b, cast.mentee):  # cast.mentee holds no seat in this circle
        with pytest.raises(ValidationError, match="Only the circle's members"):
            group_services.circle_goal_progress(acting=Actor.for_membership(outsider), goal=goal, progress=50)
    with pytest.raises(ValidationError, match="Only the circle's members"):
        group_services.circle_message_send(acting=Actor.system(), circle=circle, body="Hello")
    with pytest.raises(ValidationError, match="Only a mentor can offer a session"):
        group_services.office_hours_offer(
            acting=Actor.for_membership(cast.mentee),
            title="Office hours",
            starts_at=timezone.now() + dt.timedelta(days=2),
            minutes=30,
            seats=2,
        )
    mentor = new_member(cast.inst_a, "mentor", "own@alpha.edu").mentor_profile
    session = group_services.office_hours_offer(
        acting=Actor.for_membership(mentor.membership),
        title="Office hours",
        starts_at=timezone.now() + dt.timedelta(days=2),
        minutes=30,
        seats=2,
    )
    assert session.mentor == mentor
    with pytest.raises(ValidationError, match="not open to you"):
        group_services.session_book(acting=Actor.for_membership(cast.mentor), session=session)
    with pytest.raises(ValidationError, match="Only an active mentee can ask"):
        group_services.question_ask(
            acting=Actor.for_membership(cast.admin),
            title="How do I find a research mentor?",
            body="I am an MS1 and want to start research this year.",
            areas=ContentArea.objects.filter(key="research"),
        )
