"""Care pieces shown on other capabilities' pages: the meeting's
"did not show" control and the report links (only the pair or the viewer concerned sees them)."""

from __future__ import annotations

from django import template
from django.utils import timezone

from mentormemed.care.models import NoShow
from mentormemed.care.services import NO_SHOW_MARK_DAYS
from mentormemed.scheduling.models import MeetingStatus

register = template.Library()


@register.inclusion_tag("care/_meeting_attendance.html", takes_context=True)
def meeting_attendance(context, meeting):
    """ "They did not show" for a started scheduled meeting, or the record once marked."""
    now = timezone.now()
    record = NoShow.objects.filter(meeting=meeting).select_related("marked_by").first()
    can_mark = (
        record is None
        and meeting.status == MeetingStatus.SCHEDULED
        and meeting.starts_at <= now
        and (now - meeting.starts_at).days < NO_SHOW_MARK_DAYS
        and meeting.relationship.is_active
    )
    user = context["request"].user
    return {
        "m": meeting,
        "record": record,
        "can_mark": can_mark,
        "other": meeting.relationship.other_user(user),
        "user": user,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("care/_report_link.html")
def report_mentor_link(mentor):
    from django.urls import reverse

    return {"url": reverse("care:report_mentor", args=[mentor.pk]), "label": "Report this mentor"}


@register.inclusion_tag("care/_report_link.html")
def report_request_link(mentorship_request):
    from django.urls import reverse

    return {"url": reverse("care:report_request", args=[mentorship_request.pk]), "label": "Report this mentee"}
