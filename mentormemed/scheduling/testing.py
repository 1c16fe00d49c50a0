"""Builders for tests (this app's, the permission matrix, e2e). They bypass the services on purpose."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from mentormemed.core.clock import platform_today
from mentormemed.scheduling.models import Availability, DateOff, Meeting, Window


def weekday_availability(mentor, *, time_zone="America/New_York", windows=None, **fields) -> Availability:
    """Availability with the given windows (default Monday–Friday 09:00–17:00), 30/60-minute meetings."""
    defaults = {"lengths": [30, 60], "buffer_minutes": 15, "notice_hours": 24, "horizon_days": 30}
    availability, _ = Availability.objects.update_or_create(
        mentor=mentor, defaults={"time_zone": time_zone, **defaults, **fields}
    )
    availability.windows.all().delete()
    for weekday, start, end in windows or [(d, dt.time(9), dt.time(17)) for d in range(5)]:
        Window.objects.create(availability=availability, weekday=weekday, start=start, end=end)
    return availability


def meeting(relationship, *, starts_at=None, minutes=30, **fields) -> Meeting:
    starts_at = starts_at or timezone.now() + dt.timedelta(days=3)
    return Meeting.objects.create(
        relationship=relationship,
        mentor=relationship.mentor,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=minutes),
        video_url="https://meet.example.org/MentorMeMed-test",
        **fields,
    )


# ---------------------------------------------------------------- permission matrix


def matrix_meeting(cast) -> Meeting:
    from mentormemed.mentorships.testing import matrix_relationship

    rel = matrix_relationship(cast)
    return rel.meetings.first() or meeting(rel)


def matrix_date_off(cast) -> int:
    from mentormemed.mentorships.testing import matrix_mentor

    availability = Availability.objects.filter(mentor=matrix_mentor(cast)).first() or weekday_availability(
        matrix_mentor(cast)
    )
    off, _ = DateOff.objects.get_or_create(availability=availability, date=platform_today() + dt.timedelta(days=9))
    return off.pk
