"""Small display helpers for mentorship pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template

from mentormemed.mentorships import selectors

if TYPE_CHECKING:
    from mentormemed.institutions.models import Membership
    from mentormemed.profiles.models import MentorProfile

register = template.Library()


@register.simple_tag
def tie_with(mentee: Membership | None, mentor: MentorProfile) -> selectors.Tie | dict[str, object]:
    """The mentee's active mentorship with, or pending request to, ``mentor`` (for the mentor's page)."""
    return selectors.tie_between(mentee=mentee, mentor=mentor) if mentee is not None else {}
