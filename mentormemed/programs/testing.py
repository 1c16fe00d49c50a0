"""Builders for this app's tests, the permission matrix and the browser journeys (they bypass the gate)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from mentormemed.core.access import Actor
from mentormemed.core.clock import platform_today
from mentormemed.programs.catalogue import TEMPLATES
from mentormemed.programs.models import (
    Circle,
    CircleGoal,
    CircleMeeting,
    CircleMember,
    CircleRole,
    Enrolment,
    EnrolmentStatus,
    EventParticipant,
    MatchingRound,
    Milestone,
    OfficeHours,
    Program,
    Proposal,
    ProposalStatus,
    Question,
    RoundStatus,
    SpeedEvent,
)


def admin_actor(admin_membership) -> Actor:
    return Actor(user=admin_membership.user, membership=admin_membership, memberships=[admin_membership])


def program(institution, *, name: str = "MS1 cohort", template: str = "first_year_cohort", **fields) -> Program:
    today = platform_today()
    fields = {"enrol_opens": today - dt.timedelta(days=1), "enrol_closes": today + dt.timedelta(days=30), **fields}
    prog = Program.objects.create(institution=institution, name=name, template_key=template, **fields)
    Milestone.objects.bulk_create(
        [
            Milestone(program=prog, title=m.title, detail=m.detail, offset_days=m.offset_days)
            for m in TEMPLATES[template].milestones
        ]
    )
    return prog


def enrol(prog: Program, *memberships) -> None:
    for m in memberships:
        Enrolment.objects.update_or_create(
            program=prog,
            membership=m,
            defaults={"role": m.role, "status": EnrolmentStatus.ENROLLED, "joined_at": timezone.now()},
        )


# ---------------------------------------------------------------- permission matrix


def matrix_program(cast) -> Program:
    from mentormemed.mentorships.testing import matrix_mentor

    found = Program.objects.filter(institution=cast.inst_a, name="Matrix cohort").first()
    if found:
        return found
    prog = program(cast.inst_a, name="Matrix cohort")
    matrix_mentor(cast)
    enrol(prog, cast.mentee, cast.mentor)
    return prog


def matrix_round(cast) -> MatchingRound:
    prog = matrix_program(cast)
    return prog.rounds.filter(status=RoundStatus.DRAFT).first() or MatchingRound.objects.create(program=prog)


def matrix_draft_proposal(cast) -> int:
    from mentormemed.mentorships.testing import matrix_mentor

    round_ = matrix_round(cast)
    found = round_.proposals.first()
    return (
        found or Proposal.objects.create(round=round_, mentee=cast.mentee, mentor=matrix_mentor(cast), score=5.0)
    ).pk


def matrix_introduction(cast) -> int:
    from mentormemed.mentorships.testing import matrix_mentor

    prog = matrix_program(cast)
    published = prog.rounds.filter(status=RoundStatus.PUBLISHED).first() or MatchingRound.objects.create(
        program=prog, status=RoundStatus.PUBLISHED, published_at=timezone.now()
    )
    found = published.proposals.first()
    if found:
        return found.pk
    return Proposal.objects.create(
        round=published,
        mentee=cast.mentee,
        mentor=matrix_mentor(cast),
        score=5.0,
        reasons=["offers: research"],
        status=ProposalStatus.INTRODUCED,
        introduced_at=timezone.now(),
    ).pk


def matrix_circle(cast) -> Circle:
    found = Circle.objects.filter(institution=cast.inst_a, name="Matrix circle").first()
    if found:
        return found
    circle = Circle.objects.create(institution=cast.inst_a, name="Matrix circle")
    CircleMember.objects.create(circle=circle, membership=cast.mentor, role=CircleRole.FACILITATOR)
    CircleMember.objects.create(circle=circle, membership=cast.mentee, role=CircleRole.MEMBER)
    return circle


def matrix_circle_seat(cast) -> int:
    """The mentee's current seat in the matrix circle (removing it, in the matrix, is the admin's)."""
    circle = matrix_circle(cast)
    seat = circle.members.filter(role=CircleRole.MEMBER, left_at__isnull=True).first()
    return (seat or CircleMember.objects.create(circle=circle, membership=cast.mentee, role=CircleRole.MEMBER)).pk


def matrix_circle_goal(cast) -> int:
    circle = matrix_circle(cast)
    return (circle.goals.first() or CircleGoal.objects.create(circle=circle, text="Each of us presents once")).pk


def matrix_circle_meeting(cast) -> int:
    circle = matrix_circle(cast)
    start = timezone.now() + dt.timedelta(days=3)
    found = circle.meetings.first()
    return (
        found or CircleMeeting.objects.create(circle=circle, starts_at=start, ends_at=start + dt.timedelta(hours=1))
    ).pk


def matrix_session(cast) -> int:
    from mentormemed.mentorships.testing import matrix_mentor

    mentor = matrix_mentor(cast)
    found = OfficeHours.objects.filter(mentor=mentor).first()
    start = timezone.now() + dt.timedelta(days=2)
    return (found or OfficeHours.objects.create(mentor=mentor, title="Office hours", starts_at=start, seats=3)).pk


def matrix_event(cast) -> SpeedEvent:
    found = SpeedEvent.objects.filter(institution=cast.inst_a).first()
    if found:
        return found
    event = SpeedEvent.objects.create(
        institution=cast.inst_a, name="Matrix speed mentoring", starts_at=timezone.now() + dt.timedelta(days=5)
    )
    EventParticipant.objects.create(event=event, membership=cast.mentor, role="mentor")
    EventParticipant.objects.create(event=event, membership=cast.mentee, role="mentee")
    return event


def matrix_question(cast) -> int:
    from mentormemed.mentorships.testing import matrix_mentor
    from mentormemed.profiles.models import ContentArea

    matrix_mentor(cast)  # offers research, local scope
    found = Question.objects.filter(asker=cast.mentee).first()
    if found:
        return found.pk
    question = Question.objects.create(
        asker=cast.mentee,
        institution=cast.inst_a,
        title="How do I find a research project?",
        body="I am an MS1 and would like to start research this summer.",
    )
    question.areas.set(ContentArea.objects.filter(key="research"))
    return question.pk


# ------------------------------------------------------------------ national programs


def national_program(*institutions, name: str = "National residency season", **fields) -> Program:
    """A staff-run national program for learners of ``institutions`` (none: every subscribing one)."""
    today = platform_today()
    fields = {"enrol_opens": today - dt.timedelta(days=1), "enrol_closes": today + dt.timedelta(days=30), **fields}
    prog = Program.objects.create(
        institution=None, national=True, mentor_reach="national", name=name, template_key="residency_season", **fields
    )
    prog.institutions.set(list(institutions))
    Milestone.objects.bulk_create(
        [
            Milestone(program=prog, title=m.title, detail=m.detail, offset_days=m.offset_days)
            for m in TEMPLATES["residency_season"].milestones
        ]
    )
    return prog


def matrix_national_program(cast) -> Program:
    """A national program for institution A's learners only (B's admin must not see it)."""
    found = Program.objects.filter(national=True, name="Matrix national season").first()
    if found:
        return found
    prog = national_program(cast.inst_a, name="Matrix national season")
    enrol(prog, cast.mentee)
    return prog


def matrix_national_round(cast) -> MatchingRound:
    prog = matrix_national_program(cast)
    return prog.rounds.filter(status=RoundStatus.DRAFT).first() or MatchingRound.objects.create(program=prog)


def matrix_national_draft_proposal(cast) -> int:
    from mentormemed.mentorships.testing import matrix_mentor

    round_ = matrix_national_round(cast)
    found = round_.proposals.first()
    return (
        found or Proposal.objects.create(round=round_, mentee=cast.mentee, mentor=matrix_mentor(cast), score=5.0)
    ).pk
