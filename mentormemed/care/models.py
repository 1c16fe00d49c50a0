"""Relationship health and duty of care (R36, R37).

- ``CarePolicy``: each institution's thresholds, check-in rhythm, designated wellbeing contact,
  crisis resources and whether a mentee is told about a wellbeing flag.
- ``RelationshipHealth``: the last computed signal of each relationship (facts and reasons,
  never content), refreshed by the sweep; it feeds the admins' at-risk list and the nudges.
- ``CareCheckIn`` / ``CheckInAnswer``: the regular check-ins after the first (R29) one.
- ``NoShow``: a meeting one side marked "did not show" for the other.
- ``Block``: one person stopped contact with another; ``Case`` / ``CaseEvent``: a confidential
  report or wellbeing concern with status, owner and history; ``Outreach``: an admin reached out.
- ``DuplicateNeed``: a mentee has two mentors for the same need and is asked which to keep.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DEFAULT_CRISIS_RESOURCES = (
    "Emergency: call 911\n"
    "988 Suicide & Crisis Lifeline: call or text 988 (24/7, US)\n"
    "Crisis Text Line: text HOME to 741741"
)


class CarePolicy(models.Model):
    """An institution's duty-of-care settings. Missing row = the defaults below."""

    EDITABLE = (  # what the institution's admins set on the settings page
        "drift_days",
        "at_risk_days",
        "checkin_every_days",
        "checkin_after_meetings",
        "no_show_window_days",
        "no_show_prompt_at",
        "no_show_admin_at",
        "wellbeing_contact_name",
        "wellbeing_contact_email",
        "wellbeing_contact_phone",
        "crisis_resources",
        "tell_mentee_of_concern",
    )

    institution = models.OneToOneField("institutions.Institution", on_delete=models.CASCADE, related_name="care")
    drift_days = models.PositiveSmallIntegerField(
        default=30, help_text=_("Days without a held meeting or a message before a mentorship counts as drifting.")
    )
    at_risk_days = models.PositiveSmallIntegerField(
        default=60, help_text=_("Days without a held meeting or a message before a mentorship counts as at risk.")
    )
    checkin_every_days = models.PositiveSmallIntegerField(
        default=60, help_text=_("After the first check-in at 5 weeks, ask again every so many days (0 = never).")
    )
    checkin_after_meetings = models.BooleanField(default=True, help_text=_("Ask one question after each held meeting."))
    no_show_window_days = models.PositiveSmallIntegerField(default=90, help_text=_("Window for counting no-shows."))
    no_show_prompt_at = models.PositiveSmallIntegerField(
        default=2, help_text=_("No-shows in the window after which the mentee is prompted.")
    )
    no_show_admin_at = models.PositiveSmallIntegerField(
        default=3, help_text=_("No-shows in the window after which the institution's admins are told.")
    )
    wellbeing_contact_name = models.CharField(
        max_length=200, blank=True, help_text=_("Who receives wellbeing concerns, e.g. Office of Student Affairs.")
    )
    wellbeing_contact_email = models.EmailField(blank=True)
    wellbeing_contact_phone = models.CharField(max_length=60, blank=True)
    crisis_resources = models.TextField(
        max_length=2000,
        default=DEFAULT_CRISIS_RESOURCES,
        help_text=_("Shown to a mentor at once when they raise a concern; one resource per line."),
    )
    tell_mentee_of_concern = models.BooleanField(
        default=True, help_text=_("Tell the mentee that a concern was raised (never what was written).")
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "care policies"
        constraints = [
            models.CheckConstraint(
                condition=Q(at_risk_days__gt=models.F("drift_days")),
                name="care_risk_after_drift",
                violation_error_message="“At risk” must come later than “drifting”: choose more days for at risk.",
            ),
            models.CheckConstraint(
                condition=Q(drift_days__gte=7),
                name="care_drift_at_least_a_week",
                violation_error_message="A mentorship can count as drifting after 7 days at the earliest.",
            ),
            models.CheckConstraint(
                condition=Q(no_show_admin_at__gte=models.F("no_show_prompt_at")),
                name="care_admin_after_prompt",
                violation_error_message="Tell admins at the same number of no-shows as the mentee's prompt, or later.",
            ),
            models.CheckConstraint(
                condition=Q(no_show_prompt_at__gte=1),
                name="care_prompt_positive",
                violation_error_message="Prompt the mentee after at least one no-show.",
            ),
        ]

    def __str__(self) -> str:
        return f"Care policy of {self.institution}"

    @property
    def crisis_lines(self) -> list[str]:
        return [line.strip() for line in self.crisis_resources.splitlines() if line.strip()]


class HealthState(models.TextChoices):
    HEALTHY = "healthy", _("Healthy")
    NEW = "new", _("Just started")
    DRIFTING = "drifting", _("Drifting")
    AT_RISK = "at_risk", _("At risk")
    PAUSED = "paused", _("Paused (contact blocked)")


class RelationshipHealth(models.Model):
    """The signal of one active relationship as of ``computed_at``: state, plain reasons and the facts."""

    relationship = models.OneToOneField("mentorships.Relationship", on_delete=models.CASCADE, related_name="health")
    mentee_institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    mentor_institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=HealthState.choices)
    reasons = models.JSONField(default=list)  # plain sentences, every one a fact (never content)
    facts = models.JSONField(default=dict)
    last_contact_at = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField()
    nudged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["mentee_institution", "state"]),
            models.Index(fields=["mentor_institution", "state"]),
            models.Index(fields=["state"]),
        ]


