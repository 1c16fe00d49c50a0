"""Request and match figures (R13, R23): requests per month and what became of them, local and national
matches, specialties and areas asked about, response times, and the headline figures."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, NotRequired, TypedDict

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, QuerySet
from django.utils.translation import gettext, gettext_lazy

from mentormemed.outcomes.cohorts import cohort_q, live_cohort_q
from mentormemed.outcomes.cohorts import scoped as _scoped
from mentormemed.outcomes.selectors.filters import Filters, _months
from mentormemed.outcomes.selectors.periods import Figures, _keyed, period_layouts, quarter_of
from mentormemed.outcomes.suppression import RATIO, Cell, Layout, Row, choose, k_min, protect, protect_cell
from mentormemed.outcomes.tables import Table, count, rate

if TYPE_CHECKING:
    from mentormemed.core.types import Text
    from mentormemed.institutions.models import Institution
    from mentormemed.outcomes.models import RequestFact


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
        note=gettext("A request can count under several specialties or areas, so rows do not add up."),
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
