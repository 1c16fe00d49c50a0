"""Profile forms. Demographic questions use the standards' wording (OMB SPD-15, NASEM 2022),
each optional, each with a plain statement of who sees the answer and why."""

from __future__ import annotations

from django import forms
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils.translation import gettext, gettext_lazy

from mentormemed.profiles.models import (
    ContentArea,
    IdentityDimension,
    IdentityOption,
    Language,
    MenteeProfile,
    MentorProfile,
    Region,
    Specialty,
)

BIO_PROMPTS = gettext_lazy(
    "A few prompts: What path led you to medicine? Which moments of training do you remember helping with? "
    "What can a mentee expect from you, and what do you hope they bring?"
)
WHO_SEES_MENTOR = gettext_lazy(
    "Optional. If you share it, mentees of the institutions that can find you (your scope) see it on your "
    "profile and can search by it, so learners who value this affinity can find you. If you keep it private, "
    "nobody sees it and it never changes any search result, count or recommendation. Your institution and "
    "researchers only ever see totals of shared answers, with small groups suppressed."
)
SHARED_SHORT = gettext_lazy(
    "Shared: shown on your profile and searchable by the mentees who can find you. Private: used nowhere."
)
WEIGHT_CHOICES = [
    (0, gettext_lazy("Not at all")),
    (1, gettext_lazy("A little")),
    (2, gettext_lazy("Somewhat")),
    (3, gettext_lazy("A lot")),
]
EXTRA_AFFINITIES = [
    ("language", "Speaking a language I speak"),
    ("home_state", "Being from my home state"),
    ("home_country", "Being from my home country"),
    ("specialty", "Working in a specialty I am interested in"),
]


def grouped_specialties(queryset):
    """Each specialty followed by its subspecialties, alphabetically."""
    return (
        queryset.select_related("parent")
        .annotate(group=Coalesce("parent__name", "name"))
        .order_by("group", F("parent").asc(nulls_first=True), "name")
    )


def _specialty_choices():
    return grouped_specialties(Specialty.objects.filter(active=True))


class SpecialtyChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.parent.name} — {obj.name}" if obj.parent_id else obj.name


