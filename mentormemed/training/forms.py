"""Forms parse input only; the rules live in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext, gettext_lazy

from mentormemed.training.models import ActivityEvaluation, Audience, Module, ModuleVersion

CHOICE_SLOTS = 6


class ModuleForm(forms.ModelForm):
    class Meta:
        model = Module
        fields = ["title", "slug", "audience", "required", "minutes", "summary"]
        labels = {"slug": "Address (slug)", "required": "Required before requests"}
        help_texts = {"slug": "Lower-case words joined by hyphens; part of the module's web address."}
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audience"].choices = Audience.choices
        if self.instance.pk:  # the address stays stable once learners have links to it
            self.fields["slug"].disabled = True

    def validate_unique(self):
        """Uniqueness is the service's sentence to say, not the form's."""


class DraftForm(forms.ModelForm):
    video_url = forms.URLField(
        label=gettext_lazy("Video link"),
        required=False,
        assume_scheme="https",
        help_text=gettext_lazy("Optional https:// link to a video learners open in a new tab."),
    )
    cme_max_credits = forms.DecimalField(
        label=gettext_lazy("Maximum AMA PRA Category 1 Credits™"),
        min_value=0,
        max_digits=4,
        decimal_places=2,
        help_text=gettext_lazy("0 for no CME; otherwise in steps of 0.25."),
    )

    class Meta:
        model = ModuleVersion
        fields = ["body", "video_url", "passing_score", "cme_max_credits", "is_enduring_material"]
        widgets = {"body": forms.Textarea(attrs={"rows": 18, "class": "font-monospace"})}
        help_texts = {
            "body": "Markdown: ## headings, **bold**, lists, links and tables. Scripts and images are removed.",
            "video_url": "Optional https:// link to a video learners open in a new tab.",
        }
        labels = {"is_enduring_material": "Certified as an enduring material"}


class QuestionForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Question"), widget=forms.Textarea(attrs={"rows": 2}))
    explanation = forms.CharField(
        label=gettext_lazy("Explanation shown after answering"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, question=None, **kwargs):
        super().__init__(*args, **kwargs)
        existing = list(question.choices.all()) if question else []
        correct_initial = None
        for i in range(CHOICE_SLOTS):
            initial = existing[i].text if i < len(existing) else ""
            self.fields[f"choice_{i}"] = forms.CharField(
                label=gettext("Choice %(i_1)s") % {"i_1": i + 1}, required=i < 2, max_length=500, initial=initial
            )
            if i < len(existing) and existing[i].correct:
                correct_initial = str(i)
        self.fields["correct"] = forms.ChoiceField(
            label=gettext("Correct choice"),
            choices=[(str(i), f"Choice {i + 1}") for i in range(CHOICE_SLOTS)],
            widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            initial=correct_initial or "0",
        )
        if question:
            self.fields["text"].initial = question.text
            self.fields["explanation"].initial = question.explanation

    def choices(self) -> list[tuple[str, bool]]:
        correct = int(self.cleaned_data["correct"])
        return [(self.cleaned_data.get(f"choice_{i}", ""), i == correct) for i in range(CHOICE_SLOTS)]


class ResourceForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("PDF, Word, PowerPoint, Excel, PNG, JPEG, text or CSV; at most 20 MB."),
    )


class KnowledgeCheckForm(forms.Form):
    """One radio group per question; unanswered questions count as wrong."""

    def __init__(self, *args, version: ModuleVersion, text=None, **kwargs):
        """``text`` (a ``selectors.ModuleText``) words the questions in the reader's language; the
        values posted are the source choices' ids whatever the language, so scoring is unchanged."""
        super().__init__(*args, **kwargs)
        for n, question in enumerate(version.questions.all(), start=1):
            self.fields[f"q{question.pk}"] = forms.TypedChoiceField(
                label=f"{n}. {text.question(question) if text else question.text}",
                choices=[(c.pk, text.choice(c) if text else c.text) for c in question.choices.all()],
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                required=False,
            )

    def answers(self) -> dict[int, int]:
        return {int(k[1:]): v for k, v in self.cleaned_data.items() if v not in (None, "")}


class AttestForm(forms.Form):
    confirm = forms.BooleanField(label="", required=True)


