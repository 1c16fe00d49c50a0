"""Every write about programs, enrolment, matching rounds, introductions and milestones (R7, R9, R12, R27, R34).

A relationship opens only through the mentorships services (``request_send`` from the mentee,
``request_accept`` for the mentor), so the gate (R6, R7), scope (R9) and the cap lock (R12)
are theirs, exactly as for a request a mentee sends herself. Publishing and answering take
row locks on the mentors' profiles, so concurrent publishes never promise more places than
a mentor has.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, TypedDict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from mentormemed.core.access import ADMIN, STAFF, Actor
from mentormemed.core.audit import audit
from mentormemed.institutions.models import Membership
from mentormemed.matching.reasons import joined_lazy
from mentormemed.mentorships import services as mentorships
from mentormemed.mentorships.selectors import mentee_needs
from mentormemed.notifications.services import notify
from mentormemed.profiles.models import MentorProfile
from mentormemed.programs import selectors
from mentormemed.programs.catalogue import TEMPLATES, MilestoneSpec
from mentormemed.programs.models import (
    Answer,
    Enrolment,
    EnrolmentStatus,
    JoinMode,
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
from mentormemed.programs.solver import Instance, solve

if TYPE_CHECKING:
    from mentormemed.institutions.models import Institution
    from mentormemed.mentorships.models import Relationship
    from mentormemed.training.models import Module

MAX_MILESTONE_DAYS = 730


def _url(name: str, *args: object) -> str:
    return reverse(name, args=args)


def _taking_part(acting: Actor, refusal: str) -> Membership:
    """The acting person's own membership as a mentee or mentor; ``refusal`` for anyone else (an admin,
    staff, the system): programs are taken part in by members, never on their behalf."""
    if acting.membership is None or acting.role not in ("mentee", "mentor"):
        raise ValidationError(refusal)
    return acting.membership


def _require_runner(acting: Actor, program: Program) -> None:
    """Who runs a program: its institution's admin, or platform staff for a national program."""
    if program.national:
        if acting.role != STAFF:
            raise ValidationError(gettext("Only platform staff run a national program."))
    elif acting.role != ADMIN or acting.institution_id != program.institution_id:
        raise ValidationError(gettext("Only an admin of the program's institution can do this."))


# ------------------------------------------------------------------------ programs


def _check_milestones(milestones: list[MilestoneSpec]) -> None:
    if not milestones:
        raise ValidationError(gettext("Add at least one milestone (days after the match | title)."))
    for m in milestones:
        if not (0 <= m.offset_days <= MAX_MILESTONE_DAYS):
            raise ValidationError(
                gettext("“%(title)s”: a milestone falls between 0 and %(MAX_MILESTONE_DAYS)s days after the match.")
                % {"title": m.title, "MAX_MILESTONE_DAYS": MAX_MILESTONE_DAYS}
            )
        if not m.title.strip() or len(m.title) > 150:
            raise ValidationError(gettext("Each milestone needs a title of at most 150 characters."))


class ProgramSettings(TypedDict):
    """A program's checked settings, as model field values."""

    name: str
    description: str
    audience_levels: list[str]
    mentor_reach: str
    join_mode: str
    enrol_opens: dt.date
    enrol_closes: dt.date
    circle_size: int
    fairness: float


