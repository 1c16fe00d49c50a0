"""The training onboarding step (R7): every required module attested in its current version."""

from __future__ import annotations

from django.utils.translation import gettext, gettext_lazy

from mentormemed.core.onboarding import Step, StepState, register


def training_state(membership) -> StepState:
    """Done when nothing required is missing; the detail names what is.

    Member lists call ``prepare_training`` first (via ``core.onboarding.prepare_checklists``)
    so a page of members costs two queries, not one per row.
    """
    from mentormemed.training.selectors import missing_required_modules

    missing = getattr(membership, "_training_missing", None)
    if missing is None:
        missing = missing_required_modules(membership=membership)
    if not missing:
        return StepState(
            True,
            gettext("Every required module is completed and attested."),
            gettext("Every required module attested."),
        )
    titles = "; ".join(f"“{m.title}”" for m in missing)
    return StepState(
        False,
        gettext("Still to complete and attest: %(titles)s.") % {"titles": titles},
        gettext("Not yet attested: %(titles)s.") % {"titles": titles},
    )


def prepare_training(memberships: list) -> None:
    from mentormemed.training.selectors import missing_by_membership

    missing = missing_by_membership(memberships)
    for membership in memberships:
        membership._training_missing = missing.get(membership.pk, [])


def _unready(role: str):
    from mentormemed.training.selectors import memberships_missing_training

    return memberships_missing_training(role)


def register_steps() -> None:
    register(
        Step(
            "training",
            gettext_lazy("Complete your required training"),
            frozenset({"mentee", "mentor"}),
            training_state,
            "training:modules",
            order=40,
            topic=gettext_lazy("Required training"),
            prepare=prepare_training,
            unready=_unready,
        )
    )
