"""CSV that a spreadsheet opens as data, never as formulas (CSV injection, OWASP).

Every CSV export of the product writes through :func:`csv_text`: a cell that starts
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with an
apostrophe, so Excel, LibreOffice and Sheets show the text instead of running it.
Numbers are written by the caller as numbers (``int``/``float``/``Decimal``) and
left alone, so a negative figure stays a figure.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """The cell as text, defused when a spreadsheet would read it as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return str(value)
    text = str(value)
    return f"'{text}" if text[:1] in DANGEROUS else text


def csv_text(rows: Iterable[Iterable]) -> str:
    """Rows (the first one the header) as CSV text with every cell defused."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue()
