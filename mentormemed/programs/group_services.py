"""Writes about circles, one-off sessions, speed-mentoring events and questions to the network (R35).

None of these opens a relationship or touches ``active_mentee_count``: group formats sit
outside the cap of three individual mentees (R12) and inside the participation record (R24).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, TypedDict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from mentormemed.core.access import Actor
from mentormemed.core.audit import audit
from mentormemed.core.timezones import zone_or_utc
from mentormemed.institutions.models import Membership
from mentormemed.matching.models import MentorFacet
from mentormemed.matching.selectors import searchable_mentors
from mentormemed.notifications.emails import queue_email
from mentormemed.notifications.services import OPEN, day, notify
from mentormemed.profiles.models import MentorProfile
from mentormemed.programs import group_ics, group_selectors
from mentormemed.programs.models import (
    Circle,
    CircleGoal,
    CircleMeeting,
    CircleMember,
    CircleMessage,
    CircleRole,
    EventParticipant,
    EventSlot,
    GroupMeetingStatus,
    NetworkAnswer,
    OfficeHours,
    Program,
    Question,
    SessionBooking,
    SpeedEvent,
)
from mentormemed.programs.rotation import rotation
from mentormemed.scheduling.selectors import member_busy
from mentormemed.scheduling.services import _video_room

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from mentormemed.accounts.models import User
    from mentormemed.core.types import Text
    from mentormemed.profiles.models import ContentArea

MAX_FACILITATORS = 2
GROUP_LENGTHS = (45, 60, 90)
QUESTION_NOTIFY_LIMIT = 25


def _url(name: str, *args: object) -> str:
    return reverse(name, args=args)


def _text(value: str, *, what: str, low: int = 1, high: int = 3000) -> str:
    value = (value or "").strip()
    if len(value) < low:
        raise ValidationError(gettext("Write the %(what)s (at least %(low)s characters).") % {"what": what, "low": low})
    if len(value) > high:
        raise ValidationError(
            gettext("The %(what)s can be at most %(high)s characters.") % {"what": what, "high": high}
        )
    return value


def _taking_part(acting: Actor, refusal: str, *, role: str | None = None) -> Membership:
    """The acting person's own membership as a mentee or mentor (``role`` narrows it to one side);
    ``refusal`` for anyone else (an admin, staff, the system): these are done by members, never for them."""
    if acting.membership is None or acting.role not in ("mentee", "mentor") or role not in (None, acting.role):
        raise ValidationError(refusal)
    return acting.membership


def _mentor_acting(acting: Actor, refusal: str, *, no_profile: str | None = None) -> MentorProfile:
    """The acting mentor's own profile: ``refusal`` for anyone who is not a mentor, ``no_profile`` (or
    ``refusal``) for a mentor without one yet."""
    membership = _taking_part(acting, refusal, role="mentor")
    mentor = MentorProfile.objects.filter(membership=membership).select_related("membership__user").first()
    if mentor is None:
        raise ValidationError(no_profile or refusal)
    return mentor


def _admin(acting: Actor) -> None:
    if acting.role != "admin" or acting.institution_id is None:
        raise ValidationError(gettext("Only an institution admin can do this."))


# ------------------------------------------------------------------------- circles


@transaction.atomic
def circle_create(
    *,
    acting: Actor,
    name: str,
    facilitators: list[Membership],
    mentees: list[Membership],
    topic: str = "",
    max_mentees: int = 6,
    program: Program | None = None,
) -> Circle:
    """An admin forms a circle: 1–2 facilitating mentors and up to ``max_mentees`` mentees."""
    _admin(acting)
    if program is not None and program.institution_id != acting.institution_id:
        raise ValidationError(gettext("Choose one of your institution's programs."))
    if program is not None:
        max_mentees = min(max_mentees, program.circle_size)
    if not (2 <= max_mentees <= 20):
        raise ValidationError(gettext("A circle has room for 2 to 20 mentees."))
    if not (1 <= len(facilitators) <= MAX_FACILITATORS):
        raise ValidationError(gettext("A circle has one or two facilitating mentors."))
    if len(mentees) > max_mentees:
        raise ValidationError(
            ngettext(
                "This circle has room for %(max_mentees)s mentee; choose fewer.",
                "This circle has room for %(max_mentees)s mentees; choose fewer.",
                max_mentees,
            )
            % {"max_mentees": max_mentees}
        )
    people = [*facilitators, *mentees]
    if any(m.institution_id != acting.institution_id or not m.is_active for m in people):
        raise ValidationError(gettext("Everyone in a circle is an active member of your institution."))
    if any(m.role != "mentor" for m in facilitators) or any(m.role != "mentee" for m in mentees):
        raise ValidationError(gettext("Facilitators are mentors and the others mentees."))
    if len({m.user_id for m in people}) != len(people):
        raise ValidationError(gettext("A person can hold one seat in a circle."))
    assert acting.institution_id is not None  # an admin's (checked above)
    circle = Circle.objects.create(
        institution_id=acting.institution_id,
        program=program,
        name=_text(name, what="circle's name", high=150),
        topic=(topic or "").strip()[:300],
        max_mentees=max_mentees,
        created_by=acting.person,
    )
    CircleMember.objects.bulk_create(
        [CircleMember(circle=circle, membership=m, role=CircleRole.FACILITATOR) for m in facilitators]
        + [CircleMember(circle=circle, membership=m, role=CircleRole.MEMBER) for m in mentees]
    )
    for m in people:
        notify(
            user=m.user,
            kind="circle",
            title=format_lazy(_("You are in the circle “{circle}”"), circle=circle.name),
            body=circle.topic,
            url=_url("programs:circle", circle.pk),
            action=_("Open the circle"),
        )
    audit(
        acting=acting,
        actor_role="admin",
        action="circle.create",
        obj=circle,
        institution=circle.institution,
        detail={"facilitators": len(facilitators), "mentees": len(mentees)},
    )
    return circle


def _circle_of_admin(acting: Actor, circle: Circle) -> Circle:
    """The circle, locked so that seat counts hold under concurrent changes."""
    _admin(acting)
    circle = Circle.objects.select_for_update().get(pk=circle.pk)
    if circle.institution_id != acting.institution_id:
        raise ValidationError(gettext("Only an admin of the circle's institution can change who is in it."))
    if circle.closed_at is not None:
        raise ValidationError(gettext("This circle is closed."))
    return circle


def _future_meetings(circle: Circle, now: dt.datetime) -> QuerySet[CircleMeeting]:
    return circle.meetings.filter(status=GroupMeetingStatus.SCHEDULED, starts_at__gt=now).order_by("starts_at")


@transaction.atomic
def circle_seat_add(
    *, acting: Actor, circle: Circle, membership: Membership, now: dt.datetime | None = None
) -> CircleMember:
    """An admin adds a mentor (as facilitator) or a mentee to a circle; they get its upcoming invites."""
    circle = _circle_of_admin(acting, circle)
    now = now or timezone.now()
    if membership.institution_id != circle.institution_id or not membership.is_active:
        raise ValidationError(gettext("Everyone in a circle is an active member of your institution."))
    roles = {"mentor": CircleRole.FACILITATOR, "mentee": CircleRole.MEMBER}
    if membership.role not in roles:
        raise ValidationError(gettext("Facilitators are mentors and the others mentees."))
    role = roles[membership.role]
    current = list(circle.members.filter(left_at__isnull=True).select_related("membership"))
    if any(seat.membership.user_id == membership.user_id for seat in current):
        raise ValidationError(
            gettext("%(display_name)s already holds a seat in this circle.")
            % {"display_name": membership.user.display_name}
        )
    taken = sum(seat.role == role for seat in current)
    if role == CircleRole.FACILITATOR and taken >= MAX_FACILITATORS:
        raise ValidationError(gettext("A circle has one or two facilitating mentors; remove one first."))
    if role == CircleRole.MEMBER and taken >= circle.max_mentees:
        raise ValidationError(
            ngettext(
                "This circle is full (%(max_mentees)s mentee); remove someone first.",
                "This circle is full (%(max_mentees)s mentees); remove someone first.",
                circle.max_mentees,
            )
            % {"max_mentees": circle.max_mentees}
        )
    seat = CircleMember.objects.create(circle=circle, membership=membership, role=role, joined_at=now)
    notify(
        user=membership.user,
        kind="circle",
        title=format_lazy(_("You are in the circle “{circle}”"), circle=circle.name),
        body=circle.topic,
        url=_url("programs:circle", circle.pk),
        action=_("Open the circle"),
    )
    by = acting.person
    assert by is not None  # an admin, signed in
    for meeting in _future_meetings(circle, now):
        _send_group_invites(meeting, method="REQUEST", change="added", by=by, recipients=[seat])
    audit(
        acting=acting,
        actor_role="admin",
        action="circle.seat_add",
        obj=circle,
        institution=circle.institution,
        detail={"membership": membership.pk, "role": role},
    )
    return seat


@transaction.atomic
def circle_seat_remove(*, acting: Actor, seat: CircleMember, now: dt.datetime | None = None) -> CircleMember:
    """An admin takes someone out of a circle: their seat ends (history kept) and their invites are cancelled."""
    circle = _circle_of_admin(acting, seat.circle)
    now = now or timezone.now()
    seat = CircleMember.objects.select_related("membership__user").get(pk=seat.pk)
    if seat.circle_id != circle.pk or seat.left_at is not None:
        raise ValidationError(gettext("That person is no longer in this circle."))
    if (
        seat.role == CircleRole.FACILITATOR
        and not circle.members.filter(left_at__isnull=True, role=CircleRole.FACILITATOR).exclude(pk=seat.pk).exists()
    ):
        raise ValidationError(gettext("A circle keeps at least one facilitating mentor: add another mentor first."))
    CircleMember.objects.filter(pk=seat.pk).update(left_at=now)
    seat.left_at = now
    by = acting.person
    assert by is not None  # an admin, signed in
    for meeting in _future_meetings(circle, now):
        CircleMeeting.objects.filter(pk=meeting.pk).update(sequence=F("sequence") + 1, updated_at=now)
        meeting.refresh_from_db()
        _send_group_invites(meeting, method="CANCEL", change="left", by=by, recipients=[seat])
    notify(
        user=seat.membership.user,
        kind="circle",
        title=format_lazy(_("You are no longer in the circle “{circle}”"), circle=circle.name),
        body=_("Its upcoming meetings have been removed from your calendar."),
        url=_url("programs:circles"),
        action=_("Your circles"),
    )
    audit(
        acting=acting,
        actor_role="admin",
        action="circle.seat_remove",
        obj=circle,
        institution=circle.institution,
        detail={"membership": seat.membership_id, "role": seat.role},
    )
    return seat


def _seat(circle: Circle, acting: Actor) -> tuple[Membership, CircleMember]:
    """The acting member and their seat in the circle (their own institution's circle, seat not given up)."""
    refusal = gettext("Only the circle's members can do this.")
    membership = _taking_part(acting, refusal)
    if circle.institution_id != membership.institution_id:
        raise ValidationError(refusal)
    seat = circle.members.filter(membership=membership, left_at__isnull=True).first()
    if seat is None:
        raise ValidationError(refusal)
    return membership, seat


def _facilitator(circle: Circle, acting: Actor) -> Membership:
    """The acting member, a facilitator of the circle."""
    membership, seat = _seat(circle, acting)
    if seat.role != CircleRole.FACILITATOR:
        raise ValidationError(gettext("Only the circle's facilitators can schedule its meetings."))
    return membership


@transaction.atomic
def circle_message_send(*, acting: Actor, circle: Circle, body: str) -> CircleMessage:
    """A message in the circle's shared thread; the others are told who wrote (never the text, R30)."""
    membership, _own = _seat(circle, acting)
    message = CircleMessage.objects.create(
        circle=circle, sender=membership.user, body=_text(body, what="message", high=5000)
    )
    for seat in group_selectors.seats(circle):
        if seat.membership.user_id != membership.user_id:
            notify(
                user=seat.membership.user,
                kind="circle",
                title=format_lazy(
                    _("{name} wrote in “{circle}”"), name=membership.user.display_name, circle=circle.name
                ),
                url=_url("programs:circle", circle.pk),
                action=_("Read the thread"),
            )
    return message


@transaction.atomic
def circle_goal_add(*, acting: Actor, circle: Circle, text: str) -> CircleGoal:
    _seat(circle, acting)
    return CircleGoal.objects.create(circle=circle, text=_text(text, what="goal", high=300))


@transaction.atomic
def circle_goal_progress(*, acting: Actor, goal: CircleGoal, progress: int) -> None:
    _seat(goal.circle, acting)
    if not (0 <= progress <= 100):
        raise ValidationError(gettext("Progress is between 0 and 100 percent."))
    CircleGoal.objects.filter(pk=goal.pk).update(progress=progress)


def _lock_facilitators(circle: Circle) -> None:
    """Serialise bookings touching these facilitators (their availability rows; SQLite takes its write lock)."""
    from mentormemed.scheduling.models import Availability

    ids = [m.pk for m in group_selectors.facilitator_profiles(circle)]
    Availability.objects.filter(mentor_id__in=ids).update(updated_at=timezone.now())


def _check_offered(circle: Circle, starts_at: dt.datetime, length: int, now: dt.datetime) -> None:
    offered = group_selectors.circle_slots(circle=circle, length=length, now=now)
    if not any(s.starts_at == starts_at for s in offered):
        raise ValidationError(gettext("That time is not free for every facilitator any more. Please choose another."))


def _send_group_invites(
    meeting: CircleMeeting, *, method: str, change: str, by: User, recipients: Iterable[CircleMember] | None = None
) -> None:
    """ONE calendar object (one UID, every member an ATTENDEE) mailed to each member in their own zone.

    ``recipients`` (seats) narrows who is mailed: a member who just joined gets the invite, one who
    just left gets a CANCEL naming only them (RFC 5546: the organizer uninvites an attendee).
    """
    people = group_selectors.seats(meeting.circle)
    if change == "left":  # the organizer and the one attendee being uninvited
        assert recipients is not None  # the seats that left
        people = [s for s in people if s.role == CircleRole.FACILITATOR] + list(recipients)
    texts: dict[str, str] = {}  # the one calendar object, worded once per language
    url = f"{_absolute(_url('programs:circle', meeting.circle_id))}"
    for seat in recipients if recipients is not None else people:
        user = seat.membership.user
        language = _language(user)
        if language not in texts:
            with translation.override(language):
                texts[language] = group_ics.invite_ics(meeting, seats=people, method=method)
        text = texts[language]
        queue_email(
            to=[user.email],
            template_prefix="programs/email/circle_invite",
            context={
                "name": user.display_name,
                "meeting": meeting,
                "circle": meeting.circle,
                "change": change,
                "by": by.display_name,
                "zone": user.time_zone,
                "url": url,
                "count": len(people),
            },
            attachments=[{"filename": "invite.ics", "content": text, "mimetype": "application/ics"}],
            calendar={"method": method, "ics": text},
        )


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _language(user: User) -> str:
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


def _mail_invite(
    user: User,
    *,
    ics: str,
    method: str,
    subject: Text,
    headline: Text,
    starts_at: dt.datetime,
    url: str,
    **context: object,
) -> None:
    """One e-mail with its calendar invite (attachment and ``text/calendar`` part), in the reader's zone.

    ``subject``, ``headline`` and ``lines`` may be lazy: the e-mail is written in the reader's language."""
    queue_email(
        to=[user.email],
        template_prefix="programs/email/group_invite",
        context={
            "name": user.display_name,
            "zone": user.time_zone,
            "subject": subject,
            "headline": headline,
            "starts_at": starts_at,
            "url": _absolute(url),
            "action": OPEN,
            "lines": [],
            **context,
        },
        attachments=[{"filename": "invite.ics", "content": ics, "mimetype": "application/ics"}],
        calendar={"method": method, "ics": ics},
    )


@transaction.atomic
def circle_meeting_book(
    *,
    acting: Actor,
    circle: Circle,
    starts_at: dt.datetime,
    length: int,
    agenda: str = "",
    now: dt.datetime | None = None,
) -> CircleMeeting:
    """A facilitator books a group meeting in a time every facilitator is free; one invite to all."""
    by = _facilitator(circle, acting).user
    if length not in GROUP_LENGTHS:
        raise ValidationError(gettext("Choose a meeting length from the list."))
    now = now or timezone.now()
    _lock_facilitators(circle)
    _check_offered(circle, starts_at, length, now)
    meeting = CircleMeeting.objects.create(
        circle=circle,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=length),
        agenda=(agenda or "").strip()[:2000],
        video_url=_video_room(),
        booked_by=by,
    )
    _send_group_invites(meeting, method="REQUEST", change="booked", by=by)
    return meeting


