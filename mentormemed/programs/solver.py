"""The matching round's optimiser (R34): an integer program solved exactly by HiGHS (scipy).

Free of the database so it can be checked against brute force. Given the allowed pairs
with their scores (the recommendation score, ``matching.selectors.explain``), each mentor's
remaining places (R12: never more than 3 in all) and current load, it chooses at most one
mentor per mentee to maximise, lexicographically,

1. the number of mentees matched, then
2. the sum of the pairs' scores minus ``fairness`` × the load penalty, where a mentor's
   k-th new mentee costs (current load + k − 1): a convex cost, so load spreads across
   mentors instead of piling on the most attractive ones (R27, the "minority tax").

Locked pairs are kept as they are. Variables: x[p] ∈ {0,1} per allowed pair, y[j,k] ∈ {0,1}
per remaining place k of mentor j; Σ_p∈mentee x ≤ 1 (= 1 when locked); Σ_p∈mentor x = Σ_k y.
Because the place costs rise with k, the solver fills a mentor's places in order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import lil_matrix

MAX_PLACES = 3  # R12: the platform cap; a mentor's remaining places never exceed it


@dataclass(frozen=True)
class Instance:
    scores: dict[tuple[int, int], float]  # (mentee id, mentor id) -> score, allowed pairs only
    room: dict[int, int]  # mentor id -> places left (0..3)
    load: dict[int, int] = field(default_factory=dict)  # mentor id -> mentees already mentored
    fairness: float = 1.0
    locked: dict[int, int] = field(default_factory=dict)  # mentee id -> mentor id, kept as is


@dataclass(frozen=True)
class Solution:
    assignment: dict[int, int]  # mentee id -> mentor id
    objective: float  # the score part (coverage weight excluded)

    @property
    def matched(self) -> int:
        return len(self.assignment)


def place_cost(load: int, k: int) -> float:
    """The load penalty of a mentor's k-th new mentee (k = 1, 2, …) on top of ``load``."""
    return float(load + k - 1)


def value(instance: Instance, assignment: dict[int, int]) -> float:
    """The score part of the objective of ``assignment`` (used by the tests' brute force too)."""
    total = sum(instance.scores[(i, j)] for i, j in assignment.items())
    counts: dict[int, int] = {}
    for j in assignment.values():
        counts[j] = counts.get(j, 0) + 1
    for j, n in counts.items():
        total -= instance.fairness * sum(place_cost(instance.load.get(j, 0), k) for k in range(1, n + 1))
    return total


def is_feasible(instance: Instance, assignment: dict[int, int]) -> bool:
    counts: dict[int, int] = {}
    for i, j in assignment.items():
        if (i, j) not in instance.scores:
            return False
        counts[j] = counts.get(j, 0) + 1
    if any(n > min(instance.room.get(j, 0), MAX_PLACES) for j, n in counts.items()):
        return False
    return all(assignment.get(i) == j for i, j in instance.locked.items())


def coverage_weight(instance: Instance) -> float:
    """Large enough that one more matched mentee outweighs any change in the score part."""
    if not instance.scores:
        return 1.0
    spread = max(abs(s) for s in instance.scores.values()) * 2
    penalty = instance.fairness * (max(instance.load.values(), default=0) + MAX_PLACES) * 2
    return 1.0 + spread + penalty


def solve(instance: Instance) -> Solution:
    """The optimal assignment (exact: HiGHS branch and bound with a zero gap)."""
    _check_locks(instance)
    pairs = sorted(instance.scores)
    places = [(j, k) for j in sorted(instance.room) for k in range(1, min(instance.room[j], MAX_PLACES) + 1)]
    if not pairs or not places:
        return Solution(dict(instance.locked), value(instance, dict(instance.locked)))
    weight = coverage_weight(instance)
    n_x, n_y = len(pairs), len(places)
    # milp minimises: negate the gains.
    c = np.zeros(n_x + n_y)
    for p, pair in enumerate(pairs):
        c[p] = -(weight + instance.scores[pair])
    for q, (j, k) in enumerate(places):
        c[n_x + q] = instance.fairness * place_cost(instance.load.get(j, 0), k)
    lower, upper = np.zeros(n_x + n_y), np.ones(n_x + n_y)
    for p, (i, j) in enumerate(pairs):
        if i in instance.locked:
            lower[p] = upper[p] = 1.0 if instance.locked[i] == j else 0.0
    mentees = sorted({i for i, _ in pairs})
    mentors = sorted(instance.room)
    rows = lil_matrix((len(mentees) + len(mentors), n_x + n_y))
    row_of_mentee = {i: r for r, i in enumerate(mentees)}
    row_of_mentor = {j: len(mentees) + r for r, j in enumerate(mentors)}
    for p, (i, j) in enumerate(pairs):
        rows[row_of_mentee[i], p] = 1
        if j in row_of_mentor:
            rows[row_of_mentor[j], p] = 1
        else:  # a pair with a mentor without places can never be chosen
            upper[p] = 0.0
    for q, (j, _k) in enumerate(places):
        rows[row_of_mentor[j], n_x + q] = -1
    lo = np.concatenate([np.zeros(len(mentees)), np.zeros(len(mentors))])
    hi = np.concatenate([np.ones(len(mentees)), np.zeros(len(mentors))])
    result = milp(
        c,
        constraints=LinearConstraint(rows.tocsr(), lo, hi),
        integrality=np.ones(n_x + n_y),
        bounds=Bounds(lower, upper),
        options={"mip_rel_gap": 0.0, "presolve": True},
    )
    if result.status != 0 or result.x is None:
        raise ValueError(f"The matching problem could not be solved: {result.message}")
    assignment = {pairs[p][0]: pairs[p][1] for p in range(n_x) if result.x[p] > 0.5}
    return Solution(assignment, value(instance, assignment))


def _check_locks(instance: Instance) -> None:
    counts: dict[int, int] = {}
    for i, j in instance.locked.items():
        if (i, j) not in instance.scores:
            raise ValueError(f"Locked pair ({i}, {j}) is not an allowed pair.")
        counts[j] = counts.get(j, 0) + 1
    for j, n in counts.items():
        if n > min(instance.room.get(j, 0), MAX_PLACES):
            raise ValueError(f"Locked pairs give mentor {j} more mentees than places left.")


def greedy(instance: Instance, order: list[int] | None = None) -> dict[int, int]:
    """The naive baseline the optimiser is compared with: each mentee in turn takes their best mentor with room."""
    room = {j: min(r, MAX_PLACES) for j, r in instance.room.items()}
    by_mentee: dict[int, list[tuple[float, int]]] = {}
    for (i, j), s in instance.scores.items():
        by_mentee.setdefault(i, []).append((s, j))
    chosen: dict[int, int] = {}
    for i in order or sorted(by_mentee):
        for _s, j in sorted(by_mentee.get(i, []), key=lambda t: (-t[0], t[1])):
            if room.get(j, 0) > 0:
                chosen[i] = j
                room[j] -= 1
                break
    return chosen
