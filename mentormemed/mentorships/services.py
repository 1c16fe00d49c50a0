"""Every write about requests, relationships, compacts, goals and messages (R6, R7, R12–R16, R29, R30).

Transitions are one-way conditional UPDATEs on the current state, so two actors (a
mentor accepting in one tab, the sweep expiring at the same moment) end in exactly
one state. The mentor cap (R12) is checked and counted under a row lock on the
MentorProfile. Side effects (notifications, e-mails) are queued after commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mentormemed.core.access import Actor
from mentormemed.core.audit import audit
from mentormemed.core.conf import product
from mentormemed.core.contact import contact_refused
from mentormemed.core.onboarding import missing_steps
from mentormemed.institutions.models import Membership
from mentormemed.institutions.selectors import institution_has_access
from mentormemed.mentorships import selectors, signals
from mentormemed.mentorships.finder import finder
from mentormemed.mentorships.models import (
    STAGE_ORDER,
    CheckIn,
    Compact,
    EndReason,
    Goal,
    MentorshipRequest,
    Message,
    MissedResponse,
    Reinstatement,
    Relationship,
    RequestState,
    Stage,
)
from mentormemed.notifications.services import NotificationItem, day, notify
from mentormemed.profiles.models import ContentArea, MentorProfile

if TYPE_CHECKING:
    from django.db.models import Q

    from mentormemed.accounts.models import User
    from mentormemed.core.onboarding import Step


class GateClosed(ValidationError):
    """The onboarding checklist is not complete (R6, R7). ``steps`` are the missing steps, with ``url()``."""

    def __init__(self, steps: Iterable[Step], doing: str) -> None:
        self.steps = list(steps)
        listing = "; ".join(f"{s.label} ({s.url()})" for s in self.steps)
        super().__init__(f"Before you can {doing}, finish: {listing}.")


def check_gate(membership: Membership, *, doing: str) -> None:
    """R6/R7: every required onboarding step (agreement version, eligibility or criteria, profile,
    required training in its current version) must be done, else GateClosed lists what is missing."""
    steps = missing_steps(membership)
    if steps:
        raise GateClosed(steps, doing)


def _url(name: str, *args: object) -> str:
    return reverse(name, args=args)


def _name(membership: Membership) -> str:
    return membership.user.display_name


# ---------------------------------------------------------------------------- requests


@transaction.atomic
def request_send(
    *,
    acting: Actor,
    mentor: MentorProfile,
    message: str,
    areas: Iterable[ContentArea],
    search_id: int | None = None,
) -> MentorshipRequest:
    """The acting mentee asks a mentor (R13). Refused with a sentence when the gate is closed (R6, R7), the
    mentor is not requestable (full, suspended, unsearchable, already theirs), or 5 are pending. A program
    introducing a mentee sends it as ``Actor.for_membership(mentee)``."""
    mentee = acting.membership
    if mentee is None or acting.role != "mentee" or not mentee.is_active:
        raise ValidationError(gettext("Only an active mentee can send a request."))
    if not institution_has_access(mentee.institution):
        raise ValidationError(gettext("Your institution's subscription has lapsed, so requests are paused."))
    check_gate(mentee, doing="send a request")
    message = (message or "").strip()
    if len(message) < 20:
        raise ValidationError(
            gettext("Write a short message (at least 20 characters) so the mentor knows what you hope for.")
        )
    areas = list(areas)
    if not areas:
        raise ValidationError(gettext("Choose at least one area of need this request is about."))
    # Serialise this mentee's sends so "at most 5 pending" holds under double submits.
    Membership.objects.select_for_update().filter(pk=mentee.pk).first()
    mentor = MentorProfile.objects.select_related("membership__user").get(pk=mentor.pk)
    blocker = selectors.request_blocker(mentee=mentee, mentor=mentor)
    if blocker:
        raise ValidationError(blocker)
    limit = product.max_pending_requests
    if MentorshipRequest.objects.filter(mentee=mentee, state=RequestState.PENDING).count() >= limit:
        raise ValidationError(
            gettext(
                "You have %(limit)s requests waiting for an answer, the most at once. Withdraw one or wait for "
                "an answer before sending another."
            )
            % {"limit": limit}
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            request = MentorshipRequest.objects.create(
                mentee=mentee,
                mentor=mentor,
                message=message,
                created_at=now,
                deadline=now + dt.timedelta(days=product.response_window_days),
                search_id=str(search_id or "")[:64],
            )
    except IntegrityError as exc:  # the partial unique constraint: a concurrent send to the same mentor
        raise ValidationError(gettext("You already have a request waiting for this mentor.")) from exc
    request.areas.set(areas)
    _log_search_event(search_id=search_id, mentee=mentee, mentor=mentor)
    notify(
        user=mentor.membership.user,
        kind="request_received",
        title=format_lazy(_("{name} asks you to be their mentor"), name=_name(mentee)),
        body=format_lazy(
            _("Please accept or decline by {day}. About: {areas}."),
            day=day(request.deadline, "MONTH_DAY_FORMAT"),
            areas=", ".join(a.name for a in areas),
        ),
        url=_url("mentorships:inbox_detail", request.pk),
        action=_("Read the request"),
    )
    return request


def _log_search_event(*, search_id: int | None, mentee: Membership, mentor: MentorProfile) -> None:
    """R11: tell matching's search log that this search led to a request."""
    finder().log_search_event(search_id=search_id, mentee=mentee, mentor=mentor, kind="requested")


