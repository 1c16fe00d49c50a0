"""National reciprocity (R23, R38): mentoring each institution gives to and receives from the others.

One release (an academic year, or the last complete years pooled) is computed once from the
relationship facts, for every institution together (``figures``), and every view of it is cut from
that one computation, so a cell has one value and one verdict wherever it is shown:

* **Per institution** (``reciprocity`` table): given, received and balance, one row per
  institution, protected as one additive table with its total (``suppression.choose``: institutions
  too small to show alone are merged, smallest first, into one row). Pages list it 50 rows at a
  time, filtered by name and sorted; the CSV holds every row.
* **Flows between two institutions** (mentor's → mentee's). A flow is part of what one institution
  gives and of what the other receives, so it is protected against both totals at once
  (``suppression.list_parts``): it is listed only between two institutions shown on their own and
  only if it describes at least k mentees; what an institution's unlisted flows add up to is shown
  as "other institutions together" and must itself describe 0 or ≥ k mentees (else its smallest
  listed flow is unlisted too). A flow not listed is not named, so nobody can tell a small flow
  from none. The national page shows the largest flows; one institution's page (its admin's, or
  staff choosing it) shows its partners; the CSV holds every listed flow.
* **Periods.** The single academic years the dashboard offers, and the last ``POOL_YEARS``
  complete years pooled (``?year=pooled``) for when one year's cells are too small. A pooled figure
  is shown only where it cannot be combined with the single years to work out a hidden one: the
  years in which it is not zero are either all shown (the pooled figure is their sum) or at least
  two and all hidden (it reveals only their sum, which must pass the minimum itself); otherwise it
  is hidden too (and the complementary rule of its table applies).
* **Default period** (``default_year``): the year in progress once it holds at least half as many
  relationships between institutions as the last complete year did, and at least k; until then
  (typically July to December) the last complete year.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db.models import Count, F, Q
from django.utils.translation import gettext, ngettext

from mentormemed.core.clock import platform_today
from mentormemed.outcomes.rollups import last_refresh, stored_release
from mentormemed.outcomes.selectors import POOLED, YEARS_OFFERED, Filters, academic_year_of
from mentormemed.outcomes.suppression import RATIO, Cell, Layout, Row, choose, hide, k_min, list_parts, protect_cell
from mentormemed.outcomes.tables import Table, count

POOL_YEARS = 3
PAGE_SIZE = 50
TOP_FLOWS = 20
TABLES = ("reciprocity", "reciprocity_partners", "reciprocity_top_flows", "reciprocity_flows")

Pair = tuple[int, int]  # (mentor's institution, mentee's institution)


# ------------------------------------------------------------------ periods


def pooled(today=None) -> Filters:
    """The last ``POOL_YEARS`` complete academic years together."""
    last = academic_year_of(today or platform_today()) - 1
    first = last - POOL_YEARS + 1
    return Filters(Filters.year(first).start, Filters.year(last).end, years=POOL_YEARS)


def default_key(today=None) -> str:
    return f"reciprocity-default:{academic_year_of(today or platform_today())}:{k_min()}"


def choose_default_year(today=None) -> int:
    """The rule (one aggregate over the relationship facts): the year in progress once it holds at
    least half as many relationships between institutions as the last complete year, and at least k."""
    from mentormemed.outcomes.models import RelationshipFact

    current = academic_year_of(today or platform_today())
    start, split, end = Filters.year(current - 1).bounds[0], *Filters.year(current).bounds
    found = (
        RelationshipFact.objects.filter(started_at__gte=start, started_at__lt=end)
        .exclude(mentee_institution_id=F("mentor_institution_id"))
        .aggregate(now=Count("id", filter=Q(started_at__gte=split)), before=Count("id", filter=Q(started_at__lt=split)))
    )
    return current if found["now"] >= k_min() and 2 * found["now"] >= found["before"] else current - 1


def default_year(today=None) -> int:
    """The default period's year as the sweep decided it for this update (else decided now)."""
    done = last_refresh()
    stored = stored_release(default_key(today), done) if done is not None else None
    return stored if stored is not None else choose_default_year(today)


def period(data, today=None) -> Filters:
    """The period asked for: ``?year=pooled``, one of the offered years, else the default."""
    today = today or platform_today()
    raw = data.get("year")
    if raw == POOLED:
        return pooled(today)
    current = academic_year_of(today)
    try:
        year = int(raw)
    except (TypeError, ValueError):
        year = None
    if year is not None and current - YEARS_OFFERED < year <= current:
        return Filters.year(year)
    return Filters.year(default_year(today))


