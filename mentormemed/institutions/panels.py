"""Admin dashboard panels owned by institutions."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Count, Q

from mentormemed.core.access import ADMIN, STAFF
from mentormemed.core.clock import platform_today
from mentormemed.core.dashboard import Panel, register_panel, register_paused_panel
from mentormemed.institutions import selectors
from mentormemed.institutions.models import Membership, Subscription


@register_panel
def program_panel(request):
    if request.actor.role != ADMIN:
        return None
    institution = request.actor.institution
    counts = Membership.objects.filter(institution=institution).aggregate(
        # distinct: the join to attestations repeats each mentor once per criterion
        mentees=Count("pk", filter=Q(role="mentee", status="active"), distinct=True),
        mentors=Count("pk", filter=Q(role="mentor", status="active"), distinct=True),
        eligibility_pending=Count("pk", filter=Q(role="mentee", eligibility__status="pending"), distinct=True),
        criteria_pending=Count("pk", filter=Q(role="mentor", criterion_attestations__status="pending"), distinct=True),
    )
    return Panel(
        "Program at a glance",
        "institutions/panels/program.html",
        {
            **counts,
            "supply": selectors.mentor_supply(institution),
            "subscription": selectors.current_subscription(institution),
            "has_access": request.actor.subscription_active,
        },
        order=10,
    )


@register_panel
def network_panel(request):
    if request.actor.role != STAFF:
        return None
    today = platform_today()
    institutions = list(selectors.institutions_overview())
    renewals = (
        Subscription.objects.covering()
        .filter(term_end__lte=today + dt.timedelta(days=90))
        .select_related("institution")
        .order_by("term_end")[:10]
    )
    return Panel(
        "National network",
        "institutions/panels/network.html",
        {
            "institutions": len(institutions),
            "active": sum(1 for i in institutions if i.active_subscriptions),
            "mentors": sum(i.mentors for i in institutions),
            "mentees": sum(i.mentees for i in institutions),
            "renewals": renewals,
            "unpaid": Subscription.objects.filter(paid_on__isnull=True, ended_on__isnull=True).count(),
        },
        order=10,
    )


@register_paused_panel
def paused_contacts_panel(request):
    """R1: whom to ask about the renewal — the institution's program office (its admins)."""
    institution = request.actor.institution
    if institution is None:
        return None
    admins = list(
        Membership.objects.filter(institution=institution, role=ADMIN, status="active")
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )
    context = {"admins": admins, "institution": institution, "support_email": settings.SUPPORT_EMAIL}
    return Panel("Whom to contact", "institutions/panels/contacts.html", context, order=5)
