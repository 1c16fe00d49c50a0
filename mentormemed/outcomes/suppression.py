"""Small-cell suppression (R23, R38): no figure describing fewer than k people, nor one a reader can derive.

Suppression holds across every release a person can ask for, not only within one table:

* **Fixed cells.** The dashboards release one academic year at a time (``selectors.Filters``):
  two periods are either the same or disjoint, so no pair of date windows isolates a month, and
  cohorts appear as breakdown tables of the same year instead of filters whose complement a
  reader could compute. The same figure therefore has one value and one verdict wherever it
  is shown (page, chart, CSV).
* **Every figure counted by the people behind it.** A cell carries the distinct people it
  describes (an "accepted" count the mentees with an accepted request, not every requester);
  a rate also carries the people its numerator leaves out (a 95 % acceptance rate describes
  the few who were not accepted). A cell is shown only if each of those counts is 0 or ≥ k.
* **Rows, totals and complements.** A row is hidden whole when any of its cells is. Where rows
  add up to a released total, a lone hidden row could be recovered as total − the rest, so
  further rows are hidden until, in every column, the hidden rows include one that alone
  describes at least k people (the hidden sum then describes at least k people, however the
  people overlap); when no row can do that, every row is hidden. Where rows overlap (a mentee
  has several bases, a search several filters), a row is shown only if what the released total
  leaves out of it (total − row) is zero or describes at least k people.
* A total describing fewer than k people hides its whole table.
* **Coarsen before suppressing.** A table may be offered in several layouts, from the finest
  to coarser ones (training levels merged into UME/GME, months into quarters, small outcome
  columns into a neighbour); every merged row or column is counted by its own distinct people,
  never by adding the parts' people. ``choose`` protects each layout and keeps the one that
  hides the fewest fine categories (the finest on a tie). The choice depends only on the
  release's own figures, and one release is one academic year, so every view of a release
  shows one layout, one value and one verdict per cell; the finer cells a merged row covers
  are released nowhere, so no two releases give them back.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from django.utils.translation import gettext

from mentormemed.core.conf import product
from mentormemed.core.types import Text

COUNT, RATIO = "count", "ratio"
P = TypeVar("P", bound=Hashable)


def k_min() -> int:
    """The fewest people a released figure may describe (R23, R18, R25): smaller groups are hidden."""
    return product.small_cell_min


def hidden_label(cells: Iterable[Cell]) -> str:
    """What is shown in place of hidden figures: "fewer than 11" when one of them describes too few
    people itself, "hidden" when they are hidden only so that another cannot be worked out."""
    if any(c.reason == "primary" for c in cells):
        return gettext("fewer than %(minimum)s") % {"minimum": k_min()}
    return gettext("hidden")


def is_safe(people: int, k: int) -> bool:
    """A group of ``people`` may be described: nobody, or at least k people."""
    return people == 0 or people >= k


@dataclass
class Cell:
    """A figure, the distinct people it describes, and further groups it reveals (``parts``)."""

    value: float | int | str | None  # str: a verdict (the success analysis)
    people: int
    suppressed: bool = False
    fmt: str = "{:,}"
    reason: str = ""
    parts: tuple[int, ...] = ()
    kind: str = COUNT

    @property
    def display(self) -> str:
        if self.suppressed:
            return hidden_label([self])
        if self.value is None:
            return "—"
        return self.fmt.format(self.value)

    @property
    def raw(self):
        """The value for charts and CSV: None when suppressed."""
        return None if self.suppressed else self.value

    def safe(self, k: int) -> bool:
        return all(is_safe(p, k) for p in (self.people, *self.parts))


@dataclass
class Row:
    label: Text
    cells: list[Cell]
    people: int
    extra: dict = field(default_factory=dict)

    @property
    def hidden(self) -> bool:
        return bool(self.cells) and all(c.suppressed for c in self.cells)

    @property
    def shown(self) -> list[tuple[int, str, bool]]:
        """The row's cells as a table shows them: (columns spanned, text, hidden). Neighbouring hidden
        cells read as one "fewer than 11" across their columns instead of the phrase in every column."""
        out: list[tuple[int, str, bool]] = []
        run: list[Cell] = []
        for cell in [*self.cells, None]:
            if cell is not None and cell.suppressed:
                run.append(cell)
                continue
            if run:
                out.append((len(run), hidden_label(run), True))
                run = []
            if cell is not None:
                out.append((1, cell.display, False))
        return out


def protect(
    rows: list[Row],
    *,
    total: Row | None = None,
    additive: bool,
    reference: Row | None = None,
    k: int | None = None,
) -> None:
    """Suppress ``rows`` in place (and ``total``, when it describes too few people).

    ``total``: the released figures the rows add up to (``additive``), shown with the table or
    elsewhere. ``reference``: for overlapping rows, the released total each row is a part of.
    """
    k = k or k_min()
    if total is not None and not all(c.safe(k) for c in total.cells):
        for row in [*rows, total]:
            _hide(row, "total", k)
        return
    for row in rows:
        if not all(c.safe(k) for c in row.cells):
            _hide(row, "primary", k)
        elif reference is not None and not _complement_safe(row, reference, k):
            _hide(row, "complement")
    if additive:
        _complementary(rows, k)


def _complement_safe(row: Row, reference: Row, k: int) -> bool:
    """What the reference total leaves out of this row is nothing or at least k people.

    ``reference.people − row.people`` is a lower bound of the people left out."""
    for cell, ref in zip(row.cells, reference.cells, strict=False):
        if cell.kind != COUNT or ref.kind != COUNT or cell.value is None or ref.value is None:
            continue
        if ref.value - cell.value != 0 and ref.people - cell.people < k:
            return False
    return True


def _complementary(rows: list[Row], k: int) -> None:
    columns = range(max((len(r.cells) for r in rows), default=0))
    while True:
        hidden = [r for r in rows if r.hidden]
        if not hidden:
            return
        exposed = [j for j in columns if _exposed(hidden, j, k)]
        if not exposed:
            return
        j = exposed[0]
        candidates = [r for r in rows if not r.hidden and len(r.cells) > j and r.cells[j].people >= k]
        if not candidates:
            for row in rows:
                if not row.hidden:
                    _hide(row, "complementary")
            return
        _hide(min(candidates, key=lambda r: (r.cells[j].people, r.label)), "complementary")


def _exposed(hidden: list[Row], j: int, k: int) -> bool:
    """Column j of the hidden rows adds up to a derivable sum that may describe fewer than k people."""
    cells = [r.cells[j] for r in hidden if len(r.cells) > j and r.cells[j].kind == COUNT]
    if not cells or not sum(c.value or 0 for c in cells):
        return False
    return max(c.people for c in cells) < k


def _hide(row: Row, reason: str, k: int | None = None) -> None:
    """Hide a whole row; a cell too small on its own says so (``primary``), the rest give ``reason``."""
    for cell in row.cells:
        cell.suppressed = True
        cell.reason = "primary" if k is not None and not cell.safe(k) else reason


def protect_cell(cell: Cell, k: int | None = None) -> Cell:
    """Primary suppression of a single stand-alone figure (headlines)."""
    k = k or k_min()
    if not cell.safe(k):
        cell.suppressed, cell.reason = True, "primary"
    return cell


@dataclass
class Layout:
    """One way of cutting a table: its rows (each ``extra["units"]`` fine categories, default 1),
    the total they add up to, its column labels, and what it merged (said on the table)."""

    rows: list[Row]
    total: Row | None = None
    columns: list[Text] | None = None
    merged: str = ""

    def hidden_units(self) -> int:
        units = [r.extra.get("units", 1) for r in self.rows]
        if self.total is not None and self.total.hidden:
            return sum(units)
        return sum(u for u, r in zip(units, self.rows, strict=True) if r.hidden)


def choose(layouts: Iterable[Layout], *, additive: bool, reference: Row | None = None, k: int | None = None) -> Layout:
    """Protect each layout (finest first) and keep the one hiding the fewest fine categories.

    Each layout must hold its own rows and cells (``protect`` changes them in place)."""
    k = k or k_min()
    best, best_hidden = None, None
    for layout in layouts:
        protect(layout.rows, total=layout.total, additive=additive, reference=reference, k=k)
        hidden = layout.hidden_units()
        if best is None or hidden < best_hidden:
            best, best_hidden = layout, hidden
        if not hidden:
            break
    if best is None:
        raise ValueError("choose() needs at least one layout")
    return best


def hide(row: Row, k: int | None = None) -> None:
    """Hide a whole row so that another figure cannot be worked out ("hidden"; "fewer than k" where
    a cell is too small on its own). Used before ``protect`` to carry a verdict over from another
    release (pooled years, see ``outcomes.reciprocity``): ``protect`` keeps it hidden and counts it
    as hidden for the complementary rule."""
    _hide(row, "complementary", k or k_min())


def list_parts(
    parts: Mapping[P, tuple[int, set]],
    groups: Iterable[list[P]],
    *,
    eligible: Callable[[P], bool],
    k: int | None = None,
) -> set[P]:
    """Which parts of released totals may be listed one by one, where each part belongs to several
    totals (a flow from one institution to another is part of what the first gives and of what the
    second receives). ``parts``: key → (value, the distinct people it describes); ``groups``: the
    keys that add up to one released total.

    A part is listed only if ``eligible`` and it describes at least k people. Parts not listed are
    not named at all, so a reader cannot tell a small part from none; in every group they are shown
    together as one remainder (total − the listed parts, which a reader could work out anyway), and
    that remainder must describe nobody or at least k people — counted exactly, as distinct people —
    else the group's smallest listed part is unlisted too (complementary suppression). Unlisting a
    part only adds people to the other groups' remainders, so one pass over the groups settles all."""
    k = k or k_min()
    listed = {key for key, (_, people) in parts.items() if eligible(key) and is_safe(len(people), k) and people}
    for group in groups:
        rest = [key for key in group if key not in listed]
        value = sum(parts[key][0] for key in rest)
        people = set().union(*(parts[key][1] for key in rest)) if rest else set()
        if value and not is_safe(len(people), k):
            shown = [key for key in group if key in listed]
            if shown:
                listed.discard(min(shown, key=lambda key: (len(parts[key][1]), str(key))))
    return listed
