"""Small display helpers for mentorship pages."""

from __future__ import annotations

from django import template

from mentormemed.mentorships import selectors

register = template.Library()


@register.filter
def response_time(hours) -> str:
    """'usually answers within 2 days' style wording for a median in hours (R13)."""
    if hours is None:
        return "no answers yet to measure"
    if hours < 1:
        return "usually answers within an hour"
    if hours < 24:
        return f"usually answers within {round(hours)} hour{'s' if round(hours) != 1 else ''}"
    days = round(hours / 24)
    return f"usually answers within {days} day{'s' if days != 1 else ''}"


@register.filter
def percent(rate) -> str:
    return "—" if rate is None else f"{round(rate * 100)} %"


@register.simple_tag
def tie_with(mentee, mentor) -> dict:
    """The mentee's active mentorship with, or pending request to, ``mentor`` (for the mentor's page)."""
    return selectors.tie_between(mentee=mentee, mentor=mentor) if mentee is not None else {}