class RefreshMark(models.Model):
    """When a periodic refresh last ran (claimed by a conditional UPDATE, so concurrent sweeps run it once)."""

    name = models.CharField(max_length=40, unique=True)
    ran_at = models.DateTimeField(null=True, blank=True)


class CheckInOccasion(models.TextChoices):
    PERIODIC = "periodic", _("Regular check-in")
    MEETING = "meeting", _("After a meeting")


class CareCheckIn(models.Model):
    """A check-in sent to both sides of a relationship; ``key`` makes each occasion happen once."""

    relationship = models.ForeignKey("mentorships.Relationship", on_delete=models.CASCADE, related_name="care_checkins")
    occasion = models.CharField(max_length=10, choices=CheckInOccasion.choices)
    key = models.CharField(max_length=40)  # "periodic-2", "meeting-<id>"
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["relationship", "key"], name="care_checkin_once")]


class Going(models.TextChoices):
    WELL = "well", _("Going well")
    MIXED = "mixed", _("Mixed")
    POORLY = "poorly", _("Not going well")


class Rhythm(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No, less often")
    NONE = "none", _("We have not agreed a rhythm")


class CheckInAnswer(models.Model):
    """One side's answer. Seen by that side only; admins see it only as part of the signal."""

    checkin = models.ForeignKey(CareCheckIn, on_delete=models.CASCADE, related_name="answers")
    side = models.CharField(max_length=6)  # mentee | mentor
    going = models.CharField(max_length=6, choices=Going.choices)
    rhythm = models.CharField(max_length=4, choices=Rhythm.choices, blank=True)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["checkin", "side"], name="care_answer_once_per_side"),
            models.CheckConstraint(condition=Q(side__in=["mentee", "mentor"]), name="care_answer_side"),
        ]