def _clean_settings(
    *,
    name: str,
    enrol_opens: dt.date,
    enrol_closes: dt.date,
    milestones: list[MilestoneSpec],
    description: str,
    join_mode: str,
    audience_levels: list[str],
    mentor_reach: str,
    circle_size: int,
    fairness: float,
) -> ProgramSettings:
    """The program's settings, checked once for creating and editing; a sentence names what is wrong."""
    name = (name or "").strip()
    if not name or len(name) > 150:
        raise ValidationError(gettext("Give the program a name of at most 150 characters."))
    if enrol_closes < enrol_opens:
        raise ValidationError(gettext("Enrolment must close on or after the day it opens."))
    if any(level not in selectors.LEVELS for level in audience_levels):
        raise ValidationError(gettext("Choose training levels from the list."))
    if join_mode not in JoinMode.values or mentor_reach not in MentorReach.values:
        raise ValidationError(gettext("Choose how people join and which mentors take part."))
    if not (2 <= circle_size <= 20):
        raise ValidationError(gettext("A circle has between 2 and 20 mentees."))
    if not (0 <= fairness <= 10):
        raise ValidationError(gettext("The load-spreading weight is between 0 and 10."))
    _check_milestones(milestones)
    titles = [m.title.strip().casefold() for m in milestones]
    if len(set(titles)) != len(titles):
        raise ValidationError(gettext("Two milestones have the same title: give each its own."))
    return {
        "name": name,
        "description": (description or "").strip()[:2000],
        "audience_levels": list(audience_levels),
        "mentor_reach": mentor_reach,
        "join_mode": join_mode,
        "enrol_opens": enrol_opens,
        "enrol_closes": enrol_closes,
        "circle_size": circle_size,
        "fairness": fairness,
    }


@transaction.atomic
def program_create(
    *,
    acting: Actor,
    name: str,
    template_key: str,
    enrol_opens: dt.date,
    enrol_closes: dt.date,
    milestones: list[MilestoneSpec],
    description: str = "",
    join_mode: str = JoinMode.OPEN,
    audience_levels: list[str] | None = None,
    mentor_reach: str = MentorReach.LOCAL,
    circle_size: int | None = None,
    fairness: float = 1.0,
    allow_near_peer: bool = False,
    required_modules: Iterable[Module] = (),
    national: bool = False,
    institutions: Iterable[Institution] = (),
) -> Program:
    """An admin creates a program of their institution from a template (R34); platform staff create
    a national one (``national``): mentees of every subscribing institution, or of the chosen
    ``institutions``, with national-scope mentors of the network."""
    institutions = list(institutions)
    if national:
        if acting.role != STAFF:
            raise ValidationError(gettext("Only platform staff can create a national program."))
        mentor_reach = MentorReach.NATIONAL
    elif acting.role != ADMIN or acting.institution_id is None:
        raise ValidationError(gettext("Only an institution admin can create a program."))
    elif institutions:
        raise ValidationError(gettext("Only a national program chooses institutions."))
    template = TEMPLATES.get(template_key)
    if template is None:
        raise ValidationError(gettext("Choose one of the program templates."))
    fields = _clean_settings(
        name=name,
        enrol_opens=enrol_opens,
        enrol_closes=enrol_closes,
        milestones=milestones,
        description=description,
        join_mode=join_mode,
        audience_levels=list(audience_levels if audience_levels is not None else template.audience_levels),
        mentor_reach=mentor_reach,
        circle_size=circle_size or template.circle_size,
        fairness=fairness,
    )
    program = Program.objects.create(
        institution_id=None if national else acting.institution_id,
        national=national,
        template_key=template_key,
        allow_near_peer=allow_near_peer,
        created_by=acting.person,
        **fields,
    )
    program.required_modules.set(list(required_modules))
    program.institutions.set(institutions)
    Milestone.objects.bulk_create(
        [
            Milestone(program=program, title=m.title.strip(), detail=m.detail, offset_days=m.offset_days)
            for m in milestones
        ]
    )
    audit(acting=acting, action="program.create", obj=program, institution=program.institution)
    return program


