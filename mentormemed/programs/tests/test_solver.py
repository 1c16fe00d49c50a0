"""R34, R12, R27: the matching round's optimiser is optimal, keeps the cap and spreads load."""

from __future__ import annotations

import itertools
import random

import pytest

from mentormemed.programs.solver import MAX_PLACES, Instance, greedy, is_feasible, solve, value


def brute_force(instance: Instance) -> tuple[int, float]:
    """(most mentees matched, best score part among those) by trying every assignment."""
    mentees = sorted({i for i, _ in instance.scores})
    options = {i: [None] + sorted(j for (m, j) in instance.scores if m == i) for i in mentees}
    best = (-1, float("-inf"))
    for choice in itertools.product(*(options[i] for i in mentees)):
        assignment = {i: j for i, j in zip(mentees, choice, strict=True) if j is not None}
        if not is_feasible(instance, assignment):
            continue
        candidate = (len(assignment), value(instance, assignment))
        if candidate[0] > best[0] or (candidate[0] == best[0] and candidate[1] > best[1] + 1e-9):
            best = candidate
    return best


def random_instance(rng: random.Random, mentees: int, mentors: int, *, locks: bool = False) -> Instance:
    scores = {}
    for i in range(mentees):
        for j in range(100, 100 + mentors):
            if rng.random() < 0.75:
                scores[(i, j)] = round(rng.uniform(1.0, 12.0), 3)
    room = {j: rng.randint(0, 3) for j in range(100, 100 + mentors)}
    load = {j: MAX_PLACES - room[j] - rng.randint(0, MAX_PLACES - room[j]) for j in room}
    locked = {}
    if locks and scores:
        (i, j) = rng.choice(sorted(scores))
        if room[j] > 0:
            locked[i] = j
    return Instance(scores=scores, room=room, load=load, fairness=rng.choice([0.0, 0.5, 1.0, 2.5]), locked=locked)


@pytest.mark.parametrize("seed", range(40))
def test_r34_solver_is_optimal_against_brute_force(seed):
    rng = random.Random(seed)
    instance = random_instance(rng, rng.randint(2, 6), rng.randint(1, 4), locks=seed % 3 == 0)
    solution = solve(instance)
    assert is_feasible(instance, solution.assignment)
    matched, best = brute_force(instance)
    assert solution.matched == matched
    assert solution.objective == pytest.approx(best, abs=1e-6)


def test_r12_solver_never_gives_a_mentor_more_than_their_places():
    # Everyone wants mentor 1 most; it has one place left (two mentees already).
    scores = {(i, 1): 20.0 for i in range(6)} | {(i, 2): 1.0 for i in range(6)}
    solution = solve(Instance(scores=scores, room={1: 1, 2: 3}, load={1: 2, 2: 0}, fairness=0.0))
    counts = list(solution.assignment.values())
    assert counts.count(1) == 1 and counts.count(2) == 3  # 4 matched, 2 wait for the next round


def test_r12_room_above_the_cap_is_clamped():
    scores = {(i, 1): 5.0 for i in range(5)}
    solution = solve(Instance(scores=scores, room={1: 7}, fairness=0.0))
    assert solution.matched == MAX_PLACES


def test_r34_locked_pairs_are_kept_even_when_worse():
    scores = {(1, 10): 9.0, (1, 11): 2.0, (2, 10): 8.0, (2, 11): 1.0}
    free = solve(Instance(scores=scores, room={10: 1, 11: 1}, fairness=0.0))
    locked = solve(Instance(scores=scores, room={10: 1, 11: 1}, fairness=0.0, locked={1: 11}))
    assert locked.assignment == {1: 11, 2: 10}
    assert free.objective >= locked.objective


def test_r34_matching_more_mentees_comes_first():
    # Mentee 1 is a great fit for mentor 10 only; mentee 2 for both: the optimiser matches both.
    scores = {(1, 10): 3.0, (2, 10): 12.0, (2, 11): 2.0}
    assert solve(Instance(scores=scores, room={10: 1, 11: 1}, fairness=0.0)).assignment == {1: 10, 2: 11}


def test_r27_load_spreads_better_than_greedy_on_a_skewed_fixture():
    """A few much-liked mentors and many good ones: greedy fills the popular ones to the cap,
    the optimiser spreads the cohort and loses little score."""
    rng = random.Random(7)
    popular = [1, 2]
    others = list(range(3, 13))
    scores = {}
    for i in range(100, 118):
        for j in popular:
            scores[(i, j)] = round(11.0 + rng.uniform(0, 0.5), 3)
        for j in others:
            scores[(i, j)] = round(9.5 + rng.uniform(0, 1.0), 3)
    load = dict.fromkeys(popular + others, 0) | {1: 1, 2: 1}  # popular mentors already mentor someone
    room = {j: 3 - load[j] for j in load}
    instance = Instance(scores=scores, room=room, load=load, fairness=2.0)
    optimal, naive = solve(instance).assignment, greedy(instance)

    def loads(assignment):
        return [load[j] + list(assignment.values()).count(j) for j in load]

    assert len(optimal) == len(naive) == 18
    assert max(loads(naive)) == 3 and sum(x * x for x in loads(optimal)) < sum(x * x for x in loads(naive))
    assert all(loads(optimal)[k] <= 2 for k in range(len(load)))  # nobody at the cap
    popular_new = sum(1 for j in optimal.values() if j in popular)
    assert popular_new < sum(1 for j in naive.values() if j in popular)
    assert value(instance, optimal) > value(instance, naive)  # better on the objective greedy ignores