@transaction.atomic
def circle_meeting_move(
    *, acting: Actor, meeting: CircleMeeting, starts_at: dt.datetime, now: dt.datetime | None = None
) -> CircleMeeting:
    by = _facilitator(meeting.circle, acting).user
    if meeting.status != GroupMeetingStatus.SCHEDULED:
        raise ValidationError(gettext("Only a scheduled meeting can be moved."))
    now = now or timezone.now()
    _lock_facilitators(meeting.circle)
    length = meeting.minutes
    CircleMeeting.objects.filter(pk=meeting.pk).update(status=GroupMeetingStatus.CANCELLED)  # its own time is free
    try:
        _check_offered(meeting.circle, starts_at, length, now)
    finally:
        CircleMeeting.objects.filter(pk=meeting.pk).update(status=GroupMeetingStatus.SCHEDULED)
    meeting.starts_at, meeting.ends_at = starts_at, starts_at + dt.timedelta(minutes=length)
    meeting.sequence += 1
    meeting.updated_at = now
    meeting.save(update_fields=["starts_at", "ends_at", "sequence", "updated_at"])
    _send_group_invites(meeting, method="REQUEST", change="moved", by=by)
    return meeting


@transaction.atomic
def circle_meeting_cancel(*, acting: Actor, meeting: CircleMeeting) -> CircleMeeting:
    by = _facilitator(meeting.circle, acting).user
    if not CircleMeeting.objects.filter(pk=meeting.pk, status=GroupMeetingStatus.SCHEDULED).update(
        status=GroupMeetingStatus.CANCELLED, sequence=meeting.sequence + 1, updated_at=timezone.now()
    ):
        raise ValidationError(gettext("This meeting is no longer scheduled."))
    meeting.refresh_from_db()
    _send_group_invites(meeting, method="CANCEL", change="cancelled", by=by)
    return meeting


