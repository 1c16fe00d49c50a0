"""Rendering e-mails from templates (HTML + plain text) and queueing them after commit."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

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

    ``calendar``: optional {"method", "ics"} sent as a ``text/calendar; method=…`` part (RFC 6047).

    Each recipient reads it in their own language (``User.language``); recipients of different
    languages get one message per language."""
    for language, addresses in recipients_by_language(to).items():
        with translation.override(language):
            subject, text, html = render_email(template_prefix, context)
        # robust: an error while enqueueing (queue down) is logged, never raised into the request that caused it.
        extra = {"calendar": calendar} if calendar else {}  # existing callers enqueue exactly as before
        message = {"to": addresses, "subject": subject, "text": text, "html": html, "attachments": attachments or []}
        transaction.on_commit(lambda message=message, extra=extra: send_email.enqueue(**message, **extra), robust=True)


def recipients_by_language(to: list[str]) -> dict[str, list[str]]:
    """The addresses grouped by their owner's language (an address without an account: the default)."""
    known = dict(get_user_model().objects.filter(email__in=[a.lower() for a in to]).values_list("email", "language"))
    groups: dict[str, list[str]] = {}
    for address in to:
        groups.setdefault(known.get(address.lower()) or settings.LANGUAGE_CODE, []).append(address)
    return groups