def _transition(request: MentorshipRequest, *, to: str, extra_filter: Q | None = None, **fields: object) -> bool:
    """Move ``request`` from pending to ``to`` iff it is still pending (one-way, race-safe)."""
    qs = MentorshipRequest.objects.filter(pk=request.pk, state=RequestState.PENDING)
    if extra_filter is not None:
        qs = qs.filter(extra_filter)
    changed = qs.update(state=to, **fields)
    if changed:
        for key, value in {"state": to, **fields}.items():
            setattr(request, key, value)
    return bool(changed)


def _no_longer_pending(request: MentorshipRequest) -> ValidationError:
    request.refresh_from_db(fields=["state"])
    label = RequestState(request.state).label.lower()
    return ValidationError(
        gettext("This request is no longer waiting for an answer (it is %(label)s).") % {"label": label}
    )


@transaction.atomic
def request_withdraw(*, acting: Actor, request: MentorshipRequest) -> None:
    """The mentee takes back a pending request."""
    user = acting.person
    assert user is not None  # a person of the pair, signed in
    if request.mentee.user_id != user.pk:
        raise ValidationError(gettext("Only the mentee who sent this request can withdraw it."))
    if not _transition(request, to=RequestState.WITHDRAWN, responded_at=None):
        raise _no_longer_pending(request)
    notify(
        user=request.mentor.membership.user,
        kind="request_withdrawn",
        title=format_lazy(_("{name} withdrew their request"), name=_name(request.mentee)),
        url=_url("mentorships:inbox"),
    )


