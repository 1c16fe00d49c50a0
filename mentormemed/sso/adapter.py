"""allauth hooks for campus sign-in: bind each SSO sign-in under R33's rules, and let the
IdP's REFEDS MFA assertion stand in for our second factor."""

from __future__ import annotations

from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.shortcuts import render

from mentormemed.accounts.adapter import Refusal
from mentormemed.core.audit import audit
from mentormemed.core.middleware import SESSION_KEY as ACTING_KEY
from mentormemed.sso import claims as claims_mod
from mentormemed.sso.models import IdentityProvider
from mentormemed.sso.providers import AUTHN_CONTEXTS_KEY
from mentormemed.sso.selectors import (
    SESSION_KEY,
    identity_provider_for_account_provider,
    idp_mfa_satisfied,
    login_url,
    sso_required_for,
)
from mentormemed.sso.services import SignInRefused, sign_in_bind


def campus_login_required(user) -> Refusal | None:
    """A login check (``accounts.adapter.register_login_check``): a member of an institution that requires
    its campus login may not sign in with a password (R33); the page says where to sign in instead."""
    idp = sso_required_for(user)
    if idp is None:
        return None
    return Refusal("sso/required.html", {"idp": idp, "login_url": login_url(idp), "institution": idp.institution})


def claims_for(idp: IdentityProvider, account) -> claims_mod.Claims:
    data = account.extra_data or {}
    if idp.protocol == IdentityProvider.Protocol.SAML:
        return claims_mod.from_saml(
            uid=account.uid,
            attributes=data,
            authn_contexts=data.get(AUTHN_CONTEXTS_KEY) or [],
            overrides=idp.attribute_overrides,
        )
    return claims_mod.from_oidc(uid=account.uid, extra_data=data, overrides=idp.attribute_overrides)


def _refuse(request, idp: IdentityProvider | None, message: str):
    if idp is not None:
        audit(actor=None, action="sso.refused", obj=idp, institution=idp.institution, detail={"reason": message})
    response = render(request, "sso/refused.html", {"idp": idp, "message": message}, status=403)
    raise ImmediateHttpResponse(response)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin) -> bool:
        return False  # every campus sign-in is bound in pre_social_login, or refused there

    def pre_social_login(self, request, sociallogin) -> None:
        idp = identity_provider_for_account_provider(sociallogin.account.provider)
        if idp is None:
            _refuse(request, None, "This campus login is not connected to MentorMeMed (or was switched off).")
        claims = claims_for(idp, sociallogin.account)
        known = sociallogin.user if sociallogin.is_existing else None
        try:
            binding = sign_in_bind(idp=idp, claims=claims, known_user=known)
        except SignInRefused as exc:
            _refuse(request, idp, str(exc))
        if not sociallogin.is_existing:
            sociallogin.connect(request, binding.user)
        campus = {
            "user": binding.user.pk,
            "institution": idp.institution_id,
            "mfa": bool(claims.mfa and idp.accept_idp_mfa),
            "membership": binding.membership.pk,
        }
        # The MFA stage reads the session before sign-in completes; signals.py writes it again after
        # sign-in (allauth signs out a previous user in between, which clears the session).
        sociallogin.state["campus"] = campus
        remember_campus_sign_in(request, campus)


def remember_campus_sign_in(request, campus: dict) -> None:
    request.session[SESSION_KEY] = campus
    request.session[ACTING_KEY] = campus["membership"]  # land in this institution and role


class MFAAdapter(DefaultMFAAdapter):
    SECOND_FACTORS = frozenset({Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN})

    def is_mfa_enabled(self, user, types=None) -> bool:
        # The sign-in stage asks "does this user need a second factor now?" with exactly these types:
        # a campus sign-in that asserted REFEDS MFA already had one.
        if types is not None and set(types) == self.SECOND_FACTORS and idp_mfa_satisfied(context.request, user):
            return False
        return super().is_mfa_enabled(user, types=types)
