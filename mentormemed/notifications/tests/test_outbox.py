"""The e-mail outbox (issue 12): written with the change that causes it, delivered once, retried with
back-off, bounded by EMAIL_TIMEOUT, and never lost to a queue outage or a worker that dies mid-send."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
import time
from unittest import mock

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.mail.utils import DNS_NAME
from django.db import transaction
from django.utils import timezone

from mentormemed.notifications import tasks
from mentormemed.notifications.emails import queue_email
from mentormemed.notifications.models import Notification, OutgoingEmail
from mentormemed.notifications.services import notify

pytestmark = pytest.mark.django_db

Status = OutgoingEmail.Status


class BrokenBackend:
    """A mail server that refuses connections."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server unreachable")


def _queue(**kwargs) -> OutgoingEmail:
    return queue_email(
        to=kwargs.pop("to", ["someone@example.org"]),
        template_prefix="notifications/email/notification",
        context={"name": "Sam", "title": "Hello", "body": "", "url": "", "action": "", "items": []},
        **kwargs,
    )[0]


def test_the_outbox_row_is_written_in_the_same_transaction_and_goes_with_a_rollback():
    with pytest.raises(RuntimeError), transaction.atomic():
        row = _queue()
        assert OutgoingEmail.objects.filter(pk=row.pk, status=Status.QUEUED).exists()  # before commit
        raise RuntimeError
    assert not OutgoingEmail.objects.exists()


def test_a_queue_outage_after_commit_loses_nothing(cast, django_capture_on_commit_callbacks):
    """Today's bug: notify marked ``emailed_at`` and the lost enqueue lost the e-mail silently."""
    with (
        mock.patch.object(type(tasks.deliver_email), "enqueue", side_effect=RuntimeError("queue down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notification = notify(user=cast.mentee.user, kind="message", title="A new message")
    assert mail.outbox == []
    row = OutgoingEmail.objects.get(to=[cast.mentee.user.email])
    assert row.status == Status.QUEUED
    assert Notification.objects.get(pk=notification.pk).emailed_at is not None  # it is in the outbox
    # Within the lease nothing is re-enqueued (the first enqueue may still be on its way) …
    assert tasks.requeue_outbox(now=timezone.now()) == 0
    # … after it, the periodic job enqueues it and it goes out, once.
    later = timezone.now() + tasks.lease() + dt.timedelta(seconds=1)
    assert tasks.requeue_outbox(now=later) == 1
    assert [m.to for m in mail.outbox] == [[cast.mentee.user.email]]
    assert tasks.requeue_outbox(now=later) == 0


def test_delivery_is_idempotent_and_the_message_id_is_stable(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        row = _queue()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == tasks.message_id(row) == f"<{row.key}@mentormemed.org>"
    row.refresh_from_db()
    assert (row.status, row.attempts, row.sent_at is not None) == (Status.SENT, 1, True)
    # A retried or duplicated task never sends a sent row again.
    assert tasks.deliver_email.call(row.pk) == "skipped"
    assert tasks.deliver_email.call(row.pk) == "skipped"
    assert len(mail.outbox) == 1


def test_failures_are_recorded_on_the_row_and_retried_with_backoff(settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = f"{__name__}.BrokenBackend"
    with django_capture_on_commit_callbacks(execute=True):
        row = _queue()  # delivered at once after commit by the inline backend, and refused
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.QUEUED, 1)
    assert "ConnectionRefusedError" in row.last_error
    assert dt.timedelta(seconds=50) < row.next_attempt_at - timezone.now() <= dt.timedelta(minutes=1)
    assert tasks.deliver_email.call(row.pk) == "skipped"  # not due yet
    for attempt in range(2, tasks.MAX_ATTEMPTS + 1):
        OutgoingEmail.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        outcome = tasks.deliver_email.call(row.pk)
        row.refresh_from_db()
        assert row.attempts == attempt
    assert outcome == "failed" and row.status == Status.FAILED
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert tasks.deliver_email.call(row.pk) == "skipped" and mail.outbox == []


def test_a_stale_sending_claim_is_taken_over_after_the_lease_but_a_live_one_is_not():
    """A worker that died mid-send leaves the row "sending"; after the lease another delivers it."""
    with mock.patch.object(type(tasks.deliver_email), "enqueue"):
        row = _queue()
    OutgoingEmail.objects.filter(pk=row.pk).update(status=Status.SENDING, claimed_at=timezone.now())
    assert tasks.deliver_email.call(row.pk) == "skipped"
    OutgoingEmail.objects.filter(pk=row.pk).update(claimed_at=timezone.now() - tasks.lease() - dt.timedelta(seconds=1))
    assert tasks.requeue_outbox(now=timezone.now()) == 1
    row.refresh_from_db()
    assert row.status == Status.SENT and len(mail.outbox) == 1


class Silent:
    """An SMTP server that accepts the message and never answers the end of DATA."""

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's hook name)
        await asyncio.sleep(60)
        return "250 too late"


@pytest.fixture
def silent_smtp(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Silent(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    DNS_NAME._fqdn = "localhost"
    try:
        yield port
    finally:
        controller.loop.call_soon_threadsafe(lambda: [t.cancel() for t in asyncio.all_tasks(controller.loop)])
        controller.stop()


def test_a_mail_server_that_never_answers_costs_one_timeout_then_a_retry(settings, silent_smtp):
    settings.EMAIL_TIMEOUT = 1
    with mock.patch.object(type(tasks.deliver_email), "enqueue"):
        row = _queue()
    started = time.monotonic()
    assert tasks.deliver_email.call(row.pk) == "retry"
    assert time.monotonic() - started < 5
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.QUEUED, 1)
    assert "timed out" in row.last_error.lower() or "timeout" in row.last_error.lower()
