"""Small display helpers for mentorship pages."""

from __future__ import annotations

from django import template

from mentormemed.mentorships import selectors

register = template.Library()


@register.simple_tag
def tie_with(mentee, mentor) -> dict:
    """The mentee's active mentorship with, or pending request to, ``mentor`` (for the mentor's page)."""
    return selectors.tie_between(mentee=mentee, mentor=mentor) if mentee is not None else {}
