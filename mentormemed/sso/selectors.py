"""Reads about campus sign-in: discovery, who must use it, how a session signed in."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict, cast

from django.db.models import Q, QuerySet
from django.urls import reverse

from mentormemed.sso.models import IdentityProvider

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest

    from mentormemed.accounts.models import User


class SessionSso(TypedDict, total=False):
    """What the session remembers of its campus sign-in (empty: none)."""

    user: int
    institution: int
    mfa: bool


SESSION_KEY = "campus_sso"  # {"user": pk, "institution": pk, "mfa": bool} for the session's SSO sign-in
DISCOVERY_LIMIT = 10


def enabled_identity_providers() -> QuerySet[IdentityProvider]:
    return IdentityProvider.objects.filter(enabled=True).select_related("institution", "app")


def find_identity_providers(query: str) -> list[IdentityProvider]:
    """Discovery: an e-mail address finds its institution by domain (or a parent domain);
    any other text searches institution and button names."""
    query = (query or "").strip().lower()
    if not query:
        return []
    if "@" in query:
        domain = query.rsplit("@", 1)[1]
        if not domain:
            return []
        candidates = enabled_identity_providers().exclude(email_domains="")
        return [idp for idp in candidates if any(_domain_matches(domain, d) for d in idp.domains)][:DISCOVERY_LIMIT]
    return list(
        enabled_identity_providers()
        .filter(Q(institution__name__icontains=query) | Q(display_name__icontains=query))
        .order_by("institution__name")[:DISCOVERY_LIMIT]
    )


def _domain_matches(domain: str, configured: str) -> bool:
    return domain == configured or domain.endswith("." + configured)


def sso_required_for(user: User | AnonymousUser | None) -> IdentityProvider | None:
    """The campus login this person must use, if any of their open memberships requires one."""
    if user is None or not getattr(user, "pk", None) or user.is_staff:
        return None
    from mentormemed.institutions.models import Membership

    # A signed-in person (the check above turned away anyone without a pk).
    institutions = Membership.objects.filter(user=cast("User", user)).exclude(status="ended").values("institution_id")
    return enabled_identity_providers().filter(require_sso=True, institution_id__in=institutions).first()


def login_url(idp: IdentityProvider) -> str:
    """allauth's sign-in endpoint for this IdP (POST starts the redirect to the campus login)."""
    if idp.protocol == IdentityProvider.Protocol.SAML:
        return reverse("saml_login", kwargs={"organization_slug": idp.app.client_id})
    return reverse("openid_connect_login", kwargs={"provider_id": idp.app.provider_id})


def identity_provider_for_account_provider(provider_id: str) -> IdentityProvider | None:
    return enabled_identity_providers().filter(app__provider_id=provider_id).first()


def session_sso(request: HttpRequest) -> SessionSso:
    # The session stores what ``SessionSso`` describes (JSON): the SSO sign-in wrote it.
    return cast(SessionSso, request.session.get(SESSION_KEY) or {} if hasattr(request, "session") else {})


def idp_mfa_satisfied(request: HttpRequest | None, user: User | AnonymousUser | None) -> bool:
    """The session signed in through a campus IdP that asserted REFEDS MFA, and the institution accepts it."""
    if request is None or user is None or not getattr(user, "pk", None):
        return False
    info = session_sso(request)
    return bool(info.get("mfa")) and info.get("user") == user.pk
