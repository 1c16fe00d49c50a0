"""The speed-mentoring rotation: every mentee meets every mentor exactly once, nobody double-booked.

With M mentors at M tables and N mentees there are max(M, N) rounds; in round r the mentor at
table t meets mentee (t + r) mod max(M, N). For a fixed round, t ↦ (t + r) mod n is one-to-one,
so no mentee is at two tables; for a fixed table, r runs through every residue, so each mentor
meets each mentee once. Indices ≥ N are breaks (a mentor waits one round).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Seat:
    round_no: int  # 1-based
    table: int  # 1-based, one mentor per table
    mentor: int  # index into the mentors list
    mentee: int  # index into the mentees list


def rotation(mentors: int, mentees: int) -> list[Seat]:
    if mentors <= 0 or mentees <= 0:
        return []
    n = max(mentors, mentees)
    seats = []
    for r in range(n):
        for t in range(mentors):
            k = (t + r) % n
            if k < mentees:
                seats.append(Seat(round_no=r + 1, table=t + 1, mentor=t, mentee=k))
    return seats


def rounds_needed(mentors: int, mentees: int) -> int:
    return max(mentors, mentees) if mentors and mentees else 0
