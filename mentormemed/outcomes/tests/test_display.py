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


def test_r39_a_chart_and_its_csv_read_in_the_readers_language():
    """Issue 19: the month still running was labelled " (partial)" and the CSV said "Group" and "suppressed"
    in every language."""
    from mentormemed.outcomes.tables import Table

    rows = [
        Row("feb 2026", [Cell(12, 12)], people=12),
        Row("mar 2026", [Cell(None, 3, suppressed=True, reason="primary")], people=3, extra={"partial": True}),
    ]
    table = Table(key="searches", title="Búsquedas", columns=["Búsquedas"], rows=rows)
    with translation.override("es"):
        assert table.chart_data()["labels"] == ["feb 2026", "mar 2026 (parcial)"]
        assert table.csv().splitlines() == ["Grupo,Búsquedas", "feb 2026,12", "mar 2026,suprimido"]
    with translation.override("en"):
        assert table.chart_data()["labels"][-1] == "mar 2026 (partial)"
        assert table.csv().splitlines()[::2] == ["Group,Búsquedas", "mar 2026,suppressed"]
