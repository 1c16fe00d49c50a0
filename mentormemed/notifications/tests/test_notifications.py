"""R31 delivery choices and daily digests; e-mail after commit, never rolling back the cause; retries."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse

from mentormemed.core.access import Actor
from mentormemed.mentorships import services, testing
from mentormemed.mentorships.models import MentorshipRequest
from mentormemed.notifications import tasks
from mentormemed.notifications.models import Notification, NotificationPreference
from mentormemed.notifications.services import notify, send_digests
from mentormemed.profiles.models import ContentArea


class BrokenBackend:
    """A mail server that is down."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server unreachable")


@pytest.fixture
def ready(cast):
    testing.fully_onboard(cast.mentee)
    testing.fully_onboard(cast.mentor)
    return testing.mentor_profile(cast.mentor)


def test_r31_preferences_page_saves_digest_choice_and_message_waits_for_digest(
    cast, ready, django_capture_on_commit_callbacks
):
    client = cast.client_for(cast.mentor)
    assert b"A new message in a mentorship" in client.get(reverse("notifications:preferences")).content
    client.post(reverse("notifications:preferences"), {"kind_message": "digest", "kind_bogus": "digest"})
    assert list(NotificationPreference.objects.values_list("kind", "delivery")) == [("message", "digest")]
    rel = testing.relationship(cast.mentee, ready)
    with django_capture_on_commit_callbacks(execute=True):
        services.message_send(acting=Actor.for_user(cast.mentee.user), relationship=rel, body="Hi!")
    assert mail.outbox == []
    waiting = Notification.objects.get(user=cast.mentor.user, kind="message")
    assert waiting.emailed_at is None
    # The digest goes out after 7:00 in the person's zone, once a day.
    cast.mentor.user.time_zone = "America/Chicago"
    cast.mentor.user.save()
    morning = dt.datetime(2031, 3, 3, 12, 30, tzinfo=dt.UTC)  # 6:30 in Chicago
    with django_capture_on_commit_callbacks(execute=True):
        assert send_digests(now=morning) == 0
        assert send_digests(now=morning + dt.timedelta(hours=1)) == 1
        assert send_digests(now=morning + dt.timedelta(hours=2)) == 0
    assert len(mail.outbox) == 1 and "daily summary" in mail.outbox[0].subject
    assert "New message from" in mail.outbox[0].body
    assert reverse("mentorships:relationship", args=[rel.pk]) in mail.outbox[0].body
    # A new item the same day waits until tomorrow's digest.
    with django_capture_on_commit_callbacks(execute=True):
        services.message_send(acting=Actor.for_user(cast.mentee.user), relationship=rel, body="Again!")
        assert send_digests(now=morning + dt.timedelta(hours=3)) == 0
        assert send_digests(now=morning + dt.timedelta(days=1, hours=1)) == 1
    assert len(mail.outbox) == 2


def test_r31_immediate_is_the_default_for_messages(cast, ready, django_capture_on_commit_callbacks):
    rel = testing.relationship(cast.mentee, ready)
    with django_capture_on_commit_callbacks(execute=True):
        services.message_send(acting=Actor.for_user(cast.mentor.user), relationship=rel, body="Welcome!")
    assert [m.to for m in mail.outbox] == [["mentee@alpha.edu"]]
    assert reverse("notifications:preferences") in mail.outbox[0].body


def test_inbox_lists_own_notifications_and_read_follows_the_link(cast):
    mine = notify(user=cast.mentee.user, kind="request_answered", title="Accepted!", url="/mentorships/network/")
    theirs = notify(user=cast.mentee_b.user, kind="request_answered", title="Someone else's news")
    client = cast.client_for(cast.mentee)
    page = client.get(reverse("notifications:inbox")).content
    assert b"Accepted!" in page and b"Someone else" not in page
    response = client.post(reverse("notifications:read", args=[mine.pk]))
    assert response["Location"] == "/mentorships/network/"
    client.post(reverse("notifications:read", args=[theirs.pk]))
    theirs.refresh_from_db()
    assert theirs.read_at is None  # another person's notification is untouched


def test_failing_mail_server_never_rolls_back_a_request(cast, ready, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = f"{__name__}.BrokenBackend"
    with django_capture_on_commit_callbacks(execute=True):
        request = services.request_send(
            acting=Actor.for_membership(cast.mentee),
            mentor=ready,
            message="Hoping to learn about research careers from you.",
            areas=[ContentArea.objects.get(key="research")],
        )
    assert MentorshipRequest.objects.filter(pk=request.pk, state="pending").exists()
    assert Notification.objects.filter(user=cast.mentor.user, kind="request_received").exists()
    assert mail.outbox == []


def test_queue_failure_after_commit_never_breaks_the_request(cast, ready, django_capture_on_commit_callbacks):
    with (
        mock.patch.object(type(tasks.deliver_email), "enqueue", side_effect=RuntimeError("queue down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        request = services.request_send(
            acting=Actor.for_membership(cast.mentee),
            mentor=ready,
            message="Hoping to learn about research careers from you.",
            areas=[ContentArea.objects.get(key="research")],
        )
    assert MentorshipRequest.objects.filter(pk=request.pk).exists()


def test_rolled_back_write_sends_nothing(cast, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                notify(user=cast.mentee.user, kind="message", title="Never")
                raise RuntimeError
        except RuntimeError:
            pass
    assert callbacks == [] and mail.outbox == []


@pytest.mark.django_db
def test_send_email_tasks_enqueued_before_the_outbox_still_deliver():
    """A task row from before the upgrade moves its e-mail into the outbox and sends it once."""
    assert tasks.send_email.call(to=["a@example.org"], subject="S", text="T", attempt=2) == "sent"
    assert len(mail.outbox) == 1 and mail.outbox[0].extra_headers["Message-ID"].startswith("<")
