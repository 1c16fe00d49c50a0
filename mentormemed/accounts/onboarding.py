"""Onboarding steps owned by accounts: agreement (R6), eligibility (R4), mentor criteria (R5)."""

from __future__ import annotations

from django.utils.translation import gettext, gettext_lazy

from mentormemed.accounts.models import ReviewStatus
from mentormemed.core.onboarding import Step, StepState, register


def agreement_state(membership) -> StepState:
    from mentormemed.accounts.services import current_agreement_versions

    versions = getattr(membership, "_agreement_versions", None)
    if versions is None:
        versions = current_agreement_versions()
    current = versions.get(membership.role)
    if current is None:
        return StepState(True, gettext("No agreement is published yet."), gettext("No agreement is published yet."))
    accepted = {(a.agreement.role, a.agreement.version) for a in membership.user.agreement_acceptances.all()}
    if (membership.role, current) in accepted:
        return StepState(
            True,
            gettext("Version %(current)s accepted.") % {"current": current},
            gettext("Accepted version %(current)s.") % {"current": current},
        )
    if any(role == membership.role for role, _ in accepted):
        return StepState(
            False,
            gettext("Version %(current)s has changed; please read and accept it again.") % {"current": current},
            gettext("Accepted an earlier version; has not accepted version %(current)s yet.") % {"current": current},
        )
    return StepState(False, gettext("Read and accept the agreement."), gettext("Has not accepted the agreement yet."))


def eligibility_state(membership) -> StepState:
    eligibility = getattr(membership, "eligibility", None)
    if eligibility is None:
        return StepState(
            False,
            gettext("Tell us which eligibility basis applies to you."),
            gettext("Has not attested an eligibility basis yet."),
        )
    if eligibility.status == ReviewStatus.REJECTED:
        return StepState(
            False,
            gettext("Not confirmed by your program office: %(review_note)s") % {"review_note": eligibility.review_note},
            gettext("Rejected by the program office: %(review_note)s") % {"review_note": eligibility.review_note},
        )
    if eligibility.status == ReviewStatus.PENDING:
        return StepState(
            True,
            gettext("Attested; awaiting confirmation by your program office."),
            gettext("Attested; waiting for your review."),
        )
    return StepState(True, gettext("Confirmed by your program office."), gettext("Attested and confirmed."))


def criteria_state(membership) -> StepState:
    active = {c.pk for c in membership.institution.criteria.all() if c.active}
    attested = {a.criterion_id: a.status for a in membership.criterion_attestations.all()}
    if not active:
        return StepState(
            True, gettext("Your institution lists no criteria."), gettext("The institution lists no criteria.")
        )
    if any(attested.get(pk) == ReviewStatus.REJECTED for pk in active):
        return StepState(
            False,
            gettext("Your program office could not confirm a criterion; contact them."),
            gettext("A criterion was not confirmed by the program office."),
        )
    if not active <= attested.keys():
        return StepState(
            False,
            gettext("Attest each minimum criterion of your institution."),
            gettext("Has not attested every minimum criterion yet."),
        )
    if all(attested[pk] == ReviewStatus.CONFIRMED for pk in active):
        return StepState(True, gettext("Confirmed by your program office."), gettext("Attested and confirmed."))
    return StepState(
        True,
        gettext("Attested; awaiting confirmation by your program office."),
        gettext("Attested; waiting for your review."),
    )


def prepare_agreements(memberships: list) -> None:
    """One query for the current versions, shared by a page of members."""
    from mentormemed.accounts.services import current_agreement_versions

    versions = current_agreement_versions()
    for membership in memberships:
        membership._agreement_versions = versions


def register_steps() -> None:
    register(
        Step(
            "agreement",
            gettext_lazy("Accept the agreement"),
            frozenset({"mentee", "mentor"}),
            agreement_state,
            "accounts:agreement",
            order=10,
            topic=gettext_lazy("Agreement"),
            prepare=prepare_agreements,
        )
    )
    register(
        Step(
            "eligibility",
            gettext_lazy("Confirm your eligibility"),
            frozenset({"mentee"}),
            eligibility_state,
            "accounts:eligibility",
            order=20,
            topic=gettext_lazy("Eligibility"),
        )
    )
    register(
        Step(
            "criteria",
            gettext_lazy("Attest the mentor criteria"),
            frozenset({"mentor"}),
            criteria_state,
            "accounts:criteria",
            order=20,
            topic=gettext_lazy("Mentor criteria"),
        )
    )