def _sync_milestones(program: Program, milestones: list[MilestoneSpec]) -> list[str]:
    """Milestones are matched by title: kept ones take the new days and detail, new ones are added.

    A milestone already reminded or marked done for some pair is part of that pair's history and
    cannot be removed (its days and detail can still change). Returns what changed, for the audit.
    """
    wanted = {m.title.strip().casefold(): m for m in milestones}
    changes = []
    for existing in program.milestones.select_for_update():
        spec = wanted.pop(existing.title.casefold(), None)
        if spec is None:
            used = existing.progress.filter(Q(reminded_at__isnull=False) | Q(done_at__isnull=False)).count()
            if used:
                raise ValidationError(
                    ngettext(
                        "“%(title)s” was already reminded or marked done for %(used)s pair: "
                        "keep it in the list (you can change its days or detail).",
                        "“%(title)s” was already reminded or marked done for %(used)s pairs: "
                        "keep it in the list (you can change its days or detail).",
                        used,
                    )
                    % {"title": existing.title, "used": used}
                )
            existing.delete()
            changes.append(f"removed {existing.title}")
        elif (existing.offset_days, existing.detail) != (spec.offset_days, spec.detail):
            existing.offset_days, existing.detail = spec.offset_days, spec.detail
            existing.save(update_fields=["offset_days", "detail"])
            changes.append(f"changed {existing.title}")
    for spec in wanted.values():
        Milestone.objects.create(
            program=program, title=spec.title.strip(), detail=spec.detail, offset_days=spec.offset_days
        )
        changes.append(f"added {spec.title.strip()}")
    return changes


@transaction.atomic
def program_update(
    *,
    acting: Actor,
    program: Program,
    name: str,
    enrol_opens: dt.date,
    enrol_closes: dt.date,
    milestones: list[MilestoneSpec],
    description: str = "",
    join_mode: str = JoinMode.OPEN,
    audience_levels: list[str] | None = None,
    mentor_reach: str = MentorReach.LOCAL,
    circle_size: int = 6,
    fairness: float = 1.0,
    allow_near_peer: bool = False,
    required_modules: Iterable[Module] = (),
) -> list[str]:
    """The admin edits a program at any time (R34): settings, milestones and required training.

    People already enrolled stay enrolled and relationships already matched are untouched; the
    new settings apply to what happens next (invitations, rounds, reminders still due).
    Returns the names of what changed (empty: nothing did).
    """
    program = Program.objects.select_for_update().get(pk=program.pk)
    _require_runner(acting, program)
    if program.national:
        mentor_reach = MentorReach.NATIONAL  # a national program's mentors are the network's national-scope ones
    # A plain dict of field values from here: ``allow_near_peer`` joins the checked settings.
    fields: dict[str, object] = dict(
        _clean_settings(
            name=name,
            enrol_opens=enrol_opens,
            enrol_closes=enrol_closes,
            milestones=milestones,
            description=description,
            join_mode=join_mode,
            audience_levels=list(audience_levels or []),
            mentor_reach=mentor_reach,
            circle_size=circle_size,
            fairness=fairness,
        )
    )
    fields["allow_near_peer"] = allow_near_peer
    changed = [key for key, value in fields.items() if getattr(program, key) != value]
    for key in changed:
        setattr(program, key, fields[key])
    if changed:
        program.save(update_fields=changed)
    modules = {m.pk for m in required_modules}
    if modules != set(program.required_modules.values_list("pk", flat=True)):
        program.required_modules.set(list(modules))
        changed.append("required_modules")
    changed += _sync_milestones(program, milestones)
    if changed:
        audit(
            acting=acting,
            action="program.update",
            obj=program,
            institution=program.institution,
            detail={"changed": changed},
        )
    return changed


@transaction.atomic
def enrol_invite(*, acting: Actor, program: Program, memberships: list[Membership]) -> int:
    """Invite members of the institution (a national program: mentees of its institutions and
    national-scope mentors, ``selectors.national_audience_blocker``); each is told and joins with one click."""
    _require_runner(acting, program)
    now = timezone.now()
    invited = 0
    for membership in memberships:
        if program.national:
            blocker = selectors.national_audience_blocker(program=program, membership=membership)
            if blocker:
                raise ValidationError(blocker)
        elif membership.institution_id != program.institution_id or membership.role not in ("mentee", "mentor"):
            raise ValidationError(gettext("Only mentees and mentors of your institution can be invited."))
        enrolment, created = Enrolment.objects.get_or_create(
            program=program, membership=membership, defaults={"role": membership.role, "invited_at": now}
        )
        if not created and enrolment.status != EnrolmentStatus.WITHDRAWN:
            continue
        Enrolment.objects.filter(pk=enrolment.pk).update(status=EnrolmentStatus.INVITED, invited_at=now)
        invited += 1
        notify(
            user=membership.user,
            kind="program",
            title=format_lazy(_("You are invited to {program}"), program=program.name),
            body=program.description or _("Join the program to be matched and take part."),
            url=_url("programs:detail", program.pk),
            action=_("See the program"),
        )
    audit(
        acting=acting,
        action="program.invite",
        obj=program,
        institution=program.institution,
        detail={"invited": invited},
    )
    return invited


