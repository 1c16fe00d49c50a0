"""Rendering e-mails from templates (HTML + plain text) and queueing them after commit."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string

from mentormemed.notifications.tasks import send_email


def render_email(template_prefix: str, context: dict) -> tuple[str, str, str]:
    """Render ``<prefix>_subject.txt``, ``<prefix>.txt`` and ``<prefix>.html``."""
    context = {"site_url": settings.SITE_URL, **context}
    subject = render_to_string(f"{template_prefix}_subject.txt", context).strip()
    text = render_to_string(f"{template_prefix}.txt", context)
    html = render_to_string(f"{template_prefix}.html", context)
    return subject, text, html


def queue_email(
    *, to: list[str], template_prefix: str, context: dict, attachments=None, calendar: dict | None = None
) -> None:
    """Send after the surrounding transaction commits, so a rollback sends nothing
    and a failing mail server cannot undo the write that caused the mail.

    ``calendar``: optional {"method", "ics"} sent as a ``text/calendar; method=…`` part (RFC 6047)."""
    subject, text, html = render_email(template_prefix, context)
    # robust: an error while enqueueing (queue down) is logged, never raised into the request that caused it.
    extra = {"calendar": calendar} if calendar else {}  # existing callers enqueue exactly as before
    transaction.on_commit(
        lambda: send_email.enqueue(
            to=to, subject=subject, text=text, html=html, attachments=attachments or [], **extra
        ),
        robust=True,
    )
