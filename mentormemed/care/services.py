"""Every write about relationship health and duty of care (R36, R37).

Keyword-only, atomic, validated with a sentence a person can act on, audited where an admin,
staff member or a report is involved, and side effects (notifications, e-mail) queued on commit
by ``notify``/``queue_email``. Reports and concerns never reach the person they are about.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from mentormemed.care import selectors
from mentormemed.care.models import (
    Block,
    CareCheckIn,
    CarePolicy,
    Case,
    CaseEvent,
    CaseKind,
    CaseStatus,
    Category,
    CheckInAnswer,
    CheckInOccasion,
    DuplicateNeed,
    Going,
    NoShow,
    Outreach,
    Rhythm,
)
from mentormemed.core.access import Actor
from mentormemed.core.audit import audit
from mentormemed.core.conf import product
from mentormemed.core.timezones import zone_or_utc
from mentormemed.core.types import FieldValues, JSONDict, Text
from mentormemed.mentorships import services as mentorships
from mentormemed.mentorships.models import EndReason, MentorshipRequest, Relationship, RequestState
from mentormemed.mentorships.selectors import admins_of
from mentormemed.notifications.emails import queue_email
from mentormemed.notifications.services import absolute, day, notify
from mentormemed.scheduling import services as scheduling
from mentormemed.scheduling.models import CancelReason, Meeting, MeetingStatus

if TYPE_CHECKING:
    from mentormemed.accounts.models import User
    from mentormemed.institutions.models import Institution, Membership

NO_SHOW_MARK_DAYS = 14  # how long after a meeting's start a no-show can still be recorded


def _url(name: str, *args: object) -> str:
    return reverse(name, args=args)


def _side(user: User, relationship: Relationship) -> str:
    side = relationship.side_of(user)
    if side is None:
        raise ValidationError(gettext("Only the mentee and the mentor of this mentorship can do this."))
    return side


def _text(value: str, *, label: str, minimum: int, maximum: int) -> str:
    value = (value or "").strip()
    if len(value) < minimum:
        raise ValidationError(
            gettext("%(label)s needs at least %(minimum)s characters so the people helping understand.")
            % {"label": label, "minimum": minimum}
        )
    if len(value) > maximum:
        raise ValidationError(
            gettext("%(label)s can be at most %(maximum)s characters.")
            % {"label": label, "maximum": format(maximum, ",")}
        )
    return value


# -------------------------------------------------------------------------------- policy


@transaction.atomic
def policy_save(*, acting: Actor, institution: Institution, values: FieldValues) -> CarePolicy:
    """An admin sets their institution's duty-of-care settings (audited)."""
    policy = CarePolicy.objects.select_for_update().filter(institution=institution).first() or CarePolicy(
        institution=institution
    )
    for name in CarePolicy.EDITABLE:
        if name in values:
            setattr(policy, name, values[name])
    if policy.drift_days < 7:
        raise ValidationError(gettext("A mentorship can count as drifting after 7 days at the earliest."))
    if policy.at_risk_days <= policy.drift_days:
        raise ValidationError(gettext("“At risk” must come later than “drifting”: choose more days for at risk."))
    if policy.no_show_prompt_at < 1 or policy.no_show_admin_at < policy.no_show_prompt_at:
        raise ValidationError(gettext("Tell admins at the same number of no-shows as the mentee's prompt, or later."))
    if not policy.crisis_lines:
        raise ValidationError(gettext("List at least one crisis resource (for example: call or text 988)."))
    policy.updated_at = timezone.now()
    policy.save()
    audit(
        acting=acting,
        action="care.policy.update",
        obj=policy,
        institution=institution,
        detail={k: values[k] for k in CarePolicy.EDITABLE if k in values and k != "crisis_resources"},
    )
    return policy


# ------------------------------------------------------------------------------ check-ins


