"""Reads about programs, matching rounds and introductions. Each takes the acting membership or institution.

Admins see their own institution's programs; members see the programs of their institution
(and, for national-scope mentors, programs open to national mentors; for mentees, the national
programs staff run for their institution). Staff see national programs. For a national program an
institution's admin sees their own members' enrolment and counts, never another institution's
people (R30). Aggregates only: an admin never reads a relationship's messages, goals or notes (R30).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.formats import date_format
from django.utils.translation import gettext

from mentormemed.core.clock import platform_today
from mentormemed.institutions.models import Institution, Membership, Subscription
from mentormemed.matching.reasons import MatchReason
from mentormemed.matching.selectors import SCORE_FIELDS, explain, facet_keys_for, mentee_wishes, searchable_mentors
from mentormemed.mentorships.models import Relationship
from mentormemed.profiles.models import MenteeProfile, MentorProfile, Scope, TrainingLevel
from mentormemed.programs.models import (
    Enrolment,
    EnrolmentStatus,
    MatchingRound,
    MentorReach,
    Milestone,
    MilestoneProgress,
    Preference,
    Program,
    Proposal,
    ProposalStatus,
    RoundStatus,
)
from mentormemed.programs.solver import MAX_PLACES, Instance
from mentormemed.training.models import Completion

if TYPE_CHECKING:
    from mentormemed.core.access import Actor
    from mentormemed.core.types import JSONDict
    from mentormemed.profiles.models import ContentArea
    from mentormemed.training.models import Module

PREFER_BONUS = 2.0  # a mentee's stated wish for a mentor, on the recommendation score's scale
LEVELS = list(TrainingLevel.values)
NEAR_PEER_FROM = LEVELS.index("MS3")  # MS3 and above may mentor juniors in a near-peer program


# ------------------------------------------------------------------------ programs


def programs_of(*, institution: Institution) -> QuerySet[Program]:
    """An institution's programs with enrolment counts (one query)."""
    enrolled = Q(enrolments__status=EnrolmentStatus.ENROLLED)
    return Program.objects.filter(institution=institution).annotate(
        mentees=Count("enrolments", filter=enrolled & Q(enrolments__role="mentee")),
        mentors=Count("enrolments", filter=enrolled & Q(enrolments__role="mentor")),
    )


def program_for_admin_or_404(*, actor: Actor, pk: int) -> Program:
    if actor.institution_id is None:
        raise Http404
    try:
        return Program.objects.select_related("institution").get(pk=pk, institution_id=actor.institution_id)
    except Program.DoesNotExist as exc:
        raise Http404 from exc


def covered_institution_ids(day: dt.date | None = None) -> set[int]:
    """Institutions whose subscription covers ``day`` (R1): the audience a national program draws from."""
    return set(Subscription.objects.covering(day).values_list("institution_id", flat=True))


def _national_for(institution_id: int) -> Q:
    """National programs open to this institution's mentees: no chosen list, or it is on the list."""
    through = Program.institutions.through
    chosen = through.objects.values("program_id")
    return Q(national=True) & (
        ~Q(pk__in=chosen) | Q(pk__in=through.objects.filter(institution_id=institution_id).values("program_id"))
    )


def national_programs() -> QuerySet[Program]:
    """Every national program, with enrolment counts (staff)."""
    enrolled = Q(enrolments__status=EnrolmentStatus.ENROLLED)
    return (
        Program.objects.filter(national=True)
        .prefetch_related("institutions")
        .annotate(
            mentees=Count("enrolments", filter=enrolled & Q(enrolments__role="mentee")),
            mentors=Count("enrolments", filter=enrolled & Q(enrolments__role="mentor")),
        )
    )


def national_program_for_staff_or_404(*, actor: Actor, pk: int) -> Program:
    if actor.role != "staff":
        raise Http404
    try:
        return Program.objects.prefetch_related("institutions").get(pk=pk, national=True)
    except Program.DoesNotExist as exc:
        raise Http404 from exc


