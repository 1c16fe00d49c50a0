"""In-app notifications and each person's choice of how to be told (R31)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", "E-mail me right away"
    DIGEST = "digest", "Collect into one daily e-mail"


class Notification(models.Model):
    """Something a person should know, shown in the app and e-mailed per their preference.

    ``emailed_at`` is set when the notification went out by e-mail (at once or in a
    digest); digest notifications wait with ``emailed_at`` empty until the sweep claims them.
    Message bodies never go here: a notification says *that* something happened and links to it.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.IMMEDIATE)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "read_at"]),
            models.Index(fields=["delivery", "emailed_at"]),
        ]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """How one person wants one kind of notification delivered (absent: the kind's default)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_prefs")
    kind = models.CharField(max_length=40)
    delivery = models.CharField(max_length=10, choices=Delivery.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_pref_unique")]


class DigestState(models.Model):
    """When a person's last daily digest went out; claimed with a conditional UPDATE so it goes once a day."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_sent_at = models.DateTimeField(null=True, blank=True)
