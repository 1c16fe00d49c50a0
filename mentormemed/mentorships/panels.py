"""Home-page panels for mentees (network, R14) and mentors (requests waiting, capacity, R12/R13)."""

from __future__ import annotations

from django.utils.translation import gettext

from mentormemed.core.access import MENTEE, MENTOR
from mentormemed.core.dashboard import Panel, register_panel, register_paused_panel
from mentormemed.mentorships import selectors
from mentormemed.mentorships.models import RequestState


@register_panel
def mentee_network_panel(request):
    actor = request.actor
    if actor.role != MENTEE or not actor.membership_active or not actor.subscription_active:
        return None
    network = selectors.network_of(mentee=actor.membership)
    pending = selectors.requests_of_mentee(mentee=actor.membership).filter(state=RequestState.PENDING).count()
    return Panel(
        gettext("My mentors"), "mentorships/panels/mentee.html", {"network": network, "pending": pending}, order=20
    )


@register_panel
def mentor_requests_panel(request):
    actor = request.actor
    if actor.role != MENTOR or not actor.membership_active or not actor.subscription_active:
        return None
    mentor = selectors.mentor_profile_of(actor.membership)
    if mentor is None:
        return None
    waiting = list(selectors.inbox_of_mentor(mentor=mentor)[:5])
    return Panel(
        gettext("Requests waiting for you"),
        "mentorships/panels/mentor.html",
        {"mentor": mentor, "waiting": waiting, "overview": selectors.mentor_overview(mentor=mentor)},
        order=20,
    )


@register_panel
def checkin_due_panel(request):
    """R29: a check-in waiting for this person's answer leads the home page."""
    actor = request.actor
    if actor.role not in (MENTEE, MENTOR) or not actor.membership_active or not actor.subscription_active:
        return None
    due = selectors.checkins_due(membership=actor.membership)
    if not due:
        return None
    return Panel(gettext("Check-in due"), "mentorships/panels/checkin.html", {"due": due}, order=5)


@register_paused_panel
def paused_mentorships_panel(request):
    """R1: while access is paused, a member still sees their mentorships (read-only)."""
    actor = request.actor
    if actor.role not in (MENTEE, MENTOR) or actor.membership is None:
        return None
    rows = list(selectors.relationships_of(membership=actor.membership)[:20])
    return Panel(gettext("Your mentorships"), "mentorships/panels/paused.html", {"rows": rows}, order=10)
