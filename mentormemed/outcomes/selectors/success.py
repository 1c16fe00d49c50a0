"""Successful matches (R23): shared characteristics and content areas against evaluation scores and
relationship length, from exact sums the database computes (observational: associations)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict, cast

from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext

from mentormemed.outcomes import stats
from mentormemed.outcomes.cohorts import cohort_q
from mentormemed.outcomes.cohorts import scoped as _scoped
from mentormemed.outcomes.regression import OUTCOMES
from mentormemed.outcomes.rollups import MEASURES
from mentormemed.outcomes.selectors.filters import Filters
from mentormemed.outcomes.suppression import Cell, Row, k_min
from mentormemed.outcomes.tables import Table

if TYPE_CHECKING:
    from mentormemed.institutions.models import Institution
    from mentormemed.outcomes.models import RelationshipFact


# One sum of the success analysis: kind, name, field, exponent, rows, Σ mantissa, Σ mantissa².
Part = tuple[str, str, str, int, int, int, int]


class AnalysisRow(TypedDict):
    label: str
    result: stats.Comparison


@dataclass
class Analysis:
    outcome: str
    unit: str
    total: int
    rows: list[AnalysisRow]
    too_few: bool
    minimum: int
    field: str = ""  # one of MEASURES: what the template tests, never the translated label


FIELDS = MEASURES  # the outcomes the success analysis compares (outcomes.rollups.MEASURES)


def _analysis_moments(
    institution: Institution | None, f: Filters
) -> tuple[Counter[tuple[str, str]], dict[tuple[str, str, str], stats.Moments], dict[tuple[str, str, str], int]]:
    """Relationships started in range, summed per shared characteristic ("s", group) and per
    content area ("a", name), plus all of them ("", ""): how many rows each label holds, the
    exact moments of each outcome (``stats.Moments``) per (kind, name, field), and the distinct
    mentees with a value of that outcome per (kind, name, field)."""
    from mentormemed.outcomes.models import RelationshipFact

    start, end = f.bounds
    facts = _scoped(
        RelationshipFact.objects.filter(cohort_q(f), started_at__gte=start, started_at__lt=end), institution
    )
    present: Counter[tuple[str, str]] = Counter()
    parts: defaultdict[tuple[str, str, str], list[tuple[int, int, int, int]]] = defaultdict(list)
    people: dict[tuple[str, str, str], int] = {}
    rows = _analysis_parts_sql(facts) if connection.vendor == "postgresql" else _analysis_parts_python(facts)
    for kind, name, field, exponent, n, sums, squares in rows:
        if field.startswith("p:"):
            people[kind, name, field[2:]] = n
        elif field:
            parts[kind, name, field].append((exponent, n, sums, squares))
        else:
            present[kind, name] += n
    return present, {key: stats.Moments.from_parts(value) for key, value in parts.items()}, people


def _analysis_parts_sql(facts: QuerySet[RelationshipFact]) -> list[Part]:
    """The database expands each fact's characteristics and areas and sums the integer mantissas
    per exponent (exact), so no relationship travels to Python."""
    sql, params = facts.values(
        "shared", "areas", "mentee_id", *(f"{x}_{p}" for x in FIELDS for p in "me")
    ).query.sql_with_params()
    values = "f.mentee_id, " + ", ".join(f"f.{x}_{p}" for x in FIELDS for p in "me")
    sums = " UNION ALL ".join(
        f"SELECT kind, name, '{x}', {x}_e, COUNT(*), SUM({x}_m), SUM({x}_m::numeric * {x}_m) "
        f"FROM labels WHERE {x}_m IS NOT NULL GROUP BY kind, name, {x}_e"
        for x in FIELDS
    )
    sums += "".join(
        f" UNION ALL SELECT kind, name, 'p:{x}', 0, COUNT(DISTINCT mentee_id), 0, 0 "
        f"FROM labels WHERE {x}_m IS NOT NULL GROUP BY kind, name"
        for x in FIELDS
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH f AS ({sql}), labels AS ("
            f"SELECT 's' AS kind, g.name, {values} FROM f, unnest(string_to_array(f.shared, E'\\t')) AS g(name) "
            f"UNION ALL SELECT 'a', a.name, {values} FROM f, unnest(string_to_array(f.areas, E'\\t')) AS a(name) "
            f"UNION ALL SELECT '', '', {values} FROM f) "
            f"{sums} UNION ALL SELECT kind, name, '', 0, COUNT(*), 0, 0 FROM labels GROUP BY kind, name",
            params,
        )
        found: list[Part] = cursor.fetchall()
        return found


def _analysis_parts_python(facts: QuerySet[RelationshipFact]) -> list[Part]:
    """The same sums in Python (SQLite, the development database)."""
    parts: defaultdict[tuple[str, str, str, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    people: defaultdict[tuple[str, str, str], set[int]] = defaultdict(set)
    columns = ("shared", "areas", "mentee_id", *(f"{x}_{p}" for x in FIELDS for p in "me"))
    for shared, areas, mentee, *exact in facts.values_list(*columns):
        labels = [("", ""), *(("s", g) for g in _split(shared)), *(("a", a) for a in _split(areas))]
        for kind, name in labels:
            parts[kind, name, "", 0][0] += 1
            for field, m, e in zip(FIELDS, exact[::2], exact[1::2], strict=True):
                if m is not None:
                    part = parts[kind, name, field, e]
                    part[0] += 1
                    part[1] += m
                    part[2] += m * m
                    people[kind, name, f"p:{field}"].add(mentee)
    # Each key is (kind, name, field, exponent) and each value three sums: together a ``Part``.
    summed = cast("list[Part]", [(*key, *value) for key, value in parts.items()])
    return summed + [(kind, name, field, 0, len(ids), 0, 0) for (kind, name, field), ids in people.items()]


def _split(value: str) -> set[str]:
    return set(value.split("\t")) if value else set()


def _group_labels() -> dict[str, str]:
    from mentormemed.profiles.models import IdentityDimension

    labels = {
        "lang": gettext("Language"),
        "state": gettext("Home state"),
        "spec": gettext("Specialty (mentee's interest)"),
    }
    labels.update({f"id:{d.key}": d.name for d in IdentityDimension.objects.all()})
    return labels


def success_analysis(institution: Institution | None, f: Filters) -> list[Analysis]:
    """Shared characteristics and content areas against evaluation scores and relationship length.

    For each characteristic: relationships sharing it vs not, difference in means with a 95% CI
    and Hedges' g. A comparison with fewer than k relationships or k mentees on either side says
    "too few to conclude" and shows no means (small-cell rule). Observational: differences are
    associations.
    """
    present, moments, people = _analysis_moments(institution, f)
    k = k_min()
    labels = _group_labels()
    groups = sorted({name for kind, name in present if kind == "s"} | {g for g in labels if g.startswith("id:")})
    areas = sorted((name for kind, name in present if kind == "a"), key=lambda name: (-present["a", name], name))[:8]
    out = []
    nothing = stats.Moments()
    for field, outcome, unit in OUTCOMES:
        observed = moments.get(("", "", field), nothing)
        rows: list[AnalysisRow] = [
            {
                "label": gettext("Shares %(group)s") % {"group": labels.get(g, g).lower()},
                "result": _compared(moments, people, field, "s", g, k),
            }
            for g in groups
        ]
        rows += [
            {
                "label": gettext("Asked about %(area)s") % {"area": area},
                "result": _compared(moments, people, field, "a", area, k),
            }
            for area in areas
        ]
        out.append(Analysis(str(outcome), str(unit), observed.n, rows, observed.n < 2 * k, k, field))
    return out


def _compared(
    moments: Mapping[tuple[str, str, str], stats.Moments],
    people: Mapping[tuple[str, str, str], int],
    field: str,
    kind: str,
    name: str,
    k: int,
) -> stats.Comparison:
    """Relationships with the label against the rest, concluded only over ≥ k mentees each side."""
    nothing = stats.Moments()
    observed, with_ = moments.get(("", "", field), nothing), moments.get((kind, name, field), nothing)
    return stats.among_people(
        stats.compare_moments(with_, observed - with_, minimum=k),
        with_people=people.get((kind, name, field), 0),
        all_people=people.get(("", "", field), 0),
        minimum=k,
    )


def analysis_table(analysis: Analysis, key: str) -> Table:
    """The analysis as a table (for CSV): means only where both groups reach the minimum."""
    rows = []
    for item in analysis.rows:
        res = item["result"]
        people = min(res.n_with, res.n_without)
        cells = [
            Cell(res.n_with, people),
            Cell(res.n_without, people),
            Cell(res.mean_with, people, fmt="{:.2f}"),
            Cell(res.mean_without, people, fmt="{:.2f}"),
            Cell(res.difference, people, fmt="{:+.2f}"),
            Cell(res.ci_low, people, fmt="{:+.2f}"),
            Cell(res.ci_high, people, fmt="{:+.2f}"),
            Cell(res.hedges_g, people, fmt="{:+.2f}"),
            Cell(res.verdict, people, fmt="{}"),
        ]
        row = Row(item["label"], cells, people)
        if not res.conclusive:
            for cell in cells[:-1]:
                cell.suppressed, cell.reason = True, "primary"
            cells[-1].suppressed = False
        rows.append(row)
    return Table(
        key,
        gettext("%(outcome)s by shared characteristic") % {"outcome": analysis.outcome},
        [
            gettext("With"),
            gettext("Without"),
            gettext("Mean with"),
            gettext("Mean without"),
            gettext("Difference"),
            "95% CI low",
            "95% CI high",
            gettext("Hedges g"),
            gettext("Conclusion"),
        ],
        rows,
        gettext("Characteristic"),
        chart="",
    )
