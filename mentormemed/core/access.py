"""The one access module: who may see and do what.

Every view declares a named permission with ``@requires("perm")``. The acting
membership is resolved once per request (``request.actor``) from the signed-in
user — never from a header or a form field. Objects of another institution
answer 404 (``get_scoped_or_404``), a wrong role 403, anonymous users go to
sign-in, and members of an institution whose subscription does not cover today
see the "access paused" page (R1).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, wraps
from typing import TYPE_CHECKING, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

if TYPE_CHECKING:  # typed without importing the apps above core at run time
    from django.contrib.auth.models import AnonymousUser

    from mentormemed.accounts.models import User
    from mentormemed.core.types import ActorRequest
    from mentormemed.institutions.models import Institution, Membership

M = TypeVar("M", bound=Model)
# A view function: a request (and URL arguments) in, a response out.
View = Callable[..., HttpResponseBase]

MENTEE, MENTOR, ADMIN, STAFF = "mentee", "mentor", "admin", "staff"
MEMBER_ROLES = frozenset({MENTEE, MENTOR})


@dataclass(frozen=True)
class Permission:
    roles: frozenset[str]
    # Lost by every institution role holding it when the subscription lapses (R1). Pages an
    # admin keeps (reports, renewal, members) say ``needs_subscription=False``; pages every role
    # has but only members lose (home, notifications) say ``paused_for=MEMBER_ROLES``. Staff
    # are never limited.
    needs_subscription: bool = True
    description: str = ""
    paused_for: frozenset[str] = frozenset({"mentee", "mentor", "admin"})

    def paused(self, role: str | None) -> bool:
        """Whether ``role`` loses this permission while its institution's subscription has lapsed."""
        return self.needs_subscription and role in self.paused_for


def _p(
    *roles: str, needs_subscription: bool = True, description: str = "", paused_for: frozenset[str] | None = None
) -> Permission:
    if paused_for is None:
        return Permission(frozenset(roles), needs_subscription, description)
    return Permission(frozenset(roles), needs_subscription, description, paused_for)


