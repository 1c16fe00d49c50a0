"""Availability, meetings and calendar feeds (R17).

Times are stored in UTC. A mentor's weekly windows are wall-clock times in the
mentor's own zone (``Availability.time_zone``) and are turned into instants one
day at a time, so a 9:00 window stays 9:00 local across daylight-saving changes.

Double booking is refused by the database on PostgreSQL: migration 0002 adds an
exclusion constraint (btree_gist) so no two live meetings of one mentor overlap.
On SQLite the booking service checks inside a transaction that holds the
mentor's availability row (see ``services._lock_mentor``).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.dates import WEEKDAYS as DAY_NAMES
from django.utils.translation import gettext_lazy

from mentormemed.core.dates import clock_span


class LinkKind(models.TextChoices):
    GENERATED = "generated", gettext_lazy("A video room MentorMeMed creates for each meeting")
    OWN = "own", gettext_lazy("My own video link")
    PLACE = "place", gettext_lazy("In person, at a place")


class Availability(models.Model):
    """A mentor's booking rules. Exactly one per mentor profile; created on first save."""

    mentor = models.OneToOneField("profiles.MentorProfile", on_delete=models.CASCADE, related_name="availability")
    time_zone = models.CharField(max_length=64, default="America/New_York")
    # Meeting lengths offered, in minutes, e.g. [30, 60]; the first is the default.
    lengths = models.JSONField(default=list)
    buffer_minutes = models.PositiveSmallIntegerField(default=15)
    notice_hours = models.PositiveSmallIntegerField(default=24)
    horizon_days = models.PositiveSmallIntegerField(default=30)
    link_kind = models.CharField(max_length=10, choices=LinkKind.choices, default=LinkKind.GENERATED)
    own_link = models.URLField(max_length=500, blank=True)
    place = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "availabilities"
        constraints = [
            models.CheckConstraint(condition=Q(horizon_days__gte=1), name="availability_horizon_positive"),
            models.CheckConstraint(
                condition=~Q(link_kind="own") | ~Q(own_link=""), name="availability_own_link_present"
            ),
            models.CheckConstraint(condition=~Q(link_kind="place") | ~Q(place=""), name="availability_place_present"),
        ]

    def __str__(self) -> str:
        return f"Availability of {self.mentor}"

    @property
    def default_length(self) -> int:
        return self.lengths[0] if self.lengths else 30


class Window(models.Model):
    """A weekly window of wall-clock time in the mentor's zone; several per weekday are allowed."""

    WEEKDAYS = list(DAY_NAMES.items())  # Django's translated day names: "Monday" / "lunes"

    availability = models.ForeignKey(Availability, on_delete=models.CASCADE, related_name="windows")
    weekday = models.PositiveSmallIntegerField(choices=WEEKDAYS)
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="window_end_after_start"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="window_weekday_0_6"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {clock_span(self.start, self.end)}"


class DateOff(models.Model):
    """A local date (in the mentor's zone) on which no slot is offered."""

    availability = models.ForeignKey(Availability, on_delete=models.CASCADE, related_name="dates_off")
    date = models.DateField()
    note = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["availability", "date"], name="date_off_once")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d}"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", gettext_lazy("Scheduled")
    HELD = "held", gettext_lazy("Held")
    CANCELLED = "cancelled", gettext_lazy("Cancelled")


class CancelReason(models.TextChoices):
    """Why the product (not a person) cancelled a meeting: stored as a code, worded for each reader."""

    ENDED = "ended", gettext_lazy("The mentorship ended.")
    PAUSED = "paused", gettext_lazy("Contact in this mentorship is paused.")
    MENTEE_ABSENT = "mentee_absent", gettext_lazy("The mentee did not show.")
    MENTOR_ABSENT = "mentor_absent", gettext_lazy("The mentor did not show.")


# Statuses that occupy the mentor's time (the exclusion constraint's WHERE clause matches this).
LIVE_STATUSES = (MeetingStatus.SCHEDULED, MeetingStatus.HELD)


class Meeting(models.Model):
    """One meeting of a mentorship. ``mentor`` repeats the relationship's mentor so the
    database can refuse overlapping meetings of one mentor across all their mentees."""

    relationship = models.ForeignKey("mentorships.Relationship", on_delete=models.CASCADE, related_name="meetings")
    mentor = models.ForeignKey("profiles.MentorProfile", on_delete=models.CASCADE, related_name="meetings")
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)  # iCalendar UID, never changes
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    agenda = models.TextField(max_length=2000, blank=True)
    status = models.CharField(max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED)
    sequence = models.PositiveIntegerField(default=0)  # RFC 5545 SEQUENCE: +1 on every change sent
    link_kind = models.CharField(max_length=10, choices=LinkKind.choices, default=LinkKind.GENERATED)
    video_url = models.URLField(max_length=500, blank=True)
    place = models.CharField(max_length=300, blank=True)
    # Private to the pair (R30): never shown to admins or staff, never in the feed or audit log.
    notes = models.TextField(max_length=5000, blank=True)
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What the person who cancelled wrote; for a reason the product gave, ``cancel_code`` says which and
    # ``cancel_reason`` keeps its English wording for the record. Pages and invites show ``reason_text``.
    cancel_reason = models.CharField(max_length=300, blank=True)
    cancel_code = models.CharField(max_length=20, choices=CancelReason.choices, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="meeting_ends_after_start"),
        ]
        indexes = [
            models.Index(fields=["mentor", "starts_at"]),
            models.Index(fields=["relationship", "starts_at"]),
            models.Index(fields=["status", "starts_at"]),
        ]

    def __str__(self) -> str:
        return f"Meeting #{self.pk} at {self.starts_at:%Y-%m-%d %H:%M} UTC"

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES

    @property
    def is_past(self) -> bool:
        return self.starts_at <= timezone.now()

    @property
    def reason_text(self) -> str:
        """Why it was cancelled, in the reader's (active) language when the product gave the reason."""
        if self.cancel_code in CancelReason.values:
            return str(CancelReason(self.cancel_code).label)
        return self.cancel_reason

    @property
    def where(self) -> str:
        return self.place if self.link_kind == LinkKind.PLACE else self.video_url


class CalendarFeed(models.Model):
    """A person's private calendar feed. Only the SHA-256 of the token is stored, so the
    URL is shown once when made; revoking stops it at once, a new one can be made any time."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(revoked_at__isnull=True), name="calendar_feed_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"Calendar feed of {self.user} ({'revoked' if self.revoked_at else 'active'})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
