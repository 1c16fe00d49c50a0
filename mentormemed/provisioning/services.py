"""Every write about provisioning: SCIM tokens, SCIM users and groups, and the memberships they
imply (R33). A deactivated or deleted user's memberships end at once with reason "left" (history
kept, R1); a reactivated one gets them back as new memberships."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from mentormemed.core.access import Actor
from mentormemed.core.audit import audit
from mentormemed.core.tokens import hash_token, new_token
from mentormemed.core.types import JSONDict
from mentormemed.institutions.models import EndReason, Institution, Membership, MembershipStatus
from mentormemed.institutions.services import membership_set_status
from mentormemed.provisioning.models import ScimGroup, ScimToken, ScimUser

if TYPE_CHECKING:
    from mentormemed.accounts import models as accounts
    from mentormemed.accounts.models import User

TOKEN_PREFIX = "mmm_scim_"
SCIM_ROLES = ("mentor", "mentee")  # admins are appointed in the product, never by a directory
ROLE_WORDS = {"mentor": ("mentor", "faculty"), "mentee": ("mentee", "student", "learner", "resident", "trainee")}


# ------------------------------------------------------------------ tokens


@dataclass(frozen=True)
class IssuedToken:
    token: ScimToken
    secret: str  # shown once, never stored


@transaction.atomic
def scim_token_create(*, acting: Actor, institution: Institution, label: str) -> IssuedToken:
    actor = acting.person
    label = label.strip()
    if not label:
        raise ValidationError(gettext("Name the token after the system that will use it, e.g. “Okta production”."))
    secret = TOKEN_PREFIX + new_token()
    token = ScimToken.objects.create(
        institution=institution,
        label=label[:100],
        token_hash=hash_token(secret),
        prefix=secret[: len(TOKEN_PREFIX) + 3],
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit(acting=acting, action="scim_token.create", obj=token, institution=institution, actor_role="admin")
    return IssuedToken(token, secret)


@transaction.atomic
def scim_token_revoke(*, acting: Actor, token: ScimToken) -> bool:
    revoked = ScimToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if revoked:
        audit(acting=acting, action="scim_token.revoke", obj=token, institution=token.institution, actor_role="admin")
    return bool(revoked)


def scim_token_authenticate(secret: str) -> ScimToken | None:
    """The live token with this secret, or None. Marks it used (at most once a minute)."""
    if not secret:
        return None
    token = (
        ScimToken.objects.select_related("institution")
        .filter(token_hash=hash_token(secret), revoked_at__isnull=True)
        .first()
    )
    if token is not None:
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ScimToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


# ------------------------------------------------------------------ users


@dataclass(frozen=True)
class UserFields:
    """What we read out of a SCIM User document (views.py parses it with scim2-models)."""

    user_name: str
    external_id: str = ""
    email: str = ""
    given_name: str = ""
    family_name: str = ""
    display_name: str = ""
    active: bool = True
    roles: frozenset[str] = frozenset()

    @property
    def address(self) -> str:
        """The e-mail that names the person's account: the primary e-mail, else an e-mail-like userName."""
        for candidate in (self.email, self.user_name):
            try:
                validate_email(candidate)
            except ValidationError:
                continue
            return candidate.lower()
        return ""


class Conflict(Exception):
    """SCIM 409 uniqueness: the message says which value is taken."""


def _account_for(scim_user: ScimUser, fields: UserFields) -> User | None:
    """Link the SCIM user to the account with its address (creating one, verified: the directory vouches)."""
    address = fields.address
    if not address:
        return scim_user.user
    User = get_user_model()
    user: accounts.User | None  # (``User`` here is the model class from get_user_model)
    if scim_user.user is not None:
        user = scim_user.user
        _follow_email(user, address, scim_user.institution)
        return user
    user = User.objects.filter(email__iexact=address).first()
    if user is None:
        user = User(
            email=address,
            first_name=fields.given_name,
            last_name=fields.family_name,
            time_zone=scim_user.institution.time_zone,
        )
        user.set_unusable_password()  # they sign in through the campus login (or set one by reset)
        user.save()
        EmailAddress.objects.create(user=user, email=address, verified=True, primary=True)
    return user


