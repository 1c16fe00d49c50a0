"""When evaluations and surveys fall due (R18, R19). Pure date arithmetic, no queries.

Rules (the numbers are product settings, ``core/conf.py``):
- a mentor evaluation is due 6·k months after the relationship started (k = 1, 2, …) while
  it runs; the latest one stays open until the next falls due (an unanswered older one is
  superseded, so a mentee never faces a backlog);
- when the relationship ends, only the exit evaluation is open, for EXIT_WINDOW_DAYS;
- an open evaluation or survey is overdue GRACE_DAYS after its due date;
- career updates are due every 12 months after a mentee joined; program feedback 6 months
  after anyone joined and every 12 months after that.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from mentormemed.core.clock import platform_today
from mentormemed.core.conf import product


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole months; the 31st becomes the last day of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from ``start`` to ``end`` (0 if end is earlier)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) > end:
        months -= 1
    return max(months, 0)


@dataclass(frozen=True)
class Due:
    occasion: str  # "periodic" | "exit" | "year-N"
    sequence: int
    due_on: dt.date
    overdue: bool

    @property
    def label(self) -> StrOrPromise:
        """Translated when shown (lazy), so a page, an e-mail or a notification reads in its reader's language."""
        if self.occasion == "exit":
            return _("End of mentorship")
        if self.occasion == "periodic":
            return format_lazy(
                _("{months}-month evaluation"), months=self.sequence * product.evaluation_interval_months
            )
        return format_lazy(_("Year {n}"), n=self.sequence)


def _local(value: dt.datetime) -> dt.date:
    return platform_today(value)


def evaluation_due(*, started_at: dt.datetime, ended_at: dt.datetime | None, today: dt.date) -> Due | None:
    """The one evaluation open for a relationship on ``today`` (submitted or not), if any."""
    grace = dt.timedelta(days=product.evaluation_grace_days)
    start = _local(started_at)
    if ended_at is not None:
        end = _local(ended_at)
        if today < end or today > end + dt.timedelta(days=product.evaluation_exit_window_days):
            return None
        return Due("exit", 0, end, today > end + grace)
    interval = product.evaluation_interval_months
    k = months_between(start, today) // interval
    if k < 1:
        return None
    due_on = add_months(start, k * interval)
    return Due("periodic", k, due_on, today > due_on + grace)


def yearly_due(*, joined: dt.date, today: dt.date, offset_months: int = 0) -> Due | None:
    """The open yearly survey occasion ``year-N`` (first due ``offset_months`` + 12 after joining)."""
    interval = product.survey_interval_months
    first = add_months(joined, interval - offset_months)
    if today < first:
        return None
    n = months_between(first, today) // interval + 1
    due_on = add_months(first, (n - 1) * interval)
    grace = dt.timedelta(days=product.evaluation_grace_days)
    return Due(f"year-{n}", n, due_on, today > due_on + grace)
