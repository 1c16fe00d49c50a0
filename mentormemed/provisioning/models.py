"""Provisioning (R33): SCIM 2.0 resources an institution's systems manage, their bearer tokens,
and roster-sync runs for institutions without SCIM."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ScimToken(models.Model):
    """A bearer token for one institution's SCIM endpoint. Only its SHA-256 is stored."""

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="scim_tokens")
    label = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12, help_text=_("The first characters, so people can tell tokens apart."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.label} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class ScimUser(models.Model):
    """A SCIM User of one institution: the document its IdP sent, and the account it stands for."""

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="scim_users")
    scim_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="scim_users"
    )
    user_name = models.CharField(max_length=254)
    external_id = models.CharField(max_length=254, blank=True)
    email = models.CharField(max_length=254, blank=True)
    given_name = models.CharField(max_length=150, blank=True)
    family_name = models.CharField(max_length=150, blank=True)
    display_name = models.CharField(max_length=300, blank=True)
    active = models.BooleanField(default=True)
    document = models.JSONField(default=dict)
    # Roles the directory granted (and may take away), and the roles a deactivation ended (given
    # back on reactivation, whoever granted them: an invitation or the directory).
    granted_roles = models.JSONField(default=list, blank=True)
    returning_roles = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint("institution", Lower("user_name"), name="scim_user_name_unique"),
            models.UniqueConstraint(
                fields=["institution", "user"], condition=Q(user__isnull=False), name="scim_user_account_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.user_name


class ScimGroup(models.Model):
    """A SCIM Group. A group whose name says mentors or mentees gives its members that role."""

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="scim_groups")
    scim_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    display_name = models.CharField(max_length=200)
    external_id = models.CharField(max_length=254, blank=True)
    role = models.CharField(max_length=10, blank=True, help_text=_("mentor, mentee or empty (no role)"))
    members = models.ManyToManyField(ScimUser, blank=True, related_name="groups")
    document = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint("institution", Lower("display_name"), name="scim_group_name_unique"),
        ]

    def __str__(self) -> str:
        return self.display_name


class RosterSync(models.Model):
    """One full-roster upload: the diff shown before applying, then the report of what was applied."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("Waiting for your review")
        QUEUED = "queued", _("Applying in the background")
        APPLIED = "applied", _("Applied")
        FAILED = "failed", _("Failed")
        DISCARDED = "discarded", _("Discarded")

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="roster_syncs")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=200, default="upload")
    file_name = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEW)
    diff = models.JSONField(default=dict)
    report = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Roster sync {self.pk} ({self.get_status_display()})"
