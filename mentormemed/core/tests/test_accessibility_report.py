"""docs/accessibility.md, the Accessibility Conformance Report, stays true: every WCAG 2.2 A and AA
criterion is in its table with a VPAT conformance level, and a criterion marked "Supports" names at
least one automated test that exists (``path::test_name``)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
REPORT = ROOT / "docs" / "accessibility.md"
LEVELS = {"Supports", "Partially Supports", "Does Not Support", "Not Applicable"}
TEST_REF = re.compile(r"`([\w/.-]+\.py)::(\w+)`")

WCAG_22 = {
    "A": [
        "1.1.1", "1.2.1", "1.2.2", "1.2.3", "1.3.1", "1.3.2", "1.3.3", "1.4.1", "1.4.2", "2.1.1", "2.1.2",
        "2.1.4", "2.2.1", "2.2.2", "2.3.1", "2.4.1", "2.4.2", "2.4.3", "2.4.4", "2.5.1", "2.5.2", "2.5.3",
        "2.5.4", "3.1.1", "3.2.1", "3.2.2", "3.2.6", "3.3.1", "3.3.2", "3.3.7", "4.1.1", "4.1.2",
    ],
    "AA": [
        "1.2.4", "1.2.5", "1.3.4", "1.3.5", "1.4.3", "1.4.4", "1.4.5", "1.4.10", "1.4.11", "1.4.12", "1.4.13",
        "2.4.5", "2.4.6", "2.4.7", "2.4.11", "2.5.7", "2.5.8", "3.1.2", "3.2.3", "3.2.4", "3.3.3", "3.3.4",
        "3.3.8", "4.1.3",
    ],
}  # fmt: skip


def _rows(text: str) -> list[tuple[str, str, str, str]]:
    """(criterion number, level A/AA, conformance, remarks) for each row of the WCAG tables."""
    rows = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3:
            continue
        match = re.match(r"(\d+\.\d+\.\d+) .+\(Level (AA?)\)$", cells[0])
        if match:
            rows.append((match[1], match[2], cells[1], "|".join(cells[2:])))
    return rows


def _test_exists(path: str, name: str) -> bool:
    file = ROOT / path
    if not file.is_file():
        return False
    tree = ast.parse(file.read_text(encoding="utf-8"))
    return any(isinstance(node, ast.FunctionDef) and node.name == name for node in tree.body)


def report_problems(text: str) -> list[str]:
    rows = _rows(text)
    problems = []
    listed = {(number, level) for number, level, _, _ in rows}
    for level, numbers in WCAG_22.items():
        problems += [f"{n} (Level {level}) is missing" for n in numbers if (n, level) not in listed]
    for number, _level, conformance, remarks in rows:
        if conformance not in LEVELS:
            problems.append(f"{number}: '{conformance}' is not a VPAT conformance level")
        if not remarks.strip():
            problems.append(f"{number}: no remarks")
        refs = TEST_REF.findall(remarks)
        if conformance == "Supports" and not refs:
            problems.append(f"{number} is marked Supports but names no test (`path::test_name`)")
        problems += [f"{number}: {p}::{n} does not exist" for p, n in refs if not _test_exists(p, n)]
    counts = {number: sum(1 for r in rows if r[0] == number) for number, *_ in rows}
    problems += [f"{n} is listed {c} times" for n, c in counts.items() if c > 1]
    return problems


def test_the_conformance_report_covers_wcag_2_2_aa_and_each_supports_names_a_real_test():
    assert not report_problems(REPORT.read_text(encoding="utf-8")), "\n".join(
        report_problems(REPORT.read_text(encoding="utf-8"))
    )


def test_a_supports_without_its_test_is_refused():
    text = REPORT.read_text(encoding="utf-8")
    broken = text.replace("::test_skip_link_is_first_visible_and_moves_focus_to_main", "::test_that_was_removed")
    assert "2.4.1: tests/e2e/test_keyboard_and_reflow.py::test_that_was_removed does not exist" in (
        report_problems(broken)
    )
    unproven = re.sub(r"(\| 2\.1\.2 No Keyboard Trap \(Level A\) \| Supports \|)[^\n]*", r"\1 Checked. |", text)
    assert "2.1.2 is marked Supports but names no test (`path::test_name`)" in report_problems(unproven)
    missing = "\n".join(line for line in text.splitlines() if not line.startswith("| 2.5.8 "))
    assert "2.5.8 (Level AA) is missing" in report_problems(missing)