@transaction.atomic
def circle_meeting_held(*, acting: Actor, meeting: CircleMeeting, now: dt.datetime | None = None) -> None:
    _facilitator(meeting.circle, acting)
    now = now or timezone.now()
    if meeting.starts_at > now:
        raise ValidationError(gettext("A meeting can be marked held once it has started."))
    if not CircleMeeting.objects.filter(pk=meeting.pk, status=GroupMeetingStatus.SCHEDULED).update(
        status=GroupMeetingStatus.HELD, held_at=now
    ):
        raise ValidationError(gettext("This meeting is not scheduled."))


# ----------------------------------------------------------------- one-off sessions


def _refuse_overlap(membership: Membership, starts_at: dt.datetime, minutes: int) -> None:
    """No session over another commitment of this member (a one-to-one meeting, a circle, an event)."""
    ends_at = starts_at + dt.timedelta(minutes=minutes)
    if member_busy(membership=membership, start=starts_at, end=ends_at):
        raise ValidationError(
            gettext("You have another meeting at that time (a mentorship, circle, session or event).")
        )


@transaction.atomic
def office_hours_offer(
    *,
    acting: Actor,
    title: str,
    starts_at: dt.datetime,
    minutes: int,
    seats: int,
    now: dt.datetime | None = None,
) -> OfficeHours:
    """A mentor offers a bounded one-off session (outside the cap, inside the record)."""
    mentor = _mentor_acting(
        acting,
        gettext("Only a mentor can offer a session."),
        no_profile=gettext("Complete your mentor profile before offering sessions."),
    )
    now = now or timezone.now()
    if starts_at <= now + dt.timedelta(hours=1):
        raise ValidationError(gettext("Offer a session at least an hour from now."))
    if not (10 <= minutes <= 120):
        raise ValidationError(gettext("A session lasts 10 to 120 minutes."))
    if not (1 <= seats <= 30):
        raise ValidationError(gettext("A session has 1 to 30 seats."))
    _refuse_overlap(mentor.membership, starts_at, minutes)
    return OfficeHours.objects.create(
        mentor=mentor,
        title=_text(title, what="session's title", high=150),
        starts_at=starts_at,
        minutes=minutes,
        seats=seats,
        video_url=_video_room(),
    )


