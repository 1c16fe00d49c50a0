"""Demo: a matched MS1 cohort, a residency season ready for its first matching round, a circle,
a speed-mentoring event, office hours and questions to the network.

Everything that can go through the services does (the round is solved by the optimiser,
introductions are answered, the rotation is generated), so the demo shows what the product
really does. The featured mentee and mentor are enrolled in the residency season, whose round
the featured admin runs, reviews and publishes in the browser; the two then accept.
"""

from __future__ import annotations

import datetime as dt
import random

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from mentormemed.core.access import Actor
from mentormemed.core.clock import platform_today
from mentormemed.core.demo import DemoContext
from mentormemed.core.onboarding import is_complete
from mentormemed.institutions.models import Membership
from mentormemed.notifications.models import Notification
from mentormemed.profiles.models import ContentArea, MentorProfile
from mentormemed.programs import group_selectors, group_services, services
from mentormemed.programs.catalogue import TEMPLATES
from mentormemed.programs.models import (
    CircleMeeting,
    CircleMessage,
    Enrolment,
    GroupMeetingStatus,
    MatchingRound,
    NetworkAnswer,
    Proposal,
    Question,
)

ORIENTATION_DAYS_AGO = 6  # the MS1 cohort was matched at orientation, this many days ago

QUESTIONS = [
    ("How early should I start research if I want a competitive specialty?", "research", True),
    ("Is it normal to feel behind everyone else in anatomy?", "mental_health_wellness", True),
    ("How do I ask for a strong letter of recommendation?", "residency_applications", False),
    ("What does a first-generation student need to know about away rotations?", "first_gen_navigation", True),
    ("Can I take a research year without hurting my application?", "research", False),
]


def build(ctx: DemoContext) -> None:
    mentee, mentor = ctx.featured["mentee"], ctx.featured["mentor"]
    institution = mentee.institution
    admin = next(a for a in ctx.admins.values() if a.institution_id == institution.pk)
    acting = Actor(user=admin.user, membership=admin, memberships=[admin])
    people = Membership.objects.filter(institution=institution, status="active").select_related("user").order_by("pk")
    mentees = [m for m in people.filter(role="mentee").exclude(pk=mentee.pk) if is_complete(m)]
    mentors = [
        p
        for p in MentorProfile.objects.filter(membership__in=people.filter(role="mentor"), is_complete=True)
        .exclude(membership=mentor)
        .select_related("membership__user")
        .order_by("pk")
        if is_complete(p.membership) and p.suspended_at is None
    ]
    orientation = timezone.now() - dt.timedelta(days=ORIENTATION_DAYS_AGO + 1)
    _cohort(ctx, acting, mentees[:10], [m for m in mentors if _had_room_since(m, orientation)][:6])
    _season(acting, [mentee, *mentees[10:16]], [mentor, *[m.membership for m in mentors[6:10]]])
    _circle(acting, mentor, [m.membership for m in mentors[10:]], [mentee, *mentees[16:21]])
    _event(acting, [mentor, *[m.membership for m in mentors[20:23]]], [mentee, *mentees[1:6]])
    _office_hours(MentorProfile.objects.get(membership=mentor), mentees[6:9])
    _questions(mentee, mentees[11:15])
    _national(ctx, institution, exclude={mentee.pk, mentor.pk})


def _had_room_since(mentor: MentorProfile, since: dt.datetime) -> bool:
    """Room now, and never more mentees at once since ``since`` than now: the cohort is dated back
    to its orientation, so the places the round counts now must have been free all along."""
    from mentormemed.mentorships.models import Relationship

    if mentor.is_full:
        return False
    spans = [
        (r.started_at, r.ended_at)
        for r in Relationship.objects.filter(mentor=mentor).exclude(ended_at__lt=since).only("started_at", "ended_at")
    ]
    now = sum(1 for _, end in spans if end is None)
    moments = [since, *(start for start, _ in spans if start > since)]
    return all(sum(1 for start, end in spans if start <= t and (end is None or end > t)) <= now for t in moments)


def _program(acting, key: str, name: str, **fields):
    template = TEMPLATES[key]
    today = platform_today()
    opens = fields.pop("opens", today - dt.timedelta(days=20))
    program = services.program_create(
        acting=acting,
        name=name,
        template_key=key,
        description=template.description,
        enrol_opens=opens,
        enrol_closes=fields.pop("closes", today + dt.timedelta(days=25)),
        milestones=list(template.milestones),
        **fields,
    )
    # Set up by the program office a week before enrolment opened.
    program.created_at = timezone.now() - (today - opens) - dt.timedelta(days=7)
    type(program).objects.filter(pk=program.pk).update(created_at=program.created_at)
    return program


def _enrol(program, memberships) -> None:
    for membership in memberships:
        services.enrol_join(acting=Actor.for_membership(membership), program=program)