@transaction.atomic
def enrol_join(*, acting: Actor, program: Program) -> Enrolment:
    """A member accepts an invitation or opts in to an open program (window and audience checked)."""
    membership = _taking_part(acting, gettext("This program is not open to you."))
    # Another institution's program is not named (its window or audience are its own); a national
    # program says why its audience leaves the member out (``join_blocker``).
    if not program.national and not selectors.programs_for_member(membership=membership).filter(pk=program.pk).exists():
        raise ValidationError(gettext("This program is not open to you."))
    blocker = selectors.join_blocker(program=program, membership=membership)
    if blocker:
        raise ValidationError(blocker)
    enrolment, _created = Enrolment.objects.get_or_create(
        program=program, membership=membership, defaults={"role": membership.role}
    )
    enrolment.status, enrolment.joined_at = EnrolmentStatus.ENROLLED, timezone.now()
    enrolment.save(update_fields=["status", "joined_at"])
    return enrolment


@transaction.atomic
def enrol_withdraw(*, acting: Actor, program: Program) -> None:
    membership = _taking_part(acting, gettext("You are not enrolled in this program."))
    changed = Enrolment.objects.filter(
        program=program, membership=membership, status__in=[EnrolmentStatus.ENROLLED, EnrolmentStatus.INVITED]
    ).update(status=EnrolmentStatus.WITHDRAWN)
    if not changed:
        raise ValidationError(gettext("You are not enrolled in this program."))


@transaction.atomic
def preference_set(*, acting: Actor, program: Program, mentor: MentorProfile, kind: str) -> None:
    """A mentee prefers or excludes one of the program's mentors ('' clears the wish)."""
    membership = _taking_part(acting, gettext("Join the program before telling us about mentors."))
    enrolment = selectors.enrolment_of(program=program, membership=membership)
    if membership.role != "mentee" or enrolment is None or enrolment.status != EnrolmentStatus.ENROLLED:
        raise ValidationError(gettext("Join the program before telling us about mentors."))
    if mentor.pk not in {m.pk for m in selectors.program_mentors(program)}:
        raise ValidationError(gettext("This mentor does not take part in the program."))
    if kind == "":
        Preference.objects.filter(enrolment=enrolment, mentor=mentor).delete()
        return
    if kind not in Preference.Kind.values:
        raise ValidationError(gettext("Choose whether you prefer or exclude this mentor."))
    Preference.objects.update_or_create(enrolment=enrolment, mentor=mentor, defaults={"kind": kind})


# ------------------------------------------------------------------ matching round


def _set_pair(proposal: Proposal, fit: selectors.PairFit) -> None:
    proposal.score, proposal.reasons = fit.score, fit.stored_reasons()
    proposal.save(update_fields=["mentor", "score", "reasons", "locked"])
    proposal.areas.set(fit.covers)