@transaction.atomic
def session_book(*, acting: Actor, session: OfficeHours, now: dt.datetime | None = None) -> SessionBooking:
    """A mentee takes a seat; seats are counted under a lock on the session row."""
    mentee = _taking_part(acting, gettext("This session is not open to you."), role="mentee")
    now = now or timezone.now()
    session = OfficeHours.objects.select_for_update().get(pk=session.pk)
    OfficeHours.objects.filter(pk=session.pk).update(title=session.title)  # SQLite: take the write lock
    if session.cancelled_at or session.starts_at <= now:
        raise ValidationError(gettext("This session is no longer open for booking."))
    if not searchable_mentors(viewer=mentee).filter(pk=session.mentor_id).exists():
        raise ValidationError(gettext("This session is not open to you."))
    if SessionBooking.objects.filter(session=session, mentee=mentee, cancelled_at__isnull=True).exists():
        raise ValidationError(gettext("You already have a seat in this session."))
    if SessionBooking.objects.filter(session=session, cancelled_at__isnull=True).count() >= session.seats:
        raise ValidationError(gettext("Every seat of this session is taken."))
    _refuse_overlap(mentee, session.starts_at, session.minutes)
    booking = SessionBooking.objects.create(session=session, mentee=mentee)
    notify(
        user=session.mentor.membership.user,
        kind="session",
        title=format_lazy(_("{name} booked “{session}”"), name=mentee.user.display_name, session=session.title),
        url=_url("programs:sessions"),
        email=False,  # the updated invite e-mail carries it
    )
    _send_session_invites(session, mentee=mentee, booking=booking, method="REQUEST")
    return booking