@transaction.atomic
def request_accept(*, acting: Actor, request: MentorshipRequest, message: str = "") -> Relationship:
    """The mentor accepts (R12, R13): gate (R7), then under a lock on the MentorProfile row check
    the cap, move pending → accepted (only before the deadline), count the mentee and open the
    relationship — all or nothing. Concurrent acceptances for the last slot: exactly one wins."""
    user = acting.person
    assert user is not None  # a person of the pair, signed in
    mentor_membership = request.mentor.membership
    if mentor_membership.user_id != user.pk:
        raise ValidationError(gettext("Only the mentor this request was sent to can accept it."))
    check_gate(mentor_membership, doing="accept a request")
    refused = contact_refused(user_id=user.pk, other_id=request.mentee.user_id)
    if refused:
        raise ValidationError(refused)
    mentor = MentorProfile.objects.select_for_update().get(pk=request.mentor_id)
    capacity = selectors.capacity_of(mentor)
    if mentor.active_mentee_count >= capacity:
        raise ValidationError(
            gettext(
                "You already mentor %(active_mentee_count)s people, your limit of %(capacity)s. End a "
                "mentorship or decline this request."
            )
            % {"active_mentee_count": mentor.active_mentee_count, "capacity": capacity}
        )
    now = timezone.now()
    accepted = _transition(
        request,
        to=RequestState.ACCEPTED,
        extra_filter=~_deadline_passed(now),
        responded_at=now,
        response_message=(message or "").strip()[:2000],
    )
    if not accepted:
        request.refresh_from_db(fields=["state", "deadline"])
        if request.state == RequestState.PENDING:
            raise ValidationError(gettext("The time to answer this request has passed; it is expiring."))
        raise _no_longer_pending(request)
    MentorProfile.objects.filter(pk=mentor.pk).update(active_mentee_count=F("active_mentee_count") + 1)
    relationship = Relationship.objects.create(mentee=request.mentee, mentor=mentor, request=request, started_at=now)
    Compact.objects.create(relationship=relationship)
    _open_thread(relationship, request, now=now)
    refresh_responsiveness(mentor=mentor, now=now)
    notify(
        user=request.mentee.user,
        kind="request_answered",
        title=format_lazy(_("{name} accepted your request"), name=mentor.membership.user.display_name),
        body=(
            _("They wrote you a message in your mentorship.")
            if request.response_message
            else _("Start with your mentoring compact: expectations, meeting rhythm, goals.")
        ),
        url=_url("mentorships:relationship", relationship.pk) + ("#messages" if request.response_message else ""),
        action=_("Read their message") if request.response_message else _("Open your mentorship"),
    )
    transaction.on_commit(lambda: signals.relationship_started.send(Relationship, relationship=relationship))
    return relationship


def _open_thread(relationship: Relationship, request: MentorshipRequest, *, now: dt.datetime) -> None:
    """The conversation starts where the pair left off: the mentee's request, then the mentor's
    answer, as the first messages of the mentorship's thread (R16)."""
    first = [
        Message(
            relationship=relationship, sender=request.mentee.user, body=request.message, created_at=request.created_at
        )
    ]
    if request.response_message:
        first.append(
            Message(
                relationship=relationship,
                sender=request.mentor.membership.user,
                body=request.response_message,
                created_at=now,
            )
        )
    Message.objects.bulk_create([m for m in first if m.body.strip()])


def _deadline_passed(now: dt.datetime) -> Q:
    from django.db.models import Q

    return Q(deadline__lte=now)


@transaction.atomic
def request_decline(*, acting: Actor, request: MentorshipRequest, message: str = "") -> None:
    """The mentor declines, optionally with a message; the mentee is pointed to other mentors."""
    user = acting.person
    assert user is not None  # a person of the pair, signed in
    if request.mentor.membership.user_id != user.pk:
        raise ValidationError(gettext("Only the mentor this request was sent to can decline it."))
    now = timezone.now()
    if not _transition(
        request, to=RequestState.DECLINED, responded_at=now, response_message=(message or "").strip()[:2000]
    ):
        raise _no_longer_pending(request)
    refresh_responsiveness(mentor=request.mentor, now=now)
    notify(
        user=request.mentee.user,
        kind="request_answered",
        title=format_lazy(_("{name} cannot take you on right now"), name=request.mentor.membership.user.display_name),
        body=request.response_message or _("This is about their time, not about you. Other mentors are waiting."),
        url=_url("mentorships:network"),
        action=_("See other mentors"),
        items=_alternatives(request),
    )


def _alternatives(request: MentorshipRequest, limit: int = 3) -> list[NotificationItem]:
    """Other mentors for this mentee (matching's recommendations, this mentor excluded)."""
    items: list[NotificationItem] = []
    for rec in selectors.recommendations(mentee=request.mentee, exclude_mentor_ids=[request.mentor_id], limit=limit):
        name = rec.mentor.membership.user.display_name
        # Matching's reasons re-worded in the mentee's language (``MatchReason.lazy``), like the notification.
        parts = [getattr(r, "lazy", r) for r in getattr(rec, "reasons", [])[:2]]
        label = format_lazy("{} — " + "; ".join(["{}"] * len(parts)), name, *parts) if parts else name
        items.append({"label": label, "url": _url("mentorships:request_new", rec.mentor.pk)})
    return items


