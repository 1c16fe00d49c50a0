"""Home-page panels: a learner's training progress and a mentor's CME."""

from __future__ import annotations

from django.utils.translation import gettext

from mentormemed.core.access import MENTEE, MENTOR
from mentormemed.core.dashboard import Panel, register_panel
from mentormemed.training import selectors


@register_panel
def training_panel(request):
    actor = request.actor
    if actor.role not in (MENTEE, MENTOR) or not actor.membership_active:
        return None
    rows = selectors.library(membership=actor.membership)
    required = [r for r in rows if r.module.required]
    context = {
        "required_done": sum(1 for r in required if r.completion),
        "required_total": len(required),
        "done": sum(1 for r in rows if r.counts_as_done),
        "total": len(rows),
        "next": next((r for r in required if not r.completion), None),
    }
    if actor.role == MENTOR:
        claims = selectors.transcript(membership=actor.membership)
        context["claimable"] = len(selectors.claimable_completions(membership=actor.membership))
        context["credits"] = selectors.transcript_total(claims)
    return Panel(gettext("Training"), "training/panels/training.html", context, order=30)
