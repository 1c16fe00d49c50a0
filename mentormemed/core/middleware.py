"""Resolve the acting membership once per request; show times in the viewer's zone;
require MFA for admins and staff."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseBadRequest, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from mentormemed.core.access import ADMIN, Actor
from mentormemed.core.audit import bind_request_actor, client_ip, unbind_request_actor
from mentormemed.core.timezones import zone_or_none
from mentormemed.core.types import ActorRequest

if TYPE_CHECKING:
    import zoneinfo

    from django.contrib.auth.models import AnonymousUser
    from django.db.models import QuerySet

    from mentormemed.accounts.models import User

GetResponse = Callable[[HttpRequest], HttpResponseBase]

SESSION_KEY = "acting_membership_id"
ROLE_ORDER = {"admin": 0, "mentor": 1, "mentee": 2}


class ActingMembershipMiddleware:
    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: ActorRequest) -> HttpResponseBase:
        request.actor = self.resolve(request)
        token = bind_request_actor(request.actor, client_ip(request))
        try:
            return self.get_response(request)
        finally:
            unbind_request_actor(token)

    @staticmethod
    def resolve(request: HttpRequest) -> Actor:
        user = request.user
        if not user.is_authenticated or user.is_staff:
            return Actor(user=user)
        memberships = sorted(
            with_request_facts(user.memberships.exclude(status="ended").select_related("institution"), request.path),
            key=lambda m: (ROLE_ORDER[m.role], m.pk),
        )
        wanted = request.session.get(SESSION_KEY)
        chosen = next((m for m in memberships if m.pk == wanted), None)
        if chosen is None and memberships:
            chosen = memberships[0]
        return Actor(user=user, membership=chosen, memberships=memberships)


# The facts every page needs about the acting person, read in the same statement as their memberships
# and added by the app that owns each in its AppConfig.ready(): whether each membership's institution is
# covered today (institutions: R1's pause, ``institution_covered``), the person's unread notifications
# (notifications: the bell, ``unread_notifications``) and how many of them link to this page (which opening
# marks read, ``unread_here``). ``fact(memberships, path)`` returns the queryset annotated.
RequestFact = Callable[[QuerySet[Any], str], QuerySet[Any]]
_REQUEST_FACTS: dict[str, RequestFact] = {}


def register_request_fact(key: str, fact: RequestFact) -> None:
    _REQUEST_FACTS[key] = fact


def with_request_facts(memberships: QuerySet[Any], path: str = "") -> QuerySet[Any]:
    """The memberships with every registered request fact. Read live each request, so nothing has
    to be invalidated."""
    for fact in _REQUEST_FACTS.values():
        memberships = fact(memberships, path)
    return memberships


class RejectNulBytesMiddleware:
    """A NUL byte is never valid input (and PostgreSQL text cannot hold one): refuse the request
    with 400 before any view reads it, so nothing is changed and no query fails halfway."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if self.has_nul(request.GET) or (request.method == "POST" and self.has_nul(request.POST)):
            return HttpResponseBadRequest(
                "The request contained a character that is not allowed (a NUL byte). Nothing was changed.",
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)

    @staticmethod
    def has_nul(data: QueryDict) -> bool:
        return any("\x00" in key or any("\x00" in value for value in data.getlist(key)) for key in data)


class UserTimeZoneMiddleware:
    """Render every date and time in the signed-in person's own time zone (else the server's, UTC)."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        zone = self.zone_for(request.user)
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    @staticmethod
    def zone_for(user: User | AnonymousUser) -> zoneinfo.ZoneInfo | None:
        return zone_or_none(getattr(user, "time_zone", "")) if user.is_authenticated else None


class UserLanguageMiddleware:
    """Speak the signed-in person's own language (their setting); before sign-in the browser's
    (``LocaleMiddleware``, which runs first and sets ``Content-Language`` on the way out)."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        language = getattr(request.user, "language", "") if request.user.is_authenticated else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


# Ways a session may already have shown a second factor, added by the app that knows (sso: the campus
# IdP asserted the REFEDS MFA profile, R33). ``waiver(request, user)`` says whether it has.
MfaWaiver = Callable[[HttpRequest, Any], bool]
_MFA_WAIVERS: dict[str, MfaWaiver] = {}


def register_mfa_waiver(key: str, waiver: MfaWaiver) -> None:
    _MFA_WAIVERS[key] = waiver


class MfaRequiredMiddleware:
    """Admins and staff must have a second factor (an authenticator app or a passkey) before doing
    anything else — unless this session's campus sign-in asserted the REFEDS MFA profile."""

    EXEMPT_PREFIXES = ("/accounts/", "/static/", "/media/", "/healthz", "/readyz", "/metrics")

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: ActorRequest) -> HttpResponseBase:
        if self.must_enrol(request):
            messages.info(
                request,
                gettext(
                    "Your role requires two-factor authentication. Add MentorMeMed to an authenticator app to continue."
                ),
                fail_silently=True,
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    def must_enrol(self, request: ActorRequest) -> bool:
        user = request.user
        if not user.is_authenticated or request.path.startswith(self.EXEMPT_PREFIXES):
            return False
        if not (user.is_staff or request.actor.role == ADMIN):
            return False
        from allauth.mfa.models import Authenticator

        if any(waiver(request, user) for waiver in _MFA_WAIVERS.values()):  # e.g. REFEDS MFA (R33)
            return False
        second_factors = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
        return not Authenticator.objects.filter(user=user, type__in=second_factors).exists()


class PrivatePagesMiddleware:
    """A signed-in page holds someone's data: no shared cache or browser history may keep it
    (ASVS 8.2.1). Responses that chose their own caching (static files, public pages) keep it."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            response["Cache-Control"] = "private, no-store"
        return response
