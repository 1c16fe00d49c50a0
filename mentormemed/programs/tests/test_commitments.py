"""R17, R35: a one-to-one meeting is never booked over a circle meeting, a session or an event.

Scheduling asks every registered busy source (``scheduling.busy``); programs registers the
group formats. Each test books the group commitment first, then tries the one-to-one time.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from mentormemed.core.access import Actor
from mentormemed.mentorships.testing import new_member, relationship
from mentormemed.programs import group_selectors, group_services
from mentormemed.programs.testing import admin_actor
from mentormemed.scheduling import selectors as scheduling
from mentormemed.scheduling import services as booking
from mentormemed.scheduling.testing import meeting, weekday_availability

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(cast):
    mentor = new_member(cast.inst_a, "mentor", "busy.mentor@alpha.edu")
    mentee = new_member(cast.inst_a, "mentee", "busy.mentee@alpha.edu")
    availability = weekday_availability(mentor.mentor_profile)
    return relationship(mentee, mentor.mentor_profile), availability


def _starts(slots) -> set[dt.datetime]:
    return {s.starts_at for s in slots}


def _book(rel, starts_at):
    return booking.meeting_book(
        relationship=rel, acting=Actor.for_user(rel.mentee.user), starts_at=starts_at, length=30
    )


def test_r17_r35_one_to_one_slots_avoid_the_mentors_circle_meeting(cast, pair):
    rel, availability = pair
    before = scheduling.bookable_slots(relationship=rel, availability=availability, length=30)
    mentee = new_member(cast.inst_a, "mentee", "circle.member@alpha.edu")
    circle = group_services.circle_create(
        acting=admin_actor(cast.admin),
        name="Research circle",
        facilitators=[rel.mentor.membership],
        mentees=[mentee],
    )
    group_slot = group_selectors.circle_slots(circle=circle, length=60)[3]
    group_services.circle_meeting_book(
        acting=Actor.for_membership(rel.mentor.membership), circle=circle, starts_at=group_slot.starts_at, length=60
    )
    after = _starts(scheduling.bookable_slots(relationship=rel, availability=availability, length=30))
    assert group_slot.starts_at in _starts(before)
    assert group_slot.starts_at not in after
    assert group_slot.starts_at + dt.timedelta(minutes=30) not in after
    with pytest.raises(ValidationError, match="no longer free"):
        _book(rel, group_slot.starts_at)


def test_r17_r35_one_to_one_slots_avoid_the_mentees_booked_session(cast, pair):
    rel, availability = pair
    slot = scheduling.bookable_slots(relationship=rel, availability=availability, length=30)[5]
    other = new_member(cast.inst_a, "mentor", "office.hours@alpha.edu").mentor_profile
    session = group_services.office_hours_offer(
        acting=Actor.for_membership(other.membership),
        title="Office hours: research posters",
        starts_at=slot.starts_at,
        minutes=30,
        seats=4,
    )
    group_services.session_book(acting=Actor.for_membership(rel.mentee), session=session)
    assert slot.starts_at not in _starts(
        scheduling.bookable_slots(relationship=rel, availability=availability, length=30)
    )
    with pytest.raises(ValidationError, match="no longer free"):
        _book(rel, slot.starts_at)
    group_services.session_cancel_booking(
        acting=Actor.for_membership(rel.mentee), session=session
    )  # the seat released frees the time
    assert _book(rel, slot.starts_at).starts_at == slot.starts_at


def test_r17_r35_one_to_one_slots_avoid_a_speed_mentoring_event_of_the_mentor(cast, pair):
    rel, availability = pair
    slot = scheduling.bookable_slots(relationship=rel, availability=availability, length=30)[8]
    mentees = [new_member(cast.inst_a, "mentee", f"speed{i}@alpha.edu") for i in range(3)]
    event = group_services.event_create(
        acting=admin_actor(cast.admin),
        name="Speed mentoring: surgery",
        starts_at=slot.starts_at - dt.timedelta(minutes=20),
        round_minutes=10,
        break_minutes=2,
        mentors=[rel.mentor.membership],
        mentees=mentees,
    )
    group_services.event_schedule(acting=admin_actor(cast.admin), event=event)
    # three rounds of 10 minutes with 2-minute breaks: 20 minutes before the slot to 14 minutes into it
    free = _starts(scheduling.bookable_slots(relationship=rel, availability=availability, length=30))
    assert slot.starts_at not in free
    with pytest.raises(ValidationError, match="no longer free"):
        _book(rel, slot.starts_at)


def test_r35_a_session_is_not_offered_or_booked_over_a_one_to_one_meeting(cast, pair):
    rel, _ = pair
    starts_at = (timezone.now() + dt.timedelta(days=3)).replace(second=0, microsecond=0)
    meeting(rel, starts_at=starts_at, minutes=30)
    with pytest.raises(ValidationError, match="another meeting at that time"):
        group_services.office_hours_offer(
            acting=Actor.for_membership(rel.mentor.membership),
            title="Office hours",
            starts_at=starts_at + dt.timedelta(minutes=15),
            minutes=30,
            seats=2,
        )
    other = new_member(cast.inst_a, "mentor", "other.office@alpha.edu").mentor_profile
    session = group_services.office_hours_offer(
        acting=Actor.for_membership(other.membership),
        title="Office hours: match",
        starts_at=starts_at,
        minutes=30,
        seats=2,
    )
    with pytest.raises(ValidationError, match="another meeting at that time"):
        group_services.session_book(acting=Actor.for_membership(rel.mentee), session=session)
    assert not session.bookings.exists()
