"""Every write about availability, meetings and calendar feeds (R17).

Booking and rescheduling hold the mentor's write lock (their availability row)
for the whole check-and-insert, and on PostgreSQL the exclusion constraint of
migration 0002 refuses an overlapping meeting even if that lock were bypassed;
either way two people racing for one slot end with exactly one meeting.
Invites go out after commit, one e-mail per person with the time in their zone.
"""

from __future__ import annotations

import datetime as dt
import secrets
import zoneinfo
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mentormemed.core.access import Actor
from mentormemed.core.conf import product
from mentormemed.core.contact import contact_refused
from mentormemed.core.dates import clock_span
from mentormemed.core.timezones import is_zone, zone_or_utc
from mentormemed.core.tokens import hash_token, new_token
from mentormemed.institutions.selectors import institution_has_access
from mentormemed.mentorships.models import Relationship
from mentormemed.notifications.emails import queue_email
from mentormemed.profiles.models import MentorProfile
from mentormemed.scheduling import ics, selectors
from mentormemed.scheduling.models import (
    Availability,
    CalendarFeed,
    CancelReason,
    DateOff,
    LinkKind,
    Meeting,
    MeetingStatus,
    Window,
)

if TYPE_CHECKING:
    from mentormemed.accounts.models import User

ALLOWED_LENGTHS = (15, 20, 30, 45, 60, 90)


# ------------------------------------------------------------------------ availability


@dataclass(frozen=True)
class WindowSpec:
    weekday: int
    start: dt.time
    end: dt.time


def _validate_zone(name: str) -> None:
    if not is_zone(name):
        raise ValidationError(
            gettext("“%(name)s” is not a time zone we know. Choose one from the list.") % {"name": name}
        )


def _validate_windows(windows: list[WindowSpec]) -> None:
    by_day: dict[int, list[WindowSpec]] = {}
    for w in windows:
        if w.end <= w.start:
            raise ValidationError(
                gettext("A window on %(WEEKDAYS)s ends before it starts.") % {"WEEKDAYS": Window.WEEKDAYS[w.weekday][1]}
            )
        by_day.setdefault(w.weekday, []).append(w)
    for day, items in by_day.items():
        items.sort(key=lambda w: w.start)
        for a, b in zip(items, items[1:], strict=False):
            if b.start < a.end:
                raise ValidationError(
                    gettext("Two windows on %(day)s overlap (%(first)s and %(second)s). Merge them into one.")
                    % {
                        "day": Window.WEEKDAYS[day][1],
                        "first": clock_span(a.start, a.end),
                        "second": clock_span(b.start, b.end),
                    }
                )


def _own_mentor(acting: Actor) -> MentorProfile:
    """The acting mentor's profile, which their availability and dates off hang on."""
    mentor = selectors.mentor_profile_of(acting.own_membership("scheduling.availability"))
    if mentor is None:
        raise ValidationError(gettext("Start your mentor profile first."))
    return mentor


@transaction.atomic
def availability_save(
    *,
    acting: Actor,
    time_zone: str,
    lengths: list[int],
    buffer_minutes: int,
    notice_hours: int,
    horizon_days: int,
    link_kind: str,
    own_link: str = "",
    place: str = "",
    windows: list[WindowSpec],
) -> Availability:
    """Replace the acting mentor's booking rules and weekly windows. Existing meetings are kept as booked."""
    mentor = _own_mentor(acting)
    _validate_zone(time_zone)
    _validate_windows(windows)
    lengths = sorted({int(n) for n in lengths})
    if not lengths or any(n not in ALLOWED_LENGTHS for n in lengths):
        raise ValidationError(gettext("Choose at least one meeting length."))
    if link_kind == LinkKind.OWN and not own_link.strip():
        raise ValidationError(gettext("Add your own video link, or choose a generated video room."))
    if link_kind == LinkKind.PLACE and not place.strip():
        raise ValidationError(gettext("Say where you meet in person, or choose a video meeting."))
    if not 1 <= horizon_days <= 365:
        raise ValidationError(gettext("People can book between 1 and 365 days ahead."))
    availability, _created = Availability.objects.select_for_update().get_or_create(mentor=mentor)
    availability.time_zone = time_zone
    availability.lengths = lengths
    availability.buffer_minutes = buffer_minutes
    availability.notice_hours = notice_hours
    availability.horizon_days = horizon_days
    availability.link_kind = link_kind
    availability.own_link = own_link.strip() if link_kind == LinkKind.OWN else ""
    availability.place = place.strip() if link_kind == LinkKind.PLACE else ""
    availability.save()
    availability.windows.all().delete()
    Window.objects.bulk_create(
        Window(availability=availability, weekday=w.weekday, start=w.start, end=w.end) for w in windows
    )
    return availability


