"""R23: several shared characteristics at once (statsmodels OLS), checked against hand-built data."""

from __future__ import annotations

from mentormemed.outcomes.regression import _table
from mentormemed.outcomes.selectors import GME

LABELS = {"lang": "Language", "id:race": "Race and ethnicity", "state": "Home state"}


def _rows():
    """Twelve mentees, one relationship each; score = 4 + 2·(shares language) + 1·(shares race),
    exactly. Language and race go together often (4 of the 6 sharing a language share race too),
    so the one-at-a-time difference for race (+1.67) mixes in the language effect; the model does not.
    Two mentees share a home state: too few on their own."""
    shares = [
        "lang\tid:race",
        "lang\tid:race",
        "lang\tid:race\tstate",
        "lang\tid:race",
        "lang",
        "lang",
        "id:race\tstate",
        "id:race",
        "",
        "",
        "",
        "",
    ]
    rows = []
    for n, shared in enumerate(shares):
        groups = set(shared.split("\t")) - {""}
        score = 4 + 2 * ("lang" in groups) + 1 * ("id:race" in groups)
        rows.append((n, shared, "MS3", 1, 1, float(score), None))
    return rows


def test_r23_the_model_separates_characteristics_that_come_together():
    rows = _rows()
    race = [r[5] for r in rows if "id:race" in r[1]]
    other = [r[5] for r in rows if "id:race" not in r[1]]
    assert round(sum(race) / len(race) - sum(other) / len(other), 2) == 1.67  # one at a time: confounded
    table = _table(0, "Evaluation score", "points", rows, 5, 3, LABELS, GME)
    by_label = {r.label: r for r in table.rows}
    language = by_label["Shares language"]
    assert [c.value for c in language.cells[:4]] == [2.0, 2.0, 2.0, 6]
    assert language.cells[4].value == "higher with it"
    race_row = by_label["Shares race and ethnicity"]
    assert [c.value for c in race_row.cells[:3]] == [1.0, 1.0, 1.0]
    # Two mentees share a home state: fewer than k = 3, so no coefficient.
    state = by_label["Shares home state"]
    assert all(c.suppressed for c in state.cells[:4]) and state.cells[4].value == "too few to conclude"
    assert "Fitted on 12 relationships of 12 mentees" in table.note


def test_r23_too_few_mentees_for_a_model_conclude_nothing():
    rows = _rows()[:5]
    table = _table(0, "Evaluation score", "points", rows, 5, 3, LABELS, GME)
    assert all(r.cells[4].value == "too few to conclude" for r in table.rows)
