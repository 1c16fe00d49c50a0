"""Dates and times written in the reader's language, from the locale's own formats.

``when(value, "weekday,time,zone")`` is "Monday, March 5, 4:30 PM EST" in English and
"lunes, 5 de marzo, 16:30 EST" in Spanish: the weekday (``l``) before the locale's
``MONTH_DAY_FORMAT`` (``DATE_FORMAT`` with ``year``), then its ``TIME_FORMAT``. Never a
hard-coded "l, F j", which Spanish would read as "lunes, marzo 5".
"""

from __future__ import annotations

import datetime as dt

from django.utils.formats import date_format, time_format

FLAGS = frozenset({"weekday", "year", "time", "zone"})


def when(value: dt.date | dt.datetime, flags: str = "") -> str:
    """``value`` in the active language; ``flags`` (comma-separated): weekday, year, time, zone."""
    wanted = {f.strip() for f in flags.split(",") if f.strip()}
    unknown = wanted - FLAGS
    if unknown:
        raise ValueError(f"Unknown date flags: {', '.join(sorted(unknown))}")
    text = date_format(value, "DATE_FORMAT" if "year" in wanted else "MONTH_DAY_FORMAT")
    if "weekday" in wanted:
        text = f"{date_format(value, 'l')}, {text}"
    if "time" in wanted and isinstance(value, dt.datetime):
        text = f"{text}, {time_format(value, 'TIME_FORMAT')}"
        if "zone" in wanted:
            text = f"{text} {date_format(value, 'T')}"
    return text


def clock(value: dt.datetime, flags: str = "") -> str:
    """The time of day in the locale's ``TIME_FORMAT`` ("4:30 PM" / "16:30"); ``zone`` adds its abbreviation."""
    text = time_format(value, "TIME_FORMAT")
    return f"{text} {date_format(value, 'T')}" if "zone" in flags else text


def clock_span(start: dt.time | dt.datetime, end: dt.time | dt.datetime) -> str:
    """A stretch of the day in the locale's ``TIME_FORMAT``: "9:00 AM–12:00 PM" / "9:00–12:00"."""
    return f"{time_format(start, 'TIME_FORMAT')}–{time_format(end, 'TIME_FORMAT')}"