PERMISSIONS: dict[str, Permission] = {
    "home": _p(MENTEE, MENTOR, ADMIN, STAFF, description="Own home page", paused_for=MEMBER_ROLES),
    "account.settings": _p(
        MENTEE, MENTOR, ADMIN, STAFF, needs_subscription=False, description="Own name, pronouns and time zone"
    ),
    "onboarding": _p(MENTEE, MENTOR, description="Own onboarding checklist and agreement"),
    "onboarding.eligibility": _p(MENTEE, description="Attest own eligibility (R4)"),
    "onboarding.criteria": _p(MENTOR, description="Attest the institution's mentor criteria (R5)"),
    "institution.members": _p(ADMIN, needs_subscription=False, description="See members"),
    "institution.member_detail": _p(ADMIN, needs_subscription=False, description="See one member (audited)"),
    "institution.invite": _p(ADMIN, description="Invite mentors and mentees"),
    "institution.review": _p(ADMIN, needs_subscription=False, description="Confirm eligibility/criteria"),
    "institution.membership_status": _p(ADMIN, needs_subscription=False, description="Suspend/end"),
    "institution.settings": _p(ADMIN, needs_subscription=False, description="Mentor criteria"),
    "institution.subscription": _p(ADMIN, needs_subscription=False, description="Subscription state"),
    "institution.sso": _p(ADMIN, needs_subscription=False, description="Connect the campus IdP (SAML/OIDC) (R33)"),
    "institution.provisioning": _p(
        ADMIN, needs_subscription=False, description="SCIM tokens and roster sync: who joins and leaves (R33)"
    ),
    "institution.renew": _p(ADMIN, needs_subscription=False, description="Renew own institution's subscription"),
    "staff.institutions": _p(STAFF, description="Create and edit institutions"),
    "staff.subscriptions": _p(STAFF, description="Start, renew and end subscriptions"),
    "staff.pricing": _p(STAFF, description="Edit price bands"),
    "staff.agreements": _p(STAFF, description="Publish agreement versions"),
    "staff.audit": _p(STAFF, description="Read the audit log"),
    "staff.taxonomy": _p(STAFF, description="Add, retire and restore taxonomy values"),
    "profile.edit": _p(MENTEE, MENTOR, description="Edit own profile (R8)"),
    "profile.photo": _p(MENTEE, MENTOR, description="See a mentor photo the viewer may see"),
    "matching.search": _p(MENTEE, description="Search mentors (R10, R11)"),
    "matching.recommended": _p(MENTEE, description="Own recommendations (R10, R27, R28)"),
    "matching.mentor": _p(MENTEE, description="A visible mentor's profile (R9, R28)"),
    "training.learn": _p(MENTEE, MENTOR, description="Own training: read, knowledge check, attest (R7, R21)"),
    "training.resource": _p(MENTEE, MENTOR, STAFF, description="Download a module's resources"),
    "training.cme": _p(MENTOR, description="Claim CME credit, own certificates and transcript (R22)"),
    "training.institution": _p(ADMIN, needs_subscription=False, description="Own people's training and CME claims"),
    "staff.training": _p(STAFF, description="Author, version and publish training modules (R21)"),
    "staff.cme": _p(STAFF, description="See and export CME claims (PARS, CSV) (R22)"),
    "mentorships.request": _p(MENTEE, description="Send and withdraw own requests (R13)"),
    "mentorships.network": _p(MENTEE, description="Own network of mentors and re-match (R14, R29)"),
    "mentorships.inbox": _p(MENTOR, description="Own requests to answer, mentees, capacity (R12, R13, R28)"),
    "mentorships.relationships": _p(MENTEE, MENTOR, description="Own mentorships, compact, goals, messages (R15, R16)"),
    "mentorships.reinstate": _p(ADMIN, STAFF, needs_subscription=False, description="Reinstate suspended mentors"),
    "notifications": _p(
        MENTEE, MENTOR, ADMIN, STAFF, description="Own notifications and how they arrive (R31)", paused_for=MEMBER_ROLES
    ),
    "scheduling.meetings": _p(MENTEE, MENTOR, description="Own meetings: book, move, cancel, notes, feed (R17)"),
    "scheduling.availability": _p(MENTOR, description="Own weekly availability and dates off (R17)"),
    "evaluations.mine": _p(MENTEE, description="Evaluate own mentors when due (R18)"),
    "evaluations.surveys": _p(MENTEE, MENTOR, description="Answer own career-update and program surveys (R19)"),
    "evaluations.feedback": _p(MENTOR, description="Own evaluation aggregates, never single answers (R18)"),
    "staff.instruments": _p(STAFF, description="Version evaluation and survey instruments (R18)"),
    "outcomes.institution": _p(ADMIN, needs_subscription=False, description="Own institution's outcomes (R23)"),
    "outcomes.national": _p(STAFF, description="National and per-institution outcomes (R23)"),
    "outcomes.reward": _p(ADMIN, needs_subscription=False, description="Mentor participation and letters (R24, R32)"),
    "outcomes.research": _p(MENTOR, description="Submit and follow own research data requests (R25)"),
    "staff.research": _p(STAFF, description="Decide research requests and release exports (R25)"),
    "outcomes.invoices": _p(ADMIN, needs_subscription=False, description="Download own institution's invoices (R3)"),
    "staff.invoices": _p(STAFF, description="Issue invoices and see renewals due (R3)"),
    "programs.manage": _p(
        ADMIN, description="Programs, matching rounds, circles and events of own institution (R34, R35)"
    ),
    "programs.national": _p(
        STAFF, description="National programs across the network: create, invite, match, publish (R34)"
    ),
    "programs.take_part": _p(MENTEE, MENTOR, description="Own programs, introductions and milestones (R34)"),
    "circles": _p(MENTEE, MENTOR, description="Own circles: thread, goals, group meetings (R35)"),
    "sessions": _p(MENTEE, MENTOR, description="Offer (mentor) or book (mentee) one-off sessions (R35)"),
    "sessions.book": _p(MENTEE, description="Book and release a seat in a one-off session (R35)"),
    "events": _p(MENTEE, MENTOR, description="Own speed-mentoring schedules (R35)"),
    "questions": _p(MENTEE, MENTOR, description="Ask the network (mentee) or answer questions (mentor) (R35)"),
    "care.relationship": _p(MENTEE, MENTOR, description="Own mentorships: report, block, check-ins (R36, R37)"),
    "care.report": _p(MENTEE, MENTOR, description="Own reports and blocks (R37)"),
    "care.concern": _p(MENTOR, description="Raise a wellbeing concern for an own mentee (R37)"),
    "care.report_mentor": _p(MENTEE, description="Report a mentor from their profile (R37)"),
    "care.report_request": _p(MENTOR, description="Report the mentee of a request (R37)"),
    "care.duplicates": _p(MENTEE, description="Choose between two mentors for the same need"),
    "care.at_risk": _p(ADMIN, STAFF, needs_subscription=False, description="At-risk mentorships: signal, facts (R36)"),
    "care.cases": _p(ADMIN, STAFF, needs_subscription=False, description="Handle reports and concerns (R37)"),
    "care.settings": _p(ADMIN, needs_subscription=False, description="Duty-of-care settings and crisis resources"),
    "lifecycle.institution": _p(
        ADMIN, needs_subscription=False, description="Export the institution's data; see its retention schedule (R40)"
    ),
    "lifecycle.mine": _p(
        MENTEE, MENTOR, ADMIN, needs_subscription=False, description="Download own data, ask for erasure (R40)"
    ),
    "staff.lifecycle": _p(STAFF, description="Retention schedules, contract close-out, erasure requests (R40)"),
    # The side a person takes part on, for pages every role shares that read differently per side
    # (a mentee sees their mentor's name, a mentor their mentee's). No view requires these.
    "side.mentee": _p(MENTEE, needs_subscription=False, description="Takes part as a mentee"),
    "side.mentor": _p(MENTOR, needs_subscription=False, description="Takes part as a mentor"),
    "side.staff": _p(STAFF, needs_subscription=False, description="Platform staff, not a member of an institution"),
}