def _follow_email(user: User, address: str, institution: Institution) -> None:
    """The SCIM id is the stable identifier: a changed address follows it — unless another account
    uses it, or the person also belongs to another institution (whose directory we do not overrule)."""
    if address == user.email.lower():
        return
    User = get_user_model()
    elsewhere = (
        Membership.objects.filter(user=user).exclude(status=MembershipStatus.ENDED).exclude(institution=institution)
    )
    if User.objects.filter(email__iexact=address).exclude(pk=user.pk).exists() or elsewhere.exists():
        return
    old = user.email
    user.email = address
    user.save(update_fields=["email"])
    EmailAddress.objects.filter(user=user).update(primary=False)
    EmailAddress.objects.update_or_create(
        user=user, email__iexact=address, defaults={"email": address, "verified": True, "primary": True}
    )
    audit(
        actor=None,
        action="scim.email_changed",
        obj=user,
        institution=institution,
        actor_role="scim",
        detail={"from": old, "to": address},
    )


def _check_unique_user_name(institution: Institution, user_name: str, exclude_pk: int | None = None) -> None:
    # ``pk=None`` (a user being created) excludes nothing, as Django means it; the stubs want a value.
    taken = ScimUser.objects.filter(institution=institution, user_name__iexact=user_name).exclude(pk=exclude_pk)  # type: ignore[misc]
    if taken.exists():
        raise Conflict(f"userName “{user_name}” is already used by another user of this institution.")


def _apply(scim_user: ScimUser, fields: UserFields, document: JSONDict) -> None:
    scim_user.user_name = fields.user_name
    scim_user.external_id = fields.external_id
    scim_user.email = fields.email.lower()
    scim_user.given_name = fields.given_name
    scim_user.family_name = fields.family_name
    scim_user.display_name = fields.display_name
    scim_user.active = fields.active
    scim_user.document = document
    scim_user.updated_at = timezone.now()


@transaction.atomic
def scim_user_create(*, institution: Institution, fields: UserFields, document: JSONDict) -> ScimUser:
    if not fields.user_name.strip():
        raise ValidationError(gettext("userName is required."))
    _check_unique_user_name(institution, fields.user_name)
    scim_user = ScimUser(institution=institution)
    _apply(scim_user, fields, document)
    user = _account_for(scim_user, fields)
    if user is not None and ScimUser.objects.filter(institution=institution, user=user).exists():
        raise Conflict(f"{user.email} is already provisioned as another user of this institution.")
    scim_user.user = user
    scim_user.save()
    audit(
        actor=None,
        action="scim.user_create",
        obj=scim_user,
        institution=institution,
        actor_role="scim",
        detail={"userName": fields.user_name, "active": fields.active},
    )
    sync_roles(scim_user=scim_user, roles=fields.roles)
    return scim_user


@transaction.atomic
def scim_user_replace(*, scim_user: ScimUser, fields: UserFields, document: JSONDict) -> ScimUser:
    scim_user = ScimUser.objects.select_for_update().get(pk=scim_user.pk)
    if not fields.user_name.strip():
        raise ValidationError(gettext("userName is required."))
    _check_unique_user_name(scim_user.institution, fields.user_name, exclude_pk=scim_user.pk)
    was_active = scim_user.active
    _apply(scim_user, fields, document)
    scim_user.user = _account_for(scim_user, fields)
    scim_user.save()
    if was_active != scim_user.active:
        action = "scim.user_reactivate" if scim_user.active else "scim.user_deactivate"
        audit(actor=None, action=action, obj=scim_user, institution=scim_user.institution, actor_role="scim")
    sync_roles(scim_user=scim_user, roles=fields.roles)
    return scim_user


@transaction.atomic
def scim_user_delete(*, scim_user: ScimUser) -> None:
    """The directory deleted the person: memberships end (reason "left"); account and history stay."""
    scim_user = ScimUser.objects.select_for_update().get(pk=scim_user.pk)
    scim_user.active = False
    sync_roles(scim_user=scim_user, roles=frozenset(), end_all=True)
    audit(
        actor=None,
        action="scim.user_delete",
        obj=scim_user,
        institution=scim_user.institution,
        actor_role="scim",
        detail={"userName": scim_user.user_name},
    )
    scim_user.delete()


def _directory_roles(scim_user: ScimUser, roles: frozenset[str]) -> set[str]:
    from_groups = set(scim_user.groups.exclude(role="").values_list("role", flat=True)) if scim_user.pk else set()
    return ({r.lower() for r in roles} | from_groups) & set(SCIM_ROLES)


