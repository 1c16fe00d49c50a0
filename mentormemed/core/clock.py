"""The platform's calendar date.

Pages render in the viewer's own time zone (``UserTimeZoneMiddleware``), but contract
dates — a subscription's term (R1) — are platform dates, the same for everyone and for
the sweep, in ``settings.TIME_ZONE``.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.utils import timezone


def platform_today(now: dt.datetime | None = None) -> dt.date:
    return timezone.localdate(now, timezone=zoneinfo.ZoneInfo(settings.TIME_ZONE))
