"""Every write about campus sign-in: configuring an institution's IdP and binding a sign-in (R33)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import requests
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialApp
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

from mentormemed.core.access import Actor
from mentormemed.core.audit import audit
from mentormemed.core.types import JSONDict
from mentormemed.institutions.models import Institution, Invitation, Membership, MembershipStatus
from mentormemed.institutions.services import invitation_claim
from mentormemed.sso import claims as claims_mod
from mentormemed.sso.claims import Claims
from mentormemed.sso.keys import sp_key_pair
from mentormemed.sso.models import IdentityProvider

if TYPE_CHECKING:
    from mentormemed.accounts.models import User

log = logging.getLogger(__name__)
METADATA_TIMEOUT = 10
MAX_METADATA_BYTES = 2 * 1024 * 1024


# ------------------------------------------------------------------ configuration


@dataclass(frozen=True)
class IdpSettings:
    """What staff or the institution admin enter (forms.IdentityProviderForm)."""

    protocol: str
    display_name: str
    email_domains: str = ""
    enabled: bool = True
    require_sso: bool = False
    jit_enabled: bool = False
    mentor_affiliations: str = "faculty"
    mentee_affiliations: str = "student"
    accept_idp_mfa: bool = True
    metadata_url: str = ""
    metadata_xml: str = ""
    issuer: str = ""
    client_id: str = ""
    client_secret: str = ""
    attribute_overrides: dict[str, list[str]] | None = None


def _parse_saml_metadata(*, url: str, xml: str) -> JSONDict:  # python3-saml's settings (JSON)
    """The IdP's entity ID, SSO URL and signing certificate from its metadata, or a sentence saying what is wrong."""
    if not url and not xml.strip():
        raise ValidationError(gettext("Give the IdP's metadata: its URL, or paste the XML."))
    if len(xml.encode()) > MAX_METADATA_BYTES:
        raise ValidationError(gettext("The metadata is larger than 2 MB; paste only your IdP's EntityDescriptor."))
    try:
        if url:
            parsed = OneLogin_Saml2_IdPMetadataParser.parse_remote(url, timeout=METADATA_TIMEOUT)
        else:
            parsed = OneLogin_Saml2_IdPMetadataParser.parse(xml.strip())
    except Exception as exc:  # network, XML syntax, or a document that is not SAML metadata
        where = f"at {url}" if url else "you pasted"
        raise ValidationError(
            gettext("We could not read the SAML metadata %(where)s: %(exc)s. Check it with your IdP team.")
            % {"where": where, "exc": exc}
        ) from exc
    idp = parsed.get("idp") or {}
    sso = (idp.get("singleSignOnService") or {}).get("url")
    cert = idp.get("x509cert") or (idp.get("x509certMulti") or {}).get("signing", [None])[0]
    if not (idp.get("entityId") and sso and cert):
        raise ValidationError(
            gettext(
                "The metadata has no IdP entity with a single sign-on URL and a signing certificate; "
                "make sure it is the IdP's metadata, not the SP's."
            )
        )
    return {"entity_id": idp["entityId"], "sso_url": sso, "x509cert": cert}


def _check_oidc_issuer(issuer: str) -> None:
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=METADATA_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except Exception as exc:
        raise ValidationError(
            gettext("We could not read the OpenID configuration at %(url)s: %(exc)s.") % {"url": url, "exc": exc}
        ) from exc
    if not document.get("authorization_endpoint") or not document.get("token_endpoint"):
        raise ValidationError(
            gettext("%(url)s is not an OpenID Connect discovery document (no authorization endpoint).") % {"url": url}
        )


def _unique_slug(institution: Institution) -> str:
    base = slugify(institution.name)[:50] or f"institution-{institution.pk}"
    slug, n = base, 2
    while IdentityProvider.objects.filter(slug=slug).exclude(institution=institution).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def sp_entity_id(slug: str) -> str:
    """Our SP entity ID for one institution: stable, on the public site URL (federations register it)."""
    return f"{settings.SITE_URL}/sso/{slug}/metadata/"


def _saml_settings(idp: IdentityProvider, idp_part: JSONDict, previous: JSONDict) -> JSONDict:
    advanced = dict(previous.get("advanced") or {})
    if not advanced.get("x509cert"):
        advanced["x509cert"], advanced["private_key"] = sp_key_pair(f"MentorMeMed SP {idp.slug}")
    advanced.update(
        {
            "want_assertion_signed": True,
            "reject_idp_initiated_sso": True,
            "allow_single_label_domains": True,  # "localhost" in development and tests
            "name_id_format": "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
        }
    )
    mapping = claims_mod.saml_mapping(idp.attribute_overrides)
    contact = {"givenName": "MentorMeMed support", "emailAddress": settings.SSO_CONTACT_EMAIL}
    return {
        "idp": idp_part,
        "sp": {"entity_id": sp_entity_id(idp.slug)},
        "attribute_mapping": {key: mapping[key] for key in claims_mod.ALLAUTH_SAML_KEYS},
        "advanced": advanced,
        "organization": {
            "en-US": {"name": "MentorMeMed", "displayname": "MentorMeMed", "url": settings.SITE_URL},
        },
        "contact_person": {"technical": contact, "support": contact},
    }