class MentorProfileForm(forms.ModelForm):
    specialties = SpecialtyChoiceField(
        queryset=Specialty.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Tick your specialty and any subspecialties."),
    )
    content_areas = forms.ModelMultipleChoiceField(
        queryset=ContentArea.objects.filter(active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Areas you offer help with"),
    )
    languages = forms.ModelMultipleChoiceField(
        queryset=Language.objects.filter(active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Languages you can mentor in"),
    )
    capacity = forms.TypedChoiceField(
        choices=[(1, "1"), (2, "2"), (3, "3")],
        coerce=int,
        label=gettext_lazy("How many mentees at once (at most 3)"),
    )
    photo_upload = forms.FileField(
        required=False,
        label=gettext_lazy("Photo"),
        help_text=gettext_lazy("Optional. JPEG, PNG or WebP, at most 2 MB."),
    )
    photo_remove = forms.BooleanField(required=False, label=gettext_lazy("Remove my current photo"))

    class Meta:
        model = MentorProfile
        fields = [
            "bio",
            "academic_rank",
            "title",
            "specialties",
            "content_areas",
            "languages",
            "native_language",
            "languages_shared",
            "home_state",
            "home_country",
            "home_shared",
            "scope",
            "offers_mentoring",
            "offers_sponsorship",
            "capacity",
            "accepting_new",
            "availability_statement",
            "search_consent",
        ]
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 6}),
            "scope": forms.RadioSelect,
        }
        labels = {
            "academic_rank": "Academic rank",
            "title": "Title or position",
            "languages_shared": "Share my languages (shown and searchable)",
            "home_shared": "Share my home state and country (shown and searchable)",
            "scope": "Who can find you",
            "offers_mentoring": "I offer mentoring",
            "offers_sponsorship": "I act as a sponsor (I put mentees forward for opportunities)",
            "accepting_new": "I am accepting new mentees",
            "availability_statement": "Availability",
            "search_consent": "I consent to be listed in the mentor search",
        }
        help_texts = {
            "bio": BIO_PROMPTS,
            "academic_rank": "For example Assistant Professor, Associate Professor, Professor, Clinical Instructor.",
            "availability_statement": "A sentence mentees read before asking, e.g. “Two video calls a month, "
            "weekday evenings Central time; I answer messages within two days.”",
            "search_consent": "Mentees can find you only when your profile is complete and this is ticked.",
            "languages_shared": SHARED_SHORT,
            "home_shared": SHARED_SHORT,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specialties"].queryset = _specialty_choices()
        self.fields["home_state"].queryset = Region.objects.filter(kind="state", active=True)
        self.fields["home_country"].queryset = Region.objects.filter(kind="country", active=True)
        self.fields["native_language"].queryset = Language.objects.filter(active=True)
        self.fields["home_state"].label = "Home state (where you grew up)"
        self.fields["home_country"].label = "Home country"

    def model_fields(self) -> dict:
        skip = {"specialties", "content_areas", "languages", "photo_upload", "photo_remove"}
        return {k: v for k, v in self.cleaned_data.items() if k not in skip}


class MenteeProfileForm(forms.ModelForm):
    specialty_interests = SpecialtyChoiceField(
        queryset=Specialty.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Tick as many as you like."),
    )
    languages = forms.ModelMultipleChoiceField(
        queryset=Language.objects.filter(active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Languages you speak"),
    )

    class Meta:
        model = MenteeProfile
        fields = [
            "training_level",
            "bio",
            "specialty_interests",
            "languages",
            "languages_shared",
            "home_state",
            "home_country",
            "home_shared",
            "phone",
            "consent_matching",
            "consent_analytics",
            "consent_research",
        ]
        widgets = {"bio": forms.Textarea(attrs={"rows": 4})}
        labels = {
            "bio": "About you",
            "languages_shared": "Share my languages (used for matching; seen by mentors I contact)",
            "home_shared": "Share my home state and country (used for matching; seen by mentors I contact)",
            "phone": "Phone",
            "consent_matching": "Use the characteristics I share to suggest mentors",
            "consent_analytics": "Count my answers in aggregate program analytics (small groups suppressed)",
            "consent_research": "My de-identified data may be used in approved research",
        }
        help_texts = {
            "bio": "Optional: what you hope to get from mentorship. Mentors read this before answering a request.",
            "phone": "Optional. Only mentors you are in a mentorship with see it, on your mentorship page.",
        }

    def __init__(self, *args, only: list[str] | None = None, **kwargs):
        """``only``: the fields of one step of the stepped profile (the others are left unchanged)."""
        super().__init__(*args, **kwargs)
        self.fields["specialty_interests"].queryset = _specialty_choices()
        self.fields["training_level"].required = True
        self.fields["home_state"].queryset = Region.objects.filter(kind="state", active=True)
        self.fields["home_country"].queryset = Region.objects.filter(kind="country", active=True)
        if only is not None:
            for name in set(self.fields) - set(only):
                del self.fields[name]

    def model_fields(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in {"specialty_interests", "languages"}}

    def relations(self) -> dict:
        """The many-to-many answers this form holds (None: not part of this step, left unchanged)."""
        return {
            name: self.cleaned_data.get(name) if name in self.fields else None
            for name in ("specialty_interests", "languages")
        }


class NeedsForm(forms.Form):
    """Ranked areas of need: first choice is the most important."""

    SLOTS = 5
    ORDINALS = [
        gettext_lazy("Most important area of need"),
        gettext_lazy("Second area of need"),
        gettext_lazy("Third area of need"),
        gettext_lazy("Fourth area of need"),
        gettext_lazy("Fifth area of need"),
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        areas = ContentArea.objects.filter(active=True)
        for i in range(self.SLOTS):
            self.fields[f"need_{i + 1}"] = forms.ModelChoiceField(
                queryset=areas,
                required=i == 0,
                label=self.ORDINALS[i],
                empty_label=gettext("— none —"),
            )

    def clean(self):
        data = super().clean()
        chosen = [data.get(f"need_{i + 1}") for i in range(self.SLOTS)]
        chosen = [c for c in chosen if c]
        if len(set(chosen)) != len(chosen):
            raise forms.ValidationError(gettext("Each area of need can appear only once."))
        data["areas"] = chosen
        return data


ASK_EXTRA = {
    "language": "How much does it matter to you that a mentor speaks a language you speak?",
    "home_state": "How much does it matter to you that a mentor is from your home state?",
    "home_country": "How much does it matter to you that a mentor is from your home country?",
    "specialty": "How much does it matter to you that a mentor works in a specialty you are interested in?",
}


def affinity_rows(dimensions) -> list[tuple[str, str]]:
    """(key, label) of every "how much does sharing X matter" question."""
    return [(d.key, f"Sharing my {d.name.lower()}") for d in dimensions] + EXTRA_AFFINITIES


class AffinityForm(forms.Form):
    """How much sharing each characteristic with a mentor matters (0–3).

    ``keys`` keeps only some questions (a step of the stepped profile asks each one right after
    the characteristic it is about); ``ask`` words them as a question instead of a row label."""

    def __init__(self, *args, dimensions, keys: list[str] | None = None, ask: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        rows = affinity_rows(dimensions)
        if keys is not None:
            rows = [(k, label) for k, label in rows if k in keys]
        for key, label in rows:
            if ask:
                label = ASK_EXTRA.get(key) or f"How much does it matter to you that a mentor shares your {label[11:]}?"
            self.fields[f"w_{key}"] = forms.TypedChoiceField(
                choices=WEIGHT_CHOICES,
                coerce=int,
                initial=0,
                required=False,
                empty_value=0,
                widget=forms.RadioSelect,
                label=label,
            )

    def weights(self) -> dict[str, int]:
        return {name[2:]: value for name, value in self.cleaned_data.items()}


class IdentityForm(forms.Form):
    """Self-description per dimension, each optional, shared or private (R8)."""

    def __init__(self, *args, dimensions, values, who_sees: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.dimensions = list(dimensions)
        by_dim: dict[int, list] = {}
        for value in values:
            by_dim.setdefault(value.option.dimension_id, []).append(value)
        for dim in self.dimensions:
            options = [o for o in dim.options.all() if o.active]
            choices = [(o.pk, ("— " if o.parent_id else "") + o.name) for o in options]
            current = by_dim.get(dim.pk, [])
            if dim.multiple:
                field = forms.TypedMultipleChoiceField(
                    choices=choices, coerce=int, required=False, widget=forms.CheckboxSelectMultiple
                )
                field.initial = [v.option_id for v in current]
            else:
                field = forms.TypedChoiceField(
                    choices=[("", gettext("No answer")), *choices],
                    coerce=int,
                    empty_value=None,
                    required=False,
                    widget=forms.RadioSelect,
                )
                field.initial = current[0].option_id if current else ""
            field.label = dim.question
            field.help_text = f"Source: {dim.source}" if dim.source else ""
            self.fields[f"dim_{dim.key}"] = field
            if any(o.write_in for o in options):
                self.fields[f"dim_{dim.key}_writein"] = forms.CharField(
                    required=False,
                    max_length=200,
                    label=gettext("%(name)s: your own words (for the “write in” answers)") % {"name": dim.name},
                    initial=next((v.write_in for v in current if v.write_in), ""),
                )
            self.fields[f"dim_{dim.key}_shared"] = forms.BooleanField(
                required=False,
                label=gettext("Share my answer about %(lower)s") % {"lower": dim.name.lower()},
                help_text=who_sees,
                initial=any(v.shared for v in current),
            )

    def answers(self):
        """(dimension, option ids, write-in, shared) for each dimension."""
        for dim in self.dimensions:
            raw = self.cleaned_data.get(f"dim_{dim.key}")
            ids = raw if isinstance(raw, list) else ([raw] if raw else [])
            yield (
                dim,
                ids,
                self.cleaned_data.get(f"dim_{dim.key}_writein", ""),
                self.cleaned_data.get(f"dim_{dim.key}_shared", False),
            )


def identity_dimensions():
    return IdentityDimension.objects.filter(active=True).prefetch_related("options")


class TaxonomyAddForm(forms.Form):
    """Staff add one value to a taxonomy list; only the fields that list needs are shown."""

    name = forms.CharField(max_length=200, label=gettext_lazy("Name"))
    parent = forms.ModelChoiceField(queryset=Specialty.objects.none(), required=False)
    dimension = forms.ModelChoiceField(
        queryset=IdentityDimension.objects.order_by("position"), required=False, label=gettext_lazy("Identity question")
    )
    region_kind = forms.ChoiceField(choices=Region.Kind.choices, required=False, label=gettext_lazy("Kind of place"))
    code = forms.CharField(
        max_length=10,
        required=False,
        label=gettext_lazy("Code"),
        help_text=gettext_lazy("e.g. NM for New Mexico, MX for Mexico."),
    )

    def __init__(self, *args, list_key: str, **kwargs):
        super().__init__(*args, **kwargs)
        keep = {"name"}
        if list_key == "specialties":
            keep.add("parent")
            self.fields["parent"].queryset = Specialty.objects.filter(parent__isnull=True).order_by("name")
            self.fields["parent"].label = "Specialty it belongs to"
            self.fields["parent"].empty_label = "— none: a specialty of its own —"
        elif list_key == "identity":
            keep |= {"dimension", "parent"}
            self.fields["parent"].queryset = IdentityOption.objects.filter(parent__isnull=True).select_related(
                "dimension"
            )
            self.fields["parent"].label = "Broader answer it details"
            self.fields["parent"].empty_label = "— none: a broad answer —"
            self.fields["parent"].label_from_instance = lambda o: f"{o.dimension.name}: {o.name}"
            self.fields["dimension"].required = True
        elif list_key == "regions":
            keep |= {"region_kind", "code"}
            self.fields["region_kind"].required = True
            self.fields["code"].required = True
        for name in set(self.fields) - keep:
            del self.fields[name]
