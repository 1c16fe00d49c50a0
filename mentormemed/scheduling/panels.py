"""Home-page panel: the member's next meetings and the latest past ones (R17)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext

from mentormemed.core.access import MENTEE, MENTOR
from mentormemed.core.dashboard import Panel, register_panel, register_paused_panel
from mentormemed.scheduling import selectors


@register_panel
def meetings_panel(request):
    actor = request.actor
    if actor.role not in (MENTEE, MENTOR) or not actor.membership_active or not actor.subscription_active:
        return None
    now = timezone.now()
    membership = actor.membership
    return Panel(
        gettext("Meetings"),
        "scheduling/panels/meetings.html",
        {
            "upcoming": list(selectors.upcoming_meetings(membership=membership, now=now)[:3]),
            "past": list(selectors.past_meetings(membership=membership, now=now)[:2]),
            "zone": request.user.time_zone,
        },
        order=25,
    )


@register_paused_panel
def paused_meetings_panel(request):
    """R1: while access is paused, the meetings already booked stay visible (read-only)."""
    actor = request.actor
    if actor.role not in (MENTEE, MENTOR) or actor.membership is None:
        return None
    upcoming = list(selectors.upcoming_meetings(membership=actor.membership)[:10])
    context = {"upcoming": upcoming, "zone": request.user.time_zone}
    return Panel(gettext("Upcoming meetings"), "scheduling/panels/paused.html", context, order=20)