@transaction.atomic
def session_cancel_booking(*, acting: Actor, session: OfficeHours) -> None:
    mentee = _taking_part(acting, gettext("You have no seat in this session."), role="mentee")
    booking = SessionBooking.objects.filter(session=session, mentee=mentee, cancelled_at__isnull=True).first()
    if booking is None or not SessionBooking.objects.filter(pk=booking.pk, cancelled_at__isnull=True).update(
        cancelled_at=timezone.now()
    ):
        raise ValidationError(gettext("You have no seat in this session."))
    _send_session_invites(session, mentee=mentee, booking=booking, method="CANCEL")


class _SessionWhen(TypedDict):
    starts_at: dt.datetime
    minutes: int
    url: str


def _send_session_invites(session: OfficeHours, *, mentee: Membership, booking: SessionBooking, method: str) -> None:
    """The mentee's invite for their seat (REQUEST, or CANCEL when they give it up) and the mentor's
    updated invite for the session with the seats now taken."""
    session = OfficeHours.objects.select_related("mentor__membership__user").get(pk=session.pk)
    mentor_user = session.mentor.membership.user
    taken = [b.mentee.user for b in session.bookings.filter(cancelled_at__isnull=True).select_related("mentee__user")]
    changes = session.bookings.count() + session.bookings.filter(cancelled_at__isnull=False).count()
    common: _SessionWhen = {
        "starts_at": session.starts_at,
        "minutes": session.minutes,
        "url": _url("programs:sessions"),
    }
    with translation.override(_language(mentee.user)):
        seat = group_ics.session_seat_ics(session, mentee_user=mentee.user, booking_id=booking.pk, method=method)
    with translation.override(_language(mentor_user)):
        host = group_ics.session_host_ics(session, mentee_users=taken, sequence=changes)
    booked = method == "REQUEST"
    names = {"title": session.title, "name": mentor_user.display_name}
    _mail_invite(
        mentee.user,
        ics=seat,
        method=method,
        subject=format_lazy(_("Booked: {title}") if booked else _("Seat released: {title}"), **names),
        headline=format_lazy(
            _("Your seat is booked in “{title}” with {name} on")
            if booked
            else _("You gave up your seat in “{title}” with {name} on"),
            **names,
        ),
        video_url=session.video_url if booked else "",
        **common,
    )
    names["name"] = mentee.user.display_name
    _mail_invite(
        mentor_user,
        ics=host,
        method="REQUEST",
        subject=format_lazy(
            _("{name} booked a seat in “{title}”") if booked else _("{name} gave up their seat in “{title}”"), **names
        ),
        headline=format_lazy(
            _("{name} booked a seat in your session “{title}” on")
            if booked
            else _("{name} gave up their seat in your session “{title}” on"),
            **names,
        ),
        lines=[
            format_lazy(
                ngettext_lazy("{taken} of {seats} seat taken.", "{taken} of {seats} seats taken.", session.seats),
                taken=len(taken),
                seats=session.seats,
            )
        ],
        video_url=session.video_url,
        **common,
    )