def offered(today=None) -> list[tuple[int | str, str]]:
    """The period choices: each offered academic year, then the pooled years."""
    pool = pooled(today)
    return [
        *Filters.offered(today),
        (POOLED, gettext("Last %(n)s complete years (%(label)s)") % {"n": POOL_YEARS, "label": pool.label}),
    ]


def periods(today=None) -> list[Filters]:
    """Every period the page offers (what the sweep precomputes)."""
    return [Filters.year(y) for y, _ in Filters.offered(today)] + [pooled(today)]


# ------------------------------------------------------------------ one release, every institution


@dataclass
class Figures:
    """One period's protected figures for every institution (labels are put on per language)."""

    rows: list[Row]  # the chosen layout: one row per institution shown alone, and the merged row
    total: Row | None
    merged: int  # institutions in the merged row
    names: dict[int, str]
    present: set[int]  # institutions with a relationship in the period
    alone: set[int]  # institutions whose own row is shown (not merged, not hidden)
    flows: dict[Pair, Cell]  # listed flows only
    nonzero: set[Pair]  # every pair with a relationship (never shown; for pooling)
    rest_given: dict[int, Cell] = field(default_factory=dict)  # per institution shown alone
    rest_received: dict[int, Cell] = field(default_factory=dict)
    rest: Cell | None = None  # every unlisted flow together
    cross: Cell | None = None  # every flow together (the total's "given")
    years: list[int] = field(default_factory=list)


_memo: dict | None = None


@contextmanager
def reuse() -> Iterator[None]:
    """Within this block every period's figures are computed once (the sweep, for all its pages)."""
    global _memo
    outer, _memo = _memo, {} if _memo is None else _memo
    try:
        yield
    finally:
        _memo = outer


def figures(f: Filters, k: int) -> Figures:
    key = (f.cache_key(), k)
    if _memo is not None and key in _memo:
        return _memo[key]
    years = [figures(Filters.year(y), k) for y in f.pooled_years] if f.years > 1 else []
    result = _compute(f, k, years)
    if _memo is not None:
        _memo[key] = result
    return result


def _poolable(statuses: list[str]) -> bool:
    """A pooled figure may be shown: its non-zero years are all shown, or at least two and all hidden."""
    nonzero = [s for s in statuses if s != "zero"]
    return all(s == "shown" for s in nonzero) or (len(nonzero) >= 2 and all(s == "hidden" for s in nonzero))


def _row_status(year: Figures, pk: int) -> str:
    if pk not in year.present:
        return "zero"
    return "shown" if pk in year.alone else "hidden"


def _flow_status(year: Figures, pair: Pair) -> str:
    if pair not in year.nonzero:
        return "zero"
    return "shown" if pair in year.flows else "hidden"