# ------------------------------------------------------------- expiry, misses, suspension (R13)


@transaction.atomic
def request_expire(*, request: MentorshipRequest, now: dt.datetime | None = None) -> bool:
    """Expire a pending request whose deadline has passed (sweep). Idempotent: False if it was not pending.

    The mentee is told and offered alternatives; the mentor records a missed response and may be
    suspended when misses exceed the threshold.
    """
    now = now or timezone.now()
    if not _transition(request, to=RequestState.EXPIRED, extra_filter=_deadline_passed(now)):
        return False
    MissedResponse.objects.get_or_create(request=request, defaults={"mentor_id": request.mentor_id, "occurred_at": now})
    mentor = request.mentor
    refresh_responsiveness(mentor=mentor, now=now)
    notify(
        user=request.mentee.user,
        kind="request_expired",
        title=format_lazy(_("{name} did not answer in time"), name=mentor.membership.user.display_name),
        body=_("Your request has expired. These mentors could help with the same needs:"),
        url=_url("mentorships:network"),
        action=_("Find another mentor"),
        items=_alternatives(request),
    )
    notify(
        user=mentor.membership.user,
        kind="request_expired",
        title=format_lazy(_("You missed {name}'s request"), name=_name(request.mentee)),
        body=_(
            "The request expired without an answer and counts as a missed response. "
            "Mentees value responsiveness above everything; repeated misses suspend you from search."
        ),
        url=_url("mentorships:inbox"),
    )
    maybe_suspend(mentor=mentor, now=now)
    return True


def missed_since_reinstatement(*, mentor: MentorProfile, now: dt.datetime) -> int:
    """Missed responses inside the window that happened after the last reinstatement (a fresh start)."""
    since = now - dt.timedelta(days=product.missed_response_window_days)
    last = mentor.reinstatements.order_by("-at").values_list("at", flat=True).first()
    if last and last > since:
        since = last
    return mentor.missed_responses.filter(occurred_at__gt=since).count()


def maybe_suspend(*, mentor: MentorProfile, now: dt.datetime) -> bool:
    """R13 ejection: misses above the threshold suspend the mentor (once); mentor, admins and staff are told."""
    threshold = product.missed_response_threshold
    missed = missed_since_reinstatement(mentor=mentor, now=now)
    if missed <= threshold:
        return False
    reason = format_lazy(
        _("{missed} requests went unanswered within {days} days."),
        missed=missed,
        days=product.missed_response_window_days,
    )
    if not MentorProfile.objects.filter(pk=mentor.pk, suspended_at__isnull=True).update(
        suspended_at=now, suspended_reason=str(reason)
    ):
        return False
    membership = mentor.membership
    audit(
        acting=Actor.system(),
        action="mentor.suspend",
        obj=mentor,
        institution=membership.institution,
        detail={"missed": missed},
    )
    notify(
        user=membership.user,
        kind="suspension",
        title=_("You are paused from search and new requests"),
        body=format_lazy(
            _("{reason} Answer the requests still waiting, then ask your program office to reinstate you."),
            reason=reason,
        ),
        url=_url("mentorships:inbox"),
    )
    name = membership.user.display_name
    watchers = selectors.admins_of(membership.institution) + list(
        get_user_model().objects.filter(is_staff=True, is_active=True)
    )
    for user in watchers:
        notify(
            user=user,
            kind="suspension",
            title=format_lazy(_("Mentor {name} was suspended for missed responses"), name=name),
            body=format_lazy(_("{reason} You can reinstate them with a note."), reason=reason),
            url=_url("mentorships:suspended"),
            action=_("Review suspended mentors"),
        )
    return True