@transaction.atomic
def round_solve(*, acting: Actor, program: Program) -> MatchingRound:
    """Propose one mentor per waiting mentee with the optimiser (R34); locked pairs stay as they are."""
    _require_runner(acting, program)
    Program.objects.select_for_update().filter(pk=program.pk).first()  # one solve at a time per program
    round_, _created = MatchingRound.objects.get_or_create(
        program=program, status=RoundStatus.DRAFT, defaults={"created_by": acting.person}
    )
    round_.proposals.filter(locked=False).delete()
    kept = {p.mentee_id: p for p in round_.proposals.all()}
    waiting = selectors.matched_or_waiting_mentee_ids(program)
    mentees = selectors.matchable_mentees(program, exclude=waiting)
    mentors = selectors.program_mentors(program)
    instance, fits = selectors.round_instance(program=program, mentees=mentees, mentors=mentors, locked={})
    locked = {i: p.mentor_id for i, p in kept.items() if (i, p.mentor_id) in fits}
    for i, p in kept.items():
        if i not in locked:  # no longer allowed (mentor left, became unsearchable…): unlock it
            p.delete()
    instance = Instance(instance.scores, instance.room, instance.load, instance.fairness, locked)
    try:
        solution = solve(instance)
    except ValueError as exc:
        raise ValidationError(
            gettext("The locked pairs give a mentor more mentees than places left; unlock one.")
        ) from exc
    for i, j in solution.assignment.items():
        if i in kept and i in locked:
            _set_pair(kept[i], fits[(i, j)])
            continue
        proposal = Proposal.objects.create(
            round=round_, mentee_id=i, mentor_id=j, score=fits[(i, j)].score, reasons=fits[(i, j)].stored_reasons()
        )
        proposal.areas.set(fits[(i, j)].covers)
    round_.solved_at = timezone.now()
    round_.objective = round(solution.objective, 3)
    round_.summary = {
        "mentees": len(mentees),
        "mentors": len(mentors),
        "matched": solution.matched,
        "unmatched": len(mentees) - solution.matched,
        "places": sum(instance.room.values()),
    }
    round_.save(update_fields=["solved_at", "objective", "summary"])
    audit(
        acting=acting,
        action="program.round_solve",
        obj=round_,
        institution=program.institution,
        detail=round_.summary,
    )
    return round_


def _draft_proposal(proposal: Proposal) -> Proposal:
    locked = Proposal.objects.select_for_update().select_related("round__program").get(pk=proposal.pk)
    if locked.round.status != RoundStatus.DRAFT:
        raise ValidationError(gettext("This round is already published; its pairs can no longer change."))
    return locked


@transaction.atomic
def proposal_lock(*, acting: Actor, proposal: Proposal, locked: bool) -> Proposal:
    proposal = _draft_proposal(proposal)
    _require_runner(acting, proposal.round.program)
    proposal.locked = locked
    proposal.save(update_fields=["locked"])
    return proposal


@transaction.atomic
def proposal_swap(*, acting: Actor, proposal: Proposal, other: Proposal) -> None:
    """Exchange the mentors of two proposed pairs; both pairs must be allowed, and both are then locked."""
    a, b = _draft_proposal(proposal), _draft_proposal(other)
    program = a.round.program
    _require_runner(acting, program)
    if a.round_id != b.round_id or a.pk == b.pk:
        raise ValidationError(gettext("Choose another pair of the same round to swap mentors with."))
    mentees = list(Membership.objects.filter(pk__in=[a.mentee_id, b.mentee_id]).select_related("user"))
    mentors = [m for m in selectors.program_mentors(program) if m.pk in (a.mentor_id, b.mentor_id)]
    fits = selectors.pair_fits(program=program, mentees=mentees, mentors=mentors)
    new_a, new_b = (a.mentee_id, b.mentor_id), (b.mentee_id, a.mentor_id)
    for pair in (new_a, new_b):
        if pair not in fits:
            raise ValidationError(
                gettext(
                    "That swap would pair a mentee with a mentor they cannot be matched with "
                    "(outside their reach, excluded by them, already their mentor or declined before)."
                )
            )
    a.mentor_id, b.mentor_id = b.mentor_id, a.mentor_id
    a.locked = b.locked = True
    _set_pair(a, fits[new_a])
    _set_pair(b, fits[new_b])
    audit(
        acting=acting,
        action="program.round_swap",
        obj=a.round,
        institution=program.institution,
        detail={"proposals": [a.pk, b.pk]},
    )


