"""People: the user account, versioned agreements and mentee eligibility."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractUser):
    """A person. Platform staff have ``is_staff``; everyone else acts through memberships."""

    username = None
    email = models.EmailField("e-mail address", unique=True)
    preferred_name = models.CharField(max_length=150, blank=True)
    pronouns = models.CharField(max_length=40, blank=True)
    time_zone = models.CharField(max_length=64, default="America/New_York")
    # The language of this person's pages and of every e-mail, PDF and invite sent to them.
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        first = self.preferred_name or self.first_name
        full = f"{first} {self.last_name}".strip()
        return full or self.email


class Role(models.TextChoices):
    MENTEE = "mentee", gettext_lazy("Mentee")
    MENTOR = "mentor", gettext_lazy("Mentor")
    ADMIN = "admin", gettext_lazy("Institution admin")


class Agreement(models.Model):
    """A versioned agreement text for a role (R6). The newest published version is current."""

    role = models.CharField(max_length=10, choices=[(Role.MENTEE, "Mentee"), (Role.MENTOR, "Mentor")])
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["role", "-version"]
        constraints = [models.UniqueConstraint(fields=["role", "version"], name="agreement_role_version_unique")]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class AgreementAcceptance(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agreement_acceptances")
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="acceptances")
    accepted_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "agreement"], name="agreement_acceptance_unique")]


class ReviewStatus(models.TextChoices):
    PENDING = "pending", gettext_lazy("Awaiting confirmation")
    CONFIRMED = "confirmed", gettext_lazy("Confirmed")
    REJECTED = "rejected", gettext_lazy("Not confirmed")


class MenteeEligibility(models.Model):
    """The mentee's attestation of at least one eligibility basis (R4), and the admin's review."""

    membership = models.OneToOneField("institutions.Membership", on_delete=models.CASCADE, related_name="eligibility")
    urim = models.BooleanField("from a racial or ethnic group underrepresented in medicine", default=False)
    first_generation = models.BooleanField("first-generation college graduate", default=False)
    economically_disadvantaged = models.BooleanField("from an economically disadvantaged background", default=False)
    attested_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name_plural = "mentee eligibilities"
        constraints = [
            models.CheckConstraint(
                condition=Q(urim=True) | Q(first_generation=True) | Q(economically_disadvantaged=True),
                name="eligibility_needs_a_basis",
            )
        ]

    @property
    def bases(self) -> list[str]:
        """Short labels of the attested bases (used in search logs and reports)."""
        pairs = [
            (self.urim, "urim"),
            (self.first_generation, "first_generation"),
            (self.economically_disadvantaged, "economically_disadvantaged"),
        ]
        return [label for flag, label in pairs if flag]


class TotpStep(models.Model):
    """The last 30-second TOTP step a person's authenticator accepted (ASVS 2.8.4).

    A code is accepted only for a step after this one, so a code cannot sign in twice, even
    within the drift window in which it stays valid."""

    authenticator = models.OneToOneField("mfa.Authenticator", on_delete=models.CASCADE, related_name="+")
    last_step = models.BigIntegerField()