# --------------------------------------------------------------------------- events


@transaction.atomic
def event_create(
    *,
    acting: Actor,
    name: str,
    starts_at: dt.datetime,
    round_minutes: int = 10,
    break_minutes: int = 2,
    place: str = "",
    mentors: Sequence[Membership] = (),
    mentees: Sequence[Membership] = (),
) -> SpeedEvent:
    _admin(acting)
    if not (3 <= round_minutes <= 60) or not (0 <= break_minutes <= 30):
        raise ValidationError(gettext("Rounds last 3 to 60 minutes with a break of at most 30 minutes."))
    assert acting.institution_id is not None  # an admin's (_admin)
    event = SpeedEvent.objects.create(
        institution_id=acting.institution_id,
        name=_text(name, what="event's name", high=150),
        starts_at=starts_at,
        round_minutes=round_minutes,
        break_minutes=break_minutes,
        place=(place or "").strip()[:300],
        created_by=acting.person,
    )
    event_add_participants(acting=acting, event=event, memberships=[*mentors, *mentees])
    audit(acting=acting, actor_role="admin", action="event.create", obj=event, institution=event.institution)
    return event


@transaction.atomic
def event_add_participants(*, acting: Actor, event: SpeedEvent, memberships: list[Membership]) -> int:
    _admin(acting)
    if event.scheduled_at:
        raise ValidationError(gettext("The rotation is already booked; add people before generating it."))
    added = 0
    for m in memberships:
        if m.institution_id != event.institution_id or m.role not in ("mentee", "mentor") or not m.is_active:
            raise ValidationError(gettext("Participants are active mentees and mentors of your institution."))
        _participant, created = EventParticipant.objects.get_or_create(
            event=event, membership=m, defaults={"role": m.role}
        )
        added += created
    return added


