"""Reads about institutions. Tenant-owned reads always take the institution."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext

from mentormemed.core.clock import platform_today
from mentormemed.core.text import name_search
from mentormemed.institutions.models import (
    Institution,
    Membership,
    MembershipStatus,
    PriceBand,
    Subscription,
)


def institution_has_access(institution: Institution, day: dt.date | None = None) -> bool:
    """R1: members may use the platform only while a subscription covers today."""
    return institution.has_access(day)


def with_coverage(memberships: QuerySet[Membership], path: str = "") -> QuerySet[Membership]:
    """A request fact (``core.middleware.register_request_fact``): whether each membership's institution
    is covered today (R1's pause), read in the same statement as the memberships."""
    return memberships.annotate(
        institution_covered=Exists(Subscription.objects.covering().filter(institution_id=OuterRef("institution_id")))
    )


def current_subscription(institution: Institution) -> Subscription | None:
    """The covering subscription, else the most recent one (to show what lapsed)."""
    covering = Subscription.objects.covering().filter(institution=institution).first()
    return covering or institution.subscriptions.order_by("-term_end").first()


def band_for_headcount(headcount: int) -> PriceBand | None:
    for band in PriceBand.objects.all():
        if band.covers(headcount):
            return band
    return None


def institutions_overview() -> QuerySet[Institution]:
    """Staff list: every institution with member counts and whether it has access today."""
    today = platform_today()
    covering = Q(subscriptions__term_start__lte=today, subscriptions__term_end__gte=today) & (
        Q(subscriptions__ended_on__isnull=True) | Q(subscriptions__ended_on__gt=today)
    )
    return (
        Institution.objects.select_related("field_of_training")
        .annotate(
            active_subscriptions=Count("subscriptions", filter=covering, distinct=True),
            mentors=Count(
                "memberships", filter=Q(memberships__role="mentor", memberships__status="active"), distinct=True
            ),
            mentees=Count(
                "memberships", filter=Q(memberships__role="mentee", memberships__status="active"), distinct=True
            ),
        )
        .order_by("name")
    )


def institution_members(
    *, institution: Institution, role: str = "", status: str = "", query: str = "", awaiting_review: bool = False
) -> QuerySet[Membership]:
    qs = (
        Membership.objects.filter(institution=institution)
        .select_related("user", "eligibility", "institution")
        .prefetch_related("criterion_attestations", "user__agreement_acceptances__agreement")
        .order_by("user__last_name", "user__first_name", "pk")
    )
    if role:
        qs = qs.filter(role=role)
    if status:
        qs = qs.filter(status=status)
    if query:
        # Every word in the first name, last name, preferred name or e-mail: "Priya Mahmoud", "hernandez".
        qs = name_search(qs, query, "user__first_name", "user__last_name", "user__preferred_name", "user__email")
    if awaiting_review:  # eligibility (mentees) or criteria (mentors) the admin still has to confirm
        pending = Q(role="mentee", eligibility__status="pending") | Q(
            role="mentor", criterion_attestations__status="pending"
        )
        qs = qs.filter(pk__in=Membership.objects.filter(pending).values("pk"))
    return qs


class MentorSupply(TypedDict):
    active: int
    commitment: int | None
    percent: int | None
    bar: int | None  # the percent, at most 100


def mentor_supply(institution: Institution) -> MentorSupply:
    """R32: active mentors against the institution's commitment."""
    active = institution.memberships.filter(role="mentor", status="active").count()
    commitment = institution.mentor_commitment
    percent = round(100 * active / commitment) if commitment else None
    bar = min(percent, 100) if percent is not None else None
    return {"active": active, "commitment": commitment, "percent": percent, "bar": bar}


def graduate_standing(membership: Membership) -> str:
    """Why a mentee could not end as a graduate in good standing ("" when they can; R20).

    In good standing: a mentee whose membership is active (not suspended) and whose eligibility was
    not rejected by the program office. Only such a graduate is invited to mentor."""
    from mentormemed.accounts.models import MenteeEligibility, ReviewStatus

    if membership.role != "mentee":
        return gettext("Only a mentee graduates.")
    if membership.status == MembershipStatus.SUSPENDED:
        return gettext("The membership is suspended.")
    eligibility = MenteeEligibility.objects.filter(membership=membership).only("status").first()
    if eligibility is not None and eligibility.status == ReviewStatus.REJECTED:
        return gettext("The program office did not confirm their eligibility.")
    return ""
