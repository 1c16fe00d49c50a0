"""R35: an admin changes who is in a circle — seats and room held, invites follow the change."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from icalendar import Calendar

from mentormemed.core.access import Actor
from mentormemed.core.models import AuditEntry
from mentormemed.mentorships.testing import new_member
from mentormemed.notifications.models import Notification
from mentormemed.programs import group_selectors, group_services
from mentormemed.programs.models import CircleMember, CircleRole
from mentormemed.programs.testing import admin_actor
from mentormemed.scheduling.testing import weekday_availability

pytestmark = pytest.mark.django_db


@pytest.fixture
def circle(cast):
    facilitator = new_member(cast.inst_a, "mentor", "seatfac@alpha.edu")
    weekday_availability(facilitator.mentor_profile)
    mentees = [new_member(cast.inst_a, "mentee", f"seat{i}@alpha.edu") for i in range(2)]
    return group_services.circle_create(
        acting=admin_actor(cast.admin),
        name="Residency circle",
        facilitators=[facilitator],
        mentees=mentees,
        max_mentees=3,
    )


def _book(circle, capture):
    facilitator = group_selectors.seats(circle)[0].membership
    slot = group_selectors.circle_slots(circle=circle, length=60)[0]
    with capture(execute=True):
        return group_services.circle_meeting_book(
            acting=Actor.for_membership(facilitator), circle=circle, starts_at=slot.starts_at, length=60
        )


def _event(message):
    ics = next(a for a in message.attachments if a[0] == "invite.ics")[1]
    cal = Calendar.from_ical(ics)
    return cal, cal.walk("VEVENT")[0]


def test_r35_a_new_member_gets_the_upcoming_invites_and_is_told(cast, circle, django_capture_on_commit_callbacks):
    meeting = _book(circle, django_capture_on_commit_callbacks)
    newcomer = new_member(cast.inst_a, "mentee", "newseat@alpha.edu")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        seat = group_services.circle_seat_add(acting=admin_actor(cast.admin), circle=circle, membership=newcomer)
    assert seat.role == CircleRole.MEMBER
    assert [m.to for m in mail.outbox] == [[newcomer.user.email]]  # only the newcomer is mailed
    cal, event = _event(mail.outbox[0])
    assert cal["METHOD"] == "REQUEST" and int(event["SEQUENCE"]) == meeting.sequence
    assert len(event.get("ATTENDEE")) == 4  # the same object, now with everyone in it
    assert Notification.objects.filter(user=newcomer.user, kind="circle").exists()
    assert AuditEntry.objects.filter(action="circle.seat_add").count() == 1


def test_r35_room_facilitators_and_institution_are_held(cast, circle):
    acting = admin_actor(cast.admin)
    group_services.circle_seat_add(
        acting=acting, circle=circle, membership=new_member(cast.inst_a, "mentee", "x3@alpha.edu")
    )
    with pytest.raises(ValidationError, match="full"):
        group_services.circle_seat_add(
            acting=acting, circle=circle, membership=new_member(cast.inst_a, "mentee", "x4@alpha.edu")
        )
    group_services.circle_seat_add(
        acting=acting, circle=circle, membership=new_member(cast.inst_a, "mentor", "f2@alpha.edu")
    )
    with pytest.raises(ValidationError, match="one or two facilitating"):
        group_services.circle_seat_add(
            acting=acting, circle=circle, membership=new_member(cast.inst_a, "mentor", "f3@alpha.edu")
        )
    with pytest.raises(ValidationError, match="active member of your institution"):
        group_services.circle_seat_add(acting=acting, circle=circle, membership=cast.mentee_b)
    seated = group_selectors.seats(circle)[1].membership
    with pytest.raises(ValidationError, match="already holds a seat"):
        group_services.circle_seat_add(acting=acting, circle=circle, membership=seated)
    with pytest.raises(ValidationError, match="Only an admin of the circle's institution"):
        group_services.circle_seat_add(acting=admin_actor(cast.admin_b), circle=circle, membership=cast.mentee)
    assert circle.members.filter(left_at__isnull=True).count() == 5  # 2 facilitators + 3 mentees


def test_r35_removing_someone_cancels_their_invites_and_keeps_history(cast, circle, django_capture_on_commit_callbacks):
    meeting = _book(circle, django_capture_on_commit_callbacks)
    seat = circle.members.filter(role=CircleRole.MEMBER).first()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        group_services.circle_seat_remove(acting=admin_actor(cast.admin), seat=seat)
    assert [m.to for m in mail.outbox] == [[seat.membership.user.email]]
    cal, event = _event(mail.outbox[0])
    assert cal["METHOD"] == "CANCEL" and int(event["SEQUENCE"]) == meeting.sequence + 1
    attendees = [str(a) for a in event.get("ATTENDEE")]
    assert f"mailto:{seat.membership.user.email}" in attendees and len(attendees) == 2  # organizer + them
    assert CircleMember.objects.get(pk=seat.pk).left_at is not None  # the seat ends, the row stays
    assert seat.membership not in [s.membership for s in group_selectors.seats(circle)]
    with pytest.raises(ValidationError, match="no longer in this circle"):
        group_services.circle_seat_remove(acting=admin_actor(cast.admin), seat=seat)


def test_r35_the_last_facilitator_cannot_be_removed(cast, circle):
    facilitator = circle.members.get(role=CircleRole.FACILITATOR)
    with pytest.raises(ValidationError, match="at least one facilitating mentor"):
        group_services.circle_seat_remove(acting=admin_actor(cast.admin), seat=facilitator)
    assert CircleMember.objects.get(pk=facilitator.pk).left_at is None


def test_r35_the_admin_changes_seats_on_the_circle_page(cast, circle):
    client = cast.client_for(cast.admin)
    newcomer = new_member(cast.inst_a, "mentee", "pageseat@alpha.edu")
    page = client.get(f"/programs/manage/circles/{circle.pk}/")
    assert newcomer.user.display_name in page.content.decode()  # offered in the add list
    response = client.post(f"/programs/manage/circles/{circle.pk}/seats/", {"membership": newcomer.pk}, follow=True)
    assert "is in the circle" in response.content.decode()
    seat = circle.members.get(membership=newcomer, left_at__isnull=True)
    response = client.post(f"/programs/manage/circles/seats/{seat.pk}/remove/", follow=True)
    assert "has left the circle" in response.content.decode()
    assert not circle.members.filter(membership=newcomer, left_at__isnull=True).exists()
    bad = client.post(f"/programs/manage/circles/{circle.pk}/seats/", {"membership": cast.mentee_b.pk})
    assert bad.status_code == 200 and "Select a valid choice" in bad.content.decode()
    other = cast.client_for(cast.admin_b)
    assert (
        other.post(f"/programs/manage/circles/{circle.pk}/seats/", {"membership": cast.mentee_b.pk}).status_code == 404
    )
