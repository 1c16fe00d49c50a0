"""The mentee profile as a stepped form: each step saves on its own, one privacy statement per
section, "how much does sharing X matter" asked right after X, and a summary to review."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.forms import Form
from django.utils.translation import gettext_lazy

from mentormemed.core.access import Actor
from mentormemed.profiles import services
from mentormemed.profiles.forms import (
    AffinityForm,
    IdentityForm,
    MenteeProfileForm,
    NeedsForm,
    identity_dimensions,
)
from mentormemed.profiles.models import IdentityOption, MenteeProfile

ABOUT_FIELDS = ["training_level", "bio", "specialty_interests", "phone"]
PLACES_FIELDS = ["languages", "languages_shared", "home_state", "home_country", "home_shared"]
CONSENT_FIELDS = ["consent_matching", "consent_analytics", "consent_research"]
PLACE_AFFINITIES = ["language", "home_state", "home_country"]
# The "Identity" step asks these; every other question (including ones staff add) is "Background and life".
IDENTITY_KEYS = ("race_ethnicity", "gender_identity", "sexual_orientation")


def _dimensions_of(step_key: str, dimensions) -> list:
    first = step_key == "identity"
    return [d for d in dimensions if (d.key in IDENTITY_KEYS) == first]


PRIVACY_SHARED = gettext_lazy(
    "Every answer here is optional. What you mark as shared is used to suggest mentors who share it "
    "(when you consent to matching) and is seen by mentors you contact. What you keep private nobody "
    "sees and it is never used for matching. With your consent to analytics, answers count only in "
    "totals, with groups of fewer than 11 people hidden."
)


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    intro: str = ""
    privacy: str = ""


STEPS = [
    Step(
        "about",
        gettext_lazy("About you"),
        gettext_lazy("Your training level is required; the rest helps mentors know you before they answer."),
    ),
    Step(
        "needs",
        gettext_lazy("Areas of need"),
        gettext_lazy("What you want help with, most important first. Mentors are suggested for these."),
    ),
    Step("places", gettext_lazy("Languages and home"), privacy=PRIVACY_SHARED),
    Step(
        "identity",
        gettext_lazy("Identity"),
        gettext_lazy(
            "Learners often value a mentor who shares some part of who they are. Answer only what you want to."
        ),
        privacy=PRIVACY_SHARED,
    ),
    Step(
        "background",
        gettext_lazy("Background and life"),
        gettext_lazy("Family, faith, health, service and where you grew up — each optional, each asked the same way."),
        privacy=PRIVACY_SHARED,
    ),
    Step(
        "consent",
        gettext_lazy("Privacy choices"),
        gettext_lazy("Three separate choices; you can change them at any time here."),
    ),
    Step(
        "review",
        gettext_lazy("Review"),
        gettext_lazy("Everything you told us, in one place. Change any part with its Edit link."),
    ),
]
KEYS = [s.key for s in STEPS]


def step_by_key(key: str | None) -> Step | None:
    return next((s for s in STEPS if s.key == key), None)


@dataclass
class StepForms:
    """The bound forms of one step; ``save`` writes only what this step asks."""

    forms: list[Form] = field(default_factory=list)
    save: Callable[[], None] = lambda: None
    groups: list[dict] = field(default_factory=list)  # identity step: one entry per question

    def is_valid(self) -> bool:
        return all(f.is_valid() for f in self.forms)

    @property
    def errors(self) -> list[str]:
        return [e for f in self.forms for e in f.non_field_errors()]


def _weights(profile: MenteeProfile) -> dict[str, int]:
    return {a.dimension: a.weight for a in profile.affinities.all()}


def _affinity_form(data, profile, dimensions, keys) -> AffinityForm:
    weights = _weights(profile)
    return AffinityForm(
        data,
        prefix="a",
        dimensions=dimensions,
        keys=keys,
        ask=True,
        initial={f"w_{k}": weights[k] for k in keys if k in weights},
    )


def _profile_form(data, profile, only) -> MenteeProfileForm:
    return MenteeProfileForm(data, instance=profile, prefix="p", only=only)


def _save_profile(form: MenteeProfileForm, acting: Actor) -> None:
    services.mentee_profile_save(acting=acting, fields=form.model_fields(), **form.relations())


def build(step: Step, *, acting: Actor, profile: MenteeProfile, data=None) -> StepForms:
    """The forms of ``step`` for ``profile``, the acting mentee's own (bound to ``data`` on POST)."""
    dimensions = list(identity_dimensions())
    if step.key == "about":
        form = _profile_form(data, profile, ABOUT_FIELDS)
        affinity = _affinity_form(data, profile, dimensions, ["specialty"])

        def save():
            _save_profile(form, acting)
            services.mentee_affinities_set(acting=acting, weights=affinity.weights())

        return StepForms([form, affinity], save)
    if step.key == "needs":
        needs = NeedsForm(data, prefix="n", initial={f"need_{n.rank}": n.content_area_id for n in profile.needs.all()})
        return StepForms([needs], lambda: services.mentee_needs_set(acting=acting, areas=needs.cleaned_data["areas"]))
    if step.key == "places":
        form = _profile_form(data, profile, PLACES_FIELDS)
        affinity = _affinity_form(data, profile, dimensions, PLACE_AFFINITIES)

        def save():
            _save_profile(form, acting)
            services.mentee_affinities_set(acting=acting, weights=affinity.weights())

        return StepForms([form, affinity], save)
    if step.key in ("identity", "background"):
        return _identity_step(data, acting, profile, _dimensions_of(step.key, dimensions))
    if step.key == "consent":
        form = _profile_form(data, profile, CONSENT_FIELDS)
        return StepForms([form], lambda: _save_profile(form, acting))
    return StepForms()


