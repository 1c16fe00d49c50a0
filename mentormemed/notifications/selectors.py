"""Reads about notifications; always for one user."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Count, IntegerField, Min, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from mentormemed.core.health import Outbox
from mentormemed.notifications.kinds import Kind, kinds_for
from mentormemed.notifications.models import Notification, NotificationPreference, OutgoingEmail

if TYPE_CHECKING:
    from mentormemed.accounts.models import User
    from mentormemed.institutions.models import Membership


def notifications_for(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def opened_links(path: str) -> Q | None:
    """Links that opening ``path`` reads: the page itself, with any fragment or query (``None``: the root)."""
    if not path or path == "/":
        return None
    return Q(url=path) | Q(url__startswith=f"{path}#") | Q(url__startswith=f"{path}?")


def unread_count(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def with_unread(memberships: QuerySet[Membership], path: str = "") -> QuerySet[Membership]:
    """A request fact (``core.middleware.register_request_fact``): the person's unread notifications
    (the bell) and how many of them link to this page (which opening marks read), read in the same
    statement as their memberships."""

    def count(extra: Q | None = None) -> Coalesce:
        unread = Notification.objects.filter(user_id=OuterRef("user_id"), read_at__isnull=True)
        if extra is not None:
            unread = unread.filter(extra)
        counted = unread.order_by().values("user_id").annotate(n=Count("*")).values("n")
        return Coalesce(Subquery(counted, output_field=IntegerField()), 0)  # no row: none unread

    links = opened_links(path)
    return memberships.annotate(
        unread_notifications=count(),
        unread_here=count(links) if links is not None else Value(0, output_field=IntegerField()),
    )


def preferences_for(*, user: User, role: str | None) -> list[tuple[Kind, str]]:
    """(kind, chosen delivery) for every kind relevant to the role."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))
    return [(kind, chosen.get(kind.key, kind.default)) for kind in kinds_for(role)]


def outbox_figures(now: dt.datetime) -> Outbox:
    """The outbox for ``core.health`` (registered in ``NotificationsConfig.ready()``): e-mails per
    status and when the oldest queued one that is due fell due."""
    by_status = dict(OutgoingEmail.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    due = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.QUEUED, next_attempt_at__lte=now)
    return Outbox(
        by_status={status: by_status.get(status, 0) for status in OutgoingEmail.Status.values},
        oldest_due=due.aggregate(at=Min("next_attempt_at"))["at"],
    )