@dataclass
class Actor:
    """The acting principal: who does something, in which membership, with which role.

    One object for reads and writes. A request builds it once (``request.actor``); every service
    takes it as ``*, acting: Actor``, decides what the person may do from it (never from a role or
    institution the view hands in) and audits from it. Work nobody in particular does — the
    nightly sweep, background tasks, the demo builder, management commands, SCIM and SSO
    callbacks — says so with ``Actor.system()``; code that acts for one known membership or user
    outside a request builds ``Actor.for_membership(m)`` or ``Actor.for_user(u)``.
    """

    user: User | AnonymousUser | None
    membership: Membership | None = None
    memberships: list[Membership] = field(default_factory=list)

    @classmethod
    def system(cls) -> Actor:
        """The platform itself (audited with role "system"): sweeps, tasks, commands, SCIM."""
        return cls(user=None)

    @classmethod
    def for_membership(cls, membership: Membership) -> Actor:
        """The membership's person acting in that membership (tasks, demo data, tests)."""
        return cls(user=membership.user, membership=membership, memberships=[membership])

    @classmethod
    def for_user(cls, user: User, *, membership: Membership | None = None) -> Actor:
        """A person outside a request (a command, a task, a test): staff, or a member acting in
        ``membership`` when given. Without one a member holds no role: enough for a service that
        checks the person (the side they take in a mentorship), not one that checks a role."""
        return cls(user=user, membership=membership, memberships=[membership] if membership else [])

    @property
    def is_system(self) -> bool:
        return self.user is None

    @property
    def person(self) -> User | None:
        """``user`` as a service records it (``created_by=acting.person``): the signed-in person, or
        None for the system. Services never act for an anonymous visitor (every view that reaches
        one requires sign-in), so the type need not carry ``AnonymousUser``."""
        user = self.user
        return user if user is not None and user.is_authenticated else None

    @property
    def role(self) -> str | None:
        if getattr(self.user, "is_staff", False):
            return STAFF
        return self.membership.role if self.membership else None

    @property
    def institution(self) -> Institution | None:
        return self.membership.institution if self.membership else None

    @property
    def institution_id(self) -> int | None:
        return self.membership.institution_id if self.membership else None

    @cached_property
    def subscription_active(self) -> bool:
        covered: bool | None = getattr(self.membership, "institution_covered", None)  # read with the membership
        if covered is not None:
            return covered
        return bool(self.institution and self.institution.has_access())

    @property
    def unread_notifications(self) -> int | None:
        """The bell's count when it was read with the membership (``None``: not read yet)."""
        if self.membership is None or not hasattr(self.membership, "unread_notifications"):
            return None
        return self.membership.unread_notifications or 0

    @property
    def membership_active(self) -> bool:
        return bool(self.membership and self.membership.status == "active")

    def can(self, perm: str) -> bool:
        """Whether this actor's role holds the named permission (templates: ``actor|can:"perm"``)."""
        return self.role in PERMISSIONS[perm].roles

    def require(self, perm: str) -> None:
        """``PermissionDenied`` unless the actor holds ``perm`` (services check what they are handed)."""
        if not self.can(perm):
            raise PermissionDenied

    def own_membership(self, perm: str) -> Membership:
        """The membership this actor acts in, for a service that writes the person's own records (their
        profile, attestations, answers, availability, training): ``PermissionDenied`` unless the role
        holds ``perm`` and there is a membership (the system and staff act in none)."""
        if not self.can(perm) or self.membership is None:
            raise PermissionDenied(f"{self.role or 'nobody'} acting without {perm!r} in a membership")
        return self.membership


