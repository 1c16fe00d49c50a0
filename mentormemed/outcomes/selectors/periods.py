"""The month and quarter rows of the outcomes tables: a table by month, then by quarter when single months
describe too few people (``period_layouts``); figures keyed by their month."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db.models import Case, DateField, Value, When
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from mentormemed.core.clock import platform_today, platform_zone
from mentormemed.evaluations.schedule import add_months
from mentormemed.outcomes.selectors.filters import Filters
from mentormemed.outcomes.suppression import Cell, Layout, Row

# A ``values()`` or ``aggregate()`` row: figures by name (counts of rows and of people, sums, a month).
Figures = Mapping[str, Any]


def _month_label(day: dt.date) -> str:
    return date_format(day, "SHORT_YEAR_MONTH_FORMAT")  # "Mar 2026" / "mar 2026"


def _month_key(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value, platform_zone()) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    return value.replace(day=1)


def quarters(f: Filters) -> list[tuple[dt.date, list[dt.date]]]:
    """The period's quarters (three months from the start of the academic year), each with its
    months so far."""
    months = f.months()
    return [(months[n], months[n : n + 3]) for n in range(0, len(months), 3)]


def quarter_of(f: Filters, field: str) -> Case:
    """The first month of the quarter holding ``field`` (a month)."""
    whens = [
        When(**{f"{field}__gte": start, f"{field}__lt": add_months(start, 3)}, then=Value(start))
        for start, _ in quarters(f)
    ]
    return Case(*whens, output_field=DateField())


def _period_label(months: list[dt.date]) -> str:
    first, last = months[0], months[-1]
    if first == last:
        return _month_label(first)
    if first.year == last.year:
        return f"{date_format(first, 'SHORT_MONTH_FORMAT')}–{_month_label(last)}"
    return f"{_month_label(first)}–{_month_label(last)}"


def period_layouts(
    f: Filters,
    by_month: Mapping[dt.date, Figures],
    by_quarter: Mapping[dt.date, Figures],
    cells: Callable[[Figures], list[Cell]],
    total: Callable[[], Row],
    empty: Figures,
) -> list[Layout]:
    """A month table by month, then by quarter (when months are too small to show).

    ``cells(r)`` makes a row's cells from a dict of figures (``r["p"]`` its distinct people),
    ``total()`` a fresh total row; ``by_quarter`` is keyed by each quarter's first month."""
    months = f.months()
    today = platform_today()
    current = today.replace(day=1) if f.is_partial(today) else None  # the month still running
    layouts = [
        Layout(
            [
                Row(
                    _month_label(m),
                    cells(by_month.get(m, empty)),
                    by_month.get(m, empty)["p"],
                    extra={"months": [m], "partial": m == current},
                )
                for m in months
            ],
            total(),
        )
    ]
    spans = quarters(f)
    if any(len(span) > 1 for _, span in spans):
        rows = [
            Row(
                _period_label(span),
                cells(by_quarter.get(start, empty)),
                by_quarter.get(start, empty)["p"],
                extra={"units": len(span), "months": span, "partial": current in span},
            )
            for start, span in spans
        ]
        layouts.append(
            Layout(rows, total(), merged=gettext("Months are shown by quarter: single months describe too few people."))
        )
    return layouts


def _keyed(rows: Iterable[Figures], field: str) -> dict[dt.date, Figures]:
    return {_month_key(r[field]): r for r in rows if r[field] is not None}
