"""How hidden figures read in a table (R23): once per run of hidden columns, in the reader's language."""

from __future__ import annotations

from django.utils import translation

from mentormemed.outcomes.suppression import Cell, Row


def _row(*cells: Cell) -> Row:
    return Row("Shares language", list(cells), people=30)


def test_r23_neighbouring_hidden_cells_read_once_across_their_columns():
    row = _row(
        Cell(None, 4, suppressed=True, reason="primary"),
        Cell(None, 4, suppressed=True, reason="complementary"),
        Cell(None, 4, suppressed=True, reason="primary"),
        Cell(12, 30),
        Cell(None, 20, suppressed=True, reason="complementary"),
    )
    assert row.shown == [(3, "fewer than 11", True), (1, "12", False), (1, "hidden", True)]


def test_r23_a_row_with_nothing_hidden_shows_every_cell():
    assert _row(Cell(3, 12), Cell(4.5, 12, fmt="{:.1f}")).shown == [(1, "3", False), (1, "4.5", False)]


def test_hidden_figures_are_named_in_the_readers_language():
    with translation.override("es"):
        row = _row(Cell(None, 4, suppressed=True, reason="primary"), Cell(None, 4, suppressed=True))
        assert row.shown[0][1] != "fewer than 11" and "11" in row.shown[0][1]
        assert Cell(None, 4, suppressed=True).display != "hidden"
