"""The "profile" onboarding step and a home-page panel with the completeness meter."""

from __future__ import annotations

from django.utils.translation import gettext, gettext_lazy

from mentormemed.core.dashboard import Panel, register_panel
from mentormemed.core.onboarding import Step, StepState, register

_UNSET = object()


def _profile_of(membership):
    """The member's profile, from ``prepare_profiles`` when a list page loaded them in bulk."""
    from mentormemed.profiles.models import MenteeProfile, MentorProfile

    cached = getattr(membership, "_profile", _UNSET)
    if cached is not _UNSET:
        return cached
    model = MentorProfile if membership.role == "mentor" else MenteeProfile
    return model.objects.filter(membership=membership).first()


def prepare_profiles(memberships: list) -> None:
    """Bulk-load profiles with the counts the completeness check needs (a few queries per page)."""
    from django.db.models import Count

    from mentormemed.profiles.models import MenteeProfile, MentorProfile

    ids = [m.pk for m in memberships]
    mentors = MentorProfile.objects.filter(membership_id__in=ids).annotate(
        n_specialties=Count("specialties", distinct=True),
        n_areas=Count("content_areas", distinct=True),
        n_languages=Count("languages", distinct=True),
    )
    mentees = MenteeProfile.objects.filter(membership_id__in=ids).annotate(
        n_needs=Count("needs", distinct=True), n_affinities=Count("affinities", distinct=True)
    )
    by_membership = {p.membership_id: p for p in [*mentors, *mentees]}
    for membership in memberships:
        profile = by_membership.get(membership.pk)
        membership._profile = profile if profile is not None and _role_matches(profile, membership) else None


def _role_matches(profile, membership) -> bool:
    from mentormemed.profiles.models import MentorProfile

    return isinstance(profile, MentorProfile) == (membership.role == "mentor")


def profile_state(membership) -> StepState:
    from mentormemed.profiles.completeness import mentee_completeness, mentor_completeness

    if membership.role == "mentor":
        profile = _profile_of(membership)
        if profile is None:
            return StepState(
                False, gettext("Complete your profile so mentees can find you."), gettext("Has not started a profile.")
            )
        meter = mentor_completeness(profile)
        if not meter.complete:
            return _incomplete(meter)
        if not profile.search_consent:
            return StepState(
                True,
                gettext("Complete, but hidden: consent to be listed in the search so mentees can find you."),
                gettext("Complete, but not listed in the search (no consent yet)."),
            )
        return StepState(
            True, gettext("Complete; mentees can find you."), gettext("Complete and listed in the search.")
        )
    profile = _profile_of(membership)
    if profile is None:
        return StepState(
            False,
            gettext("Tell us your areas of need and what matters to you in a mentor."),
            gettext("Has not started a profile."),
        )
    meter = mentee_completeness(profile)
    if not meter.complete:
        return _incomplete(meter)
    return StepState(True, gettext("Complete."), gettext("Complete."))


def _incomplete(meter) -> StepState:
    missing = meter.missing[0].lower()
    return StepState(
        False,
        gettext("%(percent)s%% complete: %(missing)s is still missing.")
        % {"percent": meter.percent, "missing": missing},
        gettext("%(percent)s%% complete; missing: %(missing)s.") % {"percent": meter.percent, "missing": missing},
    )


def register_steps() -> None:
    # Part of the request gate (R6, R7): a mentee's needs and a mentor's offer are what a
    # request is about. A mentor is also unsearchable until complete and consented (R8).
    register(
        Step(
            "profile",
            gettext_lazy("Complete your profile"),
            frozenset({"mentee", "mentor"}),
            profile_state,
            "profiles:me",
            order=30,
            topic=gettext_lazy("Profile"),
            prepare=prepare_profiles,
        )
    )


@register_panel
def profile_panel(request) -> Panel | None:
    actor = getattr(request, "actor", None)
    if actor is None or actor.role not in ("mentee", "mentor") or actor.membership is None:
        return None
    state = profile_state(actor.membership)
    if state.done and actor.role == "mentor":
        return None
    if state.done:
        return Panel(gettext("Mentors for you"), "matching/panels/recommend.html", {}, order=20)
    return Panel(gettext("Your profile"), "profiles/panels/profile.html", {"detail": state.detail}, order=15)
