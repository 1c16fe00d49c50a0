"""Evaluation instruments (versioned data), mentee evaluations of mentors, surveys (R18–R20).

An instrument's wording lives in ``InstrumentVersion.items`` (a list of item dicts), so
staff change questions in the product by publishing a new version; every response keeps
the version it answered, so old answers are never reinterpreted under new wording.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from mentormemed.core.models import VersionTranslation, version_translation_constraints

# Item types an instrument may use. "scale" items are competencies on the 1–7 scale and
# feed the competency mean; "overall" is the 1–7 overall rating; the others are free data.
ITEM_TYPES = {
    "scale": "Competency, 1–7",
    "overall": "Overall rating, 1–7",
    "choice": "One choice from a list",
    "yesno": "Yes or no",
    "number": "A number",
    "text": "Free text",
}
SCALE_MIN, SCALE_MAX = 1, 7
SCALE_ANCHORS = {
    1: gettext_lazy("Not at all skilled"),
    4: gettext_lazy("Moderately skilled"),
    7: gettext_lazy("Extremely skilled"),
}


class Instrument(models.Model):
    class Kind(models.TextChoices):
        MENTOR_EVALUATION = "mentor_evaluation", gettext_lazy("Mentor evaluation (by mentees)")
        CAREER_UPDATE = "career_update", gettext_lazy("Career update (mentees, yearly and at exit)")
        PROGRAM_FEEDBACK = "program_feedback", gettext_lazy("Program feedback (mentees and mentors, yearly)")

    kind = models.CharField(max_length=20, choices=Kind.choices, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    current_version = models.ForeignKey(
        "InstrumentVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.name


class InstrumentVersion(models.Model):
    """One published wording of an instrument. Never edited after responses exist: publish a new one."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    intro = models.TextField(blank=True)
    items = models.JSONField(default=list, help_text=gettext_lazy("[{key, type, text, required, choices}]"))
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True, help_text=gettext_lazy("What changed, for the record."))

    class Meta:
        ordering = ["instrument", "-number"]
        constraints = [models.UniqueConstraint(fields=["instrument", "number"], name="instrument_version_unique")]

    def __str__(self) -> str:
        return f"{self.instrument.name} v{self.number}"

    @property
    def scale_items(self) -> list[dict]:
        return [i for i in self.items if i["type"] == "scale"]


class InstrumentVersionTranslation(VersionTranslation):
    """Staff's translation of one instrument version into one language (issue 19, languages).

    Bound to the version it translates (a new version starts untranslated). ``items`` is keyed
    by the source item key: ``{key: {"text", "choices": {source choice: label}, "anchors":
    {"1": label}}}``; answers are stored under the source keys and choices, so a response in
    any language scores exactly as the English one. Language, ``updated_at``/``updated_by`` and
    the constraints are ``core.models.VersionTranslation``'s.
    """

    version = models.ForeignKey(InstrumentVersion, on_delete=models.CASCADE, related_name="translations")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    intro = models.TextField(blank=True)
    items = models.JSONField(default=dict, blank=True, help_text=gettext_lazy("item key → translated wording"))

    class Meta(VersionTranslation.Meta):
        constraints = version_translation_constraints("instrument_translation")


class Occasion(models.TextChoices):
    PERIODIC = "periodic", gettext_lazy("Every six months")
    EXIT = "exit", gettext_lazy("At the end")


class Evaluation(models.Model):
    """A mentee's submitted evaluation of one mentor on one occasion (R18).

    ``sequence`` is k for the evaluation due 6·k months after the start and 0 for the
    exit evaluation. Scores are denormalised (competency mean, overall) for analytics.
    """

    relationship = models.ForeignKey("mentorships.Relationship", on_delete=models.CASCADE, related_name="evaluations")
    mentee = models.ForeignKey("institutions.Membership", on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey("profiles.MentorProfile", on_delete=models.CASCADE, related_name="evaluations")
    occasion = models.CharField(max_length=10, choices=Occasion.choices)
    sequence = models.PositiveSmallIntegerField(default=0)
    due_on = models.DateField()
    version = models.ForeignKey(InstrumentVersion, on_delete=models.PROTECT, related_name="evaluations")
    answers = models.JSONField(default=dict)
    competency_mean = models.FloatField(null=True, blank=True)
    overall = models.PositiveSmallIntegerField(null=True, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["relationship", "occasion", "sequence"], name="evaluation_once_per_occasion"
            ),
            models.CheckConstraint(
                condition=Q(overall__isnull=True) | Q(overall__gte=SCALE_MIN, overall__lte=SCALE_MAX),
                name="evaluation_overall_1_7",
            ),
        ]
        indexes = [models.Index(fields=["mentor", "submitted_at"]), models.Index(fields=["submitted_at"])]

    @property
    def label(self) -> StrOrPromise:
        """The occasion in words, as the due list names it ("6-month evaluation", "End of mentorship")."""
        from mentormemed.evaluations.schedule import Due

        return Due(self.occasion, self.sequence, self.due_on, False).label


class EvaluationReminder(models.Model):
    """A reminder that went out for one due evaluation; the unique row makes the sweep idempotent."""

    relationship = models.ForeignKey("mentorships.Relationship", on_delete=models.CASCADE, related_name="+")
    occasion = models.CharField(max_length=10, choices=Occasion.choices)
    sequence = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(
        max_length=10, choices=[("due", gettext_lazy("Due")), ("overdue", gettext_lazy("Overdue"))]
    )
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["relationship", "occasion", "sequence", "stage"], name="evaluation_reminder_once"
            )
        ]


class SurveyResponse(models.Model):
    """A career-update or program-feedback answer (R19). ``occasion`` is ``year-N`` or ``exit``."""

    membership = models.ForeignKey("institutions.Membership", on_delete=models.CASCADE, related_name="survey_responses")
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="responses")
    version = models.ForeignKey(InstrumentVersion, on_delete=models.PROTECT, related_name="responses")
    occasion = models.CharField(max_length=20)
    due_on = models.DateField()
    answers = models.JSONField(default=dict)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["membership", "instrument", "occasion"], name="survey_once_per_occasion")
        ]


class SurveyReminder(models.Model):
    membership = models.ForeignKey("institutions.Membership", on_delete=models.CASCADE, related_name="+")
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="+")
    occasion = models.CharField(max_length=20)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["membership", "instrument", "occasion"], name="survey_reminder_once")
        ]


class MentorInvitationOffer(models.Model):
    """R20: a graduating mentee was invited to become a mentor; their answer is recorded here."""

    membership = models.OneToOneField(
        "institutions.Membership", on_delete=models.CASCADE, related_name="mentor_invitation_offer"
    )
    sent_at = models.DateTimeField(default=timezone.now)
    interested_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Mentor invitation offer to {self.membership}"