@transaction.atomic
def identity_provider_save(
    *, acting: Actor, institution: Institution, data: IdpSettings, fetch_metadata: bool = True
) -> IdentityProvider:
    """Connect (or reconfigure) the institution's campus IdP. Secrets are never audited.

    ``fetch_metadata=False`` trusts a metadata URL without reading it now (its entity ID is taken
    to be the URL): the demo wires its IdP before that IdP is started.
    """
    existing = IdentityProvider.objects.select_for_update().filter(institution=institution).first()
    if data.protocol not in IdentityProvider.Protocol.values:
        raise ValidationError(gettext("Choose SAML 2.0 or OpenID Connect."))
    if not data.display_name.strip():
        raise ValidationError(gettext("Give the button a name people recognise, e.g. “Alpha campus login”."))
    idp = existing or IdentityProvider(institution=institution, slug=_unique_slug(institution))
    for name in (
        "protocol",
        "email_domains",
        "enabled",
        "require_sso",
        "jit_enabled",
        "mentor_affiliations",
        "mentee_affiliations",
        "accept_idp_mfa",
    ):
        setattr(idp, name, getattr(data, name))
    idp.display_name = data.display_name.strip()
    idp.attribute_overrides = data.attribute_overrides or {}
    if data.jit_enabled and not (idp.mentor_affiliation_set | idp.mentee_affiliation_set):
        raise ValidationError(gettext("Just-in-time membership needs at least one allowed affiliation (e.g. faculty)."))
    app = existing.app if existing else SocialApp(name=idp.display_name)
    changing_protocol = existing is not None and existing.protocol != data.protocol
    previous = {} if changing_protocol else dict(app.settings or {})
    if data.protocol == IdentityProvider.Protocol.SAML:
        if not data.metadata_url.strip() and not data.metadata_xml.strip() and previous.get("idp"):
            idp_part = previous["idp"]  # pasted metadata saved earlier: keep it
        elif not fetch_metadata and data.metadata_url.strip():
            idp_part = {"entity_id": data.metadata_url.strip()}
        else:
            idp_part = _parse_saml_metadata(url=data.metadata_url.strip(), xml=data.metadata_xml)
        if data.metadata_url.strip():
            idp_part = {"entity_id": idp_part["entity_id"], "metadata_url": data.metadata_url.strip()}
        app.provider, app.provider_id, app.client_id, app.secret = "saml", f"saml-{idp.slug}", idp.slug, ""
        app.settings = _saml_settings(idp, idp_part, previous)
    else:
        issuer = data.issuer.strip()
        if not (issuer and data.client_id.strip()):
            raise ValidationError(gettext("Give the issuer URL and the client ID your IdP issued for MentorMeMed."))
        secret = data.client_secret.strip() or (app.secret if not changing_protocol else "")
        if not secret:
            raise ValidationError(gettext("Give the client secret your IdP issued for MentorMeMed."))
        _check_oidc_issuer(issuer)
        app.provider, app.provider_id = "openid_connect", f"oidc-{idp.slug}"
        app.client_id, app.secret = data.client_id.strip(), secret
        app.settings = {"server_url": issuer, "oauth_pkce_enabled": True, "scope": ["openid", "email", "profile"]}
    app.name = idp.display_name
    app.save()
    idp.app = app
    idp.full_clean(exclude=["app", "institution"])
    idp.save()
    audit(
        acting=acting,
        action="sso.configure" if existing else "sso.connect",
        obj=idp,
        institution=institution,
        detail={
            "protocol": idp.protocol,
            "require_sso": idp.require_sso,
            "jit": idp.jit_enabled,
            "domains": idp.domains,
            "idp": data.metadata_url or data.issuer or "metadata XML",
        },
    )
    return idp


# ------------------------------------------------------------------ sign-in binding


class SignInRefused(Exception):
    """The campus login worked but MentorMeMed will not let this person in; ``str`` says what to do."""


@dataclass(frozen=True)
class Binding:
    user: User
    membership: Membership


def _open_membership(user: User, institution: Institution) -> Membership | None:
    memberships = Membership.objects.filter(user=user, institution=institution).exclude(status=MembershipStatus.ENDED)
    return memberships.order_by("role").first()