@transaction.atomic
def event_schedule(*, acting: Actor, event: SpeedEvent, now: dt.datetime | None = None) -> int:
    """Generate and book the rotation: each mentee meets each mentor once, no one double-booked
    (``rotation``; the database holds the same three rules as unique constraints)."""
    _admin(acting)
    now = now or timezone.now()
    event = SpeedEvent.objects.select_for_update().get(pk=event.pk)
    if event.starts_at <= now:
        raise ValidationError(gettext("The event has started; its rotation can no longer change."))
    mentors = group_selectors.participants(event, "mentor")
    mentees = group_selectors.participants(event, "mentee")
    if not mentors or not mentees:
        raise ValidationError(gettext("Add at least one mentor and one mentee before generating the rotation."))
    event.slots.all().delete()
    step = dt.timedelta(minutes=event.round_minutes + event.break_minutes)
    length = dt.timedelta(minutes=event.round_minutes)
    EventSlot.objects.bulk_create(
        [
            EventSlot(
                event=event,
                round_no=s.round_no,
                table=s.table,
                mentor=mentors[s.mentor].membership,
                mentee=mentees[s.mentee].membership,
                starts_at=event.starts_at + (s.round_no - 1) * step,
                ends_at=event.starts_at + (s.round_no - 1) * step + length,
            )
            for s in rotation(len(mentors), len(mentees))
        ]
    )
    if event.scheduled_at is not None:  # a schedule was sent before: the invites are updates
        event.sequence += 1
    event.scheduled_at = now
    event.save(update_fields=["scheduled_at", "sequence"])
    for p in [*mentors, *mentees]:
        notify(
            user=p.membership.user,
            kind="event",
            title=format_lazy(_("Your schedule for “{event}”"), event=event.name),
            body=format_lazy(
                _("Starts {day} at {time}."),
                day=day(event.starts_at, "MONTH_DAY_FORMAT", zone_or_utc(p.membership.user.time_zone)),
                time=day(event.starts_at, "TIME_FORMAT", zone_or_utc(p.membership.user.time_zone)),
            ),
            url=_url("programs:event", event.pk),
            action=_("See your rounds"),
            email=False,  # the invite e-mail below carries it
        )
    organizer = acting.person
    assert organizer is not None  # an admin, signed in
    _send_event_invites(event, organizer=organizer)
    audit(
        acting=acting,
        actor_role="admin",
        action="event.schedule",
        obj=event,
        institution=event.institution,
        detail={"slots": event.slots.count()},
    )
    return event.slots.count()


