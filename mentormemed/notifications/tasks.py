"""Background e-mail delivery (django-tasks). Enqueued only after the transaction commits."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone
from django_tasks import task

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


def retry_delay(attempt: int) -> dt.timedelta:
    """Exponential back-off between attempts: 1, 4, 16, 64 minutes."""
    return dt.timedelta(minutes=4 ** (attempt - 1))


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
) -> int:
    """Send one e-mail; ``attachments`` are dicts of filename/content/mimetype (text only).

    ``calendar`` ({"method": "REQUEST" | "CANCEL" | …, "ics": text}) adds an iTIP part to the
    alternatives as ``text/calendar; method=…`` (RFC 6047), so mail clients offer the invite.

    A failure (mail server down) re-enqueues the same e-mail for later, up to MAX_ATTEMPTS,
    when the task backend can defer work; the failure is then re-raised so the task result
    records it. Nothing that caused the e-mail is ever rolled back by it.
    """
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, to)
    if html:
        message.attach_alternative(html, "text/html")
    if calendar:
        message.attach_alternative(calendar["ics"], f"text/calendar; method={calendar['method']}")
    for item in attachments or []:
        message.attach(item["filename"], item["content"], item["mimetype"])
    try:
        return message.send()
    except Exception:
        _schedule_retry(
            to=to, subject=subject, text=text, html=html, attachments=attachments, attempt=attempt, calendar=calendar
        )
        raise


def _schedule_retry(*, attempt: int, **kwargs) -> bool:
    if attempt >= MAX_ATTEMPTS:
        log.error("Giving up on e-mail %r to %s after %d attempts", kwargs["subject"], kwargs["to"], attempt)
        return False
    if not send_email.get_backend().supports_defer:
        log.warning("E-mail %r to %s failed; this task backend cannot retry later", kwargs["subject"], kwargs["to"])
        return False
    later = send_email.using(run_after=timezone.now() + retry_delay(attempt))
    later.enqueue(**kwargs, attempt=attempt + 1)
    log.warning("E-mail %r to %s failed (attempt %d); retrying later", kwargs["subject"], kwargs["to"], attempt)
    return True