@transaction.atomic
def checkin_answer(*, acting: Actor, checkin: CareCheckIn, going: str, rhythm: str = "") -> CheckInAnswer:
    """One side answers a check-in. The answer is theirs: the other side never sees it."""
    user = acting.person
    assert user is not None  # a signed-in person
    relationship = checkin.relationship
    side = _side(user, relationship)
    if not relationship.is_active:
        raise ValidationError(gettext("This mentorship has ended."))
    if going not in Going.values:
        raise ValidationError(gettext("Say how the mentorship is going."))
    if checkin.occasion == CheckInOccasion.PERIODIC and rhythm not in Rhythm.values:
        raise ValidationError(gettext("Say whether you meet as often as you agreed."))
    try:
        with transaction.atomic():
            return CheckInAnswer.objects.create(
                checkin=checkin, side=side, going=going, rhythm=rhythm if rhythm in Rhythm.values else ""
            )
    except IntegrityError as exc:
        raise ValidationError(gettext("You already answered this check-in.")) from exc


def _ask_both(relationship: Relationship, *, title: Text, body: Text) -> None:
    """``title``: a translation with a ``{name}`` placeholder, filled with the other side's name."""
    url = _url("mentorships:relationship", relationship.pk) + "#care"
    for user, other in (
        (relationship.mentee.user, relationship.mentor.membership.user),
        (relationship.mentor.membership.user, relationship.mentee.user),
    ):
        notify(
            user=user,
            kind="care_checkin",
            title=format_lazy(title, name=other.display_name),
            body=body,
            url=url,
            action=_("Answer"),
        )


# Programs (R34) may set their own rhythm: ``fn(relationship_ids) -> {relationship_id: every_days}``.
RhythmSource = Callable[[list[int]], dict[int, int]]
_rhythm_sources: list[RhythmSource] = []


def register_checkin_rhythm(source: RhythmSource) -> None:
    """A capability that runs programs tells the check-ins how often its pairs are asked (0 = never)."""
    _rhythm_sources.append(source)


def program_rhythms(relationship_ids: list[int]) -> dict[int, int]:
    rhythms: dict[int, int] = {}
    for source in _rhythm_sources:
        rhythms.update(source(relationship_ids))
    return rhythms


def _create_checkin(relationship: Relationship, *, occasion: str, key: str, now: dt.datetime) -> bool:
    try:
        with transaction.atomic():
            CareCheckIn.objects.create(relationship=relationship, occasion=occasion, key=key, sent_at=now)
    except IntegrityError:
        return False  # another sweep sent it
    return True


