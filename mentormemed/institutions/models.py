"""Institutions, their subscriptions and price bands, memberships and invitations."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentormemed.accounts.models import ReviewStatus, Role
from mentormemed.core.clock import platform_today


class Institution(models.Model):
    class Kind(models.TextChoices):
        MD_SCHOOL = "md_school", _("MD school")
        DO_SCHOOL = "do_school", _("DO school")
        HOSPITAL_SYSTEM = "hospital_system", _("Hospital system")
        MEDICAL_SOCIETY = "medical_society", _("Medical society")
        OTHER_PROGRAM = "other_program", _("Other health-professions program")

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    field_of_training = models.ForeignKey("profiles.FieldOfTraining", on_delete=models.PROTECT)
    eligible_headcount = models.PositiveIntegerField(
        help_text=_("Eligible UME and GME trainees; decides the price band.")
    )
    time_zone = models.CharField(max_length=64, default="America/New_York")
    state = models.ForeignKey("profiles.Region", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    urim_groups = models.ManyToManyField(
        "profiles.IdentityOption",
        blank=True,
        related_name="+",
        help_text=_("Race/ethnicity groups this institution counts as underrepresented in medicine."),
    )
    mentor_commitment = models.PositiveIntegerField(
        default=0, help_text=_("Mentors the institution commits to supply.")
    )
    # Where invoices go (R3): a university finance office matches the invoice to its vendor record.
    billing_contact = models.CharField(
        "billing contact", max_length=200, blank=True, help_text=_("Person or office, e.g. “Accounts Payable”.")
    )
    billing_address = models.TextField(
        "billing address", max_length=600, blank=True, help_text=_("Street, city, state and ZIP, one per line.")
    )
    billing_email = models.EmailField("billing e-mail", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(eligible_headcount__gte=0), name="institution_headcount_nonneg"),
        ]

    def __str__(self) -> str:
        return self.name

    def has_access(self, day: dt.date | None = None) -> bool:
        """R1: members may use the platform only while a subscription covers ``day`` (default today)."""
        return Subscription.objects.covering(day).filter(institution=self).exists()


class MentorCriterion(models.Model):
    """A minimum criterion for mentors of an institution (R5), e.g. 'faculty appointment'."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="criteria")
    text = models.CharField(max_length=300)
    position = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text


class PriceBand(models.Model):
    """Annual fee by eligible-trainee headcount (R3) and the mentor supply expected (R32)."""

    name = models.CharField(max_length=80)
    min_headcount = models.PositiveIntegerField()
    max_headcount = models.PositiveIntegerField(null=True, blank=True, help_text=_("Empty: no upper limit"))
    annual_fee = models.DecimalField(max_digits=10, decimal_places=2)
    mentor_commitment = models.PositiveIntegerField(default=25)

    class Meta:
        ordering = ["min_headcount"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_headcount__isnull=True) | Q(max_headcount__gte=F("min_headcount")),
                name="price_band_range_valid",
            ),
            models.CheckConstraint(condition=Q(annual_fee__gte=0), name="price_band_fee_nonneg"),
            models.UniqueConstraint(fields=["min_headcount"], name="price_band_min_unique"),
        ]

    def __str__(self) -> str:
        upper = f"–{self.max_headcount}" if self.max_headcount is not None else "+"
        return f"{self.name} ({self.min_headcount}{upper} trainees)"

    def covers(self, headcount: int) -> bool:
        return self.min_headcount <= headcount and (self.max_headcount is None or headcount <= self.max_headcount)


class SubscriptionQuerySet(models.QuerySet["Subscription"]):
    def covering(self, day: dt.date | None = None) -> SubscriptionQuerySet:
        """Subscriptions whose term covers ``day`` (default today) and were not ended early."""
        day = day or platform_today()
        return self.filter(term_start__lte=day, term_end__gte=day).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=day)
        )