def _compute(f: Filters, k: int, years: list[Figures]) -> Figures:
    from mentormemed.institutions.models import Institution
    from mentormemed.outcomes.models import RelationshipFact

    start, end = f.bounds
    facts = list(
        RelationshipFact.objects.filter(started_at__gte=start, started_at__lt=end).values_list(
            "mentee_id", "mentee_institution_id", "mentor_institution_id"
        )
    )
    names = dict(Institution.objects.values_list("pk", "name"))
    facts = [(m, ei, oi) for m, ei, oi in facts if ei != oi]  # mentor and mentee of different institutions
    present = {i for _, mentee_inst, mentor_inst in facts for i in (mentee_inst, mentor_inst)}
    # Per institution, once: the mentees its mentors gave to other institutions' mentees, and those
    # its mentees received (every layout below reuses them).
    given_of: dict[int, list[int | None]] = defaultdict(list)
    received_of: dict[int, list[int | None]] = defaultdict(list)
    pairs: dict[Pair, list[int | None]] = defaultdict(list)
    for m, ei, oi in facts:
        given_of[oi].append(m)
        received_of[ei].append(m)
        pairs[oi, ei].append(m)
    distinct = {pk: (set(given_of[pk]), set(received_of[pk])) for pk in present}

    def row(members: set[int], label: str) -> Row:
        n_g = sum(len(given_of[pk]) for pk in members)
        n_r = sum(len(received_of[pk]) for pk in members)
        if len(members) == 1:
            (one,) = members
            pg, pr = (len(people) for people in distinct[one])
        else:
            pg, pr = (len(set().union(*(distinct[pk][n] for pk in members))) for n in range(2))
        made = Row(
            label,
            [count(n_g, pg), count(n_r, pr), Cell(n_g - n_r, pg, fmt="{:+,}", parts=(pr,), kind=RATIO)],
            pg + pr,
            extra={"institutions": members, "units": len(members), "pk": next(iter(members)) if label else None},
        )
        # Pooled years: a row one of whose years is hidden (and others not) is hidden too.
        if years and not _poolable([_row_status(y, pk) for y in years for pk in members]):
            hide(made, k)
        return made

    n_cross, p_cross = len(facts), len({m for m, _, _ in facts})

    def total() -> Row:
        return Row("", [count(n_cross, p_cross), count(n_cross, p_cross), Cell(0, 0, fmt="{:+,}", kind=RATIO)], p_cross)

    people = {pk: len(distinct[pk][0]) + len(distinct[pk][1]) for pk in present}
    by_size = sorted(present, key=lambda pk: (people[pk], names.get(pk, ""), pk))

    def layout(merge: int) -> Layout:
        merged = set(by_size[:merge])
        rows = [row({pk}, names.get(pk, f"#{pk}")) for pk in sorted(present - merged, key=lambda pk: names.get(pk, ""))]
        if merged:
            rows.append(row(merged, ""))
        return Layout(rows, total())

    chosen = choose((layout(m) for m in [0, *range(2, len(by_size) + 1)]), additive=True, k=k)
    merged_rows = [r for r in chosen.rows if r.extra["pk"] is None]
    alone = {r.extra["pk"] for r in chosen.rows if r.extra["pk"] is not None and not r.hidden}
    if chosen.total is not None and chosen.total.hidden:
        alone = set()

    # Flows: listed only between institutions shown alone (their totals are released), at least k
    # mentees each, the rest of each total shown together; pooled years as for the rows.
    parts = {pair: (len(ms), set(ms)) for pair, ms in pairs.items()}

    def eligible(pair: Pair) -> bool:
        if pair[0] not in alone or pair[1] not in alone:
            return False
        return not years or _poolable([_flow_status(y, pair) for y in years])

    out_groups: dict[int, list[Pair]] = defaultdict(list)
    in_groups: dict[int, list[Pair]] = defaultdict(list)
    for pair in parts:
        out_groups[pair[0]].append(pair)
        in_groups[pair[1]].append(pair)
    groups = [out_groups[pk] for pk in sorted(alone)] + [in_groups[pk] for pk in sorted(alone)]
    listed = list_parts(parts, groups, eligible=eligible, k=k)

    def rest_of(keys: list[Pair]) -> Cell:
        rest = [key for key in keys if key not in listed]
        people = set().union(*(parts[key][1] for key in rest)) if rest else set()
        return protect_cell(count(sum(parts[key][0] for key in rest), len(people)), k)

    everything = list(parts)
    return Figures(
        rows=chosen.rows,
        total=chosen.total,
        merged=len(merged_rows[0].extra["institutions"]) if merged_rows else 0,
        names=names,
        present=present,
        alone=alone,
        flows={pair: count(parts[pair][0], len(parts[pair][1])) for pair in listed},
        nonzero=set(parts),
        rest_given={pk: rest_of(out_groups[pk]) for pk in alone},
        rest_received={pk: rest_of(in_groups[pk]) for pk in alone},
        rest=rest_of(everything),
        cross=protect_cell(count(n_cross, p_cross), k),
        years=f.pooled_years,
    )


# ------------------------------------------------------------------ the tables, per language


def _copy(row: Row, label: str, **extra) -> Row:
    return Row(label, [dataclasses.replace(c) for c in row.cells], row.people, {**row.extra, **extra})


def _pooled_note(f: Filters) -> str:
    if f.years <= 1:
        return ""
    return gettext(
        "The academic years %(label)s are pooled: each figure is their sum. A pooled figure is hidden "
        "where, with the single years' figures, it would let a hidden one be worked out."
    ) % {"label": f.label}


def _merged_label(fig: Figures) -> str:
    return ngettext("%(n)s smaller institution together", "%(n)s smaller institutions together", fig.merged) % {
        "n": fig.merged
    }


def _summary_rows(fig: Figures) -> list[Row]:
    return [_copy(r, r.label or _merged_label(fig), merged=r.extra["pk"] is None) for r in fig.rows]


SUMMARY_COLUMNS = (
    lambda: gettext("Given"),
    lambda: gettext("Received"),
    lambda: gettext("Balance"),
)


