"""What describes the most successful matches, several characteristics at once (R23).

The one-at-a-time comparisons of ``selectors.success_analysis`` cannot tell whether sharing a
language matters or only goes with sharing a race/ethnicity. Here one linear model per outcome
(evaluation score, relationship length) holds every shared characteristic, the mentee's training
level group and a mentor from another institution at once (statsmodels OLS, standard errors
clustered by mentee, because a mentee's relationships are not independent). Each coefficient is
the difference associated with sharing that characteristic, the others held equal, with its 95%
interval.

Small cells: a characteristic enters the model only when at least k distinct mentees' relationships
have it and at least k do not; otherwise it reads "too few to conclude". The model needs at least
2k mentees. Observational data: associations, not causes.
"""

from __future__ import annotations

from collections import defaultdict

from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_lazy

from mentormemed.outcomes.cohorts import GME, cohort_q, scoped
from mentormemed.outcomes.suppression import Cell, Row
from mentormemed.outcomes.tables import Table

# The success analysis's outcomes (one column each on outcomes.RelationshipFact): field, name, unit.
OUTCOMES = [
    ("score", gettext_lazy("Evaluation score"), gettext_lazy("points on 1–7")),
    ("months", gettext_lazy("Relationship length"), gettext_lazy("months")),
    ("meetings", gettext_lazy("Meetings in the first 13 weeks"), gettext_lazy("meetings")),
    ("goals", gettext_lazy("Goals reached"), gettext_lazy("percent of the pair's goals")),
    ("working", gettext_lazy("Check-in: it is working"), gettext_lazy("percent of mentees who answered")),
    ("not_a_fit", gettext_lazy("Ended as not a fit"), gettext_lazy("percent of ended relationships; lower is better")),
]
FIELD_NAMES = [field for field, _, _ in OUTCOMES]


def _facts(institution, f, cohort_q, scoped):
    from mentormemed.outcomes.models import RelationshipFact

    start, end = f.bounds
    qs = scoped(RelationshipFact.objects.filter(cohort_q(f), started_at__gte=start, started_at__lt=end), institution)
    return list(
        qs.values_list(
            "mentee_id", "shared", "training_level", "mentee_institution_id", "mentor_institution_id", *FIELD_NAMES
        )
    )


def adjusted_tables(institution, f, *, k: int, labels: dict[str, str]) -> list[Table]:
    """One table per outcome: each characteristic's adjusted difference, or "too few to conclude"."""
    facts = _facts(institution, f, cohort_q, scoped)
    tables = []
    for n, (field, outcome, unit) in enumerate(OUTCOMES):
        index = 5 + FIELD_NAMES.index(field)
        rows = [r for r in facts if r[index] is not None]
        tables.append(_table(n, outcome, unit, rows, index, k, labels, GME))
    return tables


def _table(n: int, outcome: str, unit: str, rows: list, index: int, k: int, labels: dict, gme: list) -> Table:
    people = {r[0] for r in rows}
    shared_by: dict[str, set[int]] = defaultdict(set)
    for r in rows:
        for group in filter(None, (r[1] or "").split("\t")):
            shared_by[group].add(r[0])
    groups = sorted(set(shared_by) | {g for g in labels if g.startswith("id:")})
    without_by = {g: {r[0] for r in rows if g not in (r[1] or "").split("\t")} for g in groups}
    kept = [g for g in groups if len(shared_by[g]) >= k and len(without_by[g]) >= k]
    fitted = _fit(rows, index, kept, gme) if kept and len(people) >= 2 * k else {}
    table_rows = []
    for g in groups:
        label = gettext("Shares %(characteristic)s") % {"characteristic": labels.get(g, g).lower()}
        result = fitted.get(g)
        if result is None:
            cells = [Cell(None, 0, suppressed=True, reason="primary") for _ in range(4)]
            cells.append(Cell(gettext("too few to conclude"), 0, fmt="{}"))
        else:
            coef, low, high = result
            shown = min(len(shared_by[g]), len(without_by[g]))
            cells = [
                Cell(round(coef, 2), shown, fmt="{:+.2f}"),
                Cell(round(low, 2), shown, fmt="{:+.2f}"),
                Cell(round(high, 2), shown, fmt="{:+.2f}"),
                Cell(len(shared_by[g]), shown),
                Cell(_verdict(low, high), shown, fmt="{}"),
            ]
        table_rows.append(Row(label, cells, len(shared_by[g])))
    return Table(
        f"adjusted_{n}",
        gettext("%(outcome)s (%(unit)s): each shared characteristic with the others held equal")
        % {"outcome": outcome, "unit": unit},
        [
            gettext("Adjusted difference"),
            gettext("95% CI low"),
            gettext("95% CI high"),
            gettext("Mentees sharing it"),
            gettext("Conclusion"),
        ],
        table_rows,
        gettext("Characteristic"),
        chart="",
        description=gettext(
            "One linear model with every characteristic that has enough mentees on both sides, the "
            "training level group and a mentor from another institution; standard errors clustered by mentee."
        ),
        note=gettext("Fitted on %(relationships)s relationships of %(mentees)s mentees.")
        % {
            "relationships": number_format(len(rows), force_grouping=True),
            "mentees": number_format(len(people), force_grouping=True),
        }
        if fitted
        else "",
    )


def _fit(rows: list, index: int, kept: list[str], gme: list) -> dict[str, tuple[float, float, float]]:
    """OLS of the outcome on the kept characteristics and the controls; {group: (coef, low, high)}."""
    import numpy as np
    import statsmodels.api as sm

    columns = [[1.0 if g in (r[1] or "").split("\t") else 0.0 for g in kept] for r in rows]
    controls = [[1.0 if r[2] in gme else 0.0, 1.0 if r[3] != r[4] else 0.0] for r in rows]
    x = np.array([c + d for c, d in zip(columns, controls, strict=True)])
    keep = [j for j in range(x.shape[1]) if j < len(kept) or x[:, j].std() > 0]  # drop constant controls
    x = sm.add_constant(x[:, keep], has_constant="add")
    y = np.array([float(r[index]) for r in rows])
    mentees = np.array([r[0] for r in rows])
    if np.linalg.matrix_rank(x) < x.shape[1]:
        return {}  # collinear characteristics (always shared together): no separate answer
    model = sm.OLS(y, x).fit(cov_type="cluster", cov_kwds={"groups": mentees})
    ci = model.conf_int(0.05)
    return {g: (float(model.params[j + 1]), float(ci[j + 1][0]), float(ci[j + 1][1])) for j, g in enumerate(kept)}


def _verdict(low: float, high: float) -> str:
    if low > 0:
        return gettext("higher with it")
    if high < 0:
        return gettext("lower with it")
    return gettext("no clear difference")