def _introduce(proposal: Proposal, now: dt.datetime) -> None:
    Proposal.objects.filter(pk=proposal.pk).update(status=ProposalStatus.INTRODUCED, introduced_at=now)
    proposal.status, proposal.introduced_at = ProposalStatus.INTRODUCED, now
    program = proposal.round.program
    mentor_user = proposal.mentor.membership.user
    url = _url("programs:introduction", proposal.pk)
    notify(
        user=proposal.mentee.user,
        kind="program",
        title=format_lazy(_("{program}: meet {name}"), program=program.name, name=mentor_user.display_name),
        body=format_lazy(
            _("{reasons}. Accept or decline the introduction; nothing starts until you both accept."),
            reasons=joined_lazy(proposal.reasons, 3),  # worded in the mentee's language
        ),
        url=url,
        action=_("Answer the introduction"),
    )
    notify(
        user=mentor_user,
        kind="program",
        title=format_lazy(_("{program}: meet {name}"), program=program.name, name=proposal.mentee.user.display_name),
        body=_("The program office proposes you as their mentor. Nothing starts until you both accept."),
        url=url,
        action=_("Answer the introduction"),
    )


def _lock_mentors(mentor_ids: Iterable[int]) -> list[MentorProfile]:
    """Row locks on the mentors, always in id order so two publishes cannot deadlock."""
    return list(
        MentorProfile.objects.select_for_update(of=("self",))
        .select_related("membership")
        .filter(pk__in=list(mentor_ids))
        .order_by("pk")
    )


@transaction.atomic
def round_publish(*, acting: Actor, round: MatchingRound) -> dict[str, int]:
    """Send every proposed pair an introduction (R34). Under the mentors' row locks the places are
    counted again — a concurrent publish or acceptance may have taken some — and a pair whose
    mentor has no place left lapses instead of being promised a place that does not exist (R12)."""
    program = round.program
    _require_runner(acting, program)
    now = timezone.now()
    if not MatchingRound.objects.filter(pk=round.pk, status=RoundStatus.DRAFT).update(
        status=RoundStatus.PUBLISHED, published_at=now
    ):
        raise ValidationError(gettext("This round has already been published."))
    proposals = list(
        round.proposals.filter(status=ProposalStatus.PROPOSED)
        .select_related("mentee__user", "mentor__membership__user", "round__program")
        .order_by("-score", "id")
    )
    room = selectors.places_left(_lock_mentors({p.mentor_id for p in proposals}))
    counts = {"introduced": 0, "lapsed": 0}
    for proposal in proposals:
        if room.get(proposal.mentor_id, 0) > 0:
            room[proposal.mentor_id] -= 1
            _introduce(proposal, now)
            counts["introduced"] += 1
        else:
            Proposal.objects.filter(pk=proposal.pk).update(
                status=ProposalStatus.LAPSED, outcome_note="The mentor had no place left when the round was published."
            )
            counts["lapsed"] += 1
    audit(
        acting=acting,
        action="program.round_publish",
        obj=round,
        institution=program.institution,
        detail=counts,
    )
    return counts


# -------------------------------------------------------------------- introductions


def _open_relationship(proposal: Proposal) -> None:
    """Both accepted: the mentee's request and the mentor's acceptance, through the mentorships services."""
    program = proposal.round.program
    areas = (
        list(proposal.areas.all()) or mentee_needs(proposal.mentee)[:1] or list(proposal.mentor.content_areas.all()[:1])
    )
    mentee_name = proposal.mentee.user.display_name
    mentor_name = proposal.mentor.membership.user.display_name
    message = f"{program.name} introduced {mentee_name} and {mentor_name}; both accepted the introduction."
    with transaction.atomic():
        request = mentorships.request_send(
            acting=Actor.for_membership(proposal.mentee), mentor=proposal.mentor, message=message, areas=areas
        )
        relationship = mentorships.request_accept(
            acting=Actor.for_membership(proposal.mentor.membership),
            request=request,
            message=f"Welcome to {program.name}!",
        )
    Proposal.objects.filter(pk=proposal.pk).update(
        status=ProposalStatus.MATCHED, request=request, relationship=relationship
    )
    proposal.status, proposal.relationship = ProposalStatus.MATCHED, relationship