def requires(perm: str) -> Callable[[View], View]:
    """Decorate a view with the named permission it needs."""
    if perm not in PERMISSIONS:
        raise KeyError(f"Unknown permission {perm!r}")
    permission = PERMISSIONS[perm]

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: ActorRequest, *args: object, **kwargs: object) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            actor: Actor = request.actor
            if actor.role not in permission.roles:
                raise PermissionDenied
            if actor.role in MEMBER_ROLES | {ADMIN} and not actor.membership_active:
                return paused_response(request, reason="membership")
            if permission.paused(actor.role) and not actor.subscription_active:
                return paused_response(request, reason="subscription")
            return view(request, *args, **kwargs)

        # A marker on the function object, read by the URL permission-matrix test (functions take any attribute).
        wrapped.required_perm = perm  # type: ignore[attr-defined]
        return wrapped

    return decorator


def public(view: View) -> View:
    """Mark a view as deliberately reachable without a role (sign-up links, verification)."""
    # A marker on the function object, read by the URL permission-matrix test (functions take any attribute).
    view.is_public = True  # type: ignore[attr-defined]
    return view


def paused_response(request: ActorRequest, *, reason: str) -> HttpResponse:
    from mentormemed.core.dashboard import paused_panels

    panels = paused_panels(request) if reason == "subscription" else []
    return render(request, "core/paused.html", {"reason": reason, "panels": panels}, status=403)


def get_scoped_or_404(queryset: QuerySet[M], actor: Actor, *, via: str = "institution", **lookup: object) -> M:
    """Fetch one object of the actor's institution; any other institution's object is a 404."""
    if actor.institution_id is None:
        raise Http404
    try:
        return queryset.get(**{f"{via}_id": actor.institution_id}, **lookup)
    except ObjectDoesNotExist as exc:  # what ``get`` raises: the model's DoesNotExist
        raise Http404 from exc