@transaction.atomic
def mentor_reinstate(*, acting: Actor, mentor: MentorProfile, note: str) -> Reinstatement:
    """An admin (of the mentor's institution) or staff lifts a suspension with a note (R13, audited R26).
    The role and institution are the acting principal's own, never ones a caller hands in."""
    note = (note or "").strip()
    if not note:
        raise ValidationError(gettext("Write a short note saying why the mentor is reinstated."))
    role = acting.role
    if role == "admin" and mentor.membership.institution_id != acting.institution_id:
        raise ValidationError(gettext("You can reinstate only mentors of your own institution."))
    if not acting.can("mentorships.reinstate"):
        raise ValidationError(gettext("Only an institution admin or staff can reinstate a mentor."))
    assert role is not None  # admin or staff (can, above)
    mentor = MentorProfile.objects.select_for_update().get(pk=mentor.pk)
    if mentor.suspended_at is None:
        raise ValidationError(gettext("This mentor is not suspended."))
    record = Reinstatement.objects.create(
        mentor=mentor,
        by=acting.person,
        by_role=role,
        note=note,
        suspended_at=mentor.suspended_at,
        suspended_reason=mentor.suspended_reason,
    )
    MentorProfile.objects.filter(pk=mentor.pk).update(suspended_at=None, suspended_reason="")
    audit(
        acting=acting,
        action="mentor.reinstate",
        obj=mentor,
        institution=mentor.membership.institution,
        detail={"note": note},
    )
    notify(
        user=mentor.membership.user,
        kind="suspension",
        title=_("You are reinstated: mentees can find and request you again"),
        body=note,
        url=_url("mentorships:inbox"),
    )
    return record


def refresh_responsiveness(*, mentor: MentorProfile, now: dt.datetime | None = None) -> None:
    """Store the mentor's responsiveness (``profiles.responsiveness``) on the profile: every page reads it."""
    value = selectors.responsiveness(mentor=mentor, now=now)
    MentorProfile.objects.filter(pk=mentor.pk).update(
        median_response_hours=value.median_hours, answer_rate=value.answer_rate, response_count=value.decided
    )
    mentor.median_response_hours, mentor.answer_rate, mentor.response_count = (
        value.median_hours,
        value.answer_rate,
        value.decided,
    )


def refresh_aged_responsiveness(*, now: dt.datetime) -> int:
    """The window slides: mentors whose decided requests left it in the last two days get their
    figures recomputed, so no page shows a figure the definition no longer gives (periodic job)."""
    from mentormemed.profiles.responsiveness import WINDOW_DAYS

    edge = now - dt.timedelta(days=WINDOW_DAYS)
    mentor_ids = (
        MentorshipRequest.objects.filter(created_at__gte=edge - dt.timedelta(days=2), created_at__lt=edge)
        .exclude(state__in=[RequestState.PENDING, RequestState.WITHDRAWN])
        .values_list("mentor_id", flat=True)
        .distinct()
    )
    mentors = list(MentorProfile.objects.filter(pk__in=list(mentor_ids)))
    for mentor in mentors:
        refresh_responsiveness(mentor=mentor, now=now)
    return len(mentors)


# ------------------------------------------------------------------------ relationships


def _side(user: User, relationship: Relationship) -> str:
    side = relationship.side_of(user)
    if side is None:
        raise ValidationError(gettext("Only the mentee and the mentor of this mentorship can do this."))
    return side


def _require_active(relationship: Relationship) -> None:
    if not relationship.is_active:
        raise ValidationError(gettext("This mentorship has ended."))


@transaction.atomic
def relationship_end(*, acting: Actor, relationship: Relationship, reason: str, note: str = "") -> None:
    """Either side ends the mentorship with a reason (R15); the mentor's count goes down under the lock."""
    user = acting.person
    assert user is not None  # a person of the pair, signed in
    side = _side(user, relationship)
    if reason not in EndReason.values:
        raise ValidationError(gettext("Choose a reason for ending the mentorship."))
    mentor = MentorProfile.objects.select_for_update().get(pk=relationship.mentor_id)
    now = timezone.now()
    if not Relationship.objects.filter(pk=relationship.pk, ended_at__isnull=True).update(
        ended_at=now, ended_by=user, end_reason=reason, end_note=(note or "").strip()[:1000], stage=Stage.SEPARATION
    ):
        raise ValidationError(gettext("This mentorship has already ended."))
    relationship.refresh_from_db()
    active = Relationship.objects.filter(mentor=mentor, ended_at__isnull=True).count()
    MentorProfile.objects.filter(pk=mentor.pk).update(active_mentee_count=active)
    other = relationship.other_user(user)
    notify(
        user=other,
        kind="relationship",
        title=format_lazy(_("{name} ended your mentorship"), name=user.display_name),
        body=format_lazy(
            _("Reason: {reason}. Thank you for the time you gave each other."), reason=EndReason(reason).label
        ),
        url=_url("mentorships:network") if side == "mentor" else _url("mentorships:relationships"),
        action=_("Find another mentor") if side == "mentor" else _("Your mentorships"),
    )
    transaction.on_commit(lambda: signals.relationship_ended.send(Relationship, relationship=relationship))


