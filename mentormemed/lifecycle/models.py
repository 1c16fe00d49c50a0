"""The data lifecycle (R40): exports, retention schedules, contract close-out, people's requests."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DataExport(models.Model):
    """An archive built in the background: a whole institution's data, or one person's own."""

    class Kind(models.TextChoices):
        INSTITUTION = "institution", _("Institution data")
        PERSON = "person", _("A person's own data")

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Being built")
        READY = "ready", _("Ready to download")
        FAILED = "failed", _("Failed")
        REMOVED = "removed", _("Removed")

    kind = models.CharField(max_length=12, choices=Kind.choices)
    institution = models.ForeignKey(
        "institutions.Institution", null=True, blank=True, on_delete=models.PROTECT, related_name="data_exports"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="own_exports"
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text=_("Per cent of the datasets written"))
    step = models.CharField(max_length=200, blank=True)
    file = models.FileField(upload_to="data-exports/", max_length=300, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    downloads = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="institution") & Q(institution__isnull=False) & Q(person__isnull=True))
                | (Q(kind="person") & Q(person__isnull=False)),
                name="data_export_owner",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="data_export_progress_range"),
        ]

    def __str__(self) -> str:
        owner = self.institution if self.kind == self.Kind.INSTITUTION else "own data"
        return f"Export {self.pk} of {owner}"

    @property
    def in_progress(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)


class RetentionSchedule(models.Model):
    """How long an institution's data is kept (R40); the periodic sweep enforces it."""

    institution = models.OneToOneField(
        "institutions.Institution", on_delete=models.CASCADE, related_name="retention_schedule"
    )
    audit_years = models.PositiveSmallIntegerField(
        _("keep the audit log for (years)"),
        default=6,
        help_text=_("Entries older than this are deleted (HIPAA-style 6)."),
    )
    inactive_account_years = models.PositiveSmallIntegerField(
        _("erase people who left after (years)"),
        default=3,
        help_text=_("A person whose every membership ended this long ago is erased (CME records kept as stated)."),
    )
    closeout_grace_days = models.PositiveSmallIntegerField(
        _("grace period after the export is handed over (days)"),
        default=30,
        help_text=_("At contract end, personal data is destroyed this long after the export was handed over."),
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(audit_years__gte=1), name="retention_audit_min"),
            models.CheckConstraint(condition=Q(inactive_account_years__gte=1), name="retention_inactive_min"),
            models.CheckConstraint(condition=Q(closeout_grace_days__gte=7), name="retention_grace_min"),
        ]


class CloseOut(models.Model):
    """The end of a contract: export handed over, a grace period, then destruction (R40)."""

    class State(models.TextChoices):
        HANDOVER = "handover", _("Export being handed over")
        GRACE = "grace", _("Grace period")
        DESTROYING = "destroying", _("Destroying personal data")
        DESTROYED = "destroyed", _("Personal data destroyed")
        CANCELLED = "cancelled", _("Cancelled (renewed)")

    institution = models.ForeignKey("institutions.Institution", on_delete=models.PROTECT, related_name="closeouts")
    state = models.CharField(max_length=10, choices=State.choices, default=State.HANDOVER)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    contract_ended_on = models.DateField()
    export = models.ForeignKey(DataExport, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    export_sha256 = models.CharField(max_length=64, blank=True)
    handed_over_at = models.DateTimeField(null=True, blank=True)
    grace_days = models.PositiveSmallIntegerField()
    destroy_after = models.DateTimeField(null=True, blank=True)
    staff_reminded_at = models.DateTimeField(null=True, blank=True, help_text=_("Staff told destruction is due"))
    destroyed_at = models.DateTimeField(null=True, blank=True)
    destroyed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    certificate_number = models.CharField(max_length=32, blank=True)
    summary = models.JSONField(default=list, blank=True, help_text=_("What was removed, de-identified and kept"))
    cancelled_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution"], condition=~Q(state="cancelled"), name="closeout_one_open_per_institution"
            )
        ]

    def __str__(self) -> str:
        return f"Close-out of {self.institution}"


class ErasureRequest(models.Model):
    """A person asks for their personal data to be erased; staff carry it out or decline with reasons."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting to be handled")
        DONE = "done", _("Carried out")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="erasure_requests")
    reason = models.TextField(max_length=2000, blank=True)
    contact_email = models.EmailField(help_text=_("Where the outcome is sent (the account's address at the time)"))
    state = models.CharField(max_length=10, choices=State.choices, default=State.SUBMITTED)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_note = models.TextField(max_length=2000, blank=True)
    summary = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(state="submitted"), name="erasure_one_open")
        ]

    def __str__(self) -> str:
        return f"Erasure request {self.pk}"


class RetainedCmeRecord(models.Model):
    """The minimum an accredited provider must keep of an erased person's CME credit, until ``keep_until``.

    Name, activity, date and credits (ACCME: six years); no NPI, licence, board id or birth date.
    """

    name = models.CharField(max_length=300)
    institution_name = models.CharField(max_length=200)
    activity = models.CharField(max_length=300)
    completed_on = models.DateField()
    credits = models.DecimalField(max_digits=5, decimal_places=2)
    certificate_number = models.CharField(max_length=32)
    keep_until = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["keep_until", "pk"]
