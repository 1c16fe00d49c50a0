"""Rendering e-mails from templates (HTML + plain text) and writing them to the outbox."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from mentormemed.notifications.models import OutgoingEmail
from mentormemed.notifications.tasks import enqueue_delivery


def render_email(template_prefix: str, context: dict) -> tuple[str, str, str]:
    """Render ``<prefix>_subject.txt``, ``<prefix>.txt`` and ``<prefix>.html``."""
    context = {"site_url": settings.SITE_URL, **context}
    subject = render_to_string(f"{template_prefix}_subject.txt", context).strip()
    text = render_to_string(f"{template_prefix}.txt", context)
    html = render_to_string(f"{template_prefix}.html", context)
    return subject, text, html


def queue_email(
    *,
    to: list[str],
    template_prefix: str,
    context: dict,
    attachments=None,
    calendar: dict | None = None,
    language: str = "",
) -> list[OutgoingEmail]:
    """Write the e-mail to the outbox in the caller's transaction; deliver it after commit.

    A rollback sends nothing (the row goes with it); a crash or a queue outage after commit loses
    nothing (the row stays queued and the periodic outbox job enqueues it); a failing mail server
    cannot undo the write that caused the mail (delivery runs later, on the "email" queue).

    ``calendar``: optional {"method", "ics"} sent as a ``text/calendar; method=…`` part (RFC 6047).

    Each recipient reads it in their own language (``User.language``); recipients of different
    languages get one message per language. ``language`` overrides it for every recipient (a person
    whose account no longer holds their address, e.g. once erased). Returns the outbox rows written."""
    rows = []
    groups = {language: list(to)} if language else recipients_by_language(to)
    with transaction.atomic():
        for reader_language, addresses in groups.items():
            with translation.override(reader_language):
                subject, text, html = render_email(template_prefix, context)
            rows.append(
                OutgoingEmail.objects.create(
                    key=uuid.uuid4(),
                    to=addresses,
                    subject=subject[:300],
                    text=text,
                    html=html,
                    attachments=attachments or [],
                    calendar=calendar or None,
                )
            )
    for row in rows:
        # robust: a queue that is down is logged, never raised into the request that caused the mail.
        transaction.on_commit(lambda pk=row.pk: enqueue_delivery(pk), robust=True)
    return rows


def recipients_by_language(to: list[str]) -> dict[str, list[str]]:
    """The addresses grouped by their owner's language (an address without an account: the default)."""
    known = dict(get_user_model().objects.filter(email__in=[a.lower() for a in to]).values_list("email", "language"))
    groups: dict[str, list[str]] = {}
    for address in to:
        groups.setdefault(known.get(address.lower()) or settings.LANGUAGE_CODE, []).append(address)
    return groups