@transaction.atomic
def relationship_set_sponsor(*, acting: Actor, relationship: Relationship, is_sponsor: bool) -> None:
    """Only the mentor marks that they act as a sponsor (R15)."""
    user = acting.person
    assert user is not None  # a person of the pair, signed in
    if _side(user, relationship) != "mentor":
        raise ValidationError(gettext("Only the mentor can say they act as a sponsor."))
    _require_active(relationship)
    Relationship.objects.filter(pk=relationship.pk).update(is_sponsor=is_sponsor)
    relationship.is_sponsor = is_sponsor


@transaction.atomic
def relationship_advance(*, acting: Actor, relationship: Relationship, stage: str) -> None:
    """Move forward through initiation → cultivation (active) or separation → redefinition (ended). Never back."""
    user = acting.person
    assert user is not None  # a person of the pair, signed in
    _side(user, relationship)
    if stage not in Stage.values or STAGE_ORDER.index(stage) <= STAGE_ORDER.index(relationship.stage):
        raise ValidationError(gettext("A mentorship only moves forward through its stages."))
    if stage == Stage.CULTIVATION and not relationship.is_active:
        raise ValidationError(gettext("This mentorship has ended."))
    if stage == Stage.SEPARATION:
        raise ValidationError(gettext("End the mentorship (with a reason) to move to separation."))
    if stage == Stage.REDEFINITION and relationship.is_active:
        raise ValidationError(gettext("Redefinition comes after the mentorship has ended."))
    moved = Relationship.objects.filter(pk=relationship.pk, stage=relationship.stage).update(stage=stage)
    if not moved:  # someone else moved (or ended) it since this copy was read: theirs stands
        raise ValidationError(gettext("This mentorship changed while you were looking at it; reload the page."))
    relationship.stage = stage


@transaction.atomic
def compact_save(
    *, acting: Actor, relationship: Relationship, expectations: str, meeting_rhythm: str, goals_text: str = ""
) -> Compact:
    """Write the compact (R30). Saving confirms it for the writer and asks the other side to confirm again;
    each non-empty line of ``goals_text`` becomes a goal (existing goals are kept)."""
    user = acting.person
    assert user is not None  # a person of the pair, signed in
    side = _side(user, relationship)
    _require_active(relationship)
    compact, _created = Compact.objects.select_for_update().get_or_create(relationship=relationship)
    compact.expectations = (expectations or "").strip()
    compact.meeting_rhythm = (meeting_rhythm or "").strip()
    if not compact.is_written:
        raise ValidationError(gettext("Write your expectations and how often you will meet."))
    now = timezone.now()
    compact.mentee_confirmed_at = now if side == "mentee" else None
    compact.mentor_confirmed_at = now if side == "mentor" else None
    compact.updated_by = user
    compact.save()
    existing = set(relationship.goals.values_list("text", flat=True))
    for line in (goals_text or "").splitlines():
        text = line.strip(" -•\t")[:300]
        if text and text not in existing:
            Goal.objects.create(relationship=relationship, text=text, updated_by=user)
            existing.add(text)
    notify(
        user=relationship.other_user(user),
        kind="relationship",
        title=format_lazy(_("{name} wrote your mentoring compact — please confirm it"), name=user.display_name),
        url=_url("mentorships:relationship", relationship.pk),
        action=_("Read and confirm"),
    )
    return compact


