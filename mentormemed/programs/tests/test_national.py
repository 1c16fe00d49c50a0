"""R34 national programs run by platform staff across the network: staff-only creation, the audience
(chosen institutions, R1 subscription, national-scope mentors, R9), the matching round with the cap
(R12), and the institution boundary: an admin of A never sees B's people (R30). Also the premed
track of near-peer mentoring (R2)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from mentormemed.core.access import Actor
from mentormemed.core.models import AuditEntry
from mentormemed.mentorships.testing import fully_onboard, mentor_profile, new_member, relationship
from mentormemed.profiles.models import MenteeProfile, MentorProfile, TrainingLevel
from mentormemed.programs import selectors, services, testing
from mentormemed.programs.catalogue import TEMPLATES
from mentormemed.programs.models import Enrolment, Program, ProposalStatus
from mentormemed.testing.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _staff(cast) -> Actor:
    return Actor.for_user(cast.staff)


def _create(acting, **fields) -> Program:
    template = TEMPLATES["residency_season"]
    return services.program_create(
        acting=acting,
        name=fields.pop("name", "National residency season"),
        template_key=template.key,
        enrol_opens=timezone.localdate(),
        enrol_closes=timezone.localdate() + dt.timedelta(days=20),
        milestones=list(template.milestones),
        audience_levels=[],
        **fields,
    )


def _national_mentor(institution, email: str, **fields) -> MentorProfile:
    member = fully_onboard(MembershipFactory(institution=institution, role="mentor", user=UserFactory(email=email)))
    return mentor_profile(member, scope="national", **fields)


def test_r34_only_staff_create_a_national_program(cast):
    with pytest.raises(ValidationError, match="Only platform staff"):
        _create(testing.admin_actor(cast.admin), national=True)
    with pytest.raises(ValidationError, match="Only an institution admin"):
        _create(_staff(cast))  # staff run national programs, not an institution's
    with pytest.raises(ValidationError, match="Only a national program chooses institutions"):
        _create(testing.admin_actor(cast.admin), institutions=[cast.inst_b])
    program = _create(_staff(cast), national=True, institutions=[cast.inst_a, cast.inst_b], mentor_reach="local")
    assert program.national and program.institution is None
    assert program.mentor_reach == "national"  # a national program's mentors mentor nationally
    assert set(program.institutions.all()) == {cast.inst_a, cast.inst_b}
    assert program.milestones.count() == len(TEMPLATES["residency_season"].milestones)


def test_r34_the_database_refuses_a_program_with_two_owners_or_none(cast):
    base = {"name": "x", "enrol_opens": timezone.localdate(), "enrol_closes": timezone.localdate()}
    for fields in (
        {"national": True, "institution": cast.inst_a, "mentor_reach": "national"},
        {"national": False, "institution": None},
        {"national": True, "institution": None, "mentor_reach": "local"},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Program.objects.create(**base, **fields)


def test_r34_r9_audience_chosen_institutions_and_national_mentors_only(cast):
    everyone = testing.national_program(name="Open to the network")
    alpha_only = testing.national_program(cast.inst_a, name="Alpha learners only")
    learner_b = new_member(cast.inst_b, "mentee", "learner@beta.org")
    learner_a = new_member(cast.inst_a, "mentee", "learner@alpha.edu")
    seen_b = set(selectors.programs_for_member(membership=learner_b).values_list("name", flat=True))
    assert "Open to the network" in seen_b and "Alpha learners only" not in seen_b
    seen_a = set(selectors.programs_for_member(membership=learner_a).values_list("name", flat=True))
    assert "Alpha learners only" in seen_a
    services.enrol_join(acting=Actor.for_membership(learner_b), program=everyone)
    with pytest.raises(ValidationError, match="not open to learners of your institution"):
        services.enrol_join(acting=Actor.for_membership(learner_b), program=alpha_only)
    local = new_member(cast.inst_a, "mentor", "local@alpha.edu")  # local scope
    with pytest.raises(ValidationError, match="mentor nationally"):
        services.enrol_join(acting=Actor.for_membership(local), program=everyone)
    national = _national_mentor(cast.inst_b, "national@beta.org")
    services.enrol_join(
        acting=Actor.for_membership(national.membership), program=alpha_only
    )  # mentors come from anywhere
    # Staff invite by address: only the audience is invited.
    people, refused = selectors.national_invitees(
        program=alpha_only, emails=["learner@alpha.edu", "learner@beta.org", "local@alpha.edu", "nobody@x.org"]
    )
    assert people == [learner_a] and refused == ["learner@beta.org", "local@alpha.edu", "nobody@x.org"]
    assert services.enrol_invite(acting=_staff(cast), program=alpha_only, memberships=people) == 1
    with pytest.raises(ValidationError, match="not open to learners"):
        services.enrol_invite(acting=_staff(cast), program=alpha_only, memberships=[learner_b])
    with pytest.raises(ValidationError, match="Only platform staff"):
        services.enrol_invite(acting=testing.admin_actor(cast.admin), program=alpha_only, memberships=[learner_a])


def test_r1_lapsed_institution_learners_cannot_join_and_are_not_matched(cast):
    program = testing.national_program()
    learner_b = new_member(cast.inst_b, "mentee", "lapsing@beta.org")
    learner_a = new_member(cast.inst_a, "mentee", "steady@alpha.edu")
    testing.enrol(program, learner_a, learner_b)
    testing.enrol(program, _national_mentor(cast.inst_a, "nat@alpha.edu").membership)
    today = timezone.localdate()
    cast.inst_b.subscriptions.update(term_start=today - dt.timedelta(days=400), term_end=today - dt.timedelta(days=1))
    assert "not open" in selectors.join_blocker(program=testing.national_program(name="Later"), membership=learner_b)
    round_ = services.round_solve(acting=_staff(cast), program=program)
    assert set(round_.proposals.values_list("mentee_id", flat=True)) == {learner_a.pk}


def test_r9_r12_staff_round_pairs_only_findable_mentors_within_the_cap(cast):
    program = testing.national_program()
    learners_a = [new_member(cast.inst_a, "mentee", f"a{i}@alpha.edu") for i in range(2)]
    learners_b = [new_member(cast.inst_b, "mentee", f"b{i}@beta.org") for i in range(3)]
    busy = _national_mentor(cast.inst_a, "busy@alpha.edu")
    for i in range(2):
        relationship(new_member(cast.inst_a, "mentee", f"load{i}@alpha.edu"), busy)
    free = _national_mentor(cast.inst_b, "free@beta.org")
    local_a = mentor_profile(new_member(cast.inst_a, "mentor", "localonly@alpha.edu"))
    testing.enrol(program, *learners_a, *learners_b, busy.membership, free.membership, local_a.membership)
    with pytest.raises(ValidationError, match="Only platform staff"):
        services.round_solve(acting=testing.admin_actor(cast.admin), program=program)
    round_ = services.round_solve(acting=_staff(cast), program=program)
    pairs = list(round_.proposals.values_list("mentee_id", "mentor_id"))
    b_ids = {m.pk for m in learners_b}
    # R9: B's learners never get A's local-scope mentor (they could not find them).
    assert not [p for p in pairs if p[0] in b_ids and p[1] == local_a.pk]
    # R12: the busy mentor has one place left (3 − 2), the others three each.
    mentors = [j for _, j in pairs]
    assert mentors.count(busy.pk) <= 1 and mentors.count(free.pk) <= 3 and mentors.count(local_a.pk) <= 3
    assert len(pairs) == 5
    counts = services.round_publish(acting=_staff(cast), round=round_)
    assert counts["introduced"] == 5
    entry = AuditEntry.objects.get(action="program.round_publish")
    assert entry.actor == cast.staff and entry.actor_role == "staff" and entry.institution is None
    proposal = round_.proposals.filter(mentee__in=learners_b).exclude(mentor=local_a).first()
    services.introduction_answer(acting=Actor.for_membership(proposal.mentee), proposal=proposal, accept=True)
    proposal = services.introduction_answer(
        acting=Actor.for_membership(proposal.mentor.membership), proposal=proposal, accept=True
    )
    assert proposal.status == ProposalStatus.MATCHED and proposal.relationship.is_active
    assert MentorProfile.objects.get(pk=busy.pk).active_mentee_count <= 3


def test_r30_an_admin_of_a_sees_only_their_own_people_in_a_national_program(cast):
    program = testing.national_program(name="Network circle season")
    learner_a = new_member(cast.inst_a, "mentee", "ana@alpha.edu")
    learner_b = new_member(cast.inst_b, "mentee", "bruno@beta.org")
    testing.enrol(program, learner_a, learner_b)
    mine = selectors.own_enrolments(program=program, institution=cast.inst_a)
    assert [e.membership for e in mine] == [learner_a]
    listed = selectors.national_programs_for_admin(institution=cast.inst_a).get(pk=program.pk)
    assert (listed.mentees, listed.mentors) == (1, 0)  # own members only
    page = cast.client_for(cast.admin).get(reverse("programs:admin_national", args=[program.pk]))
    assert page.status_code == 200
    assert learner_a.user.display_name in page.content.decode()
    assert learner_b.user.display_name not in page.content.decode()
    assert learner_b.user.email not in page.content.decode()
    # A program for A's learners only, with none of B's people: B's admin does not see it at all.
    alpha_only = testing.national_program(cast.inst_a, name="Alpha only")
    testing.enrol(alpha_only, learner_a)
    hidden = cast.client_for(cast.admin_b).get(reverse("programs:admin_national", args=[alpha_only.pk]))
    assert hidden.status_code == 404
    listing = cast.client_for(cast.admin_b).get(reverse("programs:admin_list")).content.decode()
    assert "Network circle season" in listing and "Alpha only" not in listing
    # Staff's round page is staff's: an admin is refused.
    round_ = services.round_solve(acting=_staff(cast), program=program)
    assert cast.client_for(cast.admin).get(reverse("programs:staff_round", args=[round_.pk])).status_code == 403
    assert cast.client_for(cast.staff).get(reverse("programs:staff_round", args=[round_.pk])).status_code == 200
    assert Enrolment.objects.filter(program=program).count() == 2


def test_r34_staff_cannot_run_an_institution_program(cast):
    program = testing.program(cast.inst_a)
    with pytest.raises(ValidationError, match="Only an admin of the program's institution"):
        services.round_solve(acting=_staff(cast), program=program)


def test_r2_r34_premed_learners_get_near_peer_mentors_where_allowed(cast):
    assert selectors.LEVELS[0] == TrainingLevel.PREMED  # the bottom of the ladder
    premed = new_member(cast.inst_a, "mentee", "premed@alpha.edu")
    MenteeProfile.objects.filter(membership=premed).update(training_level="PREMED")
    senior = new_member(cast.inst_a, "mentee", "ms3@alpha.edu")
    MenteeProfile.objects.filter(membership=senior).update(training_level="MS3")
    peer = mentor_profile(fully_onboard(MembershipFactory(institution=cast.inst_a, role="mentor", user=senior.user)))
    closed = testing.program(cast.inst_a, name="Faculty only")
    assert selectors.pair_fits(program=closed, mentees=[premed], mentors=[peer]) == {}
    near_peer = testing.program(cast.inst_a, name="Premed track", allow_near_peer=True, audience_levels=["PREMED"])
    assert set(selectors.pair_fits(program=near_peer, mentees=[premed], mentors=[peer])) == {(premed.pk, peer.pk)}
    services.enrol_join(acting=Actor.for_membership(premed), program=near_peer)  # the audience level is a premed one
