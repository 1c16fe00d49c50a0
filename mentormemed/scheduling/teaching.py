"""Held meetings as "Learning from Teaching" sessions for the training capability (R22).

Registered from ``SchedulingConfig.ready()`` through ``training.teaching``'s seam.
Only when and how long: never agendas or notes (R30).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext

from mentormemed.scheduling import ics, selectors
from mentormemed.training.teaching import TeachingSession


def mentoring_sessions(*, membership, start: dt.date, end: dt.date) -> list[TeachingSession]:
    """One session per held meeting the mentor led whose local date (mentor's zone) is in [start, end]."""
    sessions = []
    for meeting in selectors.held_meetings_led(membership=membership, start=start, end=end):
        held_on = timezone.localtime(meeting.starts_at, ics.zone_of(meeting)).date()
        if start <= held_on <= end:
            hours = (Decimal(meeting.minutes) / Decimal(60)).quantize(Decimal("0.01"))
            sessions.append(
                TeachingSession(held_on=held_on, hours=hours, label=gettext("Mentoring meeting with a mentee"))
            )
    return sessions