def national_programs_for_admin(*, institution: Institution) -> QuerySet[Program]:
    """National programs open to this institution's people or with some of them enrolled; the counts
    are of this institution's members only (R30: never another institution's people)."""
    own = Q(enrolments__status=EnrolmentStatus.ENROLLED, enrolments__membership__institution=institution)
    with_members = Enrolment.objects.filter(membership__institution=institution).values("program_id")
    return (
        Program.objects.filter(_national_for(institution.pk) | Q(national=True, pk__in=with_members))
        .annotate(
            mentees=Count("enrolments", filter=own & Q(enrolments__role="mentee")),
            mentors=Count("enrolments", filter=own & Q(enrolments__role="mentor")),
        )
        .order_by("-enrol_opens", "name")
    )


def national_program_for_admin_or_404(*, actor: Actor, pk: int) -> Program:
    institution = actor.institution
    if institution is None or actor.role != "admin":
        raise Http404
    try:
        return national_programs_for_admin(institution=institution).get(pk=pk)
    except Program.DoesNotExist as exc:
        raise Http404 from exc


def own_enrolments(*, program: Program, institution: Institution) -> QuerySet[Enrolment]:
    """This institution's members in a (national) program: the only people its admin sees there."""
    return (
        program.enrolments.filter(membership__institution=institution)
        .select_related("membership__user")
        .order_by("role", "membership__user__last_name", "membership__user__first_name", "pk")
    )


@dataclass
class OwnMatching:
    """For an institution's admin: their own members' pairs in a national program, counts only."""

    introduced: int
    matched: int


def own_matching(*, program: Program, institution: Institution) -> OwnMatching:
    rows = Counter(
        Proposal.objects.filter(
            round__program=program,
            round__status=RoundStatus.PUBLISHED,
            mentee__institution=institution,
            status__in=[ProposalStatus.INTRODUCED, ProposalStatus.MATCHED],
        ).values_list("status", flat=True)
    )
    return OwnMatching(rows.get(ProposalStatus.INTRODUCED, 0), rows.get(ProposalStatus.MATCHED, 0))


def enrolment_by_institution(*, program: Program) -> list[tuple[str, int, int]]:
    """Staff's view of a national program: enrolled mentees and mentors per institution."""
    rows = (
        program.enrolments.filter(status=EnrolmentStatus.ENROLLED)
        .values("membership__institution__name")
        .annotate(
            mentees=Count("id", filter=Q(role="mentee")),
            mentors=Count("id", filter=Q(role="mentor")),
        )
        .order_by("membership__institution__name")
    )
    return [(r["membership__institution__name"], r["mentees"], r["mentors"]) for r in rows]


def national_audience_blocker(*, program: Program, membership: Membership) -> str | None:
    """Why this member is outside a national program's audience (a sentence), or None: mentees of
    its institutions whose subscription covers today (R1), and national-scope mentors (R9)."""
    if membership.role == "mentee":
        chosen = {i.pk for i in program.institutions.all()}
        if (chosen and membership.institution_id not in chosen) or (
            membership.institution_id not in covered_institution_ids()
        ):
            return gettext("This national program is not open to learners of your institution.")
        return None
    if membership.role == "mentor":
        if not _national_mentor(membership):
            return gettext("A national program's mentors are mentors who mentor nationally (national scope).")
        return None
    return gettext("Only mentees and mentors take part in programs.")


def national_invitees(*, program: Program, emails: list[str]) -> tuple[list[Membership], list[str]]:
    """The active memberships these addresses hold that are in the national program's audience, and
    the addresses that have none (unknown, or outside the audience: one sentence for all, R30)."""
    found: dict[str, Membership] = {}
    members = (
        Membership.objects.filter(user__email__in=emails, status="active", role__in=["mentee", "mentor"])
        .select_related("user", "institution")
        .order_by("pk")
    )
    for membership in members:
        email = membership.user.email.lower()
        if email not in found and national_audience_blocker(program=program, membership=membership) is None:
            found[email] = membership
    return list(found.values()), [e for e in emails if e not in found]


def _national_mentor(membership: Membership) -> bool:
    return (
        membership.role == "mentor"
        and MentorProfile.objects.filter(membership=membership, scope=Scope.NATIONAL).exists()
    )


