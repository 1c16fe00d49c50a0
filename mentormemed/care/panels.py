"""Home-page panels: admins and staff see what needs them; mentees are asked about duplicate needs."""

from __future__ import annotations

from mentormemed.care import selectors
from mentormemed.core.access import ADMIN, MENTEE, STAFF
from mentormemed.core.dashboard import Panel, register_panel


@register_panel
def care_overview_panel(request):
    actor = request.actor
    if actor.role not in (ADMIN, STAFF) or (actor.role == ADMIN and not actor.membership_active):
        return None
    return Panel(
        "Duty of care",
        "care/panels/overview.html",
        {"health": selectors.state_counts(actor=actor), "cases": selectors.open_case_counts(actor=actor)},
        order=15,
    )


@register_panel
def mentee_duplicates_panel(request):
    actor = request.actor
    if actor.role != MENTEE or not actor.membership_active:
        return None
    items = list(selectors.open_duplicates(mentee=actor.membership)[:3])
    if not items:
        return None
    return Panel("Two mentors, one need", "care/panels/duplicates.html", {"items": items}, order=12)
