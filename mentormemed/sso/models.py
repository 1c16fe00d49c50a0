"""Campus identity providers (R33): one per institution, SAML 2.0 or OpenID Connect.

The protocol configuration itself (IdP metadata, client id and secret, our SP keys) lives in
allauth's ``SocialApp`` — the library reads it from the database at each sign-in; this model
holds what the product decides: who may come in, in which role, and whether passwords are refused.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

REFEDS_MFA = "https://refeds.org/profile/mfa"


class IdentityProvider(models.Model):
    class Protocol(models.TextChoices):
        SAML = "saml", _("SAML 2.0 (InCommon, Shibboleth, ADFS)")
        OIDC = "oidc", _("OpenID Connect (Entra ID, Okta, Google Workspace)")

    institution = models.OneToOneField(
        "institutions.Institution", on_delete=models.CASCADE, related_name="identity_provider"
    )
    protocol = models.CharField(max_length=4, choices=Protocol.choices)
    app = models.OneToOneField("socialaccount.SocialApp", on_delete=models.PROTECT, related_name="campus_idp")
    slug = models.SlugField(max_length=60, unique=True, help_text=_("Appears in our sign-in and metadata URLs."))
    display_name = models.CharField(max_length=120, help_text=_("Shown on the button: “Sign in with …”."))
    email_domains = models.CharField(
        max_length=500, blank=True, help_text=_("Comma-separated, e.g. “med.example.edu, example.edu”; for discovery.")
    )
    enabled = models.BooleanField(default=True)
    require_sso = models.BooleanField(
        default=False, help_text=_("Members must sign in through the campus login; passwords are refused.")
    )
    jit_enabled = models.BooleanField(
        "just-in-time membership",
        default=False,
        help_text=_("People the IdP asserts with an allowed affiliation join without an invitation."),
    )
    mentor_affiliations = models.CharField(max_length=200, default="faculty")
    mentee_affiliations = models.CharField(max_length=200, default="student")
    accept_idp_mfa = models.BooleanField(
        "accept the IdP's multi-factor assertion",
        default=True,
        help_text=_("Admins who signed in with the REFEDS MFA profile need not enter our code as well."),
    )
    attribute_overrides = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["institution__name"]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.get_protocol_display()})"

    @property
    def domains(self) -> list[str]:
        return [d.strip().lower().lstrip("@") for d in self.email_domains.split(",") if d.strip()]

    @staticmethod
    def _words(text: str) -> set[str]:
        return {w.strip().lower() for w in text.replace(";", ",").split(",") if w.strip()}

    @property
    def mentor_affiliation_set(self) -> set[str]:
        return self._words(self.mentor_affiliations)

    @property
    def mentee_affiliation_set(self) -> set[str]:
        return self._words(self.mentee_affiliations)