def _jit_role(idp: IdentityProvider, affiliations: frozenset[str]) -> str | None:
    if affiliations & idp.mentor_affiliation_set:
        return "mentor"
    if affiliations & idp.mentee_affiliation_set:
        return "mentee"
    return None


def _follow_email(user: User, email: str, institution: Institution) -> None:
    """The IdP's stable identifier decides who this is; a changed address at the IdP follows it."""
    if not email or email == user.email.lower():
        return
    User = get_user_model()
    if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        log.warning("SSO: %s now asserts %s, which another account uses; keeping the old address", user.pk, email)
        return
    old = user.email
    user.email = email
    user.save(update_fields=["email"])
    EmailAddress.objects.filter(user=user).update(primary=False)
    EmailAddress.objects.update_or_create(
        user=user, email__iexact=email, defaults={"email": email, "verified": True, "primary": True}
    )
    audit(actor=user, action="sso.email_changed", obj=user, institution=institution, detail={"from": old, "to": email})


def _verified_account(addresses: list[str]) -> User | None:
    """The account that has verified one of these addresses (allauth ``EmailAddress``), if any."""
    for address in addresses:
        found = EmailAddress.objects.filter(email__iexact=address, verified=True).select_related("user").first()
        if found:
            user: User = found.user  # allauth's models are untyped
            return user
    return None


def _open_invitations(institution: Institution, addresses: list[str]) -> list[Invitation]:
    now = timezone.now()
    found: list[Invitation] = []
    for address in addresses:
        found.extend(
            Invitation.objects.filter(
                institution=institution,
                email__iexact=address,
                accepted_at__isnull=True,
                revoked_at__isnull=True,
                expires_at__gt=now,
            )
        )
    return found


def _new_user(claims: Claims, email: str, institution: Institution) -> User:
    User = get_user_model()
    user = User(
        email=email,
        first_name=claims.first_name,
        last_name=claims.last_name,
        time_zone=institution.time_zone,
    )
    user.set_unusable_password()  # they sign in through the campus login (or a passkey they add)
    user.save()
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


@transaction.atomic
def sign_in_bind(*, idp: IdentityProvider, claims: Claims, known_user: User | None = None) -> Binding:
    """Decide who a campus sign-in is, under R33's binding rules — or refuse with a sentence.

    - a known identity (same IdP, same stable identifier) is that person, if still a member here;
      a changed e-mail follows the identifier;
    - a new identity matches an open invitation (or roster row) or a member by a verified address
      or ePPN;
    - otherwise, when the institution allows it, an allowed affiliation joins just in time (the
      onboarding steps — eligibility R4, criteria R5 — still apply);
    - an identity never attaches to an account that is not part of this institution.
    """
    institution = idp.institution
    if known_user is not None:
        membership = _open_membership(known_user, institution)
        if membership is None:
            raise SignInRefused(
                f"Your membership of {institution} has ended, so your campus login no longer opens MentorMeMed. "
                f"If this is a mistake, ask {institution}'s program office."
            )
        _follow_email(known_user, claims.email, institution)
        return Binding(known_user, membership)
    addresses = claims.addresses
    if not addresses:
        raise SignInRefused(
            f"{idp.display_name} did not tell us your e-mail address. Ask {institution}'s IT team to release "
            "the “mail” attribute to MentorMeMed."
        )
    invitations = _open_invitations(institution, addresses)
    user = _verified_account(addresses)
    if user is not None:
        membership = _open_membership(user, institution)
        if membership is None and not invitations:
            raise SignInRefused(
                f"The address {user.email} belongs to a MentorMeMed account that is not part of {institution}, so "
                f"{idp.display_name} cannot open it. Sign in the way you usually do, or ask {institution}'s "
                "program office for an invitation."
            )
    elif invitations:
        user = _new_user(claims, invitations[0].email.lower(), institution)
    elif idp.jit_enabled and (role := _jit_role(idp, claims.affiliations)):
        user = _new_user(claims, addresses[0], institution)
        membership = Membership.objects.create(user=user, institution=institution, role=role)
        audit(
            actor=user,
            action="sso.jit_join",
            obj=membership,
            institution=institution,
            actor_role=role,
            detail={"affiliations": sorted(claims.affiliations)},
        )
        return Binding(user, membership)
    else:
        raise SignInRefused(
            f"{idp.display_name} recognised you, but {institution} has not invited you to MentorMeMed yet. "
            f"Ask {institution}'s program office for an invitation, then sign in here again."
        )
    joined = [invitation_claim(invitation=invitation, acting=Actor.for_user(user)) for invitation in invitations]
    membership = joined[0] if joined else _open_membership(user, institution)
    assert membership is not None  # no invitation: the account's own membership here (checked above)
    return Binding(user, membership)
