"""R34 near-peer: a senior learner who also mentors takes juniors only where the program allows it,
only from MS3 up, only learners below them — with the same gate, scope and cap of three (R7, R9, R12)."""

from __future__ import annotations

import pytest

from mentormemed.mentorships.testing import fully_onboard, mentor_profile, new_member, relationship
from mentormemed.profiles.models import MenteeProfile, MentorProfile
from mentormemed.programs import selectors, services, testing
from mentormemed.testing.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _learner(cast, email: str, level: str):
    membership = new_member(cast.inst_a, "mentee", email)
    MenteeProfile.objects.filter(membership=membership).update(training_level=level)
    return membership


def _near_peer(cast, email: str, level: str) -> MentorProfile:
    """A learner at ``level`` who also holds a mentor membership with a complete profile."""
    learner = _learner(cast, email, level)
    mentoring = fully_onboard(MembershipFactory(institution=cast.inst_a, role="mentor", user=learner.user))
    return mentor_profile(mentoring)


@pytest.fixture
def people(cast):
    return {
        "peer": _near_peer(cast, "ms4peer@alpha.edu", "MS4"),
        "ms2peer": _near_peer(cast, "ms2peer@alpha.edu", "MS2"),
        "ms1": _learner(cast, "ms1@alpha.edu", "MS1"),
        "pgy1": _learner(cast, "pgy1@alpha.edu", "PGY1"),
    }


def _pairs(program, p) -> set[tuple[str, str]]:
    names = {p["ms1"].pk: "ms1", p["pgy1"].pk: "pgy1", p["peer"].pk: "peer", p["ms2peer"].pk: "ms2peer"}
    fits = selectors.pair_fits(program=program, mentees=[p["ms1"], p["pgy1"]], mentors=[p["peer"], p["ms2peer"]])
    return {(names[mentee], names[mentor]) for mentee, mentor in fits}


def test_r34_near_peer_only_where_the_program_allows_it(cast, people):
    closed = testing.program(cast.inst_a, name="Faculty only", allow_near_peer=False)
    assert _pairs(closed, people) == set()
    open_ = testing.program(cast.inst_a, name="Near-peer welcome", allow_near_peer=True)
    # The MS4 takes the MS1, never the resident above them; an MS2 is too junior to mentor anyone.
    assert _pairs(open_, people) == {("ms1", "peer")}
    fits = selectors.pair_fits(program=open_, mentees=[people["ms1"]], mentors=[people["peer"]])
    assert "near-peer mentor: a senior learner" in next(iter(fits.values())).reasons


def test_r12_r34_a_near_peer_mentor_keeps_the_cap_of_three(cast, people):
    program = testing.program(cast.inst_a, name="Near-peer cohort", allow_near_peer=True)
    peer = people["peer"]
    for i in range(3):
        relationship(new_member(cast.inst_a, "mentee", f"peerload{i}@alpha.edu"), peer)
    testing.enrol(program, people["ms1"], peer.membership)
    round_ = services.round_solve(acting=testing.admin_actor(cast.admin), program=program)
    assert not round_.proposals.filter(mentor=peer).exists()  # full: no place to propose
    assert MentorProfile.objects.get(pk=peer.pk).active_mentee_count == 3