def summary_table(fig: Figures, f: Filters, rows: list[Row] | None = None, *, total: bool = True) -> Table:
    merged = ""
    if fig.merged:
        merged = ngettext(
            "%(n)s institution too small to show on its own is shown with the others in one row.",
            "%(n)s institutions too small to show on their own are shown together in one row.",
            fig.merged,
        ) % {"n": fig.merged}
    return Table(
        "reciprocity",
        gettext("Mentoring given to and received from other institutions"),
        [c() for c in SUMMARY_COLUMNS],
        _summary_rows(fig) if rows is None else rows,
        gettext("Institution"),
        total=_copy(fig.total, gettext("All institutions")) if total and fig.total is not None else None,
        chart="",
        description=gettext(
            "Relationships started in the period. Given: the institution's mentors with other institutions' "
            "mentees; received: other institutions' mentors with its mentees; balance: given − received. A "
            "positive balance gives the network more mentoring than it receives: input for fee credits."
        ),
        merged=" ".join(s for s in (merged, _pooled_note(f)) if s),
    )


def partners_table(fig: Figures, pk: int, f: Filters) -> Table:
    """One institution's flows with each partner: what its mentors gave their mentees and received."""
    partners = {o if e == pk else e for o, e in fig.flows if pk in (o, e)}
    none = Cell(None, 0)
    rows = [
        Row(
            fig.names.get(x, f"#{x}"),
            [dataclasses.replace(fig.flows.get((pk, x), none)), dataclasses.replace(fig.flows.get((x, pk), none))],
            0,
            extra={"pk": x},
        )
        for x in sorted(partners, key=lambda x: fig.names.get(x, ""))
    ]
    own = next((r for r in fig.rows if r.extra["pk"] == pk), None)
    total = None
    if pk in fig.alone and own is not None:
        if fig.rest_given[pk].value or fig.rest_received[pk].value:  # zero: nothing left unlisted
            rows.append(
                Row(
                    gettext("Other institutions together"),
                    [dataclasses.replace(fig.rest_given[pk]), dataclasses.replace(fig.rest_received[pk])],
                    0,
                    extra={"rest": True},
                )
            )
        total = Row(
            gettext("All partner institutions"),
            [dataclasses.replace(own.cells[0]), dataclasses.replace(own.cells[1])],
            own.people,
        )
    return Table(
        "reciprocity_partners",
        gettext("Flows with each partner institution"),
        [gettext("Given to them"), gettext("Received from them")],
        rows,
        gettext("Partner institution"),
        total=total,
        chart="",
        description=gettext(
            "Given to them: our mentors with their mentees; received from them: their mentors with our mentees. "
            "A partner is listed when a flow describes at least %(minimum)s mentees; smaller flows are not named "
            "and are counted in “Other institutions together”. “—” means none, or too few to list."
        )
        % {"minimum": k_min()},
        note=""
        if total is not None
        else gettext("This institution's own figures are too small to show alone, so its flows are not listed."),
        merged=_pooled_note(f),
    )


def _flow_rows(fig: Figures, pairs: list[Pair]) -> list[Row]:
    return [
        Row(
            f"{fig.names.get(o, f'#{o}')} → {fig.names.get(e, f'#{e}')}",
            [dataclasses.replace(fig.flows[o, e])],
            fig.flows[o, e].people,
            extra={"pair": (o, e)},
        )
        for o, e in pairs
    ]


def _flows_table(fig: Figures, f: Filters, key: str, title: str, pairs: list[Pair], rest: Cell | None) -> Table:
    rows = _flow_rows(fig, pairs)
    total = None
    if fig.cross is not None and rest is not None and not rest.suppressed:
        if rest.value:
            rows.append(Row(gettext("All other flows together"), [rest], rest.people, extra={"rest": True}))
        total = Row(gettext("All flows between institutions"), [dataclasses.replace(fig.cross)], fig.cross.people)
    return Table(
        key,
        title,
        [gettext("Relationships")],
        rows,
        gettext("Flow (mentor's institution → mentee's)"),
        total=total,
        chart="",
        description=gettext(
            "A flow is listed when it describes at least %(minimum)s mentees and both institutions are shown on "
            "their own; the others are counted together."
        )
        % {"minimum": k_min()},
        merged=_pooled_note(f),
    )