def _cohort(ctx: DemoContext, acting, mentees, mentors) -> None:
    """Matched at orientation: solved, published; most introductions accepted by both, a few waiting.

    The services run now; the cohort is then dated back to its orientation (people joined after
    enrolment opened, the round was published at orientation, answers came over the next days) and
    every pair it matched gets its own compact, goals and first messages, as the demo's other
    mentorships have."""
    program = _program(acting, "first_year_cohort", "MS1 Orientation Cohort", audience_levels=[], fairness=1.5)
    _enrol(program, [*mentees, *[m.membership for m in mentors]])
    round_ = services.round_solve(acting=acting, program=program)
    services.round_publish(acting=acting, round=round_)
    for index, proposal in enumerate(round_.proposals.filter(status="introduced").order_by("id")):
        if index in (3, 7):
            continue  # still waiting for answers
        try:
            services.introduction_answer(acting=Actor.for_membership(proposal.mentee), proposal=proposal, accept=True)
            services.introduction_answer(
                acting=Actor.for_membership(proposal.mentor.membership), proposal=proposal, accept=True
            )
        except ValidationError:
            continue  # someone has training to finish first: the introduction waits, as in life
    _date_the_cohort(ctx, program, round_)


def _date_the_cohort(ctx: DemoContext, program, round_) -> None:
    from mentormemed.mentorships.demo import add_story
    from mentormemed.mentorships.models import MentorshipRequest, Message, Relationship
    from mentormemed.mentorships.services import refresh_responsiveness

    # Its own draws, so the demos built after it stay as they were.
    rng, now = random.Random("MS1 Orientation Cohort"), timezone.now()
    orientation = (now - dt.timedelta(days=ORIENTATION_DAYS_AGO)).replace(hour=15, minute=0, second=0, microsecond=0)
    opened = timezone.make_aware(dt.datetime.combine(program.enrol_opens, dt.time(9)))
    for enrolment in Enrolment.objects.filter(program=program):
        joined = opened + dt.timedelta(hours=rng.randint(1, int((orientation - opened).total_seconds() // 3600) - 2))
        Enrolment.objects.filter(pk=enrolment.pk).update(joined_at=joined)
    MatchingRound.objects.filter(pk=round_.pk).update(
        created_at=orientation - dt.timedelta(hours=2),
        solved_at=orientation - dt.timedelta(hours=1, minutes=50),
        published_at=orientation,
    )
    for proposal in round_.proposals.select_related("relationship", "request").order_by("pk"):
        if proposal.introduced_at is None:
            continue
        answers = {}
        for side in ("mentee", "mentor"):
            if getattr(proposal, f"{side}_answered_at"):
                answers[f"{side}_answered_at"] = orientation + dt.timedelta(hours=rng.randint(2, 40))
        Proposal.objects.filter(pk=proposal.pk).update(introduced_at=orientation, **answers)
        Notification.objects.filter(url=reverse("programs:introduction", args=[proposal.pk])).update(
            created_at=orientation
        )
        rel = proposal.relationship
        if rel is None or not answers:
            continue
        matched = max(answers.values())
        shift = matched - rel.started_at
        MentorshipRequest.objects.filter(pk=proposal.request_id).update(
            created_at=F("created_at") + shift, responded_at=F("responded_at") + shift, deadline=F("deadline") + shift
        )
        Relationship.objects.filter(pk=rel.pk).update(started_at=matched)
        Message.objects.filter(relationship=rel).update(created_at=F("created_at") + shift)
        Notification.objects.filter(url=reverse("mentorships:relationship", args=[rel.pk])).update(created_at=matched)
        rel.refresh_from_db()
        add_story(rng, rel, now=now)
        refresh_responsiveness(mentor=rel.mentor)


def _season(acting, mentees, mentors) -> None:
    """Open, enrolled, not matched yet: the featured admin runs the first round in the browser."""
    program = _program(acting, "residency_season", "Residency Application Season", audience_levels=[], fairness=2.0)
    _enrol(program, [*mentees, *mentors])


def _national(ctx: DemoContext, home, *, exclude: set[int]) -> None:
    """A national residency-application season run by staff: learners of two institutions opt in,
    national-scope mentors of the network join, and staff's first round is published (introductions
    wait for answers)."""
    from mentormemed.institutions.models import Institution
    from mentormemed.profiles.models import Scope
    from mentormemed.programs import selectors

    if ctx.staff is None:
        return
    covered = selectors.covered_institution_ids()
    other = (
        Institution.objects.filter(pk__in=covered, memberships__role="mentee")
        .exclude(pk=home.pk)
        .order_by("pk")
        .first()
    )
    if other is None:
        return
    acting = Actor.for_user(ctx.staff)
    program = _program(
        acting,
        "residency_season",
        "National Residency Application Season",
        audience_levels=[],
        national=True,
        institutions=[home, other],
    )
    learners = []
    for institution in (home, other):
        people = (
            Membership.objects.filter(institution=institution, role="mentee", status="active")
            .exclude(pk__in=exclude)
            .select_related("user")
            .order_by("-pk")
        )
        learners += [m for m in people if is_complete(m)][:3]
    mentors = [
        p.membership
        for p in MentorProfile.objects.filter(scope=Scope.NATIONAL, is_complete=True, suspended_at__isnull=True)
        .exclude(membership_id__in=exclude)
        .select_related("membership")
        .order_by("-pk")
        if not p.is_full and is_complete(p.membership) and p.membership.institution_id in covered
    ][:4]
    _enrol(program, [*learners, *mentors])
    round_ = services.round_solve(acting=acting, program=program)
    services.round_publish(acting=acting, round=round_)


class _NoCommonTime(Exception):
    pass


def _circle(acting, mentor, candidates, mentees) -> None:
    """Two facilitators with time in common (tried in turn), six mentees, a thread, goals, meetings."""
    for co in candidates:
        try:
            with transaction.atomic():
                circle = group_services.circle_create(
                    acting=acting,
                    name="First-generation physicians circle",
                    topic="Navigating medicine as the first in the family: money, mentors, the hidden curriculum.",
                    facilitators=[mentor, co],
                    mentees=mentees,
                    max_mentees=8,
                )
                slots = group_selectors.circle_slots(circle=circle, length=60)
                if not slots:
                    raise _NoCommonTime
        except _NoCommonTime:
            continue
        break
    else:
        return
    now = timezone.now()
    formed = now - dt.timedelta(days=30)  # formed a month ago: two weeks before its first meeting
    type(circle).objects.filter(pk=circle.pk).update(created_at=formed)
    circle.members.update(joined_at=formed)
    past = (now - dt.timedelta(days=14)).replace(hour=23, minute=0, second=0, microsecond=0)
    CircleMeeting.objects.create(
        circle=circle,
        starts_at=past,
        ends_at=past + dt.timedelta(hours=1),
        status=GroupMeetingStatus.HELD,
        held_at=past,
        agenda="Introductions and our goals",
    )
    lines = [
        (mentor, "Welcome, everyone! Next time: budgeting for away rotations."),
        (mentees[0], "Thank you for last week. Could we also talk about asking for letters?"),
        (mentees[1], "I found the scholarship list really useful."),
    ]
    for i, (who, body) in enumerate(lines):
        CircleMessage.objects.create(
            circle=circle, sender=who.user, body=body, created_at=now - dt.timedelta(days=10 - i)
        )
    group_services.circle_goal_add(
        acting=Actor.for_membership(mentor), circle=circle, text="Everyone has a budget for application season"
    )
    group_services.circle_goal_add(
        acting=Actor.for_membership(mentor), circle=circle, text="Each of us asks one faculty member for coffee"
    )
    if slots:
        group_services.circle_meeting_book(
            acting=Actor.for_membership(mentor),
            circle=circle,
            starts_at=slots[len(slots) // 2].starts_at,
            length=60,
            agenda="Budgeting for away rotations",
        )


def _event(acting, mentors, mentees) -> None:
    start = (timezone.now() + dt.timedelta(days=9)).replace(hour=22, minute=0, second=0, microsecond=0)
    event = group_services.event_create(
        acting=acting,
        name="Speed mentoring: specialty night",
        starts_at=start,
        round_minutes=8,
        break_minutes=2,
        place="Student lounge, Medical Education Building",
        mentors=mentors,
        mentees=mentees,
    )
    group_services.event_schedule(acting=acting, event=event)


def _office_hours(mentor, mentees) -> None:
    base = (timezone.now() + dt.timedelta(days=4)).replace(hour=21, minute=0, second=0, microsecond=0)
    first = group_services.office_hours_offer(
        acting=Actor.for_membership(mentor.membership),
        title="Office hours: residency applications",
        starts_at=base,
        minutes=30,
        seats=4,
    )
    group_services.office_hours_offer(
        acting=Actor.for_membership(mentor.membership),
        title="Office hours: research questions",
        starts_at=base + dt.timedelta(days=7),
        minutes=45,
        seats=6,
    )
    for m in mentees:
        try:
            group_services.session_book(acting=Actor.for_membership(m), session=first)
        except ValidationError:
            continue


def _questions(featured, mentees) -> None:
    now = timezone.now()
    askers = [featured, *mentees]
    for i, (title, area_key, answered) in enumerate(QUESTIONS):
        area = ContentArea.objects.filter(key=area_key).first()
        asker = askers[i % len(askers)]
        if area is None:
            continue
        question = Question.objects.create(
            asker=asker,
            institution=asker.institution,
            title=title,
            share_with_institution=i % 2 == 0,
            body="I would value a few perspectives before I decide; thank you for any advice.",
            created_at=now - dt.timedelta(days=3 + 4 * i),
        )
        question.areas.set([area])
        if not answered:
            continue  # feeds the unmet-need figure once a week has passed
        keys = [f"area:{area.key}"]
        reach = group_selectors.searchable_mentors(viewer=asker).filter(facets__key__in=keys).order_by("pk")[:2]
        for j, mentor in enumerate(reach):
            NetworkAnswer.objects.create(
                question=question,
                mentor=mentor,
                created_at=question.created_at + dt.timedelta(hours=6 + j * 20),
                body=[
                    "Start small: one project you can finish beats three you cannot. Ask a resident which faculty "
                    "actually meet with students.",
                    "What worked for me was a standing monthly meeting and a written "
                    "plan; happy to talk it through in office hours.",
                ][j],
            )
