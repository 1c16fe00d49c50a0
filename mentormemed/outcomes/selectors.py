"""Outcomes figures for one institution or the national network (R23).

Every figure is computed from mentees who consented to aggregate analytics, scoped to the
institution given (``institution=None`` is the national view, for staff only), filtered by
date range and cohort, and passed through small-cell suppression before anyone sees it.
Queries are aggregate (GROUP BY) per table, so the count does not grow with the data, and they
read the rollups of ``outcomes.rollups`` (one row per person and month, request or relationship,
cohort and scope joined in), so the figures are as of the last rollup refresh.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import combinations
from typing import TYPE_CHECKING, Any, NotRequired, TypedDict, TypeVar, cast

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import get_text_list
from django.utils.translation import get_language, gettext, gettext_lazy

from mentormemed.core.conf import product
from mentormemed.evaluations.schedule import add_months
from mentormemed.outcomes import stats
from mentormemed.outcomes.cohorts import BASES, GME, UME, cohort_q, live_cohort_q
from mentormemed.outcomes.cohorts import scoped as _scoped
from mentormemed.outcomes.regression import OUTCOMES, adjusted_tables
from mentormemed.outcomes.rollups import MEASURES, last_refresh, stored_release
from mentormemed.outcomes.suppression import RATIO, Cell, Layout, Row, choose, k_min, protect, protect_cell
from mentormemed.outcomes.tables import Table, count, rate

if TYPE_CHECKING:
    from django.db.models.expressions import Combinable

    from mentormemed.core.types import Text
    from mentormemed.institutions.models import Institution
    from mentormemed.outcomes.models import RelationshipFact, RequestFact, SearchKeyRollup, SearchRollup

# A ``values()`` or ``aggregate()`` row: figures by name (counts of rows and of people, sums, a month).
Figures = Mapping[str, Any]
QS = TypeVar("QS", bound="QuerySet[Any, Any]")
# One sum of the success analysis: kind, name, field, exponent, rows, Σ mantissa, Σ mantissa².
Part = tuple[str, str, str, int, int, int, int]


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
        current = academic_year_of(today or timezone.localdate())
        try:
            year = int(data.get("year") or current)
        except (TypeError, ValueError):
            year = current
        if not current - YEARS_OFFERED < year <= current:
            year = current
        return cls.year(year)

    @staticmethod
    def offered(today: dt.date | None = None) -> list[tuple[int, str]]:
        current = academic_year_of(today or timezone.localdate())
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
        return self.end >= (today or timezone.localdate())

    @property
    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        zone = timezone.get_current_timezone()
        return (
            dt.datetime.combine(self.start, dt.time.min, tzinfo=zone),
            dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=zone),
        )

    def months(self) -> list[dt.date]:
        """The months of the period up to the current one (a year in progress shows no months ahead)."""
        last = min(self.end, timezone.localdate())
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


def _month_label(day: dt.date) -> str:
    return date_format(day, "SHORT_YEAR_MONTH_FORMAT")  # "Mar 2026" / "mar 2026"


def _month_key(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
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
    today = timezone.localdate()
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


# ------------------------------------------------------------------ searches (R11, R23)


def _searches(
    institution: Institution | None, f: Filters, model: type[SearchRollup | SearchKeyRollup] | None = None
) -> QuerySet[SearchRollup | SearchKeyRollup]:
    from mentormemed.outcomes.models import SearchRollup

    qs = _months((model or SearchRollup).objects.filter(cohort_q(f)), f)
    return qs.filter(institution_id=institution.pk) if institution is not None else qs


def _first(f: Filters, prev: str, since: dt.date | Combinable | None = None, *, group: bool = False) -> Q:
    """A person's first row of its kind in the range (or in its own month: ``since=F("month")``).

    ``prev`` names the rollup's previous-month columns (``<prev>_all``/``<prev>_group``, or a
    column itself when it ends in ``_level``); counting these rows counts distinct people."""
    column = prev if prev.endswith("_level") else f"{prev}_group" if f.level or group else f"{prev}_all"
    since = f.start.replace(day=1) if since is None else since
    return Q(**{f"{column}__isnull": True}) | Q(**{f"{column}__lt": since})


def _people(
    f: Filters,
    prev: str = "prev",
    when: Q | None = None,
    since: dt.date | Combinable | None = None,
    *,
    group: bool = False,
) -> Count:
    first = _first(f, prev, since, group=group)
    return Count("id", filter=first & when if when is not None else first)


def search_tables(institution: Institution | None, f: Filters) -> list[Table]:
    qs = _searches(institution, f)
    k = k_min()
    tables = []

    by_month = _keyed(qs.values("month").annotate(n=Sum("searches"), p=_people(f, since=F("month"))), "month")
    quarter = quarter_of(f, "month")
    by_quarter = _keyed(
        qs.annotate(q=quarter).values("q").annotate(n=Sum("searches"), p=_people(f, since=quarter)), "q"
    )
    # Totals, bases and result buckets in one scan.
    agg = {"n": Coalesce(Sum("searches"), 0), "p": _people(f)}
    for key, _ in BASES:
        agg[f"n_{key}"] = Coalesce(Sum("searches", filter=Q(**{key: True})), 0)
        agg[f"p_{key}"] = _people(f, when=Q(**{key: True}))
    by_result = (("0", "no_results", "prev_none"), ("1", "few_results", "prev_few"), ("4", "many_results", "prev_many"))
    for name, column, prev in by_result:
        agg[f"n{name}"] = Coalesce(Sum(column), 0)
        agg[f"p{name}"] = _people(f, prev, when=Q(**{f"{column}__gt": 0}))
    values = qs.aggregate(**agg)
    totals = {"n": values["n"], "p": values["p"]}
    total = Row(gettext("All months"), [count(totals["n"], totals["p"])], totals["p"])
    tables.append(searches_month_table(f, by_month, by_quarter, totals, k))
    groups = _keyed_groups(
        qs.annotate(g=level_group("training_level")).values("g").annotate(n=Sum("searches"), p=_people(f, group=True))
    )
    levels = {
        r["training_level"]: r
        for r in qs.values("training_level").annotate(n=Sum("searches"), p=_people(f, "prev_level"))
    }
    tables.append(searches_level_table(levels, groups, total, k))

    rows = [Row(label, [count(values[f"n_{key}"], values[f"p_{key}"])], values[f"p_{key}"]) for key, label in BASES]
    protect(rows, additive=False, reference=total, k=k)  # a mentee may hold several bases: rows overlap
    tables.append(
        Table(
            "searches_by_basis",
            gettext("Searches by eligibility basis"),
            [gettext("Searches")],
            rows,
            gettext("Eligibility basis"),
            chart="hbar",
            note="A mentee with several bases counts in each, so the rows do not add up.",
        )
    )

    unmet_total = Row(
        gettext("Searches with 3 or fewer results"),
        [count(values["n0"] + values["n1"], max(values["p0"], values["p1"]))],
        max(values["p0"], values["p1"]),
    )
    tables.extend(_filter_tables(institution, f, k, total, unmet_total))

    buckets = values  # summed with the totals above
    rows = [
        Row(
            gettext("No results"),
            [count(buckets["n0"], buckets["p0"]), rate(buckets["n0"], totals["n"], buckets["p0"])],
            buckets["p0"],
        ),
        Row(
            "1–3 results",
            [count(buckets["n1"], buckets["p1"]), rate(buckets["n1"], totals["n"], buckets["p1"])],
            buckets["p1"],
        ),
        Row(
            "4 or more",
            [count(buckets["n4"], buckets["p4"]), rate(buckets["n4"], totals["n"], buckets["p4"])],
            buckets["p4"],
        ),
    ]
    results_total = Row(
        gettext("All searches"),
        [count(totals["n"], totals["p"]), Cell(100.0 if totals["n"] else None, totals["p"], fmt="{:.0f}%", kind=RATIO)],
        totals["p"],
    )
    protect(rows, total=results_total, additive=True, k=k)
    tables.append(
        Table(
            "searches_by_results",
            gettext("Searches with no or few results (unmet demand)"),
            [gettext("Searches"), gettext("Share")],
            rows,
            gettext("Results"),
            total=results_total,
            description=gettext("Searches that found no or few mentors show where supply is short."),
        )
    )
    return tables


def searches_month_table(
    f: Filters, by_month: Mapping[dt.date, Figures], by_quarter: Mapping[dt.date, Figures], totals: Figures, k: int
) -> Table:
    """Searches per month, or per quarter when months are too small."""
    layout = choose(
        period_layouts(
            f,
            by_month,
            by_quarter,
            lambda r: [count(r["n"], r["p"])],
            lambda: Row(gettext("All months"), [count(totals["n"], totals["p"])], totals["p"]),
            {"n": 0, "p": 0},
        ),
        additive=True,
        k=k,
    )
    return Table(
        "searches_by_month",
        gettext("Searches per month"),
        [gettext("Searches")],
        layout.rows,
        gettext("Month"),
        layout.total,
        chart="line",
        description=gettext("How many searches mentees ran each month."),
        merged=layout.merged,
    )


LEVEL_GROUPS = [
    ("ume", gettext_lazy("Medical students (UME)"), UME),
    ("gme", gettext_lazy("Residents and fellows (GME)"), GME),
]


def level_group(field: str) -> Case:
    """ "ume", "gme" or "" (not given) for a training level column."""
    return Case(
        When(**{f"{field}__in": UME}, then=Value("ume")),
        When(**{f"{field}__in": GME}, then=Value("gme")),
        default=Value(""),
        output_field=CharField(),
    )


def _keyed_groups(rows: Iterable[Figures]) -> dict[str, Figures]:
    return {r["g"]: r for r in rows}


def _join(names: Sequence[Text]) -> str:
    return get_text_list([str(name) for name in names], gettext("and"))


def searches_level_table(levels: Mapping[str, Figures], groups: Mapping[str, Figures], total: Row, k: int) -> Table:
    """Searches by training level; levels of a group too small to show merge into UME or GME."""
    from mentormemed.profiles.models import TrainingLevel

    names = dict(TrainingLevel.choices)
    present = {key: [m for m in members if m in levels] for key, _, members in LEVEL_GROUPS}

    def layout(merge: tuple[str, ...]) -> Layout:
        rows: list[Row] = []
        said: list[str] = []
        for key, label, _ in LEVEL_GROUPS:
            if key in merge:
                g = groups[key]
                rows.append(Row(label, [count(g["n"], g["p"])], g["p"], extra={"units": len(present[key])}))
                said.append(f"{_join([names[m] for m in present[key]])} are shown together as {label}")
            else:
                rows += [Row(names[m], [count(levels[m]["n"], levels[m]["p"])], levels[m]["p"]) for m in present[key]]
        if "" in levels:
            rows.append(Row(gettext("Not given"), [count(levels[""]["n"], levels[""]["p"])], levels[""]["p"]))
        merged = f"{'; '.join(said)}: single levels describe too few people." if said else ""
        return Layout(
            rows,
            replace(total, label=gettext("All training levels"), cells=[replace(c) for c in total.cells]),
            merged=merged,
        )

    mergeable = [key for key, _, _ in LEVEL_GROUPS if len(present[key]) > 1]
    options = [merge for n in range(len(mergeable) + 1) for merge in combinations(mergeable, n)]
    chosen = choose((layout(merge) for merge in options), additive=True, k=k)
    return Table(
        "searches_by_level",
        gettext("Searches by training level"),
        [gettext("Searches")],
        chosen.rows,
        gettext("Training level"),
        chosen.total if chosen.rows else None,
        description=gettext("Who searches, by training level at the time of the search."),
        merged=chosen.merged,
    )


def _filter_tables(institution: Institution | None, f: Filters, k: int, total: Row, unmet_total: Row) -> list[Table]:
    """Which filters and content areas were searched, overall and among searches with ≤ 3 results."""
    from mentormemed.matching.index import catalog
    from mentormemed.outcomes.models import SearchKeyRollup

    known = catalog()
    per_key = list(
        _searches(institution, f, SearchKeyRollup)
        .values("key")
        .annotate(
            n=Sum("searches"),
            p=_people(f),
            u=Sum("unmet"),
            up=_people(f, "prev_unmet", when=Q(unmet__gt=0)),
        )
    )
    searched = sorted(per_key, key=lambda r: (-r["n"], r["key"]))[:15]
    unmet = sorted((r for r in per_key if r["u"]), key=lambda r: (-r["u"], r["key"]))[:10]

    def label(key: str) -> str:
        info = known.get(key)
        return f"{info.group_label}: {info.label}" if info else key

    rows = [Row(label(r["key"]), [count(r["n"], r["p"])], r["p"]) for r in searched]
    protect(rows, additive=False, reference=total, k=k)
    first = Table(
        "searched_filters",
        gettext("Filters and content areas searched (top 15)"),
        [gettext("Searches")],
        rows,
        gettext("Filter"),
        chart="hbar",
        note="A search may use several filters, so the rows do not add up.",
    )
    rows = [Row(label(r["key"]), [count(r["u"], r["up"])], r["up"]) for r in unmet]
    protect(rows, additive=False, reference=unmet_total, k=k)
    second = Table(
        "unmet_areas",
        gettext("Content areas searched with 3 or fewer results"),
        [gettext("Searches")],
        rows,
        gettext("Content area"),
        chart="hbar",
        description=gettext("Where mentees looked for help and found little: candidates for recruiting mentors."),
    )
    return [first, second]


# ------------------------------------------------------------------ matches (R13, R23)


def _requests(institution: Institution | None, f: Filters) -> QuerySet[RequestFact]:
    from mentormemed.outcomes.models import RequestFact

    return _scoped(_months(RequestFact.objects.filter(cohort_q(f)), f), institution)


STATE_COLUMNS = ["accepted", "declined", "expired", "withdrawn", "pending"]
DECIDED = Q(state__in=["accepted", "declined", "expired"])
# The columns of a request row: together they add up to the requests (R38: no hidden remainder).
OUTCOME_COLUMNS = [
    ("accepted", gettext_lazy("Accepted"), Q(state="accepted")),
    ("declined", gettext_lazy("Declined"), Q(state="declined")),
    ("expired", gettext_lazy("Expired"), Q(state="expired")),
    ("open", gettext_lazy("Withdrawn or waiting"), Q(state__in=["withdrawn", "pending"])),
]
# Coarser cuts of the same columns, finest first: a small column merges with its neighbour.
MERGED_COLUMNS = [
    ("late", gettext_lazy("Expired, withdrawn or waiting"), Q(state__in=["expired", "withdrawn", "pending"])),
    ("refused", gettext_lazy("Declined or expired"), Q(state__in=["declined", "expired"])),
    ("not", gettext_lazy("Not accepted"), ~Q(state="accepted")),
]
_COLUMNS = {key: (key, label, q) for key, label, q in [*OUTCOME_COLUMNS, *MERGED_COLUMNS]}
COLUMN_LAYOUTS: list[tuple[list[str], Text]] = [
    (["accepted", "declined", "expired", "open"], ""),
    (["accepted", "declined", "late"], gettext_lazy("Expired, withdrawn and waiting requests are shown together")),
    (["accepted", "refused", "open"], gettext_lazy("Declined and expired requests are shown together")),
    (
        ["accepted", "not"],
        gettext_lazy("Declined, expired, withdrawn and waiting requests are shown together as not accepted"),
    ),
    ([], gettext_lazy("Outcomes are not shown")),
]


def _state_counts() -> dict[str, Count]:
    """Requests and distinct requesting mentees, in all and per outcome column and state."""
    agg = {"n": Count("id"), "p": Count("mentee_id", distinct=True)}
    for key, _, q in _COLUMNS.values():
        agg[f"n_{key}"] = Count("id", filter=q)
        agg[f"p_{key}"] = Count("mentee_id", filter=q, distinct=True)
    agg["n_decided"] = Count("id", filter=DECIDED)
    agg["p_decided"] = Count("mentee_id", filter=DECIDED, distinct=True)
    # p_refused (declined or expired mentees) is the "refused" column's.
    agg["p_answered"] = Count("mentee_id", filter=Q(state__in=["accepted", "declined"]), distinct=True)
    return agg


def _outcome_cells(r: Figures, keys: list[str] | None = None) -> list[Cell]:
    keys = [key for key, _, _ in OUTCOME_COLUMNS] if keys is None else keys
    return [count(r["n"], r["p"]), *[count(r[f"n_{key}"], r[f"p_{key}"]) for key in keys]]


def requests_month_table(
    f: Filters, by_month: Mapping[dt.date, Figures], by_quarter: Mapping[dt.date, Figures], totals: Figures, k: int
) -> Table:
    """Requests per month by outcome; small columns merge with a neighbour, then months into quarters."""

    def cut(keys: list[str], said: Text, use_quarters: bool) -> Layout | None:
        options = period_layouts(
            f,
            by_month,
            by_quarter,
            lambda r: _outcome_cells(r, keys),
            lambda: Row(gettext("All months"), _outcome_cells(totals, keys), totals["p"]),
            EMPTY_COUNTS,
        )
        if use_quarters and len(options) == 1:
            return None
        chosen = options[-1] if use_quarters else options[0]
        chosen.columns = [gettext("Requests"), *[_COLUMNS[key][1] for key in keys]]
        said = f"{said}: single outcomes describe too few people." if said else ""
        chosen.merged = " ".join(x for x in (said, chosen.merged) if x)
        return chosen

    def layouts() -> Iterator[Layout]:
        # Outcome columns merge first, then months into quarters; outcomes go only as a last resort.
        *with_outcomes, (no_outcomes, said) = COLUMN_LAYOUTS
        order = [(keys, s, q) for q in (False, True) for keys, s in with_outcomes]
        order += [(no_outcomes, said, False), (no_outcomes, said, True)]
        for keys, s, use_quarters in order:
            found = cut(keys, s, use_quarters)
            if found is not None:
                yield found

    layout = choose(layouts(), additive=True, k=k)
    assert layout.columns is not None  # every cut names its columns
    return Table(
        "requests_by_month",
        gettext("Requests per month and what became of them"),
        layout.columns,
        layout.rows,
        gettext("Month"),
        layout.total,
        chart="bar",
        chart_columns=list(range(1, len(layout.columns))) or [0],
        description=gettext("Each month's requests by outcome."),
        merged=layout.merged,
    )


def _acceptance(r: Figures) -> Cell:
    """Accepted ÷ decided, describing the accepted and the decided-but-not-accepted mentees."""
    return rate(r["n_accepted"], r["n_decided"], r["p_accepted"], r["p_refused"])


EMPTY_COUNTS = {"n": 0, "p": 0, "n_decided": 0, "p_decided": 0, "p_refused": 0, "p_answered": 0} | {
    f"{x}_{key}": 0 for key in _COLUMNS for x in "np"
}


class Headline(TypedDict):
    """A headline figure: a suppressed cell with its label (and what it means)."""

    label: str
    cell: Cell
    help: NotRequired[str]


def match_tables(institution: Institution | None, f: Filters) -> tuple[list[Table], list[Headline]]:
    """Tables and the headline figures (each a suppressed Cell with a label)."""
    from mentormemed.mentorships.models import Relationship
    from mentormemed.profiles.models import MentorProfile

    qs = _requests(institution, f)
    k = k_min()
    tables = []
    totals = qs.aggregate(**_state_counts())

    by_month = _keyed(qs.values("month").annotate(**_state_counts()), "month")
    by_quarter = _keyed(qs.annotate(q=quarter_of(f, "month")).values("q").annotate(**_state_counts()), "q")
    tables.append(requests_month_table(f, by_month, by_quarter, totals, k))

    local_q = Q(mentee_institution_id=F("mentor_institution_id"))
    split: dict[bool, Figures] = {
        r["local"]: r
        for r in qs.annotate(local=ExpressionWrapper(local_q, output_field=BooleanField()))
        .values("local")
        .annotate(**_state_counts())
    }
    rows = []
    for local, label in (
        (True, gettext("Local (same institution)")),
        (False, gettext("National (another institution)")),
    ):
        r = split.get(local, EMPTY_COUNTS)
        rows.append(
            Row(label, [count(r["n"], r["p"]), count(r["n_accepted"], r["p_accepted"]), _acceptance(r)], r["p"])
        )
    protect(
        rows,
        total=Row(
            gettext("All"),
            [count(totals["n"], totals["p"]), count(totals["n_accepted"], totals["p_accepted"])],
            totals["p"],
        ),
        additive=True,
        k=k,
    )
    tables.append(
        Table(
            "requests_local_national",
            gettext("Local and national matches"),
            [gettext("Requests"), gettext("Accepted"), gettext("Acceptance rate")],
            rows,
            gettext("Mentor's institution"),
            chart="bar",
            chart_columns=[0, 1],
        )
    )

    reference = Row(
        gettext("All requests"),
        [count(totals["n"], totals["p"]), count(totals["n_accepted"], totals["p_accepted"])],
        totals["p"],
    )
    tables.append(
        _breakdown(
            institution,
            f,
            "spec",
            "requests_by_specialty",
            gettext("Requests by mentor's specialty"),
            gettext("Specialty"),
            k,
            reference,
        )
    )
    tables.append(
        _breakdown(
            institution,
            f,
            "area",
            "requests_by_area",
            gettext("Requests by content area asked about"),
            gettext("Content area"),
            k,
            reference,
        )
    )
    response_table, answered = _response_times(qs, k, totals)
    tables.append(response_table)

    rel = Relationship.objects.filter(ended_at__isnull=True).filter(live_cohort_q("mentee__", f))
    if institution is not None:
        rel = rel.filter(
            Q(mentee__institution=institution)
            | Q(mentor__in=MentorProfile.objects.filter(membership__institution=institution))
        )
    active = rel.aggregate(
        n=Count("id"),
        p=Count("mentee", distinct=True),
        s=Count("id", filter=Q(is_sponsor=True)),
        ps=Count("mentee", filter=Q(is_sponsor=True), distinct=True),
        pn=Count("mentee", filter=Q(is_sponsor=False), distinct=True),
    )
    headline: list[Headline] = [
        {"label": gettext("Requests sent"), "cell": protect_cell(count(totals["n"], totals["p"]), k)},
        {
            "label": gettext("Acceptance rate"),
            "cell": protect_cell(_acceptance(totals), k),
            "help": gettext("accepted ÷ (accepted + declined + expired)"),
        },
        {
            "label": gettext("Expiry rate"),
            "cell": protect_cell(
                rate(totals["n_expired"], totals["n_decided"], totals["p_expired"], totals["p_answered"]), k
            ),
            "help": gettext("requests left unanswered until the deadline"),
        },
        {"label": gettext("Median response time"), "cell": protect_cell(_median_response(qs, answered), k)},
        {"label": gettext("Active mentorships now"), "cell": protect_cell(count(active["n"], active["p"]), k)},
        {
            "label": gettext("Mentors also sponsoring"),
            "cell": protect_cell(Cell(active["s"], active["ps"], parts=(active["pn"],)), k),
            "help": gettext("active mentorships in which the mentor also acts as a sponsor"),
        },
    ]
    return tables, headline


def _breakdown(
    institution: Institution | None, f: Filters, kind: str, key: str, title: str, header: str, k: int, reference: Row
) -> Table:
    from mentormemed.outcomes.models import RequestFactLabel

    rows = []
    data = (
        _scoped(_months(RequestFactLabel.objects.filter(cohort_q(f), kind=kind), f), institution)
        .values("name")
        .annotate(
            n=Count("id"),
            a=Count("id", filter=Q(state="accepted")),
            d=Count("id", filter=DECIDED),
            pa=Count("mentee_id", filter=Q(state="accepted"), distinct=True),
            pr=Count("mentee_id", filter=Q(state__in=["declined", "expired"]), distinct=True),
            # Nationally a mentee's first label row in the range counts them (see RequestFactLabel.prev).
            p=Count("mentee_id", distinct=True)
            if institution is not None
            else Count("id", filter=Q(prev__isnull=True) | Q(prev__lt=f.start.replace(day=1))),
        )
        .order_by("-n", "name")[:15]
    )
    for r in data:
        cells = [count(r["n"], r["p"]), count(r["a"], r["pa"]), rate(r["a"], r["d"], r["pa"], r["pr"])]
        rows.append(Row(r["name"], cells, r["p"]))
    protect(rows, additive=False, reference=reference, k=k)
    return Table(
        key,
        title,
        [gettext("Requests"), gettext("Accepted"), gettext("Acceptance rate")],
        rows,
        header,
        chart="hbar",
        chart_columns=[0, 1],
        note="A request can count under several specialties or areas, so rows do not add up.",
    )


def _median_response(qs: QuerySet[RequestFact], answered: Figures) -> Cell:
    """The median of the answered requests' response times, describing the mentees who had an
    answer: only the middle one or two values leave the database."""
    people, n = answered["p"], answered["n"]
    if not n:
        return Cell(None, people, kind=RATIO)
    ordered = qs.filter(response_time__isnull=False).order_by("response_time", "id")
    low = (n - 1) // 2
    middle = ordered.values_list("response_time", flat=True)[low : n // 2 + 1]
    # (each has a response time: filtered above)
    median = statistics.median([value.total_seconds() / 3600 for value in middle if value is not None])
    return Cell(
        round(median / 24, 1) if median >= 48 else round(median, 1),
        people,
        fmt="{} days" if median >= 48 else "{} hours",
        kind=RATIO,
    )


def _response_times(qs: QuerySet[RequestFact], k: int, totals: Figures) -> tuple[Table, dict[str, int]]:
    """The table, and how many requests (and mentees) have a response time (for the median).

    Its rows add up to the decided requests, a total the month table releases."""
    buckets = [
        (gettext("Within a day"), 0, 24),
        (gettext("1–3 days"), 24, 72),
        (gettext("3–7 days"), 72, 24 * 7),
        (gettext("Over 7 days"), 24 * 7, 10**9),
    ]
    agg: dict[str, Count] = {}
    for n, (_, low, high) in enumerate(buckets):
        within = Q(response_time__gte=dt.timedelta(hours=low), response_time__lt=dt.timedelta(hours=high))
        agg[f"n{n}"] = Count("id", filter=within)
        agg[f"p{n}"] = Count("mentee_id", filter=within, distinct=True)
    agg["ne"] = Count("id", filter=Q(state="expired"))
    agg["pe"] = Count("mentee_id", filter=Q(state="expired"), distinct=True)
    agg["answered"] = Count("response_time")
    agg["answered_p"] = Count("mentee_id", filter=Q(response_time__isnull=False), distinct=True)
    values = qs.aggregate(**agg)
    expired = {"n": values["ne"], "p": values["pe"]}
    rows = []
    for n, (label, _, _) in enumerate(buckets):
        rows.append(Row(label, [count(values[f"n{n}"], values[f"p{n}"])], values[f"p{n}"]))
    rows.append(Row(gettext("No answer (expired)"), [count(expired["n"], expired["p"])], expired["p"]))
    decided = Row(gettext("Decided"), [count(totals["n_decided"], totals["p_decided"])], totals["p_decided"])
    protect(rows, total=decided, additive=True, k=k)
    table = Table(
        "response_times",
        gettext("How fast mentors answered"),
        [gettext("Requests")],
        rows,
        gettext("Answered"),
        chart="bar",
        description=gettext("Responsiveness matters most to mentees."),
    )
    return table, {"n": values["answered"], "p": values["answered_p"]}


# ------------------------------------------------------------------ successful matches (R23)


class AnalysisRow(TypedDict):
    label: str
    result: stats.Comparison


@dataclass
class Analysis:
    outcome: str
    unit: str
    total: int
    rows: list[AnalysisRow]
    too_few: bool
    minimum: int
    field: str = ""  # one of MEASURES: what the template tests, never the translated label


FIELDS = MEASURES  # the outcomes the success analysis compares (outcomes.rollups.MEASURES)


def _analysis_moments(
    institution: Institution | None, f: Filters
) -> tuple[Counter[tuple[str, str]], dict[tuple[str, str, str], stats.Moments], dict[tuple[str, str, str], int]]:
    """Relationships started in range, summed per shared characteristic ("s", group) and per
    content area ("a", name), plus all of them ("", ""): how many rows each label holds, the
    exact moments of each outcome (``stats.Moments``) per (kind, name, field), and the distinct
    mentees with a value of that outcome per (kind, name, field)."""
    from mentormemed.outcomes.models import RelationshipFact

    start, end = f.bounds
    facts = _scoped(
        RelationshipFact.objects.filter(cohort_q(f), started_at__gte=start, started_at__lt=end), institution
    )
    present: Counter[tuple[str, str]] = Counter()
    parts: defaultdict[tuple[str, str, str], list[tuple[int, int, int, int]]] = defaultdict(list)
    people: dict[tuple[str, str, str], int] = {}
    rows = _analysis_parts_sql(facts) if connection.vendor == "postgresql" else _analysis_parts_python(facts)
    for kind, name, field, exponent, n, sums, squares in rows:
        if field.startswith("p:"):
            people[kind, name, field[2:]] = n
        elif field:
            parts[kind, name, field].append((exponent, n, sums, squares))
        else:
            present[kind, name] += n
    return present, {key: stats.Moments.from_parts(value) for key, value in parts.items()}, people


def _analysis_parts_sql(facts: QuerySet[RelationshipFact]) -> list[Part]:
    """The database expands each fact's characteristics and areas and sums the integer mantissas
    per exponent (exact), so no relationship travels to Python."""
    sql, params = facts.values(
        "shared", "areas", "mentee_id", *(f"{x}_{p}" for x in FIELDS for p in "me")
    ).query.sql_with_params()
    values = "f.mentee_id, " + ", ".join(f"f.{x}_{p}" for x in FIELDS for p in "me")
    sums = " UNION ALL ".join(
        f"SELECT kind, name, '{x}', {x}_e, COUNT(*), SUM({x}_m), SUM({x}_m::numeric * {x}_m) "
        f"FROM labels WHERE {x}_m IS NOT NULL GROUP BY kind, name, {x}_e"
        for x in FIELDS
    )
    sums += "".join(
        f" UNION ALL SELECT kind, name, 'p:{x}', 0, COUNT(DISTINCT mentee_id), 0, 0 "
        f"FROM labels WHERE {x}_m IS NOT NULL GROUP BY kind, name"
        for x in FIELDS
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH f AS ({sql}), labels AS ("
            f"SELECT 's' AS kind, g.name, {values} FROM f, unnest(string_to_array(f.shared, E'\\t')) AS g(name) "
            f"UNION ALL SELECT 'a', a.name, {values} FROM f, unnest(string_to_array(f.areas, E'\\t')) AS a(name) "
            f"UNION ALL SELECT '', '', {values} FROM f) "
            f"{sums} UNION ALL SELECT kind, name, '', 0, COUNT(*), 0, 0 FROM labels GROUP BY kind, name",
            params,
        )
        found: list[Part] = cursor.fetchall()
        return found


def _analysis_parts_python(facts: QuerySet[RelationshipFact]) -> list[Part]:
    """The same sums in Python (SQLite, the development database)."""
    parts: defaultdict[tuple[str, str, str, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    people: defaultdict[tuple[str, str, str], set[int]] = defaultdict(set)
    columns = ("shared", "areas", "mentee_id", *(f"{x}_{p}" for x in FIELDS for p in "me"))
    for shared, areas, mentee, *exact in facts.values_list(*columns):
        labels = [("", ""), *(("s", g) for g in _split(shared)), *(("a", a) for a in _split(areas))]
        for kind, name in labels:
            parts[kind, name, "", 0][0] += 1
            for field, m, e in zip(FIELDS, exact[::2], exact[1::2], strict=True):
                if m is not None:
                    part = parts[kind, name, field, e]
                    part[0] += 1
                    part[1] += m
                    part[2] += m * m
                    people[kind, name, f"p:{field}"].add(mentee)
    # Each key is (kind, name, field, exponent) and each value three sums: together a ``Part``.
    summed = cast("list[Part]", [(*key, *value) for key, value in parts.items()])
    return summed + [(kind, name, field, 0, len(ids), 0, 0) for (kind, name, field), ids in people.items()]


def _split(value: str) -> set[str]:
    return set(value.split("\t")) if value else set()


def _group_labels() -> dict[str, str]:
    from mentormemed.profiles.models import IdentityDimension

    labels = {
        "lang": gettext("Language"),
        "state": gettext("Home state"),
        "spec": gettext("Specialty (mentee's interest)"),
    }
    labels.update({f"id:{d.key}": d.name for d in IdentityDimension.objects.all()})
    return labels


def success_analysis(institution: Institution | None, f: Filters) -> list[Analysis]:
    """Shared characteristics and content areas against evaluation scores and relationship length.

    For each characteristic: relationships sharing it vs not, difference in means with a 95% CI
    and Hedges' g. A comparison with fewer than k relationships or k mentees on either side says
    "too few to conclude" and shows no means (small-cell rule). Observational: differences are
    associations.
    """
    present, moments, people = _analysis_moments(institution, f)
    k = k_min()
    labels = _group_labels()
    groups = sorted({name for kind, name in present if kind == "s"} | {g for g in labels if g.startswith("id:")})
    areas = sorted((name for kind, name in present if kind == "a"), key=lambda name: (-present["a", name], name))[:8]
    out = []
    nothing = stats.Moments()
    for field, outcome, unit in OUTCOMES:
        observed = moments.get(("", "", field), nothing)
        rows: list[AnalysisRow] = [
            {
                "label": gettext("Shares %(group)s") % {"group": labels.get(g, g).lower()},
                "result": _compared(moments, people, field, "s", g, k),
            }
            for g in groups
        ]
        rows += [
            {
                "label": gettext("Asked about %(area)s") % {"area": area},
                "result": _compared(moments, people, field, "a", area, k),
            }
            for area in areas
        ]
        out.append(Analysis(str(outcome), str(unit), observed.n, rows, observed.n < 2 * k, k, field))
    return out


def _compared(
    moments: Mapping[tuple[str, str, str], stats.Moments],
    people: Mapping[tuple[str, str, str], int],
    field: str,
    kind: str,
    name: str,
    k: int,
) -> stats.Comparison:
    """Relationships with the label against the rest, concluded only over ≥ k mentees each side."""
    nothing = stats.Moments()
    observed, with_ = moments.get(("", "", field), nothing), moments.get((kind, name, field), nothing)
    return stats.among_people(
        stats.compare_moments(with_, observed - with_, minimum=k),
        with_people=people.get((kind, name, field), 0),
        all_people=people.get(("", "", field), 0),
        minimum=k,
    )


def analysis_table(analysis: Analysis, key: str) -> Table:
    """The analysis as a table (for CSV): means only where both groups reach the minimum."""
    rows = []
    for item in analysis.rows:
        res = item["result"]
        people = min(res.n_with, res.n_without)
        cells = [
            Cell(res.n_with, people),
            Cell(res.n_without, people),
            Cell(res.mean_with, people, fmt="{:.2f}"),
            Cell(res.mean_without, people, fmt="{:.2f}"),
            Cell(res.difference, people, fmt="{:+.2f}"),
            Cell(res.ci_low, people, fmt="{:+.2f}"),
            Cell(res.ci_high, people, fmt="{:+.2f}"),
            Cell(res.hedges_g, people, fmt="{:+.2f}"),
            Cell(res.verdict, people, fmt="{}"),
        ]
        row = Row(item["label"], cells, people)
        if not res.conclusive:
            for cell in cells[:-1]:
                cell.suppressed, cell.reason = True, "primary"
            cells[-1].suppressed = False
        rows.append(row)
    return Table(
        key,
        f"{analysis.outcome} by shared characteristic",
        [
            gettext("With"),
            gettext("Without"),
            gettext("Mean with"),
            gettext("Mean without"),
            gettext("Difference"),
            "95% CI low",
            "95% CI high",
            gettext("Hedges g"),
            gettext("Conclusion"),
        ],
        rows,
        gettext("Characteristic"),
        chart="",
    )


# ------------------------------------------------------------------ the whole dashboard


@dataclass
class Dashboard:
    filters: Filters
    searches: list[Table]
    matches: list[Table]
    headline: list[Headline]
    analyses: list[Analysis]
    analysis_tables: list[Table]
    minimum: int
    as_of: dt.datetime | None = None  # when the rollups behind the figures were refreshed
    adjusted: list[Table] = dataclasses.field(
        default_factory=list
    )  # several characteristics at once (outcomes.regression)

    def table(self, key: str) -> Table | None:
        tables = self.searches + self.matches + self.analysis_tables + self.adjusted
        return next((t for t in tables if t.key == key), None)


def dashboard_key(institution: Institution | None, f: Filters) -> str:
    """What one release of the dashboard depends on besides the rollup update: scope, period,
    minimum and language (its labels are translated when computed)."""
    scope = institution.pk if institution else "national"
    return f"outcomes:{scope}:{f.cache_key()}:{k_min()}:{get_language()}"


def dashboard(institution: Institution | None, f: Filters, *, use_cache: bool = True) -> Dashboard:
    """Every figure of the outcomes page, from the rollups as of their last refresh. Reads only:
        when the rollups were never built there are no figures (the page says so; the sweep builds
        them). Read as the sweep stored them for this update (``outcomes.precompute``); otherwise computed
    and cached briefly per update (product.outcomes_cache_seconds)."""
    done = last_refresh()
    if done is None:
        return Dashboard(f, [], [], [], [], [], k_min(), None, [])
    as_of = done.refreshed_at
    seconds = product.outcomes_cache_seconds
    release = dashboard_key(institution, f)
    key = f"{release}:{as_of.timestamp()}"
    if use_cache:
        found: Dashboard | None = stored_release(release, done)  # computed by the sweep after this update
        if found is not None:
            return found
    if use_cache and seconds:
        found = cache.get(key)
        if found is not None:
            return found
    searches = search_tables(institution, f)
    matches, headline = match_tables(institution, f)
    analyses = success_analysis(institution, f)
    result = Dashboard(
        f,
        searches,
        matches,
        headline,
        analyses,
        [analysis_table(a, f"analysis_{n}") for n, a in enumerate(analyses)],
        k_min(),
        as_of,
        adjusted_tables(institution, f, k=k_min(), labels=_group_labels()),
    )
    if use_cache and seconds:
        cache.set(key, result, seconds)
    return result
