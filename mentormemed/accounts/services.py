"""Every write about people: accounts from invitations, agreements, eligibility, criteria."""

from __future__ import annotations

from typing import TYPE_CHECKING

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext

from mentormemed.accounts.invitations import invitations
from mentormemed.accounts.models import Agreement, AgreementAcceptance, MenteeEligibility, ReviewStatus, User
from mentormemed.core.access import Actor
from mentormemed.core.audit import audit
from mentormemed.core.timezones import is_zone

if TYPE_CHECKING:
    from mentormemed.institutions.models import Membership

SETTINGS_FIELDS = ("first_name", "last_name", "preferred_name", "pronouns", "time_zone", "language")


def account_settings_save(*, acting: Actor, **fields: str) -> list[str]:  # SETTINGS_FIELDS
    """Save a person's own name, pronouns and time zone; returns the fields that changed."""
    user = acting.person
    assert user is not None  # a signed-in person's own settings
    if "time_zone" in fields and not is_zone(fields["time_zone"]):
        raise ValidationError(gettext("Choose a time zone from the list."))
    if "language" in fields and fields["language"] not in dict(settings.LANGUAGES):
        raise ValidationError(gettext("Choose a language from the list."))
    if (
        not str(fields.get("first_name", user.first_name)).strip()
        or not str(fields.get("last_name", user.last_name)).strip()
    ):
        raise ValidationError(gettext("Your first and last name are needed."))
    changed = []
    for name in SETTINGS_FIELDS:
        if name in fields:
            value = str(fields[name]).strip()
            if getattr(user, name) != value:
                setattr(user, name, value)
                changed.append(name)
    if changed:
        user.save(update_fields=changed)
    return changed


@transaction.atomic
def account_create_from_invitation(
    *, token: str, first_name: str, last_name: str, password: str
) -> tuple[User, Membership]:
    """Create a verified account for the invited address and accept the invitation.

    Opening the e-mailed link proves control of the address, so it is stored as
    verified (allauth's ``EmailAddress``).
    """
    invitation = invitations().by_token(token)
    problem = invitations().problem(invitation)
    if problem:
        raise ValidationError(problem)
    assert invitation is not None  # a missing invitation is a problem (above)
    User = get_user_model()
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise ValidationError(gettext("An account with this e-mail already exists. Sign in to accept the invitation."))
    user = User(
        email=invitation.email.lower(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        time_zone=invitation.institution.time_zone,
        # the language the invitation page was read in (the browser's) until they choose another
        language=translation.get_supported_language_variant(translation.get_language() or settings.LANGUAGE_CODE),
    )
    validate_password(password, user)
    user.set_password(password)
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    membership = invitations().accept(token=token, acting=Actor.for_user(user))
    return user, membership


def current_agreement(role: str) -> Agreement | None:
    return Agreement.objects.filter(role=role).order_by("-version").first()


def current_agreement_versions() -> dict[str, int]:
    """Current version number per role, in one query."""
    rows = Agreement.objects.values("role").annotate(v=Max("version"))
    return {row["role"]: row["v"] for row in rows}


@transaction.atomic
def agreement_publish(*, acting: Actor, role: str, title: str, body: str) -> Agreement:
    """R6: a new version; everyone in the role must accept it before their next request."""
    actor = acting.person
    if not body.strip():
        raise ValidationError(gettext("The agreement text cannot be empty."))
    latest = Agreement.objects.select_for_update().filter(role=role).order_by("-version").first()
    agreement = Agreement.objects.create(
        role=role,
        version=(latest.version + 1) if latest else 1,
        title=title.strip(),
        body=body.strip(),
        published_at=timezone.now(),
        published_by=actor,
    )
    audit(acting=acting, action="agreement.publish", obj=agreement, detail={"role": role, "version": agreement.version})
    return agreement


@transaction.atomic
def agreement_accept(*, acting: Actor, agreement: Agreement) -> AgreementAcceptance:
    user = acting.person
    if agreement != current_agreement(agreement.role):
        raise ValidationError(gettext("A newer version of this agreement exists; please read and accept that one."))
    acceptance, _ = AgreementAcceptance.objects.get_or_create(
        user=user, agreement=agreement, defaults={"accepted_at": timezone.now()}
    )
    return acceptance


@transaction.atomic
def eligibility_attest(
    *, acting: Actor, urim: bool, first_generation: bool, economically_disadvantaged: bool
) -> MenteeEligibility:
    """R4: the mentee attests at least one basis; a change goes back to the admin for review."""
    membership = acting.own_membership("onboarding.eligibility")
    if not (urim or first_generation or economically_disadvantaged):
        raise ValidationError(gettext("Choose at least one basis of eligibility."))
    eligibility, _ = MenteeEligibility.objects.update_or_create(
        membership=membership,
        defaults={
            "urim": urim,
            "first_generation": first_generation,
            "economically_disadvantaged": economically_disadvantaged,
            "attested_at": timezone.now(),
            "status": ReviewStatus.PENDING,
            "reviewed_by": None,
            "reviewed_at": None,
            "review_note": "",
        },
    )
    return eligibility


@transaction.atomic
def criteria_attest(*, acting: Actor, criterion_ids: set[int]) -> int:
    """R5: the mentor attests every active criterion of their institution."""
    membership = acting.own_membership("onboarding.criteria")
    active = set(membership.institution.criteria.filter(active=True).values_list("pk", flat=True))
    if not active:
        return 0
    if criterion_ids != active:
        raise ValidationError(
            gettext("Attest every criterion to continue; ask your program office if one does not apply.")
        )
    now = timezone.now()
    for pk in active:
        membership.criterion_attestations.update_or_create(  # institutions' MentorCriterionAttestation
            criterion_id=pk,
            defaults={"attested_at": now, "status": ReviewStatus.PENDING, "reviewed_by": None, "reviewed_at": None},
        )
    return len(active)
