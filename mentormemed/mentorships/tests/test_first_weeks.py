"""The first weeks of a mentorship as people see them: the accept message opens the thread, the
check-in due leads the home page and arrives as a notification (R29), opening a thing clears its
notification, and the mentor sees the mentee's phone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from mentormemed.core.access import Actor
from mentormemed.mentorships import services, sweep, testing
from mentormemed.mentorships.models import Relationship
from mentormemed.notifications.models import Notification
from mentormemed.profiles.models import MenteeProfile

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(cast):
    testing.fully_onboard(cast.mentee)
    testing.fully_onboard(cast.mentor)
    return testing.mentor_profile(cast.mentor)


def test_r16_the_accept_message_opens_the_thread(cast, pair):
    request = testing.pending_request(cast.mentee, pair, message="Could you help me with my first abstract?")
    rel = services.request_accept(
        acting=Actor.for_user(cast.mentor.user), request=request, message="Gladly — send me your draft."
    )
    thread = list(rel.messages.order_by("created_at", "id"))
    assert [(m.sender_id, m.body) for m in thread] == [
        (cast.mentee.user.pk, "Could you help me with my first abstract?"),
        (cast.mentor.user.pk, "Gladly — send me your draft."),
    ]
    note = Notification.objects.get(user=cast.mentee.user, kind="request_answered")
    assert note.url.endswith("#messages") and "draft" not in note.body  # a notification never copies a message
    page = cast.client_for(cast.mentee).get(reverse("mentorships:relationship", args=[rel.pk])).content.decode()
    assert page.index("Could you help me with my first abstract?") < page.index("Gladly — send me your draft.")


def test_r29_a_due_check_in_leads_the_home_page_and_is_a_notification(cast, pair):
    now = timezone.now()
    rel = testing.relationship(cast.mentee, pair, started_at=now - dt.timedelta(days=36))
    assert sweep.send_checkins(now=now) == 1
    for member in (cast.mentee, cast.mentor):
        assert Notification.objects.filter(user=member.user, kind="checkin", read_at__isnull=True).exists()
        home = cast.client_for(member).get(reverse("core:home")).content.decode()
        assert "Check-in due" in home and f"/mentorships/{rel.pk}/#checkin" in home
    services.checkin_answer(
        acting=Actor.for_user(cast.mentee.user), relationship=Relationship.objects.get(pk=rel.pk), answer="working"
    )
    assert "Check-in due" not in cast.client_for(cast.mentee).get(reverse("core:home")).content.decode()
    assert "Check-in due" in cast.client_for(cast.mentor).get(reverse("core:home")).content.decode()


def test_opening_the_thing_clears_its_notification_however_it_is_reached(cast, pair):
    rel = testing.relationship(cast.mentee, pair)
    services.message_send(acting=Actor.for_user(cast.mentor.user), relationship=rel, body="Welcome!")
    other = testing.relationship(cast.mentee, testing.mentor_profile(cast.mentor_b, scope="national"))
    services.message_send(acting=Actor.for_user(cast.mentor_b.user), relationship=other, body="Hello from Beta")
    client = cast.client_for(cast.mentee)
    assert Notification.objects.filter(user=cast.mentee.user, read_at__isnull=True).count() == 2
    page = client.get(reverse("mentorships:relationship", args=[rel.pk]))  # straight from the menu, not the bell
    unread = Notification.objects.filter(user=cast.mentee.user, read_at__isnull=True)
    assert list(unread.values_list("url", flat=True)) == [f"/mentorships/{other.pk}/#messages"]
    assert page.context["unread_notifications"] == 1  # the badge on that very page is already right
    # Another person's notification with the same link is untouched.
    Notification.objects.create(user=cast.mentor.user, kind="message", title="x", url=f"/mentorships/{rel.pk}/")
    client.get(reverse("mentorships:relationship", args=[rel.pk]))
    assert Notification.objects.filter(user=cast.mentor.user, read_at__isnull=True).count() >= 1


def test_the_mentor_sees_the_mentees_phone_while_the_mentorship_runs(cast, pair):
    MenteeProfile.objects.filter(membership=cast.mentee).update(phone="(312) 555-0101")
    rel = testing.relationship(cast.mentee, pair)
    url = reverse("mentorships:relationship", args=[rel.pk])
    assert "(312) 555-0101" in cast.client_for(cast.mentor).get(url).content.decode()
    assert "(312) 555-0101" not in cast.client_for(cast.mentee).get(url).content.decode()
    Relationship.objects.filter(pk=rel.pk).update(ended_at=timezone.now())
    assert "(312) 555-0101" not in cast.client_for(cast.mentor).get(url).content.decode()
