"""Background e-mail delivery from the outbox (``OutgoingEmail``), on its own task queue ("email").

``queue_email`` writes the outbox row inside the caller's transaction and enqueues
``deliver_email(outbox_id)`` after commit. Delivery is idempotent (a conditional UPDATE claims the
row; a sent row is never sent again), bounded (``EMAIL_TIMEOUT``), and retried with back-off recorded
on the row. ``requeue_outbox`` (a periodic job) re-enqueues rows whose enqueue was lost and rows whose
"sending" claim outlived the lease (the worker died mid-send), so nothing written is ever lost.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from mentormemed.notifications.models import OutgoingEmail

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
EMAIL_QUEUE = "email"


def retry_delay(attempt: int) -> dt.timedelta:
    """Exponential back-off after a failed attempt: 1, 4, 16, 64 minutes."""
    return dt.timedelta(minutes=4 ** (attempt - 1))


def lease() -> dt.timedelta:
    """How long a "sending" claim holds before another worker may take the row over."""
    return dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)


def message_id(outbox: OutgoingEmail) -> str:
    """The same Message-ID on every attempt, so a resend after a crash is recognisably the same mail."""
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "mentormemed.org"
    return f"<{outbox.key}@{domain}>"


def build_message(outbox: OutgoingEmail, connection=None) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        outbox.subject,
        outbox.text,
        settings.DEFAULT_FROM_EMAIL,
        outbox.to,
        headers={"Message-ID": message_id(outbox)},
        connection=connection,
    )
    if outbox.html:
        message.attach_alternative(outbox.html, "text/html")
    if outbox.calendar:
        message.attach_alternative(outbox.calendar["ics"], f"text/calendar; method={outbox.calendar['method']}")
    for item in outbox.attachments or []:
        message.attach(item["filename"], item["content"], item["mimetype"])
    return message


def claim(outbox_id: int, *, now: dt.datetime) -> bool:
    """Take the row for sending: queued and due, or a stale "sending" claim. One winner only."""
    due = Q(status=OutgoingEmail.Status.QUEUED, next_attempt_at__lte=now)
    stale = Q(status=OutgoingEmail.Status.SENDING, claimed_at__lt=now - lease())
    return bool(
        OutgoingEmail.objects.filter(due | stale, pk=outbox_id).update(
            status=OutgoingEmail.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    )


@task(queue_name=EMAIL_QUEUE)
def deliver_email(outbox_id: int) -> str:
    """Send one outbox row if it is still due. Returns what happened: sent, skipped, retry or failed."""
    now = timezone.now()
    if not claim(outbox_id, now=now):
        return "skipped"  # already sent, being sent by a live worker, or not due yet
    outbox = OutgoingEmail.objects.get(pk=outbox_id)
    try:
        build_message(outbox, connection=get_connection(timeout=settings.EMAIL_TIMEOUT)).send()
    except Exception as exc:  # the mail server is down, slow or refuses: record, retry later
        return _record_failure(outbox, exc)
    OutgoingEmail.objects.filter(pk=outbox.pk, status=OutgoingEmail.Status.SENDING).update(
        status=OutgoingEmail.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return "sent"


def _record_failure(outbox: OutgoingEmail, exc: Exception) -> str:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if outbox.attempts >= MAX_ATTEMPTS:
        OutgoingEmail.objects.filter(pk=outbox.pk).update(status=OutgoingEmail.Status.FAILED, last_error=error)
        log.error("Giving up on e-mail %s to %s after %d attempts: %s", outbox.pk, outbox.to, outbox.attempts, error)
        return "failed"
    later = timezone.now() + retry_delay(outbox.attempts)
    OutgoingEmail.objects.filter(pk=outbox.pk).update(
        status=OutgoingEmail.Status.QUEUED, last_error=error, next_attempt_at=later, claimed_at=None
    )
    log.warning("E-mail %s to %s failed (attempt %d): %s", outbox.pk, outbox.to, outbox.attempts, error)
    enqueue_delivery(outbox.pk, run_after=later)
    return "retry"


def enqueue_delivery(outbox_id: int, *, run_after: dt.datetime | None = None) -> bool:
    """Put ``deliver_email`` on the queue; a queue that is down is logged (the periodic job catches up)."""
    try:
        if run_after is not None:
            if not deliver_email.get_backend().supports_defer:
                return False  # this backend cannot wait: requeue_outbox enqueues it when it is due
            deliver_email.using(run_after=run_after).enqueue(outbox_id)
        else:
            deliver_email.enqueue(outbox_id)
    except Exception:
        log.exception("Could not enqueue e-mail %s; the outbox job will retry", outbox_id)
        return False
    return True


def requeue_outbox(*, now: dt.datetime) -> int:
    """Periodic job: re-enqueue due rows nobody picked up within the lease, and stale "sending" claims.

    Duplicates are harmless (the claim lets one delivery through), so this errs on enqueueing.
    """
    waiting = Q(status=OutgoingEmail.Status.QUEUED, next_attempt_at__lte=now - lease())
    stale = Q(status=OutgoingEmail.Status.SENDING, claimed_at__lt=now - lease())
    ids = list(OutgoingEmail.objects.filter(waiting | stale).values_list("pk", flat=True)[:1000])
    return sum(enqueue_delivery(pk) for pk in ids)


@task()
def send_email(
    *,
    to: list[str],
    subject: str,
    text: str,
    html: str = "",
    attachments: list[dict] | None = None,
    attempt: int = 1,
    calendar: dict | None = None,
) -> str:
    """Kept for tasks enqueued before the outbox existed: moves the e-mail into the outbox and delivers it."""
    import uuid

    outbox = OutgoingEmail.objects.create(
        key=uuid.uuid4(), to=to, subject=subject, text=text, html=html, attachments=attachments or [], calendar=calendar
    )
    return deliver_email.call(outbox.pk)