@transaction.atomic
def date_off_add(*, acting: Actor, date: dt.date, note: str = "") -> DateOff:
    return dates_off_add(acting=acting, start=date, end=date, note=note)[0]


MAX_DATES_OFF_RANGE = 120  # days: a sabbatical is set as "not accepting new mentees", not as dates off


@transaction.atomic
def dates_off_add(*, acting: Actor, start: dt.date, end: dt.date | None = None, note: str = "") -> list[DateOff]:
    """Every local date from ``start`` through ``end`` (default: just ``start``) is off for the acting mentor;
    one note for all."""
    mentor = _own_mentor(acting)
    end = end or start
    availability = Availability.objects.filter(mentor=mentor).first()
    if availability is None:
        raise ValidationError(gettext("Save your weekly availability first, then add dates off."))
    if end < start:
        raise ValidationError(gettext("The last day off is before the first; swap them."))
    if (end - start).days + 1 > MAX_DATES_OFF_RANGE:
        raise ValidationError(
            gettext(
                "Add at most %(MAX_DATES_OFF_RANGE)s days at once; for a longer break, stop accepting new "
                "mentees in your profile."
            )
            % {"MAX_DATES_OFF_RANGE": MAX_DATES_OFF_RANGE}
        )
    if start < timezone.localdate(timezone=zoneinfo.ZoneInfo(availability.time_zone)):
        raise ValidationError(gettext("That date has already passed."))
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    return [
        DateOff.objects.update_or_create(availability=availability, date=day, defaults={"note": note[:120]})[0]
        for day in days
    ]


@transaction.atomic
def date_off_remove(*, acting: Actor, date_off: DateOff, through: dt.date | None = None) -> int:
    """Remove one of the acting mentor's dates off, or the run of dates from it ``through`` a later one.
    Returns how many. Anyone else's date off is refused."""
    membership = acting.own_membership("scheduling.availability")
    if not DateOff.objects.filter(pk=date_off.pk, availability__mentor__membership=membership).exists():
        raise PermissionDenied("a date off of another mentor's availability")
    if through is None or through <= date_off.date:
        date_off.delete()
        return 1
    removed, _rows = DateOff.objects.filter(
        availability_id=date_off.availability_id, date__gte=date_off.date, date__lte=through
    ).delete()
    return removed


# ---------------------------------------------------------------------------- booking


def _lock_mentor(mentor: MentorProfile) -> Availability:
    """Take the mentor's write lock for check-and-insert.

    The UPDATE (not just SELECT … FOR UPDATE, which SQLite ignores) makes SQLite take its
    write lock at once, serialising bookings; on PostgreSQL it locks the row.
    """
    Availability.objects.filter(mentor=mentor).update(updated_at=timezone.now())
    availability = selectors.availability_of(mentor)
    if availability is None or not availability.windows.all():
        name = mentor.membership.user.display_name
        raise ValidationError(
            gettext("%(name)s has not published any times to meet yet. Send a message to agree a time.")
            % {"name": name}
        )
    return availability


def _check_pair(relationship: Relationship, user: User) -> str:
    side = relationship.side_of(user)
    if side is None:
        raise ValidationError(gettext("Only the mentee and the mentor of this mentorship can book its meetings."))
    if not relationship.is_active:
        raise ValidationError(gettext("This mentorship has ended, so no new meetings can be booked."))
    refused = contact_refused(user_id=user.pk, other_id=relationship.other_user(user).pk)
    if refused:
        raise ValidationError(refused)
    for membership in (relationship.mentee, relationship.mentor.membership):
        if not membership.is_active or not institution_has_access(membership.institution):
            raise ValidationError(
                gettext(
                    "%(display_name)s's access to MentorMeMed is paused, so meetings cannot be booked or moved "
                    "until it is restored."
                )
                % {"display_name": membership.user.display_name}
            )
    return side


def _parse_length(availability: Availability, length: int | None) -> int:
    length = int(length or availability.default_length)
    if length not in availability.lengths:
        raise ValidationError(gettext("Choose one of the meeting lengths offered."))
    return length


