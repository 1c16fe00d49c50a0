"""Every CSV export defuses spreadsheet formulas: one writer, and each export's own test."""

from __future__ import annotations

import re
from pathlib import Path

from mentormemed.core.spreadsheet import csv_stream, csv_text


def test_streamed_and_whole_csv_agree_and_defuse():
    header, rows = ["a", "b"], [["=evil()", "ok"], ["fine", "@x"], [-2, "-x"]]
    text = csv_text(header, rows)
    assert text == "".join(csv_stream(header, rows))
    assert "'=evil()" in text and "'@x" in text and "-2," in text and "'-x" in text


# Every CSV a person can download, and the test that feeds it a formula and finds it defused.
DEFUSED_EXPORTS = {
    "staff:audit_export": "institutions/tests/test_audit_log.py",
    "training:institution_claims_csv": "training/tests/test_exports_defused.py",
    "outcomes:reward_csv": "outcomes/tests/test_reward_research_invoices.py",
    "outcomes:export": "core/tests/test_spreadsheet.py",  # tables: every cell through csv_text (below)
    "outcomes:national_export": "core/tests/test_spreadsheet.py",
}


def _csv_url_names() -> set[str]:
    from mentormemed.core.tests.test_permission_matrix import project_urls

    return {name for route, name, _ in project_urls() if route.rstrip("$").endswith(".csv")}


def test_every_csv_export_is_listed_with_its_defusing_test():
    """A new CSV address fails here until a test shows its cells cannot run as formulas."""
    assert _csv_url_names() == set(DEFUSED_EXPORTS)
    root = Path(__file__).resolve().parents[2]
    for test_file in DEFUSED_EXPORTS.values():
        assert "HYPERLINK" in (root / test_file).read_text() or "=cmd" in (root / test_file).read_text()


def test_no_module_writes_csv_but_the_defusing_writer():
    root = Path(__file__).resolve().parents[2]
    writers = re.compile(r"csv\.(writer|DictWriter)\(")
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "tests" not in path.parts and path.name != "spreadsheet.py" and writers.search(path.read_text())
    ]
    assert offenders == []


def test_an_outcomes_table_export_defuses_its_labels():
    from mentormemed.outcomes.suppression import Cell, Row
    from mentormemed.outcomes.tables import Table

    row = Row(label="=HYPERLINK(1)", cells=[Cell(value=-3, people=20)], people=20)
    table = Table(key="t", title="T", columns=["@People"], rows=[row])
    assert table.csv().splitlines() == ["Group,'@People", "'=HYPERLINK(1),-3"]
