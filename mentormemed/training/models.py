"""Training modules, their versions and knowledge checks, attestations and CME claims (R7, R21, R22).

A ``Module`` is the stable identity (slug, title, audience, required flag). Its
content lives in numbered ``ModuleVersion`` rows: one optional draft (no
``published_at``) that staff edit, and published versions that are never
changed again. The newest published version is the module's current version;
attestations (``Completion``) and CME claims point at the exact version the
person read, so a new version of a required module re-opens the training gate.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Floor
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy

from mentormemed.core.models import VersionTranslation, version_translation_constraints

QUARTER = Decimal("0.25")


def _quarter_steps(field: str, name: str) -> models.CheckConstraint:
    """The database holds the 0.25-credit rule: value × 4 must be a whole number."""
    return models.CheckConstraint(
        condition=Exact(F(field) * 4, Floor(F(field) * 4)),
        name=name,
        violation_error_message="Credits go in steps of 0.25 (for example 0.25, 0.50, 0.75, 1.00).",
    )


class Audience(models.TextChoices):
    MENTEE = "mentee", gettext_lazy("Mentees")
    MENTOR = "mentor", gettext_lazy("Mentors")
    BOTH = "both", gettext_lazy("Mentors and mentees")


class ModuleStatus(models.TextChoices):
    DRAFT = "draft", gettext_lazy("Draft (never published)")
    PUBLISHED = "published", gettext_lazy("Published")


class Module(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    audience = models.CharField(max_length=10, choices=Audience.choices)
    required = models.BooleanField(
        default=False, help_text=gettext_lazy("Required modules must be attested before requests are sent or accepted.")
    )
    minutes = models.PositiveSmallIntegerField("estimated minutes", default=20)
    summary = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=ModuleStatus.choices, default=ModuleStatus.DRAFT)
    position = models.PositiveIntegerField(default=0)
    # Denormalised pointer to the newest published version, kept by the publish service,
    # so the learner list and the gate need no "max(version)" subquery.
    current_version = models.ForeignKey(
        "ModuleVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(current_version__isnull=False), name="training_published_has_version"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def for_role(self, role: str) -> bool:
        return self.audience in (role, Audience.BOTH)


class ModuleVersion(models.Model):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    body = models.TextField("content (Markdown)", blank=True)
    video_url = models.URLField("video link", blank=True)
    passing_score = models.PositiveSmallIntegerField(
        "passing score (%)", default=80, help_text=gettext_lazy("Share of questions answered correctly to pass.")
    )
    cme_max_credits = models.DecimalField(
        "maximum AMA PRA Category 1 Credits™",
        max_digits=4,
        decimal_places=2,
        default=Decimal("0"),
        help_text=gettext_lazy("0 for no CME; otherwise in steps of 0.25."),
    )
    is_enduring_material = models.BooleanField(
        default=True, help_text=gettext_lazy("Certified as an enduring material (self-paced, available over time).")
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["module", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["module", "version"], name="training_version_unique"),
            models.UniqueConstraint(
                fields=["module"], condition=Q(published_at__isnull=True), name="training_one_draft_per_module"
            ),
            models.CheckConstraint(
                condition=Q(passing_score__gte=0) & Q(passing_score__lte=100), name="training_passing_score_pct"
            ),
            models.CheckConstraint(condition=Q(cme_max_credits__gte=0), name="training_max_credits_nonneg"),
            _quarter_steps("cme_max_credits", "training_max_credits_quarter_steps"),
        ]

    def __str__(self) -> str:
        return f"{self.module.title} v{self.version}"

    @property
    def is_draft(self) -> bool:
        return self.published_at is None

    @property
    def carries_cme(self) -> bool:
        return self.cme_max_credits > 0


class Question(models.Model):
    version = models.ForeignKey(ModuleVersion, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.TextField()
    explanation = models.TextField(blank=True, help_text=gettext_lazy("Shown after answering, right or wrong."))

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=500)
    correct = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class ModuleVersionTranslation(VersionTranslation):
    """Staff's translation of one published version into one language (issue 19, languages).

    It belongs to the version it translates: a new version starts untranslated, so a reader
    never gets last version's wording for this version's content. ``questions`` is keyed by
    the source rows (``{question id: {"text", "explanation", "choices": {choice id: text}}}``),
    so the knowledge check still posts and scores the source choices whatever the language.
    Language, ``updated_at``/``updated_by`` and the constraints are ``core.models.VersionTranslation``'s.
    """

    version = models.ForeignKey(ModuleVersion, on_delete=models.CASCADE, related_name="translations")
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    body = models.TextField("content (Markdown)")
    questions = models.JSONField(
        default=dict, blank=True, help_text=gettext_lazy("question id → text, explanation and choice texts")
    )

    class Meta(VersionTranslation.Meta):
        constraints = version_translation_constraints("training_translation")


def resource_upload_to(instance: Resource, filename: str) -> str:
    return f"training/resources/{instance.version.module.slug}/{filename}"


class Resource(models.Model):
    """A downloadable file attached to a version; type and size are checked on upload."""

    version = models.ForeignKey(ModuleVersion, on_delete=models.CASCADE, related_name="resources")
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to=resource_upload_to, max_length=300)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title


class CheckAttempt(models.Model):
    """One try at a version's knowledge check; retakes add rows."""

    membership = models.ForeignKey("institutions.Membership", on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(ModuleVersion, on_delete=models.PROTECT, related_name="attempts")
    score = models.PositiveSmallIntegerField(help_text=gettext_lazy("Percent correct."))
    passed = models.BooleanField()
    answers = models.JSONField(default=dict, help_text=gettext_lazy("question id → chosen choice id"))
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["membership", "version"])]


