"""Every file we export that a spreadsheet may open (CSV, tab-delimited) goes through here.

A cell that starts with = + - @ (or a tab or carriage return) is run as a formula by Excel,
LibreOffice and Google Sheets ("CSV injection", OWASP). Such a cell is prefixed with an
apostrophe, which the spreadsheet shows as text and does not display; plain signed numbers
(an effect size of -0.31) are left as numbers.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?%?")


def defuse(value: object) -> str:
    """The cell as text that no spreadsheet runs as a formula (a plain number such as -0.5 stays)."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text):
        return f"'{text}"
    return text


def csv_text(header: Iterable[object], rows: Iterable[Iterable[object]]) -> str:
    """A CSV document (header first), every cell defused."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([defuse(v) for v in header])
    writer.writerows([defuse(v) for v in row] for row in rows)
    return out.getvalue()


def tsv_line(cells: Iterable[object]) -> str:
    """One tab-delimited line (CRLF), every cell defused and kept on one line."""
    return "\t".join(defuse(" ".join(str(c).split())) if c else "" for c in cells) + "\r\n"


class _Echo:
    """A file whose ``write`` hands the line back, so rows can be streamed as they are written."""

    def write(self, value: str) -> str:
        return value


def csv_stream(header: Iterable[object], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """The same CSV as ``csv_text``, line by line (``StreamingHttpResponse`` for long exports)."""
    writer = csv.writer(_Echo())
    yield writer.writerow([defuse(v) for v in header])
    for row in rows:
        yield writer.writerow([defuse(v) for v in row])