MONTHS = [("", "—")] + [
    (str(i), name)
    for i, name in enumerate(
        [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
        start=1,
    )
]


class ClaimForm(forms.Form):
    credits = forms.ChoiceField(label=gettext_lazy("Credits claimed"))
    attested_participation = forms.BooleanField(required=True)
    npi = forms.CharField(
        label=gettext_lazy("NPI"), required=False, max_length=10, help_text=gettext_lazy("10 digits.")
    )
    licence_state = forms.CharField(
        label=gettext_lazy("Licence state"),
        required=False,
        max_length=2,
        help_text=gettext_lazy("Two-letter code, e.g. IL."),
    )
    licence_number = forms.CharField(label=gettext_lazy("Licence number"), required=False, max_length=40)
    board_id = forms.CharField(label=gettext_lazy("Certifying board ID"), required=False, max_length=40)
    birth_month = forms.TypedChoiceField(
        label=gettext_lazy("Month of birth"), choices=MONTHS, coerce=int, empty_value=None, required=False
    )
    birth_day = forms.TypedChoiceField(
        label=gettext_lazy("Day of birth"),
        choices=[("", "—")] + [(str(d), str(d)) for d in range(1, 32)],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, *args, max_credits, title: str, **kwargs):
        super().__init__(*args, **kwargs)
        steps = int(max_credits * 4)
        options = [f"{q / 4:.2f}" for q in range(steps, 0, -1)]
        self.fields["credits"].choices = [(o, o) for o in options]
        self.fields["credits"].initial = options[0] if options else None
        self.fields["credits"].help_text = (
            f"Up to {max_credits:.2f}, in steps of 0.25. Claim only the credit commensurate with the extent "
            "of your participation."
        )
        self.fields["attested_participation"].label = f"I attest that I participated in “{title}”."


AGREEMENT = [
    (5, "Strongly agree"),
    (4, "Agree"),
    (3, "Neutral"),
    (2, "Disagree"),
    (1, "Strongly disagree"),
]


class ActivityEvaluationForm(forms.Form):
    """The short evaluation an accredited provider asks for before credit is claimed."""

    objectives_met = forms.TypedChoiceField(
        label=gettext_lazy("The activity met its stated learning objectives."),
        choices=AGREEMENT,
        coerce=int,
        widget=forms.RadioSelect,
    )
    relevance = forms.TypedChoiceField(
        label=gettext_lazy("The content is relevant to how I mentor."),
        choices=AGREEMENT,
        coerce=int,
        widget=forms.RadioSelect,
    )
    free_of_bias = forms.TypedChoiceField(
        label=gettext_lazy("The content was free of commercial bias."),
        choices=[("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    practice_change = forms.ChoiceField(
        label=gettext_lazy("Will you change how you mentor as a result of this activity?"),
        choices=ActivityEvaluation.Change.choices,
        widget=forms.RadioSelect,
    )
    change_text = forms.CharField(
        label=gettext_lazy("What will you do differently?"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    comments = forms.CharField(
        label=gettext_lazy("Anything else the provider should know?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ModuleTranslationForm(forms.Form):
    """The translation of one version: title, summary, content, and each question and choice.

    Each field carries the English it translates (``field.source``) and, for questions, the
    heading of its group (``field.group``), so the page shows source and translation side by side.
    """

    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    summary = forms.CharField(label=gettext_lazy("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    body = forms.CharField(
        label=gettext_lazy("Content (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 18, "class": "font-monospace"}),
        help_text=gettext_lazy("Keep the Markdown as in the English: ## headings, **bold**, lists and links."),
    )

    def __init__(self, *args, version: ModuleVersion, **kwargs):
        super().__init__(*args, **kwargs)
        module = version.module
        for name, source in (("title", module.title), ("summary", module.summary), ("body", version.body)):
            self.fields[name].source = source  # type: ignore[attr-defined]
        self.questions = list(version.questions.all())
        for n, question in enumerate(self.questions, start=1):
            text = forms.CharField(
                label=gettext("Question %(number)s") % {"number": n}, widget=forms.Textarea(attrs={"rows": 2})
            )
            text.source, text.group = question.text, gettext("Question %(number)s") % {"number": n}  # type: ignore[attr-defined]
            self.fields[f"q{question.pk}"] = text
            if question.explanation:
                explanation = forms.CharField(
                    label=gettext("Explanation of question %(number)s") % {"number": n},
                    widget=forms.Textarea(attrs={"rows": 2}),
                )
                explanation.source = question.explanation  # type: ignore[attr-defined]
                self.fields[f"e{question.pk}"] = explanation
            for m, choice in enumerate(question.choices.all(), start=1):
                field = forms.CharField(
                    label=gettext("Question %(number)s, choice %(choice)s") % {"number": n, "choice": m},
                    max_length=500,
                )
                field.source = choice.text  # type: ignore[attr-defined]
                self.fields[f"c{choice.pk}"] = field

    def translated_questions(self) -> dict[str, dict]:
        """``{question id: {"text", "explanation", "choices": {choice id: text}}}`` for the service."""
        data = self.cleaned_data
        return {
            str(q.pk): {
                "text": data.get(f"q{q.pk}", ""),
                "explanation": data.get(f"e{q.pk}", ""),
                "choices": {str(c.pk): data.get(f"c{c.pk}", "") for c in q.choices.all()},
            }
            for q in self.questions
        }

    @staticmethod
    def initial_from(translation, version: ModuleVersion) -> dict:
        """Initial values from a saved translation: of this version, or of an earlier one (then only the
        questions and choices whose English is unchanged are carried over, matched by their wording)."""
        if translation is None:
            return {}
        initial = {"title": translation.title, "summary": translation.summary, "body": translation.body}
        saved = translation.questions or {}
        if translation.version_id == version.pk:
            by_text = {}
        else:  # an earlier version: match its questions and choices to this one by their English
            earlier = translation.version.questions.prefetch_related("choices")
            by_text = {
                q.text: (saved.get(str(q.pk), {}), {c.text: str(c.pk) for c in q.choices.all()}) for q in earlier
            }
        for question in version.questions.all():
            if translation.version_id == version.pk:
                entry = saved.get(str(question.pk), {})
                choice_key = {c.pk: str(c.pk) for c in question.choices.all()}
            else:
                entry, by_choice_text = by_text.get(question.text, ({}, {}))
                choice_key = {c.pk: by_choice_text.get(c.text, "") for c in question.choices.all()}
            if entry:
                initial[f"q{question.pk}"] = entry.get("text", "")
                initial[f"e{question.pk}"] = entry.get("explanation", "")
                for choice in question.choices.all():
                    value = entry.get("choices", {}).get(choice_key[choice.pk])
                    if value:
                        initial[f"c{choice.pk}"] = value
        return initial