class Completion(models.Model):
    """The attestation "I completed …" of one version: when, which version, with what score."""

    membership = models.ForeignKey(
        "institutions.Membership", on_delete=models.CASCADE, related_name="training_completions"
    )
    version = models.ForeignKey(ModuleVersion, on_delete=models.PROTECT, related_name="completions")
    score = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=gettext_lazy("Empty when there is no check.")
    )
    passed = models.BooleanField(default=True)
    attested_at = models.DateTimeField()

    class Meta:
        ordering = ["-attested_at"]
        constraints = [
            models.UniqueConstraint(fields=["membership", "version"], name="training_completion_unique"),
            # An attestation is only recorded after passing (or when there is nothing to pass).
            models.CheckConstraint(condition=Q(passed=True), name="training_completion_passed"),
        ]

    def __str__(self) -> str:
        return f"{self.membership.user} — {self.version}"


class CmeClaim(models.Model):
    """A mentor's claim of AMA PRA Category 1 Credit™ for one completed version (R22).

    The identifiers (NPI, licence, board id, birth month/day) are optional and kept
    only because ACCME's PARS learner upload asks for them.
    """

    membership = models.ForeignKey("institutions.Membership", on_delete=models.PROTECT, related_name="cme_claims")
    version = models.ForeignKey(ModuleVersion, on_delete=models.PROTECT, related_name="cme_claims")
    completion = models.OneToOneField(Completion, on_delete=models.PROTECT, related_name="cme_claim")
    credits = models.DecimalField(max_digits=4, decimal_places=2)
    attested_participation = models.BooleanField()
    npi = models.CharField("NPI", max_length=10, blank=True)
    licence_state = models.CharField("licence state", max_length=2, blank=True)
    licence_number = models.CharField("licence number", max_length=40, blank=True)
    board_id = models.CharField("certifying board ID", max_length=40, blank=True)
    birth_month = models.PositiveSmallIntegerField(null=True, blank=True)
    birth_day = models.PositiveSmallIntegerField(null=True, blank=True)
    certificate_number = models.CharField(max_length=32, unique=True)
    completed_on = models.DateField(help_text=gettext_lazy("The day the module was attested."))
    claimed_at = models.DateTimeField()

    class Meta:
        ordering = ["-claimed_at"]
        constraints = [
            models.UniqueConstraint(fields=["membership", "version"], name="cme_claim_one_per_version"),
            models.CheckConstraint(condition=Q(credits__gt=0), name="cme_claim_credits_positive"),
            _quarter_steps("credits", "cme_claim_credits_quarter_steps"),
            models.CheckConstraint(condition=Q(attested_participation=True), name="cme_claim_attested"),
            models.CheckConstraint(
                condition=Q(birth_month__isnull=True) | (Q(birth_month__gte=1) & Q(birth_month__lte=12)),
                name="cme_claim_birth_month_valid",
            ),
            models.CheckConstraint(
                condition=Q(birth_day__isnull=True) | (Q(birth_day__gte=1) & Q(birth_day__lte=31)),
                name="cme_claim_birth_day_valid",
            ),
        ]
        indexes = [models.Index(fields=["claimed_at"])]

    def __str__(self) -> str:
        return f"{self.certificate_number} — {self.credits} credits"


class ActivityEvaluation(models.Model):
    """The learner's evaluation of a CME activity, required before credit is claimed (R22).

    Accredited providers must evaluate every activity (did it meet its objectives, was it free
    of commercial bias, will it change practice); the answers are kept per completion and only
    summarised for staff.
    """

    class Change(models.TextChoices):
        WILL_CHANGE = "will_change", gettext_lazy("Yes, I will change how I mentor")
        ALREADY = "already", gettext_lazy("I already do what the activity teaches")
        NO_CHANGE = "no_change", gettext_lazy("No change")

    membership = models.ForeignKey("institutions.Membership", on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(ModuleVersion, on_delete=models.PROTECT, related_name="evaluations")
    completion = models.OneToOneField(Completion, on_delete=models.PROTECT, related_name="evaluation")
    objectives_met = models.PositiveSmallIntegerField(
        help_text=gettext_lazy("1 (strongly disagree) to 5 (strongly agree)")
    )
    relevance = models.PositiveSmallIntegerField(help_text=gettext_lazy("1 (strongly disagree) to 5 (strongly agree)"))
    free_of_bias = models.BooleanField(help_text=gettext_lazy("The content was free of commercial bias"))
    practice_change = models.CharField(max_length=12, choices=Change.choices)
    change_text = models.TextField(blank=True, max_length=1000)
    comments = models.TextField(blank=True, max_length=2000)
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(objectives_met__gte=1, objectives_met__lte=5), name="activity_eval_objectives_1_5"
            ),
            models.CheckConstraint(condition=Q(relevance__gte=1, relevance__lte=5), name="activity_eval_relevance_1_5"),
            models.CheckConstraint(
                condition=Q(practice_change__in=["will_change", "already", "no_change"]),
                name="activity_eval_change_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Evaluation of {self.version} by {self.membership_id}"