class NoShow(models.Model):
    """The other side marked that ``absent_side`` did not come to a meeting."""

    meeting = models.OneToOneField("scheduling.Meeting", on_delete=models.CASCADE, related_name="no_show")
    relationship = models.ForeignKey("mentorships.Relationship", on_delete=models.CASCADE, related_name="no_shows")
    absent_side = models.CharField(max_length=6)
    absent_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-marked_at"]
        indexes = [models.Index(fields=["absent_user", "marked_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(absent_side__in=["mentee", "mentor"]), name="care_noshow_side"),
            models.CheckConstraint(condition=~Q(absent_user=models.F("marked_by")), name="care_noshow_other_side"),
        ]


class Block(models.Model):
    """``blocker`` stopped contact with ``blocked``: no messages, bookings or requests either way, and the
    mentor is hidden from the mentee's search. Lifted only by the blocker (or staff closing a case)."""

    blocker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    blocked = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    relationship = models.ForeignKey(
        "mentorships.Relationship", null=True, blank=True, on_delete=models.SET_NULL, related_name="blocks"
    )
    case = models.ForeignKey("Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="blocks")
    created_at = models.DateTimeField(default=timezone.now)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["blocker", "blocked"], condition=Q(lifted_at__isnull=True), name="care_block_once"
            ),
            models.CheckConstraint(condition=~Q(blocker=models.F("blocked")), name="care_block_not_self"),
        ]
        indexes = [models.Index(fields=["blocked", "lifted_at"]), models.Index(fields=["blocker", "lifted_at"])]


class CaseKind(models.TextChoices):
    REPORT = "report", _("Report")
    CONCERN = "concern", _("Wellbeing concern")


class Category(models.TextChoices):
    HARASSMENT = "harassment", _("Harassment")
    DISCRIMINATION = "discrimination", _("Discrimination")
    BOUNDARY = "boundary", _("Crossing a professional boundary")
    OTHER = "other", _("Something else")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_REVIEW = "in_review", _("In review")
    RESOLVED = "resolved", _("Resolved")


class Case(models.Model):
    """A confidential report or wellbeing concern. Seen by platform staff and the admins of
    ``institution`` (and of ``other_institution``, for a cross-institutional report) — never by the
    person it is about, and the reporter sees only its status."""

    kind = models.CharField(max_length=8, choices=CaseKind.choices)
    category = models.CharField(max_length=16, choices=Category.choices, blank=True)
    urgent = models.BooleanField(default=False)
    description = models.TextField(max_length=4000)
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reporter_membership = models.ForeignKey("institutions.Membership", on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    subject_membership = models.ForeignKey("institutions.Membership", on_delete=models.PROTECT, related_name="+")
    relationship = models.ForeignKey(
        "mentorships.Relationship", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    institution = models.ForeignKey("institutions.Institution", on_delete=models.PROTECT, related_name="+")
    other_institution = models.ForeignKey(
        "institutions.Institution", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    mentee_told = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-urgent", "-created_at", "-id"]
        indexes = [
            models.Index(fields=["institution", "status"]),
            models.Index(fields=["other_institution", "status"]),
            models.Index(fields=["status", "created_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(kind="report") | ~Q(category=""), name="care_report_has_category"),
            models.CheckConstraint(condition=~Q(reporter=models.F("subject")), name="care_case_not_self"),
        ]

    def __str__(self) -> str:
        return f"Case #{self.pk} ({self.get_kind_display().lower()})"

    @property
    def reference(self) -> str:
        return f"C-{self.pk:05d}"


class CaseEvent(models.Model):
    """The history of a case: filed, ownership, status changes, notes, blocks."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    by_role = models.CharField(max_length=10, blank=True)
    action = models.CharField(max_length=20)  # filed, owner, status, note, blocked, unblocked, told
    note = models.TextField(max_length=2000, blank=True)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["at", "id"]

    @property
    def from_label(self) -> str:
        return CaseStatus(self.from_status).label if self.from_status in CaseStatus.values else ""

    @property
    def to_label(self) -> str:
        return CaseStatus(self.to_status).label if self.to_status in CaseStatus.values else ""


class Outreach(models.Model):
    """An admin or staff member reached out to a pair from the at-risk list."""

    relationship = models.ForeignKey("mentorships.Relationship", on_delete=models.CASCADE, related_name="outreach")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    by_role = models.CharField(max_length=10)
    to = models.CharField(max_length=6)  # mentee | mentor | both
    note = models.TextField(max_length=1000, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]


class DuplicateNeed(models.Model):
    """Two active mentors of one mentee were asked about the same need: the mentee is asked which to keep."""

    mentee = models.ForeignKey("institutions.Membership", on_delete=models.CASCADE, related_name="+")
    first = models.ForeignKey("mentorships.Relationship", on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey("mentorships.Relationship", on_delete=models.CASCADE, related_name="+")
    areas = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=12, blank=True)  # both | first | second | ended

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["first", "second"], name="care_duplicate_once")]
