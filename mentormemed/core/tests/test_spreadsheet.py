"""The streamed CSV (the audit log export) defuses exactly as the whole-document writer does."""

from __future__ import annotations

from mentormemed.core.spreadsheet import csv_stream, csv_text


def test_streamed_and_whole_csv_agree_and_defuse():
    header, rows = ["a", "b"], [["=evil()", "ok"], ["fine", "@x"], [-2, "-x"]]
    text = csv_text(header, rows)
    assert text == "".join(csv_stream(header, rows))
    assert "'=evil()" in text and "'@x" in text and "-2," in text and "'-x" in text