def _end(membership: Membership) -> None:
    membership_set_status(
        acting=Actor.system(),
        membership=membership,
        status=MembershipStatus.ENDED,
        end_reason=EndReason.LEFT,
        note="Ended by the institution's directory (SCIM).",
        actor_role="scim",
    )


def sync_roles(*, scim_user: ScimUser, roles: frozenset[str] | None = None, end_all: bool = False) -> None:
    """Make the person's memberships match what the directory says.

    Inactive (or deleted): every open membership at this institution ends with reason "left",
    admin included — access stops at once — and the roles are remembered. Active: the roles the
    directory names (the User's ``roles``, its role groups) start; roles it granted and no longer
    names end; roles a deactivation ended come back. Memberships from invitations are left alone.
    """
    if scim_user.user_id is None:
        return
    if roles is None:
        roles = frozenset(r.get("value", "") for r in (scim_user.document.get("roles") or []) if isinstance(r, dict))
    institution = scim_user.institution
    open_memberships = list(
        Membership.objects.filter(user_id=scim_user.user_id, institution=institution).exclude(
            status=MembershipStatus.ENDED
        )
    )
    if end_all or not scim_user.active:
        for membership in open_memberships:
            _end(membership)
        scim_user.returning_roles = sorted(set(scim_user.returning_roles) | {m.role for m in open_memberships})
        scim_user.granted_roles = []
    else:
        wanted = _directory_roles(scim_user, roles)
        for membership in open_memberships:
            if membership.role in scim_user.granted_roles and membership.role not in wanted:
                _end(membership)
        have = {m.role for m in open_memberships if m.role in wanted or m.role not in scim_user.granted_roles}
        for role in sorted((wanted | set(scim_user.returning_roles)) - have):
            membership = Membership.objects.create(user_id=scim_user.user_id, institution=institution, role=role)
            audit(
                actor=None,
                action="scim.membership_start",
                obj=membership,
                institution=institution,
                actor_role="scim",
                detail={"role": role},
            )
        scim_user.granted_roles, scim_user.returning_roles = sorted(wanted), []
    if scim_user.pk:
        ScimUser.objects.filter(pk=scim_user.pk).update(
            granted_roles=scim_user.granted_roles, returning_roles=scim_user.returning_roles
        )


# ------------------------------------------------------------------ groups


def role_for_group_name(name: str) -> str:
    lowered = name.lower()
    for role, words in ROLE_WORDS.items():
        if any(word in lowered for word in words):
            return role
    return ""


@dataclass(frozen=True)
class GroupFields:
    display_name: str
    external_id: str = ""
    member_ids: tuple[str, ...] = ()


def _members(institution: Institution, member_ids: tuple[str, ...]) -> list[ScimUser]:
    members = list(ScimUser.objects.filter(institution=institution, scim_id__in=list(member_ids)))
    if len(members) != len(set(member_ids)):
        raise ValidationError(gettext("A member is not a user of this institution; provision the user first."))
    return members


def _resync(users: Iterable[ScimUser]) -> None:
    for scim_user in users:
        sync_roles(scim_user=scim_user)


@transaction.atomic
def scim_group_save(
    *, institution: Institution, fields: GroupFields, document: JSONDict, group: ScimGroup | None = None
) -> ScimGroup:
    name = fields.display_name.strip()
    if not name:
        raise ValidationError(gettext("displayName is required."))
    taken = ScimGroup.objects.filter(institution=institution, display_name__iexact=name)
    if group is not None:
        taken = taken.exclude(pk=group.pk)
    if taken.exists():
        raise Conflict(f"A group named “{name}” already exists.")
    members = _members(institution, fields.member_ids)
    creating = group is None
    group = group or ScimGroup(institution=institution)
    before = set(group.members.all()) if not creating else set()
    group.display_name, group.external_id = name, fields.external_id
    group.role = role_for_group_name(name)
    group.document, group.updated_at = document, timezone.now()
    group.save()
    group.members.set(members)
    audit(
        actor=None,
        action="scim.group_create" if creating else "scim.group_update",
        obj=group,
        institution=institution,
        actor_role="scim",
        detail={"role": group.role, "members": len(members)},
    )
    _resync(before | set(members))
    return group


@transaction.atomic
def scim_group_delete(*, group: ScimGroup) -> None:
    members = list(group.members.all())
    audit(actor=None, action="scim.group_delete", obj=group, institution=group.institution, actor_role="scim")
    group.delete()
    _resync(members)
