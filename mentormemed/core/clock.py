"""The platform's calendar date: the one "today" every rule reads.

Pages render times in the viewer's own time zone (``UserTimeZoneMiddleware``), but every date
a rule decides on — a subscription's term (R1), a deadline, an agreement's destruction date, a
milestone or evaluation due date, the month or academic year a figure counts in, a cache key's
day — is a platform date in ``settings.TIME_ZONE``: the same for every reader, the sweep and the
tests, whatever zone the request runs in. ``core/tests/test_dates.py`` refuses a bare
``timezone.localdate()`` elsewhere. A person's own wall clock (an availability window, a meeting
invite) names its zone explicitly."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.utils import timezone


def platform_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def platform_today(now: dt.datetime | None = None) -> dt.date:
    """Today on the platform's calendar, or the platform date of the moment ``now``."""
    return timezone.localdate(now, timezone=platform_zone())
