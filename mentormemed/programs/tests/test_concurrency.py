"""R12 under concurrency (PostgreSQL, threads): publishes and acceptances never exceed the cap."""

from __future__ import annotations

import pytest
from django.db import connection

from mentormemed.core.access import Actor
from mentormemed.mentorships.models import Relationship
from mentormemed.mentorships.tests.test_cap import _race
from mentormemed.profiles.models import MentorProfile
from mentormemed.programs import services, testing
from mentormemed.programs.models import Proposal, ProposalStatus
from mentormemed.programs.tests.conftest import cohort


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_r12_concurrent_publishes_never_promise_more_places_than_a_mentor_has(cast):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks across connections)")
    from mentormemed.mentorships.testing import new_member

    shared = new_member(cast.inst_a, "mentor", "shared@alpha.edu").mentor_profile
    MentorProfile.objects.filter(pk=shared.pk).update(capacity=2)
    rounds = []
    for k in range(4):  # four programs, each proposing the same mentor (2 places) to 2 mentees
        c = cohort(cast, mentees=2, mentors=0, prefix=f"p{k}", name=f"Program {k}")
        testing.enrol(c.program, shared.membership)
        rounds.append((c.admin, services.round_solve(acting=c.admin, program=c.program)))
    assert all(r.proposals.filter(mentor=shared).count() == 2 for _, r in rounds)

    results = _race([lambda a=a, r=r: services.round_publish(acting=a, round=r) for a, r in rounds])

    assert all(isinstance(res, dict) for res in results), results
    introduced = Proposal.objects.filter(mentor=shared, status=ProposalStatus.INTRODUCED)
    assert introduced.count() == 2  # exactly the places there are
    assert Proposal.objects.filter(mentor=shared, status=ProposalStatus.LAPSED).count() == 6

    for p in introduced:
        services.introduction_answer(acting=Actor.for_membership(p.mentee), proposal=p, accept=True)
    workers = [
        lambda p=p: services.introduction_answer(
            acting=Actor.for_membership(p.mentor.membership), proposal=p, accept=True
        )
        for p in introduced
    ]
    _race(workers)
    shared.refresh_from_db()
    assert shared.active_mentee_count == 2
    assert Relationship.objects.filter(mentor=shared, ended_at__isnull=True).count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_r12_concurrent_acceptances_for_the_last_place_open_one_relationship(cast):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks across connections)")
    from mentormemed.mentorships.testing import new_member, relationship

    c = cohort(cast, mentees=3, mentors=1, prefix="last")
    mentor = c.mentors[0]
    round_ = services.round_solve(acting=c.admin, program=c.program)
    services.round_publish(acting=c.admin, round=round_)
    proposals = list(round_.proposals.filter(status=ProposalStatus.INTRODUCED))
    assert len(proposals) == 3
    for p in proposals:
        services.introduction_answer(acting=Actor.for_membership(p.mentee), proposal=p, accept=True)
    for i in range(2):  # two places go elsewhere meanwhile (e.g. ordinary requests)
        relationship(new_member(cast.inst_a, "mentee", f"direct{i}@alpha.edu"), mentor)

    _race(
        [
            lambda p=p: services.introduction_answer(
                acting=Actor.for_membership(p.mentor.membership), proposal=p, accept=True
            )
            for p in proposals
        ]
    )

    mentor.refresh_from_db()
    assert mentor.active_mentee_count == 3
    matched = Proposal.objects.filter(pk__in=[p.pk for p in proposals], status=ProposalStatus.MATCHED).count()
    assert matched == 1