class Subscription(models.Model):
    """One paid term. Band and fee are copied so later price changes do not rewrite history."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="subscriptions")
    band = models.ForeignKey(PriceBand, on_delete=models.PROTECT, related_name="+")
    band_name = models.CharField(max_length=80)
    fee = models.DecimalField(max_digits=10, decimal_places=2)
    term_start = models.DateField()
    term_end = models.DateField()
    invoice_number = models.CharField(max_length=30, unique=True)
    invoice_date = models.DateField(
        default=platform_today, help_text=_("The invoice's date until staff issue it (then the issue date).")
    )
    invoice_due = models.DateField(null=True, blank=True)
    paid_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True, help_text=_("Ended early: no access from this day."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-term_start"]
        constraints = [
            models.CheckConstraint(condition=Q(term_end__gt=F("term_start")), name="subscription_term_valid"),
            models.CheckConstraint(condition=Q(fee__gte=0), name="subscription_fee_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.institution} {self.term_start:%Y-%m-%d}–{self.term_end:%Y-%m-%d}"

    def covers(self, day: dt.date | None = None) -> bool:
        day = day or platform_today()
        ended_ok = self.ended_on is None or self.ended_on > day
        return self.term_start <= day <= self.term_end and ended_ok

    @property
    def is_paid(self) -> bool:
        return self.paid_on is not None

    @property
    def state(self) -> str:
        today = platform_today()
        if self.ended_on and self.ended_on <= today:
            return "ended"
        if self.term_start > today:
            return "upcoming"
        if self.term_end < today:
            return "lapsed"
        return "active"


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    ENDED = "ended", _("Ended")


class EndReason(models.TextChoices):
    """Why a membership ended. Only a graduate in good standing is invited to mentor (R20)."""

    GRADUATED = "graduated", _("Graduated in good standing")
    LEFT = "left", _("Left the institution")
    REMOVED = "removed", _("Removed by the program")


class Membership(models.Model):
    """A person's role in an institution. The only way anyone but staff uses the platform (R1)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices)
    status = models.CharField(max_length=10, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE)
    status_note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=10, choices=EndReason.choices, blank=True)

    class Meta:
        ordering = ["institution__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "institution", "role"],
                condition=~Q(status="ended"),
                name="membership_one_open_per_role",
            )
        ]
        indexes = [models.Index(fields=["institution", "role", "status"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.institution}"

    @property
    def is_active(self) -> bool:
        return self.status == MembershipStatus.ACTIVE


class MentorCriterionAttestation(models.Model):
    """A mentor's attestation of one minimum criterion, and the admin's confirmation (R5)."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="criterion_attestations")
    criterion = models.ForeignKey(MentorCriterion, on_delete=models.CASCADE, related_name="attestations")
    attested_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["membership", "criterion"], name="criterion_attestation_unique")]


class Invitation(models.Model):
    """An expiring, single-use invitation to join an institution in a role.

    Only a hash of the token is stored, so a database read does not yield working links.
    """

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Role.choices)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["institution", "email"])]

    def __str__(self) -> str:
        return f"{self.email} as {self.get_role_display()} at {self.institution}"

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "open"


class RosterImport(models.Model):
    """One CSV roster of people to invite: validated whole on upload, then written in the
    background once the admin confirms, with progress they can watch and a report at the end."""

    class Status(models.TextChoices):
        READY = "ready", _("Checked — waiting for you to confirm")
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Inviting")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Stopped with errors")
        DISCARDED = "discarded", _("Discarded")

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="roster_imports")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file_name = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.READY)
    rows = models.JSONField(default=list, help_text=_("The checked rows: [line, email, role, first name, last name]."))
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0, help_text=_("Already a member in that role."))
    failed = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, help_text=_("[line, reason] for rows that could not be written."))
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(processed__lte=F("total")), name="roster_import_progress")]

    def __str__(self) -> str:
        return f"Roster import {self.pk} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.DISCARDED)

    @property
    def percent(self) -> int:
        return 100 if not self.total else round(100 * self.processed / self.total)
