"""The meetings card shown on a mentorship's page."""

from __future__ import annotations

from django import template
from django.utils import timezone

from mentormemed.scheduling.models import Meeting, MeetingStatus

register = template.Library()


@register.inclusion_tag("scheduling/_relationship_meetings.html", takes_context=True)
def relationship_meetings(context, relationship, limit: int = 3):
    """The pair's next meetings and the way to book one (only the pair ever sees this page)."""
    upcoming = Meeting.objects.filter(
        relationship=relationship, status=MeetingStatus.SCHEDULED, ends_at__gt=timezone.now()
    ).order_by("starts_at")[:limit]
    held = Meeting.objects.filter(relationship=relationship, status=MeetingStatus.HELD).count()
    return {"rel": relationship, "upcoming": list(upcoming), "held": held, "user": context.get("user")}