@transaction.atomic
def introduction_answer(*, acting: Actor, proposal: Proposal, accept: bool) -> Proposal:
    """One side accepts or declines an introduction. Nothing is matched until both accept (R34);
    a decline frees the place and the optimiser offers the next best (``offer_next_best``)."""
    membership = _taking_part(acting, gettext("Only the two people introduced can answer."))
    side = selectors.side_of(proposal, membership)
    if side is None:
        raise ValidationError(gettext("Only the two people introduced can answer."))
    mentor = _lock_mentors([proposal.mentor_id])[0]
    proposal = (
        Proposal.objects.select_for_update()
        .select_related("round__program", "mentee__user", "mentor__membership__user")
        .get(pk=proposal.pk)
    )
    if proposal.status != ProposalStatus.INTRODUCED:
        raise ValidationError(
            gettext("This introduction is closed (%(lower)s).")
            % {"lower": ProposalStatus(proposal.status).label.lower()}
        )
    if getattr(proposal, f"{side}_answer"):
        raise ValidationError(gettext("You have already answered this introduction."))
    program = proposal.round.program
    now = timezone.now()
    setattr(proposal, f"{side}_answer", Answer.ACCEPTED if accept else Answer.DECLINED)
    setattr(proposal, f"{side}_answered_at", now)
    proposal.save(update_fields=[f"{side}_answer", f"{side}_answered_at"])
    other = proposal.mentor.membership.user if side == "mentee" else proposal.mentee.user
    if not accept:
        proposal.status = ProposalStatus.DECLINED
        proposal.save(update_fields=["status"])
        notify(
            user=other,
            kind="program",
            title=format_lazy(_("{program}: the introduction was declined"), program=program.name),
            body=_("This happens; the program offers the next best match."),
            url=_url("programs:detail", program.pk),
        )
        offer_next_best(proposal=proposal)
        return proposal
    missing = selectors.missing_program_modules(program=program, membership=membership)
    if missing:
        raise ValidationError(
            f"{program.name} asks you to complete first: " + ", ".join(m.title for m in missing) + "."
        )
    mentorships.check_gate(membership, doing="accept an introduction")
    if proposal.mentee_answer == Answer.ACCEPTED and proposal.mentor_answer == Answer.ACCEPTED:
        if mentor.is_full:
            _lapse(proposal, "The mentor became full before both answers arrived.")
            return proposal
        _open_relationship(proposal)
        assert proposal.relationship is not None  # opened just now
        for user in (proposal.mentee.user, proposal.mentor.membership.user):
            notify(
                user=user,
                kind="program",
                title=format_lazy(_("{program}: you are matched"), program=program.name),
                body=_("You both accepted. Start with the mentoring compact."),
                url=_url("mentorships:relationship", proposal.relationship.pk),
                action=_("Open the mentorship"),
            )
    else:
        notify(
            user=other,
            kind="program",
            title=format_lazy(_("{program}: {name} accepted"), program=program.name, name=membership.user.display_name),
            body=_("Your answer is the last one needed."),
            url=_url("programs:introduction", proposal.pk),
            action=_("Answer the introduction"),
        )
    return proposal


def _lapse(proposal: Proposal, note: str) -> None:
    Proposal.objects.filter(pk=proposal.pk).update(status=ProposalStatus.LAPSED, outcome_note=note)
    proposal.status = ProposalStatus.LAPSED
    offer_next_best(proposal=proposal)