def _check_offered(
    *,
    relationship: Relationship,
    availability: Availability,
    starts_at: dt.datetime,
    length: int,
    now: dt.datetime,
    exclude: Meeting | None = None,
) -> None:
    """The time must be one the booking page offers right now (window, notice, horizon, buffer, free)."""
    offered = selectors.bookable_slots(
        relationship=relationship,
        availability=availability,
        length=length,
        now=now,
        start=starts_at - dt.timedelta(minutes=1),
        end=starts_at + dt.timedelta(minutes=1),
        exclude=exclude,
    )
    if not any(slot.starts_at == starts_at for slot in offered):
        raise ValidationError(gettext("That time is no longer free. Please choose another time."))


def _video_room() -> str:
    """An unguessable room name (128 random bits) on the configured video service."""
    base = product.video_room_base
    return f"{base.rstrip('/')}/MentorMeMed-{secrets.token_urlsafe(16)}"


def _apply_link(meeting: Meeting, availability: Availability) -> None:
    meeting.link_kind = availability.link_kind
    meeting.place = availability.place if availability.link_kind == LinkKind.PLACE else ""
    if availability.link_kind == LinkKind.OWN:
        meeting.video_url = availability.own_link
    elif availability.link_kind == LinkKind.GENERATED:
        meeting.video_url = meeting.video_url or _video_room()
    else:
        meeting.video_url = ""


def _save_refusing_overlap(meeting: Meeting, **save_kwargs: Any) -> None:  # Model.save's keywords
    """Save; on PostgreSQL the exclusion constraint turns a lost race into a sentence."""
    try:
        with transaction.atomic():
            meeting.save(**save_kwargs)
    except IntegrityError as exc:
        raise ValidationError(gettext("That time was just taken. Please choose another time.")) from exc


@transaction.atomic
def meeting_book(
    *,
    relationship: Relationship,
    acting: Actor,
    starts_at: dt.datetime,
    length: int | None = None,
    agenda: str = "",
    now: dt.datetime | None = None,
) -> Meeting:
    """Book a free slot inside an active relationship (mentee or mentor) and send both an invite."""
    user = acting.person
    assert user is not None  # one of the pair, signed in
    now = now or timezone.now()
    _check_pair(relationship, user)
    availability = _lock_mentor(relationship.mentor)
    length = _parse_length(availability, length)
    _check_offered(relationship=relationship, availability=availability, starts_at=starts_at, length=length, now=now)
    meeting = Meeting(
        relationship=relationship,
        mentor=relationship.mentor,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=length),
        agenda=agenda.strip(),
        booked_by=user,
        created_at=now,
        updated_at=now,
    )
    _apply_link(meeting, availability)
    _save_refusing_overlap(meeting)
    _send_invites(meeting, method="REQUEST", change="booked", by=user)
    return meeting


@transaction.atomic
def meeting_reschedule(
    *,
    meeting: Meeting,
    acting: Actor,
    starts_at: dt.datetime,
    length: int | None = None,
    now: dt.datetime | None = None,
) -> Meeting:
    """Move a scheduled meeting to another free slot; the invite is re-sent with a higher SEQUENCE."""
    user = acting.person
    assert user is not None  # one of the pair, signed in
    now = now or timezone.now()
    relationship = meeting.relationship
    _check_pair(relationship, user)
    availability = _lock_mentor(meeting.mentor)
    if length is None and meeting.minutes in availability.lengths:
        length = meeting.minutes  # keep the length unless a new one is chosen
    length = _parse_length(availability, length)
    current = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if current.status != MeetingStatus.SCHEDULED or current.starts_at <= now:
        raise ValidationError(gettext("Only a meeting that has not started yet can be moved."))
    _check_offered(
        relationship=relationship,
        availability=availability,
        starts_at=starts_at,
        length=length,
        now=now,
        exclude=meeting,
    )
    meeting.starts_at = starts_at
    meeting.ends_at = starts_at + dt.timedelta(minutes=length)
    meeting.sequence = current.sequence + 1
    meeting.updated_at = now
    meeting.reminder_sent_at = None  # the new time gets its own reminder
    _save_refusing_overlap(
        meeting, update_fields=["starts_at", "ends_at", "sequence", "updated_at", "reminder_sent_at"]
    )
    _send_invites(meeting, method="REQUEST", change="moved", by=user)
    return meeting


