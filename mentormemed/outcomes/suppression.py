"""Small-cell suppression (R23): no figure describing fewer than k people, nor one that lets a reader derive it.

Primary suppression hides every cell describing 1…k−1 people (zero is shown: it describes no
one). Complementary suppression applies where a table shows a total its rows add up to: a lone
suppressed cell could be recovered as total − the rest, so further cells (the smallest first)
are hidden until at least two are hidden *and* the hidden cells together describe at least k
people — then the difference a reader can compute covers k or more people. A total describing
fewer than k people hides the whole table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

SUPPRESSED = "<11"


def k_min() -> int:
    return int(settings.MMM.get("SMALL_CELL_MIN", 11))


@dataclass
class Cell:
    """A figure and the number of distinct people it describes."""

    value: float | int | None
    people: int
    suppressed: bool = False
    fmt: str = "{:,}"
    reason: str = ""

    @property
    def display(self) -> str:
        if self.suppressed:
            return f"<{k_min()}" if self.reason == "primary" else "suppressed"
        if self.value is None:
            return "—"
        return self.fmt.format(self.value)

    @property
    def raw(self):
        """The value for charts and CSV: None when suppressed."""
        return None if self.suppressed else self.value


@dataclass
class Row:
    label: str
    cells: list[Cell]
    people: int
    extra: dict = field(default_factory=dict)


def suppress_rows(rows: list[Row], *, additive: bool, total_people: int | None = None, k: int | None = None) -> None:
    """Suppress whole rows in place (a row's cells share the row's people count).

    ``additive``: the rows add up to a total shown with them (complementary suppression applies).
    """
    k = k or k_min()
    if total_people is not None and 0 < total_people < k:
        for row in rows:
            _hide(row, "total")
        return
    for row in rows:
        if 0 < row.people < k:
            _hide(row, "primary")
    if not additive:
        return
    while True:
        hidden = [r for r in rows if r.cells and r.cells[0].suppressed]
        if not hidden or (len(hidden) >= 2 and sum(r.people for r in hidden) >= k):
            return
        visible = [r for r in rows if r.people > 0 and not (r.cells and r.cells[0].suppressed)]
        if not visible:
            return
        _hide(min(visible, key=lambda r: (r.people, r.label)), "complementary")


def _hide(row: Row, reason: str) -> None:
    for cell in row.cells:
        cell.suppressed = True
        cell.reason = reason


def suppress_cell(cell: Cell, k: int | None = None) -> Cell:
    """Primary suppression of a single stand-alone figure."""
    k = k or k_min()
    if 0 < cell.people < k:
        cell.suppressed, cell.reason = True, "primary"
    return cell
