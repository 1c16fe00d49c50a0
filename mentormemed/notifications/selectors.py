"""Reads about notifications; always for one user."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from mentormemed.notifications.kinds import Kind, kinds_for
from mentormemed.notifications.models import Notification, NotificationPreference

if TYPE_CHECKING:
    from mentormemed.accounts.models import User


def notifications_for(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def opened_links(path: str) -> Q | None:
    """Links that opening ``path`` reads: the page itself, with any fragment or query (``None``: the root)."""
    if not path or path == "/":
        return None
    return Q(url=path) | Q(url__startswith=f"{path}#") | Q(url__startswith=f"{path}?")


def unread_count(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def preferences_for(*, user: User, role: str | None) -> list[tuple[Kind, str]]:
    """(kind, chosen delivery) for every kind relevant to the role."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))
    return [(kind, chosen.get(kind.key, kind.default)) for kind in kinds_for(role)]