def programs_for_member(*, membership: Membership) -> QuerySet[Program]:
    """Programs this member may see: their institution's, and national-reach ones for national mentors."""
    visible = Q(institution_id=membership.institution_id)
    if _national_mentor(membership):
        visible |= Q(mentor_reach=MentorReach.NATIONAL)
    if membership.role == "mentee":
        visible |= _national_for(membership.institution_id)
    mine = Enrolment.objects.filter(program=OuterRef("pk"), membership=membership)
    return (
        Program.objects.filter(visible)
        .select_related("institution")
        .annotate(enrolled=Exists(mine.filter(status=EnrolmentStatus.ENROLLED)))
        .annotate(invited=Exists(mine.filter(status=EnrolmentStatus.INVITED)))
    )


def program_for_member_or_404(*, actor: Actor, pk: int) -> Program:
    membership = actor.membership
    if membership is None or membership.role not in ("mentee", "mentor"):
        raise Http404
    try:
        return programs_for_member(membership=membership).get(pk=pk)
    except Program.DoesNotExist as exc:
        raise Http404 from exc


def enrolment_of(*, program: Program, membership: Membership) -> Enrolment | None:
    return Enrolment.objects.filter(program=program, membership=membership).first()


def join_blocker(*, program: Program, membership: Membership, today: dt.date | None = None) -> str | None:
    """Why this member cannot join the program now (a sentence), or None."""
    today = today or platform_today()
    enrolment = enrolment_of(program=program, membership=membership)
    if enrolment and enrolment.status == EnrolmentStatus.ENROLLED:
        return gettext("You are already enrolled.")
    if not program.is_open(today):
        return gettext("Enrolment is open from %(start)s to %(end)s.") % {
            "start": date_format(program.enrol_opens, "MONTH_DAY_FORMAT"),
            "end": date_format(program.enrol_closes, "LONG_DATE_FORMAT"),
        }
    if program.join_mode == "invite" and not enrolment:
        return gettext("This program is by invitation of your program office.")
    if program.national:
        blocker = national_audience_blocker(program=program, membership=membership)
        if blocker:
            return blocker
    if membership.role == "mentee" and program.audience_levels:
        level = MenteeProfile.objects.filter(membership=membership).values_list("training_level", flat=True).first()
        if level not in program.audience_levels:
            levels = ", ".join(program.audience_levels)
            return gettext(
                "This program is for %(levels)s learners; set your training level in your profile if it is one."
            ) % {"levels": levels}
    return None


def missing_program_modules(*, program: Program, membership: Membership) -> list[Module]:
    """R7 per program: the program's required modules (for this role) not attested in their current version."""
    role_modules = [m for m in program.required_modules.all() if m.audience in (membership.role, "both")]
    if not role_modules:
        return []
    done = set(
        Completion.objects.filter(
            membership=membership, version_id__in=[m.current_version_id for m in role_modules]
        ).values_list("version_id", flat=True)
    )
    return [m for m in role_modules if m.current_version_id not in done]


def matchable_mentees(program: Program, *, exclude: set[int]) -> list[Membership]:
    """Enrolled, active mentees not in ``exclude``; for a national program, only those whose
    institution's subscription covers today (R1: a lapsed institution's learners are paused)."""
    covered = covered_institution_ids() if program.national else None
    return [
        e.membership
        for e in enrolled(program=program, role="mentee")
        if e.membership.is_active
        and e.membership_id not in exclude
        and (covered is None or e.membership.institution_id in covered)
    ]


def enrolled(*, program: Program, role: str) -> QuerySet[Enrolment]:
    return program.enrolments.filter(role=role, status=EnrolmentStatus.ENROLLED).select_related(
        "membership__user", "membership__institution"
    )


def invitable_members(*, program: Program, role: str) -> QuerySet[Membership]:
    """Active members of the program's institution with this role who are not enrolled or invited yet
    (none for a national program: staff invite by address, ``national_invitees``)."""
    if program.institution_id is None:
        return Membership.objects.none()
    taken = Enrolment.objects.filter(program=program).exclude(status=EnrolmentStatus.WITHDRAWN)
    return (
        Membership.objects.filter(institution_id=program.institution_id, role=role, status="active")
        .exclude(pk__in=taken.values("membership_id"))
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "pk")
    )


# ------------------------------------------------------------------ matching round


