"""Search figures (R11, R23): searches per month, by training level and eligibility basis, the filters and
areas searched, and the searches that found few mentors (unmet demand), from the search rollups."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from itertools import combinations
from typing import TYPE_CHECKING

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.text import get_text_list
from django.utils.translation import gettext, gettext_lazy

from mentormemed.outcomes.cohorts import BASES, GME, UME, cohort_q
from mentormemed.outcomes.selectors.filters import Filters, _months
from mentormemed.outcomes.selectors.periods import Figures, _keyed, period_layouts, quarter_of
from mentormemed.outcomes.suppression import RATIO, Cell, Layout, Row, choose, k_min, protect
from mentormemed.outcomes.tables import Table, count, rate

if TYPE_CHECKING:
    from django.db.models.expressions import Combinable

    from mentormemed.core.types import Text
    from mentormemed.institutions.models import Institution
    from mentormemed.outcomes.models import SearchKeyRollup, SearchRollup


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
            note=gettext("A mentee with several bases counts in each, so the rows do not add up."),
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
            gettext("1–3 results"),
            [count(buckets["n1"], buckets["p1"]), rate(buckets["n1"], totals["n"], buckets["p1"])],
            buckets["p1"],
        ),
        Row(
            gettext("4 or more"),
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
        note=gettext("A search may use several filters, so the rows do not add up."),
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
