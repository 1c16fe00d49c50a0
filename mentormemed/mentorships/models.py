"""Requests, relationships, compacts, goals, messages and responsiveness records (R12–R16, R29, R30).

State changes are one-way and done by conditional UPDATEs on the current state
(``services``); the database holds what it can: one open request per pair, one
active relationship per pair, progress within 0–100.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from mentormemed.accounts.models import User


class RequestState(models.TextChoices):
    PENDING = "pending", gettext_lazy("Waiting for an answer")
    ACCEPTED = "accepted", gettext_lazy("Accepted")
    DECLINED = "declined", gettext_lazy("Declined")
    WITHDRAWN = "withdrawn", gettext_lazy("Withdrawn")
    EXPIRED = "expired", gettext_lazy("Expired (no answer in time)")


class MentorshipRequest(models.Model):
    """A mentee asks a mentor for mentoring about some of their areas of need (R13, R28)."""

    mentee = models.ForeignKey("institutions.Membership", on_delete=models.CASCADE, related_name="sent_requests")
    mentor = models.ForeignKey("profiles.MentorProfile", on_delete=models.CASCADE, related_name="requests")
    message = models.TextField(max_length=2000)
    areas = models.ManyToManyField("profiles.ContentArea", related_name="+")
    state = models.CharField(max_length=10, choices=RequestState.choices, default=RequestState.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    deadline = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)
    response_message = models.TextField(max_length=2000, blank=True)
    # How many of the reminders (product.reminder_days_before) have gone out (claimed by conditional UPDATE).
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_reminder_at = models.DateTimeField(null=True, blank=True)
    search_id = models.CharField(max_length=64, blank=True, help_text=gettext_lazy("The search that led here"))

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentee", "mentor"], condition=Q(state="pending"), name="request_one_open_per_pair"
            ),
            models.CheckConstraint(condition=Q(deadline__gt=models.F("created_at")), name="request_deadline_after"),
        ]
        indexes = [
            models.Index(fields=["state", "deadline"]),
            models.Index(fields=["mentor", "state"]),
            models.Index(fields=["mentee", "state"]),
        ]

    def __str__(self) -> str:
        return f"Request #{self.pk} ({self.state})"

    @property
    def is_pending(self) -> bool:
        return self.state == RequestState.PENDING


class MissedResponse(models.Model):
    """A request that expired unanswered counts against the mentor (R13). One per request."""

    mentor = models.ForeignKey("profiles.MentorProfile", on_delete=models.CASCADE, related_name="missed_responses")
    request = models.OneToOneField(MentorshipRequest, on_delete=models.CASCADE, related_name="missed_response")
    occurred_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [models.Index(fields=["mentor", "occurred_at"])]


class Reinstatement(models.Model):
    """An admin or staff member lifted a mentor's suspension, with a note (audited)."""

    mentor = models.ForeignKey("profiles.MentorProfile", on_delete=models.CASCADE, related_name="reinstatements")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    by_role = models.CharField(max_length=10)
    note = models.TextField(max_length=1000)
    suspended_at = models.DateTimeField()
    suspended_reason = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]


class Stage(models.TextChoices):
    """Kram's phases of a mentoring relationship (seed 004)."""

    INITIATION = "initiation", gettext_lazy("Initiation")
    CULTIVATION = "cultivation", gettext_lazy("Cultivation")
    SEPARATION = "separation", gettext_lazy("Separation")
    REDEFINITION = "redefinition", gettext_lazy("Redefinition")


STAGE_ORDER: list[str] = [Stage.INITIATION, Stage.CULTIVATION, Stage.SEPARATION, Stage.REDEFINITION]


class EndReason(models.TextChoices):
    GOALS_MET = "goals_met", gettext_lazy("We reached our goals")
    NOT_A_FIT = "not_a_fit", gettext_lazy("The match is not working")
    TIME = "time", gettext_lazy("Not enough time on one side")
    MOVED_ON = "moved_on", gettext_lazy("Graduated, moved or changed direction")
    MEMBERSHIP_ENDED = "membership_ended", gettext_lazy("Membership ended")
    OTHER = "other", gettext_lazy("Another reason")


