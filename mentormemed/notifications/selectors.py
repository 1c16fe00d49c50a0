"""Reads about notifications; always for one user."""

from __future__ import annotations

from django.db.models import QuerySet

from mentormemed.notifications.kinds import kinds_for
from mentormemed.notifications.models import Notification, NotificationPreference


def notifications_for(*, user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def unread_count(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def preferences_for(*, user, role: str | None) -> list[tuple[object, str]]:
    """(kind, chosen delivery) for every kind relevant to the role."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))
    return [(kind, chosen.get(kind.key, kind.default)) for kind in kinds_for(role)]
