"""Home panels: staff invoices and renewals coming due (R3); admin outcomes at a glance (R23, R32)."""

from __future__ import annotations

import datetime as dt

from mentormemed.core.access import ADMIN, STAFF
from mentormemed.core.clock import platform_today
from mentormemed.core.dashboard import Panel, register_panel


@register_panel
def invoices_panel(request):
    if request.actor.role != STAFF:
        return None
    from mentormemed.institutions.models import Subscription

    today = platform_today()
    renewals = list(
        Subscription.objects.covering()
        .filter(term_end__lte=today + dt.timedelta(days=90))
        .select_related("institution", "issue")
        .order_by("term_end")[:8]
    )
    unpaid = list(
        Subscription.objects.filter(paid_on__isnull=True, ended_on__isnull=True)
        .select_related("institution", "issue")
        .order_by("invoice_due", "term_start")[:8]
    )
    return Panel(
        "Invoices and renewals",
        "outcomes/panels/invoices.html",
        {"renewals": renewals, "unpaid": unpaid, "today": today},
        order=12,
    )


@register_panel
def outcomes_panel(request):
    if request.actor.role != ADMIN:
        return None
    from mentormemed.institutions.selectors import mentor_supply

    return Panel(
        "Outcomes and mentor reward",
        "outcomes/panels/admin.html",
        {"supply": mentor_supply(request.actor.institution)},
        order=30,
    )
