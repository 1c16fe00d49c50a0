"""Tables behind every chart: rows of suppressible cells, chart data and CSV (R23)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext, pgettext

from mentormemed.core.spreadsheet import csv_text
from mentormemed.core.types import Text
from mentormemed.outcomes.suppression import RATIO, Cell, Row, hidden_label

# Okabe–Ito palette: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]


def partial_label(label: Text) -> str:
    """A chart's category for a period still running: "Mar 2026 (partial)" / "mar 2026 (parcial)"."""
    return gettext("%(label)s (partial)") % {"label": label}


LONG_LABEL = 12  # characters: a bar chart with longer category labels is drawn horizontally


def _gap(row: Row, columns: list[int]) -> str:
    """What a chart says in place of a category's hidden figures ("" when they are shown)."""
    hidden = [row.cells[i] for i in columns if row.cells[i].suppressed]
    return hidden_label(hidden) if hidden else ""


@dataclass
class Table:
    key: str
    title: str
    columns: list[Text]  # header labels of the value columns (the first column is the row label)
    rows: list[Row]
    label_header: str = ""
    total: Row | None = None
    chart: str = "bar"  # "bar", "line", "hbar" or "" (no chart)
    chart_columns: list[int] = field(default_factory=lambda: [0])
    description: str = ""
    note: str = ""
    merged: str = ""  # what was merged so that figures reach the minimum (said on the table)
    csv_key: str = ""  # the table its CSV button downloads, when not this one (the whole of a shortened table)
    paged: bool = False  # a long table: the page lists it a page at a time, filtered by name

    def chart_data(self) -> dict:
        """Chart.js data: suppressed values are null, drawn as a labelled gap ("fewer than 11"),
        never as a bar; categories with long labels lie horizontally; a period still running is
        marked partial."""
        kind = self.chart_kind
        partial = [n for n, r in enumerate(self.rows) if r.extra.get("partial")]
        return {
            "type": kind,
            "labels": [partial_label(r.label) if r.extra.get("partial") else r.label for r in self.rows],
            "datasets": [
                {
                    "label": self.columns[i],
                    "data": [r.cells[i].raw for r in self.rows],
                    "backgroundColor": PALETTE[n % len(PALETTE)],
                    "borderColor": PALETTE[n % len(PALETTE)],
                }
                for n, i in enumerate(self.chart_columns)
            ],
            # Per category: the text to show where a hidden figure would be.
            "gaps": [_gap(r, self.chart_columns) for r in self.rows],
            "partial": partial,
        }

    @property
    def chart_kind(self) -> str:
        """The chart drawn: a bar chart with long category labels lies horizontally."""
        if self.chart == "bar" and any(len(r.label) > LONG_LABEL for r in self.rows):
            return "hbar"
        return self.chart

    @property
    def has_suppressed(self) -> bool:
        rows = self.rows + ([self.total] if self.total else [])
        return any(c.suppressed for r in rows for c in r.cells)

    @property
    def is_empty(self) -> bool:
        return not self.rows

    @property
    def all_hidden(self) -> bool:
        """Every charted figure is suppressed or missing: a chart would be an empty grid."""
        return all(r.cells[i].raw is None for r in self.rows for i in self.chart_columns)

    def csv(self) -> str:
        rows = self.rows + ([self.total] if self.total else [])
        header = [self.label_header or gettext("Group"), *self.columns]
        return csv_text(header, ([row.label, *map(_csv_value, row.cells)] for row in rows))


def _csv_value(cell: Cell) -> str:
    if cell.suppressed:
        return pgettext("a hidden figure in a CSV cell", "suppressed")
    if cell.value is None:
        return ""
    return str(round(cell.value, 2)) if isinstance(cell.value, float) else str(cell.value)


def count(value: int, people: int) -> Cell:
    return Cell(value, people)


def rate(numerator: int, denominator: int, people: int, left_out: int = 0) -> Cell:
    """A percentage describing ``people`` (the numerator's) and ``left_out`` (those the
    denominator holds beyond them): 97 % accepted describes the few who were not, too."""
    value = round(100 * numerator / denominator, 1) if denominator else None
    return Cell(value, people, fmt="{:.1f}%", parts=(left_out,), kind=RATIO)


def number(value: float | None, people: int, fmt: str = "{:.1f}") -> Cell:
    return Cell(value, people, fmt=fmt, kind=RATIO)