@transaction.atomic
def meeting_cancel(
    *, meeting: Meeting, acting: Actor, reason: str = "", code: str = "", now: dt.datetime | None = None
) -> Meeting:
    """Cancel a scheduled meeting (either side); both get METHOD:CANCEL with STATUS:CANCELLED.

    ``reason`` is what the person wrote; ``code`` (a ``CancelReason``) is a reason the product gives,
    worded in each reader's language (``Meeting.reason_text``)."""
    user = acting.person
    assert user is not None  # one of the pair, signed in
    now = now or timezone.now()
    if meeting.relationship.side_of(user) is None:
        raise ValidationError(gettext("Only the two people of this meeting can cancel it."))
    claimed = Meeting.objects.filter(pk=meeting.pk, status=MeetingStatus.SCHEDULED, starts_at__gt=now).update(
        status=MeetingStatus.CANCELLED,
        sequence=F("sequence") + 1,
        cancelled_at=now,
        cancelled_by=user,
        cancel_reason=_reason(reason, code),
        cancel_code=code,
        updated_at=now,
    )
    if not claimed:
        raise ValidationError(gettext("This meeting has already started, been held or been cancelled."))
    meeting.refresh_from_db()
    _send_invites(meeting, method="CANCEL", change="cancelled", by=user)
    return meeting


def _reason(reason: str, code: str) -> str:
    """The stored reason: the person's words, or the English wording of the product's code (for the record)."""
    if code:
        if code not in CancelReason.values:
            raise ValueError(f"Unknown cancel reason code: {code}")
        with translation.override("en"):
            return str(CancelReason(code).label)
    return reason.strip()[:300]


@transaction.atomic
def meetings_cancel_for_ended(*, relationship: Relationship, now: dt.datetime | None = None) -> int:
    """A mentorship ended: every meeting still ahead is cancelled, each with a METHOD:CANCEL
    invite to both people (so the slot leaves their calendars and no reminder goes out)."""
    now = now or timezone.now()
    by = relationship.ended_by or relationship.mentor.membership.user
    ahead = Meeting.objects.filter(relationship=relationship, status=MeetingStatus.SCHEDULED, starts_at__gt=now)
    cancelled = 0
    for meeting in ahead.select_related("relationship__mentee__user", "mentor__membership__user"):
        claimed = Meeting.objects.filter(pk=meeting.pk, status=MeetingStatus.SCHEDULED).update(
            status=MeetingStatus.CANCELLED,
            sequence=F("sequence") + 1,
            cancelled_at=now,
            cancelled_by=by,
            cancel_reason=_reason("", CancelReason.ENDED),
            cancel_code=CancelReason.ENDED,
            updated_at=now,
        )
        if claimed:
            meeting.refresh_from_db()
            _send_invites(meeting, method="CANCEL", change="cancelled", by=by)
            cancelled += 1
    return cancelled


@transaction.atomic
def meeting_mark_held(*, meeting: Meeting, acting: Actor, now: dt.datetime | None = None) -> Meeting:
    """Record that the meeting took place. The first held meeting moves the mentorship on from initiation."""
    user = acting.person
    assert user is not None  # one of the pair, signed in
    now = now or timezone.now()
    if meeting.relationship.side_of(user) is None:
        raise ValidationError(gettext("Only the two people of this meeting can mark it held."))
    claimed = Meeting.objects.filter(pk=meeting.pk, status=MeetingStatus.SCHEDULED, starts_at__lte=now).update(
        status=MeetingStatus.HELD, held_at=now, updated_at=now
    )
    if not claimed:
        raise ValidationError(gettext("Only a scheduled meeting that has started can be marked held."))
    # Issue 6: holding a meeting moves a relationship from initiation to cultivation. A conditional
    # UPDATE on the current stage (the mentorships convention) so a later stage is never moved back
    # and concurrent marks cannot race; the mentorships code itself is not touched.
    Relationship.objects.filter(pk=meeting.relationship_id, stage="initiation").update(stage="cultivation")
    meeting.refresh_from_db()
    return meeting


@transaction.atomic
def meeting_mark_missed(
    *, meeting: Meeting, acting: Actor, reason: str = "", code: str = "", now: dt.datetime | None = None
) -> Meeting:
    """Record that a started meeting did not take place (someone did not show). It leaves the live
    meetings as cancelled (by nobody), so it can no longer be marked held; no invite is re-sent."""
    user = acting.person
    assert user is not None  # one of the pair, signed in
    now = now or timezone.now()
    if meeting.relationship.side_of(user) is None:
        raise ValidationError(gettext("Only the two people of this meeting can say it did not take place."))
    claimed = Meeting.objects.filter(pk=meeting.pk, status=MeetingStatus.SCHEDULED, starts_at__lte=now).update(
        status=MeetingStatus.CANCELLED,
        cancelled_at=now,
        cancel_reason=_reason(reason, code),
        cancel_code=code,
        updated_at=now,
    )
    if not claimed:
        raise ValidationError(gettext("Only a scheduled meeting that has started can be marked as missed."))
    meeting.refresh_from_db()
    return meeting