def top_flows_table(fig: Figures, f: Filters) -> Table:
    top = sorted(
        fig.flows, key=lambda p: (-(fig.flows[p].value or 0), fig.names.get(p[0], ""), fig.names.get(p[1], ""))
    )
    top = top[:TOP_FLOWS]
    rest = None
    if fig.cross is not None:
        n = (fig.cross.value or 0) - sum(fig.flows[p].value or 0 for p in top)
        rest = fig.rest if len(top) == len(fig.flows) else _rest_beyond(fig, top, n)
    table = _flows_table(
        fig,
        f,
        "reciprocity_top_flows",
        gettext("The largest flows between institutions (mentor's → mentee's)"),
        top,
        rest,
    )
    table.csv_key = "reciprocity_flows"
    return table


def _rest_beyond(fig: Figures, top: list[Pair], n: float) -> Cell:
    """Every flow beyond the largest listed ones, together: it holds at least one listed flow, so it
    describes at least as many mentees as the largest of them (≥ k; a lower bound of its people)."""
    return Cell(n, max(fig.flows[p].people for p in fig.flows if p not in top))


def all_flows_table(fig: Figures, f: Filters) -> Table:
    pairs = sorted(fig.flows, key=lambda p: (fig.names.get(p[0], ""), fig.names.get(p[1], ""), p))
    return _flows_table(
        fig, f, "reciprocity_flows", gettext("Flows between institutions (mentor's → mentee's)"), pairs, fig.rest
    )


def tables(fig: Figures, institution, f: Filters) -> list[Table]:
    """The tables of one page: nationally every institution's row and the largest flows; for one
    institution its own row (or the row it is merged into) and its partners."""
    if institution is None:
        summary = summary_table(fig, f)
        summary.paged = True
        return [summary, top_flows_table(fig, f)]
    own = [r for r in _summary_rows(fig) if institution.pk in r.extra["institutions"]]
    table = summary_table(fig, f, own, total=False)
    table.note = gettext(
        "Each institution sees its own row (or the row it is merged into) and its own flows; staff see every "
        "institution's."
    )
    partners = partners_table(fig, institution.pk, f)
    partners.paged = True
    return [table, partners]


def small_in_one_year(found: list[Table]) -> bool:
    """Some figure is hidden, or some flow too small to list: pooling years may show it."""
    return any(t.has_suppressed or any(r.extra.get("rest") and r.cells[0].value for r in t.rows) for t in found)


# ------------------------------------------------------------------ one page of a long table


def _folded(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", str(text)) if not unicodedata.combining(c)).casefold()


SORTS = {"name": None, "given": 0, "received": 1, "balance": 2}


@dataclass
class Listing:
    """A page of a long table: the rows shown, how many matched, and the links between pages."""

    rows: list[Row]
    matched: int
    total: int
    page: int
    pages: int
    q: str
    sort: str
    first: int
    last: int


def listing(table: Table, query, *, href=None) -> Listing:
    """Rows of ``table`` whose name contains ``q`` (accents and case ignored), sorted by name or by a
    figure (hidden figures last, so an order never hints at one), ``PAGE_SIZE`` at a time. The merged
    row and the remainder stay last."""
    q = str(query.get("q", "")).strip()[:100]
    sort = query.get("sort") if query.get("sort") in SORTS else "name"
    fixed = [r for r in table.rows if r.extra.get("merged") or r.extra.get("rest")]
    rows = [r for r in table.rows if r not in fixed]
    if q:
        needle = _folded(q)
        rows = [r for r in rows if needle in _folded(r.label)]
    column = SORTS[sort]
    if table.key == "reciprocity_partners" and column is not None:
        column = None if column > 1 else column
    if column is not None and rows and len(rows[0].cells) > column:

        def by_figure(r: Row):
            cell = r.cells[column]
            hidden = cell.suppressed or cell.value is None
            return (hidden, 0 if hidden else -(cell.value or 0), _folded(r.label))

        rows.sort(key=by_figure)
    if not q:
        rows += fixed
    matched = len(rows)
    pages = max(1, -(-matched // PAGE_SIZE))
    try:
        page = min(max(1, int(query.get("page", 1))), pages)
    except (TypeError, ValueError):
        page = 1
    shown = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    if href is not None:
        shown = [_copy(r, r.label, href=href(r.extra["pk"])) if r.extra.get("pk") else r for r in shown]
    return Listing(
        shown,
        matched,
        len(table.rows),
        page,
        pages,
        q,
        sort,
        (page - 1) * PAGE_SIZE + 1 if shown else 0,
        (page - 1) * PAGE_SIZE + len(shown),
    )