class CheckIn(models.TextChoices):
    WORKING = "working", gettext_lazy("It is working")
    NOT_WORKING = "not_working", gettext_lazy("It is not working")


class Relationship(models.Model):
    """An accepted mentorship (R15). Active while ``ended_at`` is empty; counts toward the cap (R12)."""

    mentee = models.ForeignKey("institutions.Membership", on_delete=models.CASCADE, related_name="mentee_relationships")
    mentor = models.ForeignKey("profiles.MentorProfile", on_delete=models.CASCADE, related_name="relationships")
    request = models.OneToOneField(
        MentorshipRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="relationship"
    )
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.INITIATION)
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)
    end_note = models.TextField(max_length=1000, blank=True)
    is_sponsor = models.BooleanField(default=False, help_text=gettext_lazy("The mentor also acts as a sponsor"))
    checkin_sent_at = models.DateTimeField(null=True, blank=True)
    mentee_checkin = models.CharField(max_length=12, choices=CheckIn.choices, blank=True)
    mentee_checkin_at = models.DateTimeField(null=True, blank=True)
    mentor_checkin = models.CharField(max_length=12, choices=CheckIn.choices, blank=True)
    mentor_checkin_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentee", "mentor"], condition=Q(ended_at__isnull=True), name="relationship_one_active_per_pair"
            ),
        ]
        indexes = [
            models.Index(fields=["mentor", "ended_at"]),
            models.Index(fields=["mentee", "ended_at"]),
            models.Index(fields=["checkin_sent_at", "started_at"]),
        ]

    def __str__(self) -> str:
        return f"Mentorship #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None

    @property
    def next_stage(self) -> str | None:
        """The stage the pair may move to next (``relationship_advance``): cultivation while it runs,
        redefinition once it has ended; separation comes only with ending it, so it is never offered."""
        index = STAGE_ORDER.index(self.stage)
        if index + 1 >= len(STAGE_ORDER) or STAGE_ORDER[index + 1] == Stage.SEPARATION:
            return None
        candidate = STAGE_ORDER[index + 1]
        return candidate if (candidate == Stage.CULTIVATION) == self.is_active else None

    def side_of(self, user: User | AnonymousUser) -> str | None:
        """'mentee', 'mentor' or None: which side of the pair ``user`` is."""
        if self.mentee.user_id == user.pk:
            return "mentee"
        if self.mentor.membership.user_id == user.pk:
            return "mentor"
        return None

    def other_user(self, user: User) -> User:
        return self.mentor.membership.user if self.side_of(user) == "mentee" else self.mentee.user


class Compact(models.Model):
    """The short mentoring compact both sides confirm at the start (R30)."""

    relationship = models.OneToOneField(Relationship, on_delete=models.CASCADE, related_name="compact")
    expectations = models.TextField(max_length=2000, blank=True)
    meeting_rhythm = models.CharField(max_length=200, blank=True)
    mentee_confirmed_at = models.DateTimeField(null=True, blank=True)
    mentor_confirmed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    @property
    def is_written(self) -> bool:
        return bool(self.expectations.strip() and self.meeting_rhythm.strip())

    @property
    def is_confirmed(self) -> bool:
        return bool(self.mentee_confirmed_at and self.mentor_confirmed_at)


class Goal(models.Model):
    """A goal of the pair with its progress (R30). Admins never read goals."""

    relationship = models.ForeignKey(Relationship, on_delete=models.CASCADE, related_name="goals")
    text = models.CharField(max_length=300)
    progress = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(progress__lte=100), name="goal_progress_0_100")]

    def __str__(self) -> str:
        return self.text


class Message(models.Model):
    """A message between the pair (R16). Only the pair can read it: no admin, no staff, no audit copy."""

    relationship = models.ForeignKey(Relationship, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["relationship", "created_at"])]