@transaction.atomic
def meeting_notes_save(*, meeting: Meeting, acting: Actor, notes: str) -> Meeting:
    """Private notes for the pair (R30): no audit copy, never shown to admins or staff."""
    user = acting.person
    assert user is not None  # one of the pair, signed in
    if meeting.relationship.side_of(user) is None:
        raise ValidationError(gettext("Only the two people of this meeting can write its notes."))
    meeting.notes = notes.strip()[:5000]
    meeting.updated_at = timezone.now()
    meeting.save(update_fields=["notes", "updated_at"])
    return meeting


# ------------------------------------------------------------------------------ e-mail


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _send_invites(meeting: Meeting, *, method: str, change: str, by: User) -> None:
    """One e-mail per person, the time in their own zone, with the iTIP part (RFC 6047)."""
    relationship = meeting.relationship
    people = [relationship.mentee.user, meeting.mentor.membership.user]
    url = _absolute(reverse("scheduling:meeting", args=[meeting.pk]))
    for person in people:
        other = people[1] if person == people[0] else people[0]
        with translation.override(person.language):  # the same event (one UID), worded for each
            text = ics.invite_ics(meeting, method=method)
        queue_email(
            to=[person.email],
            template_prefix="scheduling/email/invite",
            context={
                "name": person.display_name,
                "other": other.display_name,
                "by_me": person.pk == by.pk,
                "by": by.display_name,
                "change": change,
                "meeting": meeting,
                "zone": person.time_zone,
                "url": url,
            },
            attachments=[{"filename": "invite.ics", "content": text, "mimetype": "application/ics"}],
            calendar={"method": method, "ics": text},
        )


# ---------------------------------------------------------------------------- reminders


def send_reminders(*, now: dt.datetime | None = None) -> int:
    """The day-before reminder (R17): once per meeting, for meetings starting within 24 hours.

    Idempotent and safe to run concurrently or often (the sweep calls it): each meeting is claimed
    with a conditional UPDATE on ``reminder_sent_at IS NULL`` before anyone is told. A meeting moved
    later gets a fresh reminder (rescheduling clears the mark).
    """
    now = now or timezone.now()
    due = selectors._meetings().filter(
        status=MeetingStatus.SCHEDULED,
        reminder_sent_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + dt.timedelta(hours=product.meeting_reminder_hours),
    )
    sent = 0
    for meeting in due:
        with transaction.atomic():
            if not Meeting.objects.filter(pk=meeting.pk, reminder_sent_at__isnull=True).update(reminder_sent_at=now):
                continue
            _remind(meeting)
            sent += 1
    return sent


def _remind(meeting: Meeting) -> None:
    from mentormemed.notifications.services import day, notify

    people = [meeting.relationship.mentee.user, meeting.mentor.membership.user]
    for person in people:
        other = people[1] if person == people[0] else people[0]
        zone = _zone(person.time_zone)
        local = timezone.localtime(meeting.starts_at, zone)
        where = (
            format_lazy(_("Place: {place}"), place=meeting.place)
            if meeting.link_kind == LinkKind.PLACE
            else format_lazy(_("Join: {link}"), link=meeting.video_url)
        )
        notify(
            user=person,
            kind="meeting",
            title=format_lazy(_("Tomorrow: meeting with {name}"), name=other.display_name),
            body=format_lazy(
                _("{day} at {time} ({zone}). {where}"),
                day=day(meeting.starts_at, "when:weekday", zone),
                time=day(meeting.starts_at, "TIME_FORMAT", zone),  # "4:30 PM" / "16:30"
                zone=local.tzname(),
                where=where,
            ),
            url=reverse("scheduling:meeting", args=[meeting.pk]),
            action=_("See the meeting"),
        )


_zone = zone_or_utc


# -------------------------------------------------------------------------------- feeds


@transaction.atomic
def feed_create(*, acting: Actor) -> str:
    """Make a new private feed token for ``user`` (revoking any older one) and return it.

    Only its SHA-256 is stored, so this is the one moment the URL can be shown.
    """
    user = acting.person
    assert user is not None  # a signed-in person's own feed
    now = timezone.now()
    CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    token = new_token()
    CalendarFeed.objects.create(user=user, token_hash=hash_token(token), created_at=now)
    return token


@transaction.atomic
def feed_revoke(*, acting: Actor) -> bool:
    user = acting.person
    return bool(CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now()))


def feed_touch(feed: CalendarFeed) -> None:
    """Remember when a feed was last read (at most once an hour, to keep reads cheap)."""
    now = timezone.now()
    if feed.last_used_at is None or now - feed.last_used_at > dt.timedelta(hours=1):
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
