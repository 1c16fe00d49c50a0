"""Outcomes figures for one institution or the national network (R23).

Every figure is computed from mentees who consented to aggregate analytics, scoped to the
institution given (``institution=None`` is the national view, for staff only), filtered by
date range and cohort, and passed through small-cell suppression before anyone sees it.
Queries are aggregate (GROUP BY) per table, so the count does not grow with the data, and they
read the rollups of ``outcomes.rollups`` (one row per person and month, request or relationship,
cohort and scope joined in), so the figures are as of the last rollup refresh.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, replace

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from mentormemed.evaluations.schedule import add_months
from mentormemed.outcomes import stats
from mentormemed.outcomes.suppression import Cell, Row, k_min, suppress_cell, suppress_rows
from mentormemed.outcomes.tables import Table, count, rate

UME = ["MS1", "MS2", "MS3", "MS4"]
GME = ["PGY1", "PGY2", "PGY3", "PGY4", "PGY5", "PGY6", "PGY7", "FELLOW"]
LEVEL_CHOICES = [("", "All training levels"), ("ume", "Medical students (UME)"), ("gme", "Residents and fellows (GME)")]
BASES = [
    ("urim", "Underrepresented in medicine"),
    ("first_generation", "First-generation college graduate"),
    ("economically_disadvantaged", "Economically disadvantaged"),
]
BASIS_CHOICES = [("", "Any eligibility basis"), *BASES]


@dataclass(frozen=True)
class Filters:
    """Date range (whole months, inclusive) and cohort (training level group, eligibility basis)."""

    start: dt.date
    end: dt.date
    level: str = ""
    basis: str = ""

    @classmethod
    def from_query(cls, data, today: dt.date | None = None) -> Filters:
        today = today or timezone.localdate()
        default_start = add_months(today.replace(day=1), -11)
        start = _month(data.get("from"), default_start)
        end_month = _month(data.get("to"), today.replace(day=1))
        if end_month < start:
            start, end_month = end_month, start
        end = add_months(end_month, 1) - dt.timedelta(days=1)
        level = data.get("level", "") if data.get("level", "") in dict(LEVEL_CHOICES) else ""
        basis = data.get("basis", "") if data.get("basis", "") in dict(BASIS_CHOICES) else ""
        return cls(start, end, level, basis)

    @property
    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        zone = timezone.get_current_timezone()
        return (
            dt.datetime.combine(self.start, dt.time.min, tzinfo=zone),
            dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=zone),
        )

    def months(self) -> list[dt.date]:
        months, cursor = [], self.start.replace(day=1)
        while cursor <= self.end:
            months.append(cursor)
            cursor = add_months(cursor, 1)
        return months

    def as_query(self) -> dict:
        return {"from": f"{self.start:%Y-%m}", "to": f"{self.end:%Y-%m}", "level": self.level, "basis": self.basis}

    def cache_key(self) -> str:
        return f"{self.start}:{self.end}:{self.level}:{self.basis}"


def _month(value, default: dt.date) -> dt.date:
    try:
        return dt.datetime.strptime(value or "", "%Y-%m").date()
    except ValueError:
        return default


def cohort_q(f: Filters) -> Q:
    """The chosen cohort on a rollup (its rows are consenting mentees only)."""
    q = Q()
    if f.level == "ume":
        q &= Q(training_level__in=UME)
    elif f.level == "gme":
        q &= Q(training_level__in=GME)
    if f.basis:
        q &= Q(**{f.basis: True})
    return q


def live_cohort_q(prefix: str, f: Filters) -> Q:
    """The chosen cohort of consenting mentees on a source table, reached through ``prefix``."""
    q = Q(**{f"{prefix}mentee_profile__consent_analytics": True})
    if f.level:
        q &= Q(**{f"{prefix}mentee_profile__training_level__in": UME if f.level == "ume" else GME})
    if f.basis:
        q &= Q(**{f"{prefix}eligibility__{f.basis}": True})
    return q


def _months(qs, f: Filters):
    return qs.filter(month__gte=f.start.replace(day=1), month__lte=f.end)


def _scoped(qs, institution):
    """Requests and relationships count for an institution where the mentee or the mentor is theirs."""
    if institution is None:
        return qs
    return qs.filter(Q(mentee_institution_id=institution.pk) | Q(mentor_institution_id=institution.pk))


def _month_label(day) -> str:
    return f"{day:%b %Y}"


def _month_key(value) -> dt.date:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    return value.replace(day=1)


# ------------------------------------------------------------------ searches (R11, R23)


def _searches(institution, f: Filters, model=None):
    from mentormemed.outcomes.models import SearchRollup

    qs = _months((model or SearchRollup).objects.filter(cohort_q(f)), f)
    return qs.filter(institution_id=institution.pk) if institution is not None else qs


def _first(f: Filters, prev: str, since=None) -> Q:
    """A person's first row of its kind in the range (or in its own month: ``since=F("month")``).

    ``prev`` names the rollup's previous-month columns (``<prev>_all``/``<prev>_group``, or a
    column itself when it ends in ``_level``); counting these rows counts distinct people."""
    column = prev if prev.endswith("_level") else f"{prev}_group" if f.level else f"{prev}_all"
    since = f.start.replace(day=1) if since is None else since
    return Q(**{f"{column}__isnull": True}) | Q(**{f"{column}__lt": since})


def _people(f: Filters, prev: str = "prev", when: Q | None = None, since=None) -> Count:
    first = _first(f, prev, since)
    return Count("id", filter=first & when if when is not None else first)


def search_tables(institution, f: Filters) -> list[Table]:
    qs = _searches(institution, f)
    k = k_min()
    tables = []

    rows_by_month = qs.values("month").annotate(n=Sum("searches"), p=_people(f, since=F("month")))
    by_month = {_month_key(r["month"]): r for r in rows_by_month}
    rows = [
        Row(
            _month_label(m),
            [count(by_month.get(m, {}).get("n", 0), by_month.get(m, {}).get("p", 0))],
            by_month.get(m, {}).get("p", 0),
        )
        for m in f.months()
    ]
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
    total = Row("All months", [count(totals["n"], totals["p"])], totals["p"])
    suppress_rows(rows, additive=True, total_people=totals["p"], k=k)
    suppress_rows([total], additive=False, k=k)
    tables.append(
        Table(
            "searches_by_month",
            "Searches per month",
            ["Searches"],
            rows,
            "Month",
            total,
            chart="line",
            description="How many searches mentees ran each month.",
        )
    )

    levels = {
        r["training_level"]: r
        for r in qs.values("training_level").annotate(n=Sum("searches"), p=_people(f, "prev_level"))
    }
    from mentormemed.profiles.models import TrainingLevel

    rows = [
        Row(label, [count(levels[value]["n"], levels[value]["p"])], levels[value]["p"])
        for value, label in [*TrainingLevel.choices, ("", "Not given")]
        if value in levels
    ]
    suppress_rows(rows, additive=True, total_people=totals["p"], k=k)
    tables.append(
        Table(
            "searches_by_level",
            "Searches by training level",
            ["Searches"],
            rows,
            "Training level",
            replace(total, label="All training levels") if rows else None,
            description="Who searches, by training level at the time of the search.",
        )
    )

    rows = [Row(label, [count(values[f"n_{key}"], values[f"p_{key}"])], values[f"p_{key}"]) for key, label in BASES]
    suppress_rows(rows, additive=False, k=k)  # a mentee may hold several bases: rows do not add up
    tables.append(
        Table(
            "searches_by_basis",
            "Searches by eligibility basis",
            ["Searches"],
            rows,
            "Eligibility basis",
            chart="hbar",
            note="A mentee with several bases counts in each, so the rows do not add up.",
        )
    )

    tables.extend(_filter_tables(institution, f, k))

    buckets = values  # summed with the totals above
    rows = [
        Row(
            "No results",
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
    suppress_rows(rows, additive=True, total_people=totals["p"], k=k)
    tables.append(
        Table(
            "searches_by_results",
            "Searches with no or few results (unmet demand)",
            ["Searches", "Share"],
            rows,
            "Results",
            total=Row(
                "All searches",
                [count(totals["n"], totals["p"]), Cell(100.0 if totals["n"] else None, totals["p"], fmt="{:.0f}%")],
                totals["p"],
            ),
            description="Searches that found no or few mentors show where supply is short.",
        )
    )
    if tables[-1].total:
        suppress_rows([tables[-1].total], additive=False, k=k)
    return tables


def _filter_tables(institution, f: Filters, k: int) -> list[Table]:
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
    suppress_rows(rows, additive=False, k=k)
    first = Table(
        "searched_filters",
        "Filters and content areas searched (top 15)",
        ["Searches"],
        rows,
        "Filter",
        chart="hbar",
        note="A search may use several filters, so the rows do not add up.",
    )
    rows = [Row(label(r["key"]), [count(r["u"], r["up"])], r["up"]) for r in unmet]
    suppress_rows(rows, additive=False, k=k)
    second = Table(
        "unmet_areas",
        "Content areas searched with 3 or fewer results",
        ["Searches"],
        rows,
        "Content area",
        chart="hbar",
        description="Where mentees looked for help and found little: candidates for recruiting mentors.",
    )
    return [first, second]


# ------------------------------------------------------------------ matches (R13, R23)


def _requests(institution, f: Filters):
    from mentormemed.outcomes.models import RequestFact

    return _scoped(_months(RequestFact.objects.filter(cohort_q(f)), f), institution)


STATE_COLUMNS = ["accepted", "declined", "expired", "withdrawn", "pending"]
DECIDED = Q(state__in=["accepted", "declined", "expired"])


def _state_counts(prefix: str = "") -> dict:
    agg = {"n": Count("id"), "p": Count("mentee_id", distinct=True)}
    for state in STATE_COLUMNS:
        agg[state] = Count("id", filter=Q(state=state))
    return agg


def match_tables(institution, f: Filters) -> tuple[list[Table], list[dict]]:
    """Tables and the headline figures (each a suppressed Cell with a label)."""
    from mentormemed.mentorships.models import Relationship
    from mentormemed.profiles.models import MentorProfile

    qs = _requests(institution, f)
    k = k_min()
    tables = []
    totals = qs.aggregate(**_state_counts())

    by_month = {_month_key(r["month"]): r for r in qs.values("month").annotate(**_state_counts())}
    rows = []
    for m in f.months():
        r = by_month.get(m, {"n": 0, "p": 0, **dict.fromkeys(STATE_COLUMNS, 0)})
        rows.append(
            Row(_month_label(m), [count(r["n"], r["p"]), *[count(r[s], r["p"]) for s in STATE_COLUMNS[:3]]], r["p"])
        )
    total = Row(
        "All months",
        [count(totals["n"], totals["p"]), *[count(totals[s], totals["p"]) for s in STATE_COLUMNS[:3]]],
        totals["p"],
    )
    suppress_rows(rows, additive=True, total_people=totals["p"], k=k)
    suppress_rows([total], additive=False, k=k)
    tables.append(
        Table(
            "requests_by_month",
            "Requests per month and what became of them",
            ["Requests", "Accepted", "Declined", "Expired"],
            rows,
            "Month",
            total,
            chart="bar",
            chart_columns=[1, 2, 3],
            description="Each month's requests by outcome.",
        )
    )

    local_q = Q(mentee_institution_id=F("mentor_institution_id"))
    split = qs.aggregate(
        ln=Count("id", filter=local_q),
        lp=Count("mentee_id", filter=local_q, distinct=True),
        la=Count("id", filter=local_q & Q(state="accepted")),
        ld=Count("id", filter=local_q & DECIDED),
        nn=Count("id", filter=~local_q),
        np=Count("mentee_id", filter=~local_q, distinct=True),
        na=Count("id", filter=~local_q & Q(state="accepted")),
        nd=Count("id", filter=~local_q & DECIDED),
    )
    rows = [
        Row(
            "Local (same institution)",
            [
                count(split["ln"], split["lp"]),
                count(split["la"], split["lp"]),
                rate(split["la"], split["ld"], split["lp"]),
            ],
            split["lp"],
        ),
        Row(
            "National (another institution)",
            [
                count(split["nn"], split["np"]),
                count(split["na"], split["np"]),
                rate(split["na"], split["nd"], split["np"]),
            ],
            split["np"],
        ),
    ]
    suppress_rows(rows, additive=True, total_people=totals["p"], k=k)
    tables.append(
        Table(
            "requests_local_national",
            "Local and national matches",
            ["Requests", "Accepted", "Acceptance rate"],
            rows,
            "Mentor's institution",
            chart="bar",
            chart_columns=[0, 1],
        )
    )

    tables.append(
        _breakdown(institution, f, "spec", "requests_by_specialty", "Requests by mentor's specialty", "Specialty", k)
    )
    tables.append(
        _breakdown(
            institution, f, "area", "requests_by_area", "Requests by content area asked about", "Content area", k
        )
    )
    response_table, answered = _response_times(qs, k, totals["p"])
    tables.append(response_table)

    rel = Relationship.objects.filter(ended_at__isnull=True).filter(live_cohort_q("mentee__", f))
    if institution is not None:
        rel = rel.filter(
            Q(mentee__institution=institution)
            | Q(mentor__in=MentorProfile.objects.filter(membership__institution=institution))
        )
    active = rel.aggregate(n=Count("id"), p=Count("mentee", distinct=True), s=Count("id", filter=Q(is_sponsor=True)))
    decided = totals["accepted"] + totals["declined"] + totals["expired"]
    headline = [
        {"label": "Requests sent", "cell": suppress_cell(count(totals["n"], totals["p"]), k)},
        {
            "label": "Acceptance rate",
            "cell": suppress_cell(rate(totals["accepted"], decided, totals["p"]), k),
            "help": "accepted ÷ (accepted + declined + expired)",
        },
        {
            "label": "Expiry rate",
            "cell": suppress_cell(rate(totals["expired"], decided, totals["p"]), k),
            "help": "requests left unanswered until the deadline",
        },
        {"label": "Median response time", "cell": suppress_cell(_median_response(qs, totals["p"], answered), k)},
        {"label": "Active mentorships now", "cell": suppress_cell(count(active["n"], active["p"]), k)},
        {"label": "Mentors also sponsoring", "cell": suppress_cell(count(active["s"], active["p"]), k)},
    ]
    return tables, headline


def _breakdown(institution, f: Filters, kind: str, key: str, title: str, header: str, k: int) -> Table:
    from mentormemed.outcomes.models import RequestFactLabel

    rows = []
    data = (
        _scoped(_months(RequestFactLabel.objects.filter(cohort_q(f), kind=kind), f), institution)
        .values("name")
        .annotate(
            n=Count("id"),
            a=Count("id", filter=Q(state="accepted")),
            d=Count("id", filter=DECIDED),
            # Nationally a mentee's first label row in the range counts them (see RequestFactLabel.prev).
            p=Count("mentee_id", distinct=True)
            if institution is not None
            else Count("id", filter=Q(prev__isnull=True) | Q(prev__lt=f.start.replace(day=1))),
        )
        .order_by("-n", "name")[:15]
    )
    for r in data:
        cells = [count(r["n"], r["p"]), count(r["a"], r["p"]), rate(r["a"], r["d"], r["p"])]
        rows.append(Row(r["name"], cells, r["p"]))
    suppress_rows(rows, additive=False, k=k)
    return Table(
        key,
        title,
        ["Requests", "Accepted", "Acceptance rate"],
        rows,
        header,
        chart="hbar",
        chart_columns=[0, 1],
        note="A request can count under several specialties or areas, so rows do not add up.",
    )


def _median_response(qs, people: int, answered: int) -> Cell:
    """The median of the ``answered`` response times: only the middle one or two leave the database."""
    if not answered:
        return Cell(None, people)
    ordered = qs.filter(response_time__isnull=False).order_by("response_time", "id")
    low = (answered - 1) // 2
    middle = ordered.values_list("response_time", flat=True)[low : answered // 2 + 1]
    median = statistics.median([value.total_seconds() / 3600 for value in middle])
    return Cell(
        round(median / 24, 1) if median >= 48 else round(median, 1),
        people,
        fmt="{} days" if median >= 48 else "{} hours",
    )


def _response_times(qs, k: int, total_people: int) -> tuple[Table, int]:
    """The table, and how many requests have a response time (for the median)."""
    buckets = [("Within a day", 0, 24), ("1–3 days", 24, 72), ("3–7 days", 72, 24 * 7), ("Over 7 days", 24 * 7, 10**9)]
    agg = {}
    for n, (_, low, high) in enumerate(buckets):
        within = Q(response_time__gte=dt.timedelta(hours=low), response_time__lt=dt.timedelta(hours=high))
        agg[f"n{n}"] = Count("id", filter=within)
        agg[f"p{n}"] = Count("mentee_id", filter=within, distinct=True)
    agg["ne"] = Count("id", filter=Q(state="expired"))
    agg["pe"] = Count("mentee_id", filter=Q(state="expired"), distinct=True)
    agg["answered"] = Count("response_time")
    values = qs.aggregate(**agg)
    expired = {"n": values["ne"], "p": values["pe"]}
    rows = []
    for n, (label, _, _) in enumerate(buckets):
        rows.append(Row(label, [count(values[f"n{n}"], values[f"p{n}"])], values[f"p{n}"]))
    rows.append(Row("No answer (expired)", [count(expired["n"], expired["p"])], expired["p"]))
    suppress_rows(rows, additive=True, total_people=total_people, k=k)
    table = Table(
        "response_times",
        "How fast mentors answered",
        ["Requests"],
        rows,
        "Answered",
        chart="bar",
        description="Responsiveness matters most to mentees (seed 002).",
    )
    return table, values["answered"]


# ------------------------------------------------------------------ successful matches (R23)


@dataclass
class Analysis:
    outcome: str
    unit: str
    total: int
    rows: list[dict]
    too_few: bool
    minimum: int


FIELDS = ("score", "months")


def _analysis_moments(institution, f: Filters) -> tuple[Counter, dict]:
    """Relationships started in range, summed per shared characteristic ("s", group) and per
    content area ("a", name), plus all of them ("", ""): how many rows each label holds, and the
    exact moments of each outcome (``stats.Moments``) per (kind, name, field)."""
    from mentormemed.outcomes.models import RelationshipFact

    start, end = f.bounds
    facts = _scoped(
        RelationshipFact.objects.filter(cohort_q(f), started_at__gte=start, started_at__lt=end), institution
    )
    present, parts = Counter(), defaultdict(list)
    rows = _analysis_parts_sql(facts) if connection.vendor == "postgresql" else _analysis_parts_python(facts)
    for kind, name, field, exponent, n, sums, squares in rows:
        if field:
            parts[kind, name, field].append((exponent, n, sums, squares))
        else:
            present[kind, name] += n
    return present, {key: stats.Moments.from_parts(value) for key, value in parts.items()}


def _analysis_parts_sql(facts) -> list[tuple]:
    """The database expands each fact's characteristics and areas and sums the integer mantissas
    per exponent (exact), so no relationship travels to Python."""
    sql, params = facts.values("shared", "areas", *(f"{x}_{p}" for x in FIELDS for p in "me")).query.sql_with_params()
    values = "f.score_m, f.score_e, f.months_m, f.months_e"
    sums = " UNION ALL ".join(
        f"SELECT kind, name, '{x}', {x}_e, COUNT(*), SUM({x}_m), SUM({x}_m::numeric * {x}_m) "
        f"FROM labels WHERE {x}_m IS NOT NULL GROUP BY kind, name, {x}_e"
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
        return cursor.fetchall()


def _analysis_parts_python(facts) -> list[tuple]:
    """The same sums in Python (SQLite, the development database)."""
    parts = defaultdict(lambda: [0, 0, 0])
    for shared, areas, *exact in facts.values_list("shared", "areas", "score_m", "score_e", "months_m", "months_e"):
        labels = [("", ""), *(("s", g) for g in _split(shared)), *(("a", a) for a in _split(areas))]
        for kind, name in labels:
            parts[kind, name, "", 0][0] += 1
            for field, m, e in zip(FIELDS, exact[::2], exact[1::2], strict=True):
                if m is not None:
                    part = parts[kind, name, field, e]
                    part[0] += 1
                    part[1] += m
                    part[2] += m * m
    return [(*key, *value) for key, value in parts.items()]


def _split(value: str) -> set[str]:
    return set(value.split("\t")) if value else set()


def _group_labels() -> dict[str, str]:
    from mentormemed.profiles.models import IdentityDimension

    labels = {"lang": "Language", "state": "Home state", "spec": "Specialty (mentee's interest)"}
    labels.update({f"id:{d.key}": d.name for d in IdentityDimension.objects.all()})
    return labels


def success_analysis(institution, f: Filters) -> list[Analysis]:
    """Shared characteristics and content areas against evaluation scores and relationship length.

    For each characteristic: relationships sharing it vs not, difference in means with a 95% CI
    and Hedges' g. A comparison with fewer than k relationships on either side says "too few to
    conclude" and shows no means (small-cell rule). Observational: differences are associations.
    """
    present, moments = _analysis_moments(institution, f)
    k = k_min()
    labels = _group_labels()
    groups = sorted({name for kind, name in present if kind == "s"} | {g for g in labels if g.startswith("id:")})
    areas = sorted((name for kind, name in present if kind == "a"), key=lambda name: (-present["a", name], name))[:8]
    out = []
    nothing = stats.Moments()
    for outcome, unit, field in [
        ("Evaluation score", "points on 1–7", "score"),
        ("Relationship length", "months", "months"),
    ]:
        observed = moments.get(("", "", field), nothing)
        rows = []
        for group in groups:
            with_ = moments.get(("s", group, field), nothing)
            rows.append(
                {
                    "label": f"Shares {labels.get(group, group).lower()}",
                    "result": stats.compare_moments(with_, observed - with_, minimum=k),
                }
            )
        for area in areas:
            with_ = moments.get(("a", area, field), nothing)
            rows.append(
                {"label": f"Asked about {area}", "result": stats.compare_moments(with_, observed - with_, minimum=k)}
            )
        out.append(Analysis(outcome, unit, observed.n, rows, observed.n < 2 * k, k))
    return out


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
            "With",
            "Without",
            "Mean with",
            "Mean without",
            "Difference",
            "95% CI low",
            "95% CI high",
            "Hedges g",
            "Conclusion",
        ],
        rows,
        "Characteristic",
        chart="",
    )


# ------------------------------------------------------------------ the whole dashboard


@dataclass
class Dashboard:
    filters: Filters
    searches: list[Table]
    matches: list[Table]
    headline: list[dict]
    analyses: list[Analysis]
    analysis_tables: list[Table]
    minimum: int
    as_of: dt.datetime | None = None  # when the rollups behind the figures were refreshed

    def table(self, key: str) -> Table | None:
        return next((t for t in self.searches + self.matches + self.analysis_tables if t.key == key), None)


CACHE_SECONDS_DEFAULT = 300


def dashboard(institution, f: Filters, *, use_cache: bool = True) -> Dashboard:
    """Every figure of the outcomes page, from the rollups as of their last refresh (built first if
    they never were). Cached briefly per refresh (settings.MMM["OUTCOMES_CACHE_SECONDS"])."""
    from django.conf import settings

    from mentormemed.outcomes.rollups import ensure_fresh

    as_of = ensure_fresh().refreshed_at
    seconds = settings.MMM.get("OUTCOMES_CACHE_SECONDS", CACHE_SECONDS_DEFAULT)
    scope = institution.pk if institution else "national"
    key = f"outcomes:{scope}:{f.cache_key()}:{k_min()}:{as_of.timestamp()}"
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
    )
    if use_cache and seconds:
        cache.set(key, result, seconds)
    return result
