"""Home panels: a member's introductions waiting and group formats; an admin's programs."""

from __future__ import annotations

from mentormemed.core.access import ADMIN, MEMBER_ROLES
from mentormemed.core.dashboard import Panel, register_panel
from mentormemed.programs import group_selectors, selectors
from mentormemed.programs.models import ProposalStatus


@register_panel
def member_programs_panel(request):
    actor = request.actor
    if actor.role not in MEMBER_ROLES or not actor.membership_active or not actor.subscription_active:
        return None
    membership = actor.membership
    waiting = list(selectors.introductions_for(membership=membership).filter(status=ProposalStatus.INTRODUCED)[:5])
    circles = list(group_selectors.circles_of_member(membership=membership)[:5])
    if not waiting and not circles:
        return None
    return Panel(
        "Programs and circles", "programs/panels/member.html", {"waiting": waiting, "circles": circles}, order=15
    )


@register_panel
def admin_programs_panel(request):
    actor = request.actor
    if actor.role != ADMIN or actor.institution is None:
        return None
    programs = list(selectors.programs_of(institution=actor.institution)[:5])
    return Panel("Programs", "programs/panels/admin.html", {"programs": programs}, order=40)