@transaction.atomic
def compact_confirm(*, acting: Actor, relationship: Relationship) -> Compact:
    user = acting.person
    assert user is not None  # a person of the pair, signed in
    side = _side(user, relationship)
    _require_active(relationship)
    compact = Compact.objects.select_for_update().get(relationship=relationship)
    if not compact.is_written:
        raise ValidationError(gettext("The compact is not written yet."))
    setattr(compact, f"{side}_confirmed_at", timezone.now())
    compact.save(update_fields=[f"{side}_confirmed_at", "updated_at"])
    if compact.is_confirmed:
        notify(
            user=relationship.other_user(user),
            kind="relationship",
            title=_("Your mentoring compact is confirmed by both of you"),
            url=_url("mentorships:relationship", relationship.pk),
        )
    return compact


@transaction.atomic
def goal_add(*, acting: Actor, relationship: Relationship, text: str) -> Goal:
    user = acting.person
    assert user is not None  # a person of the pair, signed in
    _side(user, relationship)
    _require_active(relationship)
    text = (text or "").strip()[:300]
    if not text:
        raise ValidationError(gettext("Write the goal."))
    return Goal.objects.create(relationship=relationship, text=text, updated_by=user)


@transaction.atomic
def goal_progress(*, acting: Actor, goal: Goal, progress: int) -> Goal:
    """Either side updates a goal's progress, 0–100 % (R30)."""
    user = acting.person
    assert user is not None  # a person of the pair, signed in
    _side(user, goal.relationship)
    _require_active(goal.relationship)
    if not 0 <= int(progress) <= 100:
        raise ValidationError(gettext("Progress is a percentage from 0 to 100."))
    goal.progress = int(progress)
    goal.updated_at = timezone.now()
    goal.updated_by = user
    goal.save(update_fields=["progress", "updated_at", "updated_by"])
    return goal


@transaction.atomic
def checkin_answer(*, acting: Actor, relationship: Relationship, answer: str, note: str = "") -> bool:
    """R29: each side says whether the match works. "Not working" ends the mentorship gracefully
    (reason: not a fit) and the mentee is offered a re-match. Returns True if it ended."""
    user = acting.person
    assert user is not None  # a person of the pair, signed in
    side = _side(user, relationship)
    _require_active(relationship)
    if answer not in CheckIn.values:
        raise ValidationError(gettext("Say whether the mentorship is working."))
    Relationship.objects.filter(pk=relationship.pk).update(
        **{f"{side}_checkin": answer, f"{side}_checkin_at": timezone.now()}
    )
    setattr(relationship, f"{side}_checkin", answer)
    if answer == CheckIn.WORKING:
        return False
    relationship_end(acting=acting, relationship=relationship, reason=EndReason.NOT_A_FIT, note=note)
    if side == "mentor":
        notify(
            user=relationship.mentee.user,
            kind="checkin",
            title=_("Let's find you a better match"),
            body=_("Your mentor felt the match was not working. Suggestions that cover your needs are one click away."),
            url=_url("mentorships:rematch", relationship.pk),
            action=_("See suggestions"),
        )
    return True


@transaction.atomic
def message_send(*, acting: Actor, relationship: Relationship, body: str) -> Message:
    """A message between the pair (R16), e-mailed to the other side per their preference (R31).

    The e-mail says who wrote and links to the conversation; it does not copy the message text.
    """
    user = acting.person
    assert user is not None  # a person of the pair, signed in
    _side(user, relationship)
    if not relationship.is_active and relationship.stage != Stage.REDEFINITION:
        raise ValidationError(gettext("This mentorship has ended; messages are closed."))
    refused = contact_refused(user_id=user.pk, other_id=relationship.other_user(user).pk)
    if refused:
        raise ValidationError(refused)
    body = (body or "").strip()
    if not body:
        raise ValidationError(gettext("Write a message."))
    if len(body) > 5000:
        raise ValidationError(gettext("Messages are at most 5,000 characters."))
    message = Message.objects.create(relationship=relationship, sender=user, body=body)
    notify(
        user=relationship.other_user(user),
        kind="message",
        title=format_lazy(_("New message from {name}"), name=user.display_name),
        url=_url("mentorships:relationship", relationship.pk) + "#messages",
        action=_("Read and reply"),
    )
    return message