def offer_next_best(*, proposal: Proposal) -> list[Proposal]:
    """After a decline or lapse: the mentee (if they did not decline) and the waiting mentees of the
    program are offered the best mentors with a place left — the same optimiser, on what is left."""
    round_ = proposal.round
    program = round_.program
    mentees = selectors.matchable_mentees(program, exclude=selectors.matched_or_waiting_mentee_ids(program))
    if proposal.mentee_answer == Answer.DECLINED:
        mentees = [m for m in mentees if m.pk != proposal.mentee_id]  # they said no; they can ask the office
    if not mentees:
        return []
    mentors = _lock_mentors(m.pk for m in selectors.program_mentors(program))
    instance, fits = selectors.round_instance(program=program, mentees=mentees, mentors=mentors, locked={})
    solution = solve(instance)
    now = timezone.now()
    offered = []
    for i, j in solution.assignment.items():
        new = Proposal.objects.create(
            round=round_,
            mentee_id=i,
            mentor_id=j,
            score=fits[(i, j)].score,
            reasons=fits[(i, j)].stored_reasons(),
            replaces=proposal,
        )
        new.areas.set(fits[(i, j)].covers)
        new = Proposal.objects.select_related("round__program", "mentee__user", "mentor__membership__user").get(
            pk=new.pk
        )
        _introduce(new, now)
        offered.append(new)
    return offered


# ----------------------------------------------------------------------- milestones


@transaction.atomic
def milestone_mark_done(*, acting: Actor, relationship: Relationship, milestone: Milestone) -> None:
    """Either side of a program relationship marks a milestone done (only the fact is kept, R30)."""
    user = acting.person
    assert user is not None  # one of the pair, signed in
    program, rows = selectors.relationship_milestones(relationship=relationship)
    if program is None or milestone.program_id != program.pk:
        raise ValidationError(gettext("This milestone is not part of this mentorship's program."))
    if relationship.side_of(user) is None:
        raise ValidationError(gettext("Only the pair can mark their milestones."))
    progress, _created = MilestoneProgress.objects.get_or_create(relationship=relationship, milestone=milestone)
    if progress.done_at is None:
        progress.done_at, progress.done_by = timezone.now(), user
        progress.save(update_fields=["done_at", "done_by"])


def send_milestone_reminders(*, now: dt.datetime | None = None) -> int:
    """Periodic job: tell both sides once when a program milestone falls due (from the match date).

    Idempotent and safe to run concurrently: each (relationship, milestone) is claimed by a
    conditional UPDATE on ``reminded_at IS NULL``. Milestones more than 14 days overdue when the
    job first sees them are not reminded (no burst after an outage).
    """
    now = now or timezone.now()
    sent = 0
    matches = Proposal.objects.filter(
        status=ProposalStatus.MATCHED, relationship__ended_at__isnull=True, relationship__isnull=False
    ).select_related("relationship__mentee__user", "relationship__mentor__membership__user", "round__program")
    for match in matches:
        rel = match.relationship
        assert rel is not None  # matched proposals with a relationship only (relationship__isnull=False)
        for milestone in match.round.program.milestones.all():
            due = rel.started_at + dt.timedelta(days=milestone.offset_days)
            if not (now - dt.timedelta(days=14) <= due <= now + dt.timedelta(days=1)):
                continue
            progress, _created = MilestoneProgress.objects.get_or_create(relationship=rel, milestone=milestone)
            if progress.done_at or not MilestoneProgress.objects.filter(
                pk=progress.pk, reminded_at__isnull=True
            ).update(reminded_at=now):
                continue
            for user in (rel.mentee.user, rel.mentor.membership.user):
                notify(
                    user=user,
                    kind="program_milestone",
                    title=format_lazy(
                        _("{program}: {milestone}"), program=match.round.program.name, milestone=milestone.title
                    ),
                    body=milestone.detail or _("A milestone of your program is due."),
                    url=_url("mentorships:relationship", rel.pk),
                    action=_("Open the mentorship"),
                )
            sent += 1
    return sent