def _send_event_invites(event: SpeedEvent, *, organizer: User) -> None:
    """Each participant: one invite for the event's span with their own rounds (table, partner, time)."""
    slots = list(group_selectors.schedule_of(event=event))
    ends_at = max(s.ends_at for s in slots)
    for p in group_selectors.participants(event, "mentor") + group_selectors.participants(event, "mentee"):
        user = p.membership.user
        zone = zone_or_utc(user.time_zone)
        mine = [s for s in slots if p.membership_id in (s.mentor_id, s.mentee_id)]
        rounds = [
            format_lazy(
                _("Round {round}, {time}, table {table}: {name}"),
                round=s.round_no,
                time=day(s.starts_at, "TIME_FORMAT", zone),
                table=s.table,
                name=(s.mentee if p.role == "mentor" else s.mentor).user.display_name,
            )
            for s in mine
        ]
        with translation.override(_language(user)):
            ics = group_ics.event_ics(event, user=user, rounds=rounds, ends_at=ends_at, organizer=organizer)
        _mail_invite(
            user,
            ics=ics,
            method="REQUEST",
            subject=format_lazy(
                _("Updated schedule: {event}") if event.sequence else _("Your schedule: {event}"), event=event.name
            ),
            headline=format_lazy(
                ngettext_lazy(
                    "Your {n} short meeting at “{event}” starts",
                    "Your {n} short meetings at “{event}” start",
                    len(mine),
                ),
                n=len(mine),
                event=event.name,
            ),
            starts_at=event.starts_at,
            lines=[*rounds, *([format_lazy(_("Place: {place}"), place=event.place)] if event.place else [])],
            url=_url("programs:event", event.pk),
        )


# ------------------------------------------------------------------ ask the network


@transaction.atomic
def question_ask(
    *, acting: Actor, title: str, body: str, areas: Iterable[ContentArea], share_with_institution: bool = False
) -> Question:
    """A mentee asks the mentors who offer these areas and whom they could find (R9)."""
    refusal = gettext("Only an active mentee can ask the network.")
    mentee = _taking_part(acting, refusal, role="mentee")
    if not mentee.is_active:
        raise ValidationError(refusal)
    areas = list(areas)
    if not areas:
        raise ValidationError(gettext("Choose at least one area the question is about."))
    question = Question.objects.create(
        asker=mentee,
        institution_id=mentee.institution_id,
        title=_text(title, what="question", low=10, high=200),
        body=_text(body, what="details", low=20),
        share_with_institution=share_with_institution,
    )
    question.areas.set(areas)
    keys = [f"area:{a.key}" for a in areas]
    reach = (
        searchable_mentors(viewer=mentee)
        .filter(pk__in=MentorFacet.objects.filter(key__in=keys).values("mentor_id"))
        .select_related("membership__user")
        .order_by("median_response_hours", "pk")[:QUESTION_NOTIFY_LIMIT]
    )
    for mentor in reach:
        notify(
            user=mentor.membership.user,
            kind="question",
            title=format_lazy(_("A question about {areas}"), areas=", ".join(a.name for a in areas)),
            body=question.title,
            url=_url("programs:question", question.pk),
            action=_("Answer it"),
        )
    return question


@transaction.atomic
def question_answer(*, acting: Actor, question: Question, body: str) -> NetworkAnswer:
    mentor = _mentor_acting(acting, gettext("Only a mentor can answer a question from the network."))
    keys = [f"area:{a.key}" for a in question.areas.all()]
    reached = searchable_mentors(viewer=question.asker).filter(pk=mentor.pk, facets__key__in=keys).exists()
    if not reached:
        raise ValidationError(
            gettext("This question is about areas you do not offer, or comes from outside your reach.")
        )
    if NetworkAnswer.objects.filter(question=question, mentor=mentor).exists():
        raise ValidationError(gettext("You have already answered this question."))
    answer = NetworkAnswer.objects.create(question=question, mentor=mentor, body=_text(body, what="answer", low=20))
    notify(
        user=question.asker.user,
        kind="question",
        title=format_lazy(_("{name} answered your question"), name=mentor.membership.user.display_name),
        body=question.title,
        url=_url("programs:question", question.pk),
        action=_("Read the answer"),
    )
    return answer
