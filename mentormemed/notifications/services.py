"""Every write about notifications: telling people, their preferences, reading, daily digests (R31)."""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from collections.abc import Iterable
from typing import TYPE_CHECKING, TypedDict, cast

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy

from mentormemed.core import dates
from mentormemed.core.access import Actor
from mentormemed.notifications.emails import queue_email
from mentormemed.notifications.kinds import get_kind, kinds_for
from mentormemed.notifications.models import Delivery, DigestState, Notification, NotificationPreference

if TYPE_CHECKING:
    from mentormemed.accounts.models import User


class NotificationItem(TypedDict):
    """One link listed in a notification (e.g. an alternative mentor)."""

    label: str | Promise
    url: str


log = logging.getLogger(__name__)
OPEN = gettext_lazy("Open MentorMeMed")  # a notification's default action
DIGEST_HOUR = 7  # local time of day after which a person's daily digest may go out


def absolute(url: str) -> str:
    """An absolute link for e-mails (``SITE_URL`` + path)."""
    return url if url.startswith("http") else f"{settings.SITE_URL}{url}"


def _day(value: dt.datetime | dt.date, fmt: str, zone: dt.tzinfo | None = None) -> str:
    when = timezone.localtime(value, zone) if isinstance(value, dt.datetime) else value
    if fmt.startswith("when:"):  # weekday, year, time, zone from the locale's formats (core.dates.when)
        return dates.when(when, fmt.removeprefix("when:"))
    return formats.date_format(when, fmt)


day = lazy(_day, str)
"""A date in a notification, written in the recipient's language from the locale's formats
(``day(deadline, "MONTH_DAY_FORMAT")``: "March 5" / "5 de marzo"; ``day(starts_at, "when:weekday")``:
"Monday, March 5" / "lunes, 5 de marzo"), in ``zone`` when given (the recipient's), else the current
time zone. Never a hard-coded "F j", which Spanish reads as "marzo 5"."""


def delivery_for(user: User, kind: str) -> str:
    pref = NotificationPreference.objects.filter(user=user, kind=kind).values_list("delivery", flat=True).first()
    return pref or get_kind(kind).default


@transaction.atomic
def notify(
    *,
    user: User,
    kind: str,
    title: str | Promise,
    body: str | Promise = "",
    url: str = "",
    action: str | Promise = OPEN,
    items: list[NotificationItem] | None = None,
    email: bool = True,
) -> Notification:
    """Record an in-app notification and e-mail it now or in the next daily digest, as ``user`` chose.

    ``items`` (label + url dicts, e.g. alternative mentors) are listed in the e-mail and stored in the body.
    The e-mail goes to the outbox in the same transaction (``emailed_at`` is set only once it is there),
    so a rollback sends nothing, a crash after commit loses nothing and a failing mail server undoes nothing.
    """
    delivery = delivery_for(user, kind) if email else Delivery.DIGEST
    # Texts may be lazy (gettext_lazy, format_lazy): they are written in the recipient's language, in-app
    # and in the e-mail, whoever's request or task sends them.
    with translation.override(getattr(user, "language", "") or settings.LANGUAGE_CODE):
        title, body, action = str(title), str(body), str(action)
        items = [{**i, "label": str(i["label"])} for i in items or []]
    text = body
    if items:
        text += "\n" + "\n".join(f"• {i['label']}" for i in items)
    notification = Notification.objects.create(
        user=user, kind=kind, title=title, body=text.strip(), url=url, delivery=delivery
    )
    if not email:
        notification.emailed_at = timezone.now()  # in-app only: nothing waits for a digest
        notification.save(update_fields=["emailed_at"])
    elif delivery == Delivery.IMMEDIATE:
        queued = queue_email(
            to=[user.email],
            template_prefix="notifications/email/notification",
            context={
                "name": user.display_name,
                "title": title,
                "body": body,
                "url": absolute(url) if url else "",
                "action": action,
                "items": [{**i, "url": absolute(i["url"])} for i in items or []],
                "preferences_url": absolute(reverse("notifications:preferences")),
            },
        )
        if queued:  # the outbox row is written in this transaction: the e-mail cannot be lost now
            notification.emailed_at = timezone.now()
            notification.save(update_fields=["emailed_at"])
    return notification


@transaction.atomic
def preferences_save(*, acting: Actor, choices: dict[str, str]) -> None:
    """Store ``kind -> delivery`` for the kinds of the acting role; unknown kinds and values are ignored."""
    user = cast("User", acting.user)  # a signed-in person: their own preferences
    allowed = {k.key for k in kinds_for(acting.role)}
    for kind, delivery in choices.items():
        if kind in allowed and delivery in Delivery.values:
            NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"delivery": delivery})


def mark_opened(*, acting: Actor, path: str) -> int:
    """The person opened ``path``: their unread notifications linking to it (any fragment) are read."""
    user = cast("User", acting.user)  # a signed-in person: their own notifications
    from mentormemed.notifications.selectors import opened_links

    links = opened_links(path)
    if links is None:
        return 0
    return Notification.objects.filter(links, user=user, read_at__isnull=True).update(read_at=timezone.now())


def mark_read(*, acting: Actor, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when no ids are given)."""
    user = cast("User", acting.user)  # a signed-in person: their own notifications
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    return qs.update(read_at=timezone.now())


def send_digests(*, now: dt.datetime | None = None, failures: list[str] | None = None) -> int:
    """Send each person with waiting digest notifications one e-mail a day, after DIGEST_HOUR local time.

    Idempotent and safe to run concurrently: the day's digest is claimed with a conditional
    UPDATE on DigestState, and the notifications it lists with a conditional UPDATE on
    ``emailed_at``. Returns how many digests were queued.
    """
    now = now or timezone.now()
    user_ids = (
        Notification.objects.filter(delivery=Delivery.DIGEST, emailed_at__isnull=True)
        .values_list("user_id", flat=True)
        .distinct()
    )
    sent = 0
    from django.contrib.auth import get_user_model

    for user in get_user_model().objects.filter(pk__in=list(user_ids)):
        try:
            if _send_digest(user, now):  # atomic per person: one bad row never stops the others
                sent += 1
        except Exception as exc:
            log.exception("Digest for user %s failed", user.pk)
            if failures is not None:
                failures.append(f"digests #{user.pk}: {type(exc).__name__}: {exc}"[:500])
    return sent


@transaction.atomic
def _send_digest(user: User, now: dt.datetime) -> bool:
    try:
        zone = zoneinfo.ZoneInfo(user.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    local = now.astimezone(zone)
    if local.hour < DIGEST_HOUR:
        return False
    start_of_day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    DigestState.objects.get_or_create(user=user)
    claimed = DigestState.objects.filter(
        Q(last_sent_at__isnull=True) | Q(last_sent_at__lt=start_of_day), user=user
    ).update(last_sent_at=now)
    if not claimed:
        return False  # today's digest already went out (or another sweep is sending it)
    waiting = list(
        Notification.objects.filter(user=user, delivery=Delivery.DIGEST, emailed_at__isnull=True).order_by("created_at")
    )
    Notification.objects.filter(pk__in=[n.pk for n in waiting], emailed_at__isnull=True).update(emailed_at=now)
    if not waiting:
        return False
    queue_email(
        to=[user.email],
        template_prefix="notifications/email/digest",
        context={
            "name": user.display_name,
            "notifications": [
                {"title": n.title, "body": n.body, "url": absolute(n.url) if n.url else ""} for n in waiting
            ],
            "preferences_url": absolute(reverse("notifications:preferences")),
        },
    )
    return True
