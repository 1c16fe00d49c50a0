"""R34: programs, enrolment, matching rounds, introductions both sides accept, milestones."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from mentormemed.core.access import Actor
from mentormemed.mentorships.models import MentorshipRequest, Relationship
from mentormemed.notifications.models import Notification
from mentormemed.profiles.models import MentorProfile
from mentormemed.programs import selectors, services
from mentormemed.programs.catalogue import TEMPLATES
from mentormemed.programs.models import MilestoneProgress, Preference, ProposalStatus, RoundStatus
from mentormemed.programs.tests.conftest import cohort

pytestmark = pytest.mark.django_db


def _publish(c):
    round_ = services.round_solve(acting=c.admin, program=c.program)
    services.round_publish(acting=c.admin, round=round_)
    return round_


def _accept_both(proposal):
    services.introduction_answer(acting=Actor.for_membership(proposal.mentee), proposal=proposal, accept=True)
    return services.introduction_answer(
        acting=Actor.for_membership(proposal.mentor.membership), proposal=proposal, accept=True
    )


def test_r34_admin_creates_a_program_from_a_template(cast):
    from mentormemed.programs.testing import admin_actor

    template = TEMPLATES["residency_season"]
    program = services.program_create(
        acting=admin_actor(cast.admin),
        name="Residency season 2027",
        template_key=template.key,
        enrol_opens=timezone.localdate(),
        enrol_closes=timezone.localdate() + dt.timedelta(days=20),
        milestones=list(template.milestones),
    )
    assert program.institution == cast.inst_a and program.audience_levels == ["MS4"]
    assert [m.offset_days for m in program.milestones.all()] == [m.offset_days for m in template.milestones]
    with pytest.raises(ValidationError, match="close on or after"):
        services.program_create(
            acting=admin_actor(cast.admin),
            name="Bad",
            template_key=template.key,
            enrol_opens=timezone.localdate(),
            enrol_closes=timezone.localdate() - dt.timedelta(days=1),
            milestones=list(template.milestones),
        )


def test_r34_join_respects_window_audience_and_invitation(cast):
    from mentormemed.mentorships.testing import new_member
    from mentormemed.programs import testing

    mentee = new_member(cast.inst_a, "mentee", "joiner@alpha.edu")
    closed = testing.program(
        cast.inst_a,
        name="Closed",
        enrol_closes=timezone.localdate() - dt.timedelta(days=1),
        enrol_opens=timezone.localdate() - dt.timedelta(days=9),
    )
    with pytest.raises(ValidationError, match="Enrolment is open from"):
        services.enrol_join(acting=Actor.for_membership(mentee), program=closed)
    ms4_only = testing.program(cast.inst_a, name="MS4", audience_levels=["MS4"])
    with pytest.raises(ValidationError, match="for MS4 learners"):
        services.enrol_join(acting=Actor.for_membership(mentee), program=ms4_only)
    invite_only = testing.program(cast.inst_a, name="Invite", join_mode="invite")
    with pytest.raises(ValidationError, match="by invitation"):
        services.enrol_join(acting=Actor.for_membership(mentee), program=invite_only)
    services.enrol_invite(acting=testing.admin_actor(cast.admin), program=invite_only, memberships=[mentee])
    assert services.enrol_join(acting=Actor.for_membership(mentee), program=invite_only).status == "enrolled"


def test_r34_program_writes_are_the_acting_members_own(small_cohort):
    """Enrolment, wishes and answers take the acting principal: the membership comes from it, so an
    admin, the system or a member of another institution is refused."""
    c = small_cohort
    for outsider in (Actor.for_membership(c.cast.admin), Actor.system(), Actor.for_membership(c.cast.mentee_b)):
        with pytest.raises(ValidationError, match="not open to you"):
            services.enrol_join(acting=outsider, program=c.program)
        with pytest.raises(ValidationError, match="Join the program before"):
            services.preference_set(acting=outsider, program=c.program, mentor=c.mentors[0], kind="prefer")
        with pytest.raises(ValidationError, match="not enrolled"):
            services.enrol_withdraw(acting=outsider, program=c.program)
    proposal = _publish(c).proposals.first()
    with pytest.raises(ValidationError, match="Only the two people introduced"):
        services.introduction_answer(acting=Actor.for_membership(c.cast.admin), proposal=proposal, accept=True)
    with pytest.raises(ValidationError, match="Only the two people introduced"):
        services.introduction_answer(
            acting=Actor.for_membership(next(m for m in c.mentees if m.pk != proposal.mentee_id)),
            proposal=proposal,
            accept=True,
        )
    services.enrol_withdraw(acting=Actor.for_membership(c.mentees[0]), program=c.program)
    assert selectors.enrolment_of(program=c.program, membership=c.mentees[0]).status == "withdrawn"


def test_r34_round_proposes_with_reasons_and_nothing_is_matched_before_both_accept(small_cohort):
    c = small_cohort
    round_ = _publish(c)
    proposals = list(round_.proposals.all())
    assert len(proposals) == 4 and all(p.status == ProposalStatus.INTRODUCED for p in proposals)
    assert all(p.reasons and any("answers" in r or "new mentor" in r for r in p.reason_texts) for p in proposals)
    first = proposals[0]
    services.introduction_answer(acting=Actor.for_membership(first.mentee), proposal=first, accept=True)
    assert not Relationship.objects.filter(mentee=first.mentee).exists()  # one side is not consent
    first = services.introduction_answer(
        acting=Actor.for_membership(first.mentor.membership), proposal=first, accept=True
    )
    rel = Relationship.objects.get(mentee=first.mentee, mentor=first.mentor, ended_at__isnull=True)
    assert first.status == ProposalStatus.MATCHED and first.relationship == rel
    assert rel.request.state == "accepted"  # through mentorships' request_send + request_accept
    assert MentorProfile.objects.get(pk=first.mentor_id).active_mentee_count == 1


def test_r12_r27_round_spreads_load_and_never_exceeds_places(cast):
    c = cohort(cast, mentees=6, mentors=3)
    from mentormemed.mentorships.testing import new_member, relationship

    busy = c.mentors[0]
    for i in range(2):
        relationship(new_member(cast.inst_a, "mentee", f"current{i}@alpha.edu"), busy)
    round_ = services.round_solve(acting=c.admin, program=c.program)
    loads = {m.pk: round_.proposals.filter(mentor=m).count() for m in c.mentors}
    assert loads[busy.pk] <= 1 and sum(loads.values()) == 6  # 1 + 3 + 3 places for 6 mentees
    assert all(MentorProfile.objects.get(pk=pk).active_mentee_count + n <= 3 for pk, n in loads.items())


def test_r34_exclusion_and_preference_are_honoured(small_cohort):
    c = small_cohort
    mentee = c.mentees[0]
    for mentor in c.mentors[:2]:
        services.preference_set(
            acting=Actor.for_membership(mentee), program=c.program, mentor=mentor, kind=Preference.Kind.AVOID
        )
    services.preference_set(
        acting=Actor.for_membership(mentee), program=c.program, mentor=c.mentors[2], kind=Preference.Kind.PREFER
    )
    round_ = services.round_solve(acting=c.admin, program=c.program)
    mine = round_.proposals.get(mentee=mentee)
    assert mine.mentor == c.mentors[2] and mine.reason_texts[0] == "you asked for this mentor"


def test_r9_local_mentor_of_another_institution_is_never_proposed(cast):
    from mentormemed.mentorships.testing import new_member
    from mentormemed.programs import testing

    c = cohort(cast, mentees=2, mentors=1)
    outsider = new_member(cast.inst_b, "mentor", "local-b@beta.org", scope="local")
    testing.enrol(c.program, outsider)
    round_ = services.round_solve(acting=c.admin, program=c.program)
    assert not round_.proposals.filter(mentor__membership=outsider).exists()


def test_r34_decline_frees_the_place_and_offers_the_next_best(small_cohort):
    c = small_cohort
    round_ = _publish(c)
    proposal = round_.proposals.first()
    services.introduction_answer(
        acting=Actor.for_membership(proposal.mentor.membership), proposal=proposal, accept=False
    )
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DECLINED
    offer = round_.proposals.get(replaces=proposal)
    assert offer.mentee_id == proposal.mentee_id and offer.mentor_id != proposal.mentor_id
    assert offer.status == ProposalStatus.INTRODUCED


def test_r34_lock_and_swap_keep_the_admins_choice(small_cohort):
    c = small_cohort
    round_ = services.round_solve(acting=c.admin, program=c.program)
    a, b = list(round_.proposals.all())[:2]
    a_mentor, b_mentor = a.mentor_id, b.mentor_id
    services.proposal_swap(acting=c.admin, proposal=a, other=b)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.mentor_id, b.mentor_id) == (b_mentor, a_mentor) and a.locked and b.locked
    again = services.round_solve(acting=c.admin, program=c.program)
    assert again.pk == round_.pk and again.proposals.get(pk=a.pk).mentor_id == b_mentor
    services.round_publish(acting=c.admin, round=again)
    with pytest.raises(ValidationError, match="already published"):
        services.proposal_lock(acting=c.admin, proposal=a, locked=False)


def test_r7_program_training_gates_accepting_an_introduction(small_cohort):
    from mentormemed.training.models import Module

    c = small_cohort
    module = Module.objects.filter(audience="mentee", status="published", required=False).first()
    c.program.required_modules.add(module)
    proposal = _publish(c).proposals.first()
    with pytest.raises(ValidationError, match=module.title):
        services.introduction_answer(acting=Actor.for_membership(proposal.mentee), proposal=proposal, accept=True)
    proposal.refresh_from_db()
    assert proposal.mentee_answer == ""


def test_r12_full_mentor_lapses_and_the_mentee_is_offered_another(small_cohort):
    from mentormemed.mentorships.testing import new_member, relationship

    c = small_cohort
    proposal = _publish(c).proposals.first()
    MentorProfile.objects.filter(pk=proposal.mentor_id).update(capacity=1)
    relationship(new_member(c.cast.inst_a, "mentee", "late@alpha.edu"), proposal.mentor)  # took the last place
    services.introduction_answer(acting=Actor.for_membership(proposal.mentee), proposal=proposal, accept=True)
    services.introduction_answer(
        acting=Actor.for_membership(proposal.mentor.membership), proposal=proposal, accept=True
    )
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.LAPSED
    assert MentorProfile.objects.get(pk=proposal.mentor_id).active_mentee_count == 1


def test_r34_milestones_show_and_remind_once(small_cohort, time_machine):
    c = small_cohort
    proposal = _accept_both(_publish(c).proposals.first())
    rel = proposal.relationship
    _program, rows = selectors.relationship_milestones(relationship=rel)
    assert [r.milestone.offset_days for r in rows] == [7, 35, 90, 180]
    time_machine.move_to(rel.started_at + dt.timedelta(days=7, hours=1))
    assert services.send_milestone_reminders() == 1
    assert services.send_milestone_reminders() == 0  # idempotent
    assert Notification.objects.filter(kind="program_milestone").count() == 2
    services.milestone_mark_done(acting=Actor.for_user(rel.mentee.user), relationship=rel, milestone=rows[0].milestone)
    assert MilestoneProgress.objects.get(relationship=rel, milestone=rows[0].milestone).done_at
    progress = selectors.program_progress(program=c.program)
    assert progress.matched == 1 and progress.milestones[0][1:] == (1, 1)


def test_r30_program_page_is_counts_only(small_cohort, client):
    c = small_cohort
    proposal = _accept_both(_publish(c).proposals.first())
    from mentormemed.mentorships.models import Message

    Message.objects.create(relationship=proposal.relationship, sender=proposal.mentee.user, body="A private worry")
    client.force_login(c.cast.admin.user)
    page = client.get(f"/programs/manage/{c.program.pk}/").content.decode()
    assert "A private worry" not in page and "Matched (both accepted)" in page


def test_r34_round_page_and_publish_in_the_browserless_flow(small_cohort, client):
    c = small_cohort
    client.force_login(c.cast.admin.user)
    response = client.post(f"/programs/manage/{c.program.pk}/solve/")
    round_ = c.program.rounds.get()
    assert response.status_code == 302 and round_.status == RoundStatus.DRAFT
    page = client.get(f"/programs/manage/rounds/{round_.pk}/").content.decode()
    assert "new mentor: too few requests yet to measure" in page and "Publish and send introductions" in page
    client.post(f"/programs/manage/rounds/{round_.pk}/publish/")
    round_.refresh_from_db()
    assert round_.status == RoundStatus.PUBLISHED
    assert MentorshipRequest.objects.count() == 0  # nothing until both accept
