"""The period a release covers (R23, R38): one whole academic year, or whole years pooled, never a finer
cut; ``_months`` narrows a monthly rollup to it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from mentormemed.core.clock import platform_today
from mentormemed.core.conf import product
from mentormemed.evaluations.schedule import add_months

QS = TypeVar("QS", bound="QuerySet[Any, Any]")


def academic_year_of(day: dt.date) -> int:
    """The calendar year in which the academic year holding ``day`` began."""
    return day.year if day.month >= product.academic_year_start_month else day.year - 1


YEARS_OFFERED = 5
POOLED = "pooled"  # ``?year=pooled``: the last complete academic years together (reciprocity)


@dataclass(frozen=True)
class Filters:
    """The period released: one whole academic year (R23, R38).

    People choose among fixed, disjoint periods only, so no two releases differ by a month or
    a cohort a reader could subtract (see ``outcomes.suppression``). ``level`` and ``basis``
    narrow the figures for internal computations and tests; no request can set them."""

    start: dt.date
    end: dt.date
    level: str = ""
    basis: str = ""
    years: int = 1  # more than one: whole academic years pooled (the reciprocity view, see ``reciprocity``)

    @classmethod
    def year(cls, year: int) -> Filters:
        start = dt.date(year, product.academic_year_start_month, 1)
        return cls(start, add_months(start, 12) - dt.timedelta(days=1))

    @classmethod
    def from_query(cls, data: Mapping[str, str], today: dt.date | None = None) -> Filters:
        """The academic year asked for (``?year=2025`` is 2025–26), else the current one; any
        other parameter (months, cohorts) is ignored, so it cannot open a finer release."""
        current = academic_year_of(today or platform_today())
        try:
            year = int(data.get("year") or current)
        except (TypeError, ValueError):
            year = current
        if not current - YEARS_OFFERED < year <= current:
            year = current
        return cls.year(year)

    @staticmethod
    def offered(today: dt.date | None = None) -> list[tuple[int, str]]:
        current = academic_year_of(today or platform_today())
        return [(y, academic_year_label(y)) for y in range(current, current - YEARS_OFFERED, -1)]

    @property
    def academic_year(self) -> int:
        return academic_year_of(self.start)

    @property
    def pooled_years(self) -> list[int]:
        """The academic years this period covers (one, unless years are pooled)."""
        return [self.academic_year + n for n in range(self.years)]

    @property
    def label(self) -> str:
        if self.years > 1:
            first, *_, last = self.pooled_years
            return gettext("%(first)s to %(last)s") % {
                "first": academic_year_label(first),
                "last": academic_year_label(last),
            }
        return academic_year_label(self.academic_year)

    @property
    def period_name(self) -> str:
        """The period as a sentence starts it: "Academic year 2025–26" or the pooled years."""
        if self.years > 1:
            return gettext("Academic years %(label)s, pooled") % {"label": self.label}
        return gettext("Academic year %(label)s") % {"label": self.label}

    def is_partial(self, today: dt.date | None = None) -> bool:
        return self.end >= (today or platform_today())

    @property
    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        zone = timezone.get_current_timezone()
        return (
            dt.datetime.combine(self.start, dt.time.min, tzinfo=zone),
            dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=zone),
        )

    def months(self) -> list[dt.date]:
        """The months of the period up to the current one (a year in progress shows no months ahead)."""
        last = min(self.end, platform_today())
        months, cursor = [], self.start.replace(day=1)
        while cursor <= last:
            months.append(cursor)
            cursor = add_months(cursor, 1)
        return months

    def as_query(self) -> dict[str, int | str]:
        return {"year": POOLED if self.years > 1 else self.academic_year}

    def cache_key(self) -> str:
        return f"{self.start}:{self.end}:{self.level}:{self.basis}" + (f":{self.years}y" if self.years > 1 else "")


def academic_year_label(year: int) -> str:
    return f"{year}–{(year + 1) % 100:02d}"


def _months(qs: QS, f: Filters) -> QS:
    return qs.filter(month__gte=f.start.replace(day=1), month__lte=f.end)
