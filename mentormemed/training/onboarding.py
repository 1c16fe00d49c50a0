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


def _completion_changed(sender, instance, **kwargs) -> None:
    from mentormemed.profiles.readiness import refresh_readiness

    refresh_readiness(membership_ids=[instance.membership_id])


def _module_changed(sender, instance, **kwargs) -> None:
    """Published, retired, required or not, a new current version: any mentor's gate may change."""
    from mentormemed.profiles.readiness import refresh_readiness

    refresh_readiness()


def keep_readiness() -> None:
    """Training owns the facts of R7's gate, so it keeps the profiles' copy (``profiles.readiness``)
    current: on every saved or deleted completion and module, and in the sweep as a repair."""
    from django.db.models.signals import post_delete, post_save

    from mentormemed.core.periodic import register_job
    from mentormemed.profiles.readiness import repair_readiness
    from mentormemed.training.models import Completion, Module

    for signal in (post_save, post_delete):
        signal.connect(_completion_changed, sender=Completion, dispatch_uid=f"readiness-completion-{signal}")
        signal.connect(_module_changed, sender=Module, dispatch_uid=f"readiness-module-{signal}")
    register_job("mentor_readiness", repair_readiness)


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
