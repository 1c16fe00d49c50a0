"""The meetings card shown on a mentorship's page."""

from __future__ import annotations

from django import template

from mentormemed.scheduling.selectors import relationship_meetings_summary

register = template.Library()


@register.inclusion_tag("scheduling/_relationship_meetings.html", takes_context=True)
def relationship_meetings(context, relationship, limit: int = 3):
    """The pair's next meetings and the way to book one (only the pair ever sees this page)."""
    upcoming, held = relationship_meetings_summary(relationship=relationship, limit=limit)
    return {"rel": relationship, "upcoming": upcoming, "held": held, "user": context.get("user")}