def reserved_places(mentor_ids: Iterable[int]) -> Counter[int]:
    """Places held by introductions still waiting for answers (any program): they count like mentees."""
    rows = Proposal.objects.filter(mentor_id__in=list(mentor_ids), status=ProposalStatus.INTRODUCED)
    return Counter(rows.values_list("mentor_id", flat=True))


def places_left(mentors: list[MentorProfile]) -> dict[int, int]:
    """R12: capacity (≤ 3) − active mentees − introductions waiting; never negative, never above 3."""
    held = reserved_places(m.pk for m in mentors)
    room = {}
    for m in mentors:
        open_places = 0 if not m.accepting_new else min(m.capacity, MAX_PLACES) - m.active_mentee_count
        room[m.pk] = max(0, min(MAX_PLACES, open_places - held.get(m.pk, 0)))
    return room


def near_peer_levels(mentor_user_ids: Iterable[int]) -> dict[int, str]:
    """Training level of mentors who are also active learners (near-peer mentors), by user id."""
    rows = MenteeProfile.objects.filter(
        membership__user_id__in=list(mentor_user_ids), membership__role="mentee", membership__status="active"
    ).values_list("membership__user_id", "training_level")
    return dict(rows)


def near_peer_allows(*, program: Program, mentor_level: str | None, mentee_level: str | None) -> bool:
    """A learner who also mentors may take juniors only in a near-peer program, with the same gate and cap."""
    if mentor_level is None:
        return True  # faculty mentor
    if not program.allow_near_peer or mentor_level not in LEVELS or mentee_level not in LEVELS:
        return False
    senior = LEVELS.index(mentor_level)
    return senior >= NEAR_PEER_FROM and LEVELS.index(mentee_level) < senior


@dataclass
class PairFit:
    score: float
    reasons: list[MatchReason]  # stored on a proposal as ``as_json()``, worded for each reader
    covers: list[ContentArea]

    def stored_reasons(self) -> list[JSONDict]:
        return [r.as_json() for r in self.reasons]


def matched_or_waiting_mentee_ids(program: Program) -> set[int]:
    """Mentees with a published introduction waiting or a match in this program (not matched again)."""
    return set(
        Proposal.objects.filter(
            round__program=program,
            round__status=RoundStatus.PUBLISHED,
            status__in=[ProposalStatus.INTRODUCED, ProposalStatus.MATCHED],
        ).values_list("mentee_id", flat=True)
    )


def program_mentors(program: Program) -> list[MentorProfile]:
    ids = enrolled(program=program, role="mentor").values("membership_id")
    return list(
        MentorProfile.objects.filter(membership_id__in=ids)
        .only(*SCORE_FIELDS, "accepting_new", "membership__user_id", "membership__institution_id")
        .select_related("membership")
    )


def pair_fits(
    *, program: Program, mentees: list[Membership], mentors: list[MentorProfile]
) -> dict[tuple[int, int], PairFit]:
    """Every allowed (mentee, mentor) pair with the recommendation score and its reasons.

    Allowed: the mentee may find the mentor (R9 scope, complete, consented, not suspended —
    matching's ``searchable_mentors``), not excluded by the mentee, not already their mentor,
    not declined before in this program, and the near-peer rule.
    """
    mentor_ids = [m.pk for m in mentors]
    by_id = {m.pk: m for m in mentors}
    prefs = {
        (p.enrolment.membership_id, p.mentor_id): p.kind
        for p in Preference.objects.filter(enrolment__program=program).select_related("enrolment")
    }
    current = set(
        Relationship.objects.filter(mentee__in=mentees, mentor_id__in=mentor_ids, ended_at__isnull=True).values_list(
            "mentee_id", "mentor_id"
        )
    )
    declined = set(
        Proposal.objects.filter(round__program=program, status=ProposalStatus.DECLINED).values_list(
            "mentee_id", "mentor_id"
        )
    )
    peers = near_peer_levels(m.membership.user_id for m in mentors)
    levels = dict(MenteeProfile.objects.filter(membership__in=mentees).values_list("membership_id", "training_level"))
    fits: dict[tuple[int, int], PairFit] = {}
    for mentee in mentees:
        visible = set(searchable_mentors(viewer=mentee).filter(pk__in=mentor_ids).values_list("pk", flat=True))
        candidates = [
            j
            for j in mentor_ids
            if j in visible
            and prefs.get((mentee.pk, j)) != "avoid"
            and (mentee.pk, j) not in current
            and (mentee.pk, j) not in declined
            and near_peer_allows(
                program=program,
                mentor_level=peers.get(by_id[j].membership.user_id),
                mentee_level=levels.get(mentee.pk),
            )
        ]
        if not candidates:
            continue
        wishes = mentee_wishes(mentee)
        keys = facet_keys_for(candidates, only=wishes.weights())
        for j in candidates:
            score, reasons, covers = explain(by_id[j], keys.get(j, set()), wishes)
            if prefs.get((mentee.pk, j)) == "prefer":
                score += PREFER_BONUS
                reasons = [MatchReason("asked"), *reasons]
            if peers.get(by_id[j].membership.user_id):
                reasons = [*reasons, MatchReason("near_peer")]
            fits[(mentee.pk, j)] = PairFit(round(score, 3), reasons, covers)
    return fits


