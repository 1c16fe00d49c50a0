"""In-app notifications and each person's choice of how to be told (R31)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", _("E-mail me right away")
    DIGEST = "digest", _("Collect into one daily e-mail")


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


class OutgoingEmail(models.Model):
    """One e-mail to send (the outbox), written in the same transaction as the change that causes it.

    ``deliver_email`` claims the row with a conditional UPDATE (queued and due, or a "sending" claim
    older than the lease: a worker died mid-send), sends it with the stable ``Message-ID`` built from
    ``key``, then marks it sent; a sent row is never sent again. Failures are recorded here
    (``attempts``, ``last_error``, ``next_attempt_at``) and retried with back-off until ``MAX_ATTEMPTS``.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    key = models.UUIDField(unique=True, editable=False)
    to = models.JSONField()
    subject = models.CharField(max_length=300)
    text = models.TextField()
    html = models.TextField(blank=True)
    attachments = models.JSONField(default=list, blank=True)
    calendar = models.JSONField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.to)} ({self.status})"
