from __future__ import annotations

from dataclasses import dataclass

import pytest

from mentormemed.mentorships import testing as mt
from mentormemed.programs import testing


@dataclass
class Cohort:
    program: object
    admin: object  # Actor
    mentees: list
    mentors: list  # MentorProfile
    cast: object


def cohort(cast, *, mentees: int = 4, mentors: int = 3, prefix: str = "c", **program_fields) -> Cohort:
    prog = testing.program(cast.inst_a, **program_fields)
    learners = [mt.new_member(cast.inst_a, "mentee", f"{prefix}learner{i}@alpha.edu") for i in range(mentees)]
    faculty = [mt.new_member(cast.inst_a, "mentor", f"{prefix}faculty{i}@alpha.edu") for i in range(mentors)]
    testing.enrol(prog, *learners, *faculty)
    profiles = [m.mentor_profile for m in faculty]
    return Cohort(prog, testing.admin_actor(cast.admin), learners, profiles, cast)


@pytest.fixture
def small_cohort(cast) -> Cohort:
    return cohort(cast)
