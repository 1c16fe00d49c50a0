"""Home panel: the mentee's due and overdue evaluations and open surveys (R18, R19)."""

from __future__ import annotations

from django.utils.translation import gettext

from mentormemed.core.access import MENTEE, MENTOR
from mentormemed.core.dashboard import Panel, register_panel
from mentormemed.evaluations import selectors


@register_panel
def evaluations_panel(request):
    actor = request.actor
    if actor.role not in (MENTEE, MENTOR) or not actor.membership_active or not actor.subscription_active:
        return None
    evaluations = selectors.open_evaluations(mentee=actor.membership) if actor.role == MENTEE else []
    surveys = selectors.open_surveys(membership=actor.membership)
    if not evaluations and not surveys:
        return None
    return Panel(
        gettext("Evaluations and surveys due"),
        "evaluations/panels/due.html",
        {"evaluations": evaluations, "surveys": surveys},
        order=15,
    )