def round_instance(
    *, program: Program, mentees: list[Membership], mentors: list[MentorProfile], locked: dict[int, int]
) -> tuple[Instance, dict[tuple[int, int], PairFit]]:
    fits = pair_fits(program=program, mentees=mentees, mentors=mentors)
    instance = Instance(
        scores={pair: fit.score for pair, fit in fits.items()},
        room=places_left(mentors),
        load={m.pk: m.active_mentee_count for m in mentors},
        fairness=program.fairness,
        locked=locked,
    )
    return instance, fits


def round_for_staff_or_404(*, actor: Actor, pk: int) -> MatchingRound:
    if actor.role != "staff":
        raise Http404
    try:
        return MatchingRound.objects.select_related("program").get(pk=pk, program__national=True)
    except MatchingRound.DoesNotExist as exc:
        raise Http404 from exc


def proposal_for_staff_or_404(*, actor: Actor, pk: int) -> Proposal:
    if actor.role != "staff":
        raise Http404
    try:
        return Proposal.objects.select_related("round__program").get(pk=pk, round__program__national=True)
    except Proposal.DoesNotExist as exc:
        raise Http404 from exc


def round_for_admin_or_404(*, actor: Actor, pk: int) -> MatchingRound:
    if actor.institution_id is None:
        raise Http404
    try:
        return MatchingRound.objects.select_related("program").get(pk=pk, program__institution_id=actor.institution_id)
    except MatchingRound.DoesNotExist as exc:
        raise Http404 from exc


def proposal_for_admin_or_404(*, actor: Actor, pk: int) -> Proposal:
    if actor.institution_id is None:
        raise Http404
    try:
        return Proposal.objects.select_related("round__program").get(
            pk=pk, round__program__institution_id=actor.institution_id
        )
    except Proposal.DoesNotExist as exc:
        raise Http404 from exc


def round_proposals(*, round: MatchingRound) -> QuerySet[Proposal]:
    return (
        round.proposals.select_related(
            "mentee__user",
            "mentee__mentee_profile",
            "mentee__institution",
            "mentor__membership__user",
            "mentor__membership__institution",
        )
        .prefetch_related("areas")
        .order_by("mentee__user__last_name", "mentee__user__first_name", "id")
    )


def round_loads(proposals: Iterable[Proposal]) -> list[tuple[MentorProfile, int]]:
    """New mentees per mentor in a proposal, busiest first (the admin's view of the spread, R27)."""
    counts: Counter[int] = Counter()
    mentors: dict[int, MentorProfile] = {}
    for p in proposals:
        if p.status in (ProposalStatus.PROPOSED, ProposalStatus.INTRODUCED, ProposalStatus.MATCHED):
            counts[p.mentor_id] += 1
            mentors[p.mentor_id] = p.mentor
    return [(mentors[j], n) for j, n in counts.most_common()]


# -------------------------------------------------------------------- introductions


