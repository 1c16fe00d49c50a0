"""Mentor reward thresholds (R24), research data requests (R25) and issued invoices (R3)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ParticipationThreshold(models.Model):
    """What an institution counts as meaningful mentor participation in a year (R24)."""

    institution = models.OneToOneField(
        "institutions.Institution", on_delete=models.CASCADE, related_name="participation_threshold"
    )
    min_mentees = models.PositiveSmallIntegerField("mentees mentored", default=1)
    min_meetings = models.PositiveSmallIntegerField("meetings held", default=0)
    min_modules = models.PositiveSmallIntegerField("mentor training modules completed", default=1)
    min_cme_credits = models.DecimalField("CME credits claimed", max_digits=5, decimal_places=2, default=0)
    signer_name = models.CharField("letter signed by", max_length=200, blank=True)
    signer_title = models.CharField("signer's title", max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)


class ResearchRequest(models.Model):
    """A mentor's request for de-identified data (R25). Staff decide case by case."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", "Waiting for a decision"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Irb(models.TextChoices):
        APPROVED = "approved", "Approved by an IRB"
        EXEMPT = "exempt", "Determined exempt by an IRB"
        PENDING = "pending", "Submitted, decision pending"

    requester = models.ForeignKey("institutions.Membership", on_delete=models.PROTECT, related_name="research_requests")
    title = models.CharField(max_length=200)
    question = models.TextField(max_length=4000)
    variables = models.JSONField(default=list, help_text="Keys of outcomes.research.VARIABLES")
    irb_status = models.CharField(max_length=10, choices=Irb.choices)
    irb_number = models.CharField("IRB protocol number", max_length=80, blank=True)
    irb_document = models.FileField(upload_to="research-irb/", max_length=300)
    irb_document_name = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.SUBMITTED)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_note = models.TextField(max_length=4000, blank=True)
    export_salt = models.CharField(max_length=64, blank=True, help_text="Pseudonym key of this request's export")
    exports = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self) -> str:
        return self.title


class InvoiceIssue(models.Model):
    """Staff issued the invoice of one subscription term (R3); the PDF is rendered from the term."""

    subscription = models.OneToOneField("institutions.Subscription", on_delete=models.CASCADE, related_name="issue")
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(issued_at__isnull=False), name="invoice_issued_at_set")]