def _identity_step(data, acting: Actor, profile: MenteeProfile, dimensions) -> StepForms:
    membership = profile.membership
    identity = IdentityForm(
        data,
        prefix="id",
        dimensions=dimensions,
        values=membership.identity_values.select_related("option"),
        who_sees="",  # said once for the whole step
    )
    affinity = _affinity_form(data, profile, dimensions, [d.key for d in dimensions])
    groups = []
    for dim in dimensions:
        names = [f"dim_{dim.key}", f"dim_{dim.key}_writein", f"dim_{dim.key}_shared"]
        groups.append(
            {
                "dimension": dim,
                "fields": [identity[n] for n in names if n in identity.fields],
                "weight": affinity[f"w_{dim.key}"],
            }
        )

    def save():
        options = {o.pk: o for o in IdentityOption.objects.all()}
        for dim, ids, write_in, shared in identity.answers():
            services.identity_set(
                acting=acting,
                dimension=dim,
                options=[options[i] for i in ids if i in options],
                write_in=write_in,
                shared=shared,
            )
        services.mentee_affinities_set(acting=acting, weights=affinity.weights())

    return StepForms([identity, affinity], save, groups)


def save(step_forms: StepForms) -> None:
    with transaction.atomic():
        step_forms.save()


def next_step(step: Step) -> Step:
    return STEPS[min(KEYS.index(step.key) + 1, len(STEPS) - 1)]


def previous_step(step: Step) -> Step | None:
    index = KEYS.index(step.key)
    return STEPS[index - 1] if index else None


# ---------------------------------------------------------------- progress and summary


def answered(profile: MenteeProfile) -> dict[str, bool]:
    """Which steps hold an answer (the step list ticks them)."""
    weights = _weights(profile)
    return {
        "about": bool(profile.training_level),
        "needs": profile.needs.exists(),
        "places": profile.languages.exists()
        or bool(profile.home_state_id or profile.home_country_id)
        or any(k in weights for k in PLACE_AFFINITIES),
        "identity": _identity_answered(profile, weights, "identity"),
        "background": _identity_answered(profile, weights, "background"),
        "consent": profile.consent_matching or profile.consent_analytics or profile.consent_research,
        "review": False,
    }


def _identity_answered(profile: MenteeProfile, weights: dict[str, int], step_key: str) -> bool:
    keys = {d.key for d in _dimensions_of(step_key, identity_dimensions())}
    return (
        any(k in weights for k in keys)
        or profile.membership.identity_values.filter(option__dimension__key__in=keys).exists()
    )


def first_open_step(profile: MenteeProfile) -> Step:
    """Where to start: the review once the profile is complete, else the first required step missing."""
    if profile.is_complete:
        return step_by_key("review")
    done = answered(profile)
    return next((s for s in STEPS[:2] if not done[s.key]), STEPS[0])


WEIGHT_WORDS = {0: "not at all", 1: "a little", 2: "somewhat", 3: "a lot"}


def summary(profile: MenteeProfile) -> list[dict]:
    """The review page: each step's answers as (question, answer) rows."""
    weights = _weights(profile)
    dimensions = list(identity_dimensions())

    def matters(key: str) -> str:
        return WEIGHT_WORDS[weights[key]] if key in weights else "not answered"

    def names(qs) -> str:
        return ", ".join(str(x) for x in qs) or "—"

    values: dict[int, list] = {}
    for v in profile.membership.identity_values.select_related("option"):
        values.setdefault(v.option.dimension_id, []).append(v)

    def identity_rows(step_key: str) -> list[tuple[str, str]]:
        rows = []
        for dim in _dimensions_of(step_key, dimensions):
            mine = values.get(dim.pk, [])
            answer = ", ".join(v.write_in or v.option.name for v in mine) or "no answer"
            if mine:
                answer += " (shared)" if any(v.shared for v in mine) else " (private)"
            rows.append((dim.name, f"{answer} · a mentor sharing it matters: {matters(dim.key)}"))
        return rows

    return [
        {
            "step": step_by_key("about"),
            "rows": [
                ("Training level", profile.get_training_level_display() or "not answered"),
                ("About you", profile.bio or "—"),
                (
                    "Specialty interests",
                    f"{names(profile.specialty_interests.all())} · "
                    f"a mentor in one of them matters: {matters('specialty')}",
                ),
                ("Phone", profile.phone or "—"),
            ],
        },
        {
            "step": step_by_key("needs"),
            "rows": [(f"{n.rank}.", n.content_area.name) for n in profile.needs.select_related("content_area")]
            or [("Areas of need", "none yet")],
        },
        {
            "step": step_by_key("places"),
            "rows": [
                (
                    "Languages",
                    f"{names(profile.languages.all())} ({'shared' if profile.languages_shared else 'private'}) · "
                    f"a mentor speaking one matters: {matters('language')}",
                ),
                (
                    "Home",
                    f"{', '.join(str(r) for r in (profile.home_state, profile.home_country) if r) or '—'} "
                    f"({'shared' if profile.home_shared else 'private'}) · a mentor from your state matters: "
                    f"{matters('home_state')}; from your country: {matters('home_country')}",
                ),
            ],
        },
        {"step": step_by_key("identity"), "rows": identity_rows("identity")},
        {"step": step_by_key("background"), "rows": identity_rows("background")},
        {
            "step": step_by_key("consent"),
            "rows": [
                ("Use shared characteristics to suggest mentors", "yes" if profile.consent_matching else "no"),
                ("Count in aggregate program analytics", "yes" if profile.consent_analytics else "no"),
                ("De-identified data in approved research", "yes" if profile.consent_research else "no"),
            ],
        },
    ]