def send_checkins(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Regular check-ins after the first (R29, at 5 weeks): every ``checkin_every_days`` after it, and one
    question after each held meeting; per the mentee's institution. Idempotent (one row per occasion)."""
    from mentormemed.care.sweep import claim_interval

    now = now or timezone.now()
    if not claim_interval("checkins", now=now):
        return {"care_checkins": 0, "care_meeting_checkins": 0}
    first = product.checkin_after_days
    periodic = after_meeting = 0
    candidates = Relationship.objects.filter(ended_at__isnull=True, started_at__lte=now - dt.timedelta(days=first + 7))
    active = list(candidates.select_related("mentee__user", "mentor__membership__user").order_by("pk"))
    policies = {p.institution_id: p for p in _policies({r.mentee.institution_id for r in active})}
    sent_keys = set(
        CareCheckIn.objects.filter(relationship__in=candidates, occasion=CheckInOccasion.PERIODIC).values_list(
            "relationship_id", "key"
        )
    )
    rhythms = program_rhythms([r.pk for r in active])
    for rel in active:
        every = rhythms.get(rel.pk, policies[rel.mentee.institution_id].checkin_every_days)
        if not every:
            continue
        k = ((now - rel.started_at).days - first) // every
        key = f"periodic-{k}"
        if k < 1 or (rel.pk, key) in sent_keys:
            continue
        with transaction.atomic():
            if _create_checkin(rel, occasion=CheckInOccasion.PERIODIC, key=key, now=now):
                _ask_both(
                    rel,
                    title=_("Check-in: how is your mentorship with {name} going?"),
                    body=_(
                        "Two quick questions. Only you see your answers; they help your program notice "
                        "when a mentorship needs support."
                    ),
                )
                periodic += 1
    held = list(
        Meeting.objects.filter(status=MeetingStatus.HELD, held_at__gte=now - dt.timedelta(days=3), held_at__lte=now)
        .filter(relationship__ended_at__isnull=True)
        .select_related("relationship__mentee__user", "relationship__mentor__membership__user")
    )
    asked = set(
        CareCheckIn.objects.filter(key__in=[f"meeting-{m.pk}" for m in held]).values_list("relationship_id", "key")
    )
    policies.update({p.institution_id: p for p in _policies({m.relationship.mentee.institution_id for m in held})})
    for meeting in held:
        rel, key = meeting.relationship, f"meeting-{meeting.pk}"
        if (rel.pk, key) in asked or not policies[rel.mentee.institution_id].checkin_after_meetings:
            continue
        with transaction.atomic():
            if _create_checkin(rel, occasion=CheckInOccasion.MEETING, key=key, now=now):
                _ask_both(
                    rel,
                    title=_("How was your meeting with {name}?"),
                    body=_("One question, ten seconds. Only you see your answer."),
                )
                after_meeting += 1
    return {"care_checkins": periodic, "care_meeting_checkins": after_meeting}


def _policies(institution_ids: set[int]) -> list[CarePolicy]:
    from mentormemed.care.health import policies_for

    return list(policies_for(institution_ids).values())


# ------------------------------------------------------------------------------ no-shows


@transaction.atomic
def no_show_mark(*, acting: Actor, meeting: Meeting, now: dt.datetime | None = None) -> NoShow:
    """The person who came marks that the other side did not show. Repeated mentee no-shows prompt the
    mentee and, above the institution's threshold, its admins; a mentor's count against responsiveness."""
    user = acting.person
    assert user is not None  # a signed-in person
    now = now or timezone.now()
    relationship = meeting.relationship
    side = _side(user, relationship)
    if not relationship.is_active:
        raise ValidationError(gettext("This mentorship has ended."))
    if meeting.starts_at > now:
        raise ValidationError(gettext("A meeting can be marked as missed only once it has started."))
    if meeting.starts_at < now - dt.timedelta(days=NO_SHOW_MARK_DAYS):
        raise ValidationError(
            gettext("A no-show can be recorded up to %(NO_SHOW_MARK_DAYS)s days after the meeting.")
            % {"NO_SHOW_MARK_DAYS": NO_SHOW_MARK_DAYS}
        )
    absent_side = "mentor" if side == "mentee" else "mentee"
    absent = relationship.other_user(user)
    scheduling.meeting_mark_missed(
        meeting=meeting,
        acting=acting,
        code=CancelReason.MENTOR_ABSENT if absent_side == "mentor" else CancelReason.MENTEE_ABSENT,
        now=now,
    )
    record = NoShow.objects.create(
        meeting=meeting,
        relationship=relationship,
        absent_side=absent_side,
        absent_user=absent,
        marked_by=user,
        marked_at=now,
    )
    notify(
        user=absent,
        kind="care_accountability",
        title=format_lazy(_("{name} marked that you missed your meeting"), name=user.display_name),
        body=format_lazy(
            _(
                "The meeting on {day} did not take place. If something came up, send a message; "
                "when you cannot come, cancel ahead so the time can go to someone else."
            ),
            day=day(meeting.starts_at, "MONTH_DAY_FORMAT", zone_or_utc(absent.time_zone)),
        ),
        url=_url("mentorships:relationship", relationship.pk),
        action=_("Open the mentorship"),
    )
    if absent_side == "mentor":
        mentorships.refresh_responsiveness(mentor=relationship.mentor, now=now)
    else:
        _escalate_mentee_no_shows(relationship=relationship, now=now)
    return record


def _escalate_mentee_no_shows(*, relationship: Relationship, now: dt.datetime) -> None:
    policy = selectors.policy_for(relationship.mentee.institution_id)
    since = now - dt.timedelta(days=policy.no_show_window_days)
    count = selectors.no_show_count(user_id=relationship.mentee.user_id, since=since)
    if count >= policy.no_show_prompt_at:
        notify(
            user=relationship.mentee.user,
            kind="care_accountability",
            title=format_lazy(
                ngettext_lazy(
                    "You have missed {count} meeting in {days} days",
                    "You have missed {count} meetings in {days} days",
                    count,
                ),
                count=count,
                days=policy.no_show_window_days,
            ),
            body=_(
                "Mentors give you their time. If your plans changed, cancel ahead, agree a new rhythm in your "
                "compact, or end a mentorship kindly so the mentor can help someone else."
            ),
            url=_url("mentorships:relationships"),
            action=_("Your mentorships"),
        )
    if count >= policy.no_show_admin_at:
        for admin in admins_of(relationship.mentee.institution_id):
            notify(
                user=admin,
                kind="care_admin",
                title=format_lazy(
                    ngettext_lazy("{name} has missed {count} meeting", "{name} has missed {count} meetings", count),
                    name=relationship.mentee.user.display_name,
                    count=count,
                ),
                body=format_lazy(
                    _(
                        "Marked by their mentors in the last {days} days. You may want to "
                        "reach out from the at-risk list."
                    ),
                    days=policy.no_show_window_days,
                ),
                url=_url("care:at_risk"),
                action=_("Open the at-risk list"),
            )


# -------------------------------------------------------------------------------- blocks


@transaction.atomic
def block_create(
    *, acting: Actor, other: User, relationship: Relationship | None = None, case: Case | None = None
) -> Block:
    """Stop contact at once: the mentorship between them is paused (no messages, bookings or requests
    either way), future meetings are cancelled, waiting requests closed, and the mentor leaves the
    mentee's search. Audited; the other person sees only that contact is paused."""
    user = acting.person
    assert user is not None  # a signed-in person
    if other.pk == user.pk:
        raise ValidationError(gettext("You cannot block yourself."))
    existing = selectors.my_block(user=user, other_id=other.pk)
    if existing:
        return existing
    block = Block.objects.create(blocker=user, blocked=other, relationship=relationship, case=case)
    pair = Relationship.objects.filter(ended_at__isnull=True).filter(
        mentee__user__in=[user, other], mentor__membership__user__in=[user, other]
    )
    now = timezone.now()
    for meeting in Meeting.objects.filter(relationship__in=pair, status=MeetingStatus.SCHEDULED, starts_at__gt=now):
        scheduling.meeting_cancel(
            meeting=meeting,
            acting=Actor.for_user(meeting.relationship.mentee.user),
            code=CancelReason.PAUSED,
        )
    for request in MentorshipRequest.objects.filter(state=RequestState.PENDING).filter(
        mentee__user__in=[user, other], mentor__membership__user__in=[user, other]
    ):
        if request.mentee.user_id == user.pk:
            mentorships.request_withdraw(acting=acting, request=request)
        elif request.mentor.membership.user_id == user.pk:
            mentorships.request_decline(acting=acting, request=request)
    audit(acting=acting, action="care.block", obj=block, detail={"case": case.pk if case else None})
    if case:
        CaseEvent.objects.create(case=case, by=user, by_role="reporter", action="blocked", note="")
    return block


@transaction.atomic
def block_lift(*, acting: Actor, block: Block) -> None:
    """Only the person who blocked can lift their block (audited)."""
    user = acting.person
    assert user is not None  # a signed-in person
    if block.blocker_id != user.pk:
        raise ValidationError(gettext("Only the person who paused contact can restore it."))
    if not Block.objects.filter(pk=block.pk, lifted_at__isnull=True).update(lifted_at=timezone.now(), lifted_by=user):
        raise ValidationError(gettext("Contact is already restored."))
    audit(acting=acting, action="care.unblock", obj=block)
    if block.case_id:
        CaseEvent.objects.create(case_id=block.case_id, by=user, by_role="reporter", action="unblocked")


# --------------------------------------------------------------------------------- cases


def _tell_handlers(case: Case, *, title: Text) -> None:
    """Admins of the case's institution(s) and every staff member; never the subject.

    ``title``: a translation (the case's reference filled in), read in each handler's language."""
    people = {u.pk: u for u in selectors.staff_users()}
    for institution_id in filter(None, (case.institution_id, case.other_institution_id)):
        people.update({u.pk: u for u in admins_of(institution_id)})
    people.pop(case.subject_id, None)
    for user in people.values():
        notify(
            user=user,
            kind="care_case",
            title=title,
            body=_case_line(case),
            url=_url("care:case", case.pk),
            action=_("Open the case"),
        )


def _case_line(case: Case) -> Text:
    """ "CR-… · Report · Harassment · urgent", in the reader's language (labels stay lazy)."""
    parts = [case.reference, CaseKind(case.kind).label]
    if case.category:
        parts.append(Category(case.category).label)
    if case.urgent:
        parts.append(_("urgent"))
    return format_lazy("{}" + " · {}" * (len(parts) - 1), *parts)


def _open_case(
    *,
    acting: Actor,
    subject_membership: Membership,
    relationship: Relationship | None,
    action: str,
    detail_of: Callable[[Case], JSONDict],
    **fields: object,
) -> Case:
    """Create the case, its first history line and the audit entry (never the description)."""
    person, role = acting.person, acting.role
    assert person is not None and role is not None  # a signed-in member files it
    assert acting.membership is not None  # (reports and concerns come from mentees and mentors)
    now = timezone.now()
    case = Case.objects.create(
        reporter=person,
        reporter_membership=acting.membership,
        subject=subject_membership.user,
        subject_membership=subject_membership,
        relationship=relationship,
        created_at=now,
        updated_at=now,
        **fields,
    )
    CaseEvent.objects.create(case=case, by=person, by_role=role, action="filed", to_status=case.status, at=now)
    audit(
        acting=acting,
        action=action,
        obj=case,
        institution=case.institution,
        detail=detail_of(case),
    )
    return case


@transaction.atomic
def report_file(
    *,
    acting: Actor,
    subject_membership: Membership,
    category: str,
    description: str,
    block: bool,
    relationship: Relationship | None = None,
) -> Case:
    """Either side reports the other (R37): confidential, to the reporter's institution admins, the other
    institution's admins where it differs, and staff; audited; optionally blocking contact at once."""
    person = acting.person
    assert person is not None  # a mentee or mentor, signed in
    reporter_membership = acting.membership
    if reporter_membership is None or reporter_membership.role not in ("mentee", "mentor"):
        raise ValidationError(gettext("Only mentees and mentors can file a report here."))
    if subject_membership.user_id == person.pk:
        raise ValidationError(gettext("You cannot report yourself."))
    if category not in Category.values:
        raise ValidationError(gettext("Choose what the report is about."))
    description = _text(description, label=gettext("What happened"), minimum=20, maximum=4000)
    other = subject_membership.institution_id
    case = _open_case(
        acting=acting,
        subject_membership=subject_membership,
        relationship=relationship,
        action="care.report.file",
        detail_of=lambda c: {
            "category": category,
            "blocked": block,
            "cross_institutional": bool(c.other_institution_id),
        },
        kind=CaseKind.REPORT,
        category=category,
        description=description,
        institution_id=reporter_membership.institution_id,
        other_institution_id=other if other != reporter_membership.institution_id else None,
    )
    if block:
        block_create(acting=acting, other=subject_membership.user, relationship=relationship, case=case)
    _tell_handlers(
        case, title=format_lazy(_("A confidential report was filed ({reference})"), reference=case.reference)
    )
    return case


@transaction.atomic
def concern_raise(*, acting: Actor, relationship: Relationship, description: str, urgent: bool) -> Case:
    """A mentor raises a wellbeing concern for their mentee (R37). It goes to the contact the mentee's
    institution designates (e-mail), and to its admins and staff as a case; the mentee is told that a
    concern was raised — never what was written — unless the institution's policy says otherwise."""
    person = acting.person
    assert person is not None  # the mentor, signed in
    if _side(person, relationship) != "mentor":
        raise ValidationError(gettext("Only the mentor of this mentorship can raise a wellbeing concern."))
    assert acting.membership is not None  # the mentor's own membership
    description = _text(description, label=gettext("What worries you"), minimum=20, maximum=4000)
    mentee = relationship.mentee
    policy = selectors.policy_for(mentee.institution_id)
    case = _open_case(
        acting=acting,
        subject_membership=mentee,
        relationship=relationship,
        action="care.concern.raise",
        detail_of=lambda c: {"urgent": c.urgent, "mentee_told": c.mentee_told},
        kind=CaseKind.CONCERN,
        urgent=bool(urgent),
        description=description,
        institution_id=mentee.institution_id,
        mentee_told=policy.tell_mentee_of_concern,
    )
    recipients = [policy.wellbeing_contact_email] if policy.wellbeing_contact_email else []
    recipients = recipients or [u.email for u in admins_of(mentee.institution_id)]
    if recipients:
        queue_email(
            to=recipients,
            template_prefix="care/email/concern",
            context={
                "case": case,
                "mentee": mentee.user,
                "mentor": person,
                "mentor_institution": acting.membership.institution.name,
                "contact_name": policy.wellbeing_contact_name or _("Program office"),
                "url": absolute(_url("care:case", case.pk)),
            },
        )
    _tell_handlers(
        case,
        title=format_lazy(
            _("URGENT: A wellbeing concern was raised ({reference})")
            if case.urgent
            else _("A wellbeing concern was raised ({reference})"),
            reference=case.reference,
        ),
    )
    if case.mentee_told:
        contact = policy.wellbeing_contact_name or format_lazy(
            _("your program office at {institution}"), institution=mentee.institution.name
        )
        notify(
            user=mentee.user,
            kind="care_concern",
            title=_("Your mentor let your school's support team know they care about you"),
            body=format_lazy(
                _(
                    "{name} shared a concern for your wellbeing with {contact}, who may reach out. "
                    "You are not in trouble. If you need help now: {crisis_lines}"
                ),
                name=person.display_name,
                contact=contact,
                crisis_lines="; ".join(policy.crisis_lines),
            ),
            url=_url("core:home"),
        )
        CaseEvent.objects.create(case=case, by=None, by_role="", action="told", note="The mentee was told.")
    return case


@transaction.atomic
def case_take(*, acting: Actor, case: Case) -> Case:
    """An admin or staff member becomes the case's owner (audited, in its history)."""
    person, role = acting.person, acting.role
    assert person is not None and role is not None  # an admin or staff member, signed in
    if case.owner_id == person.pk:
        raise ValidationError(gettext("You already own this case."))
    Case.objects.filter(pk=case.pk).update(owner=person, updated_at=timezone.now())
    CaseEvent.objects.create(case=case, by=person, by_role=role, action="owner")
    audit(acting=acting, action="care.case.take", obj=case, institution=acting.institution)
    case.refresh_from_db()
    return case


@transaction.atomic
def case_update(*, acting: Actor, case: Case, status: str, note: str) -> Case:
    """Add a note and/or move the case (open → in review → resolved; reopening needs a note too)."""
    person, role = acting.person, acting.role
    assert person is not None and role is not None  # an admin or staff member, signed in
    if status not in CaseStatus.values:
        raise ValidationError(gettext("Choose a status."))
    note = (note or "").strip()
    if len(note) > 2000:
        raise ValidationError(gettext("A note can be at most 2,000 characters."))
    changing = status != case.status
    if not changing and not note:
        raise ValidationError(gettext("Write a note or change the status."))
    if changing and (status == CaseStatus.RESOLVED or case.status == CaseStatus.RESOLVED) and not note:
        raise ValidationError(gettext("Say in a note how the case was resolved (or why it is reopened)."))
    now = timezone.now()
    previous = case.status
    if changing:
        fields = {"status": status, "updated_at": now, "resolved_at": now if status == CaseStatus.RESOLVED else None}
        if not Case.objects.filter(pk=case.pk, status=previous).update(**fields):
            raise ValidationError(gettext("Someone else changed this case just now; reload and try again."))
    else:
        Case.objects.filter(pk=case.pk).update(updated_at=now)
    CaseEvent.objects.create(
        case=case,
        by=person,
        by_role=role,
        action="status" if changing else "note",
        note=note,
        from_status=previous if changing else "",
        to_status=status if changing else "",
        at=now,
    )
    audit(
        acting=acting,
        action="care.case.update",
        obj=case,
        institution=acting.institution,
        detail={"from": previous, "to": status},
    )
    if changing and status == CaseStatus.RESOLVED and case.kind == CaseKind.REPORT:
        notify(
            user=case.reporter,
            kind="care_case",
            title=format_lazy(_("Your report {reference} was resolved"), reference=case.reference),
            body=_("Thank you for telling us. If anything happens again, report it again at once."),
            url=_url("care:my_reports"),
        )
    case.refresh_from_db()
    return case


# ------------------------------------------------------------------------------ outreach


@transaction.atomic
def outreach_send(*, acting: Actor, relationship: Relationship, to: str, note: str = "") -> Outreach:
    """An admin (to their own people in the pair) or staff reaches out from the at-risk list (audited)."""
    person, role = acting.person, acting.role
    assert person is not None and role is not None  # an admin or staff member, signed in
    sides = {"mentee": ["mentee"], "mentor": ["mentor"], "both": ["mentee", "mentor"]}.get(to)
    if sides is None:
        raise ValidationError(gettext("Choose whom to reach out to."))
    note = (note or "").strip()
    if len(note) > 1000:
        raise ValidationError(gettext("A note can be at most 1,000 characters."))
    people = {"mentee": relationship.mentee, "mentor": relationship.mentor.membership}
    if acting.role != "staff":
        mine = [s for s in sides if people[s].institution_id == acting.institution_id]
        if mine != sides:
            raise ValidationError(gettext("You can reach out only to people of your own institution."))
    sender = acting.institution.name if acting.institution else "MentorMeMed"
    for side in sides:
        other = people["mentor" if side == "mentee" else "mentee"].user
        notify(
            user=people[side].user,
            kind="care_outreach",
            title=format_lazy(
                _("{sender} is checking in on your mentorship with {name}"), sender=sender, name=other.display_name
            ),
            body=note
            or format_lazy(
                _(
                    "We noticed your mentorship has been quiet. Is everything all right? A short message or a "
                    "booked meeting keeps it going — or reply to {email} if you would like help."
                ),
                email=person.email,
            ),
            url=_url("mentorships:relationship", relationship.pk),
            action=_("Open the mentorship"),
        )
    record = Outreach.objects.create(relationship=relationship, by=person, by_role=role, to=to, note=note)
    audit(
        acting=acting,
        action="care.outreach",
        obj=relationship,
        institution=acting.institution,
        detail={"to": to},
    )
    return record


# ------------------------------------------------------------------------ duplicate needs


def on_relationship_started(sender: object = None, *, relationship: Relationship, **kwargs: object) -> None:
    """A mentee now has two active mentors asked about the same need: ask which to keep."""
    if relationship.request_id is None:
        return
    assert relationship.request is not None  # its id is set
    areas = set(relationship.request.areas.values_list("pk", flat=True))
    if not areas:
        return
    others = (
        Relationship.objects.filter(mentee=relationship.mentee, ended_at__isnull=True, request__areas__in=areas)
        .exclude(pk=relationship.pk)
        .distinct()
        .select_related("mentor__membership__user")
    )
    for other in others:
        assert other.request is not None  # found through its request's areas
        shared = other.request.areas.filter(pk__in=areas).order_by("name").values_list("name", flat=True)
        with transaction.atomic():
            duplicate, created = DuplicateNeed.objects.get_or_create(
                first=other, second=relationship, defaults={"mentee": relationship.mentee, "areas": ", ".join(shared)}
            )
            if not created:
                continue
            notify(
                user=relationship.mentee.user,
                kind="care_duplicate",
                title=_("Two of your mentors now cover the same need"),
                body=format_lazy(
                    _(
                        "{first} and {second} both help you with {areas}. "
                        "Mentors' time is scarce: tell us which mentor to keep for it, or keep both."
                    ),
                    first=other.mentor.membership.user.display_name,
                    second=relationship.mentor.membership.user.display_name,
                    areas=duplicate.areas,
                ),
                url=_url("care:duplicate", duplicate.pk),
                action=_("Choose"),
            )


@transaction.atomic
def duplicate_resolve(*, acting: Actor, duplicate: DuplicateNeed, keep: str) -> None:
    """The mentee keeps both mentors, or one — the other mentorship ends kindly (reason: other)."""
    user = acting.person
    assert user is not None  # a signed-in person
    if duplicate.mentee.user_id != user.pk:
        raise ValidationError(gettext("Only the mentee can choose."))
    if keep not in ("both", "first", "second"):
        raise ValidationError(gettext("Choose which mentor to keep, or keep both."))
    if not DuplicateNeed.objects.filter(pk=duplicate.pk, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolution=keep
    ):
        raise ValidationError(gettext("You already answered this."))
    if keep != "both":
        ending = duplicate.second if keep == "first" else duplicate.first
        mentorships.relationship_end(
            acting=acting,
            relationship=ending,
            reason=EndReason.OTHER,
            note=f"Kept another mentor for the same need ({duplicate.areas}). Thank you for your time.",
        )