def introductions_for(*, membership: Membership) -> QuerySet[Proposal]:
    """Published introductions of this member: waiting ones first."""
    side = Q(mentee=membership) if membership.role == "mentee" else Q(mentor__membership=membership)
    return (
        Proposal.objects.filter(side, round__status=RoundStatus.PUBLISHED)
        .exclude(status=ProposalStatus.PROPOSED)
        .select_related("round__program", "mentee__user", "mentor__membership__user", "relationship")
        .order_by("-introduced_at", "-id")
    )


def introduction_for_or_404(*, actor: Actor, pk: int) -> Proposal:
    membership = actor.membership
    if membership is None or membership.role not in ("mentee", "mentor"):
        raise Http404
    try:
        return (
            introductions_for(membership=membership)
            .select_related("mentee__mentee_profile", "mentor__membership__institution")
            .prefetch_related("areas")
            .get(pk=pk)
        )
    except Proposal.DoesNotExist as exc:
        raise Http404 from exc


def side_of(proposal: Proposal, membership: Membership) -> str | None:
    if proposal.mentee_id == membership.pk:
        return "mentee"
    if proposal.mentor.membership_id == membership.pk:
        return "mentor"
    return None


# ----------------------------------------------------------------------- milestones


@dataclass
class MilestoneRow:
    milestone: Milestone
    due_on: dt.date
    done_at: dt.datetime | None

    @property
    def overdue(self) -> bool:
        return self.done_at is None and self.due_on < platform_today()


def relationship_program(relationship: Relationship) -> Program | None:
    match = Proposal.objects.filter(relationship=relationship).select_related("round__program").first()
    return match.round.program if match else None


def relationship_milestones(*, relationship: Relationship) -> tuple[Program | None, list[MilestoneRow]]:
    """The program's milestones for one program relationship, due from the match date."""
    program = relationship_program(relationship)
    if program is None:
        return None, []
    done = dict(
        MilestoneProgress.objects.filter(relationship=relationship, done_at__isnull=False).values_list(
            "milestone_id", "done_at"
        )
    )
    start = platform_today(relationship.started_at)
    rows = [MilestoneRow(m, start + dt.timedelta(days=m.offset_days), done.get(m.pk)) for m in program.milestones.all()]
    return program, rows


@dataclass
class ProgramProgress:
    """Aggregates for the program page: counts only, never content (R30)."""

    mentees: int
    mentors: int
    invited: int
    proposed: int
    introduced: int
    matched: int
    declined: int
    milestones: list[tuple[Milestone, int, int]]  # milestone, relationships it is due for, done


def program_progress(*, program: Program) -> ProgramProgress:
    enrolment = dict(
        program.enrolments.filter(status=EnrolmentStatus.ENROLLED)
        .values("role")
        .annotate(n=Count("id"))
        .values_list("role", "n")
    )
    invited = program.enrolments.filter(status=EnrolmentStatus.INVITED).count()
    statuses = Counter(
        dict(
            Proposal.objects.filter(round__program=program)
            .exclude(round__status=RoundStatus.DRAFT, status=ProposalStatus.PROPOSED)
            .values("status")
            .annotate(n=Count("id"))
            .values_list("status", "n")
        )
    )
    drafts = Proposal.objects.filter(round__program=program, round__status=RoundStatus.DRAFT).count()
    matched = list(
        Proposal.objects.filter(
            round__program=program, status=ProposalStatus.MATCHED, relationship__isnull=False
        ).values_list("relationship_id", "relationship__started_at")
    )
    today = platform_today()
    done = Counter(
        MilestoneProgress.objects.filter(
            milestone__program=program, done_at__isnull=False, relationship_id__in=[r for r, _ in matched]
        ).values_list("milestone_id", flat=True)
    )
    rows = []
    for m in program.milestones.all():
        due = sum(1 for _, started in matched if platform_today(started) + dt.timedelta(m.offset_days) <= today)
        rows.append((m, due, done.get(m.pk, 0)))
    return ProgramProgress(
        mentees=enrolment.get("mentee", 0),
        mentors=enrolment.get("mentor", 0),
        invited=invited,
        proposed=drafts,
        introduced=statuses.get(ProposalStatus.INTRODUCED, 0),
        matched=statuses.get(ProposalStatus.MATCHED, 0),
        declined=statuses.get(ProposalStatus.DECLINED, 0) + statuses.get(ProposalStatus.LAPSED, 0),
        milestones=rows,
    )
