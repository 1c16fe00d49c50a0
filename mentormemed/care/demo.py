"""Demo: relationship health and duty of care, built last (after mentorships and scheduling).

At the featured institution: its duty-of-care settings (wellness contact, crisis resources with 988),
one mentorship of the featured mentor drifting (quiet for weeks, the mentee cancelled), one at risk
(two mentee no-shows and a worried check-in), one paused by a report with a block (a case in review,
owned by staff, with history) and an urgent wellbeing concern waiting for the wellness office; the
featured mentee has a regular check-in to answer. Every other mentorship stays as the earlier demos
made it (meetings every few weeks: healthy). Rows are backdated, so they are written directly; the
signals are then computed by the same refresh the sweep runs.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

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
    NoShow,
)
from mentormemed.care.sweep import refresh_health
from mentormemed.core.demo import DemoContext
from mentormemed.mentorships import demo_content
from mentormemed.mentorships.models import Message, Relationship
from mentormemed.notifications.services import notify
from mentormemed.scheduling.models import Meeting, MeetingStatus


def build(ctx: DemoContext) -> None:
    now = timezone.now()
    mentee = ctx.featured["mentee"]
    mentor = ctx.featured["mentor"]
    institution = mentee.institution
    CarePolicy.objects.update_or_create(
        institution=institution,
        defaults={
            "wellbeing_contact_name": "Office of Student Affairs — Student Wellness",
            "wellbeing_contact_email": f"wellness@{institution.name.split()[0].lower()}.example.edu",
            "wellbeing_contact_phone": "(555) 010-0988, 24/7 on-call counsellor",
            "crisis_resources": "Emergency: call 911\n988 Suicide & Crisis Lifeline: call or text 988 (24/7)\n"
            "Crisis Text Line: text HOME to 741741\nCampus counselling (same-day): (555) 010-0200",
        },
    )
    active = list(
        Relationship.objects.filter(ended_at__isnull=True, mentee__institution=institution)
        .select_related("mentee__user", "mentor__membership__user")
        .order_by("started_at", "pk")
    )
    featured_mentor_rels = [r for r in active if r.mentor.membership_id == mentor.pk and r.mentee_id != mentee.pk]
    others = [r for r in active if r.mentor.membership_id != mentor.pk and r.mentee_id != mentee.pk]
    if featured_mentor_rels:
        _drifting(featured_mentor_rels[0], now)
    if len(others) >= 3:
        _at_risk(others[0], now)
        _paused(ctx, others[1], now)
        _concern(ctx, others[2], now)
    for rel in active:
        if rel.mentee_id == mentee.pk and (now - rel.started_at).days >= 95:
            CareCheckIn.objects.get_or_create(
                relationship=rel,
                key="periodic-1",
                defaults={"occasion": "periodic", "sent_at": now - dt.timedelta(days=2)},
            )
    refresh_health(now=now, force=True)


def _go_quiet(rel: Relationship, now: dt.datetime, *, since_days: int) -> None:
    """Nothing held or written for ``since_days``; upcoming meetings cancelled by the mentee."""
    cutoff = now - dt.timedelta(days=since_days)
    Meeting.objects.filter(relationship=rel, status=MeetingStatus.HELD, starts_at__gte=cutoff).delete()
    Message.objects.filter(relationship=rel, created_at__gte=cutoff).delete()
    for meeting in Meeting.objects.filter(relationship=rel, status=MeetingStatus.SCHEDULED):
        Meeting.objects.filter(pk=meeting.pk).update(
            status=MeetingStatus.CANCELLED,
            cancelled_at=cutoff + dt.timedelta(days=3),
            cancelled_by=rel.mentee.user,
            cancel_reason="Exams — can we find another time?",
            sequence=meeting.sequence + 1,
        )
    if not Message.objects.filter(relationship=rel).exists():
        # Everything written was in the quiet weeks: the pair's own first messages, before them.
        mentee, mentor = rel.mentee.user, rel.mentor.membership.user
        areas = [a.name for a in rel.request.areas.all()] if rel.request_id else []
        thread = demo_content.thread(
            random.Random(rel.pk), mentee=mentee.display_name, mentor=mentor.last_name, areas=areas, length=0
        )
        start = max(rel.started_at, cutoff - dt.timedelta(days=7))
        step = (max(cutoff, start + dt.timedelta(days=2)) - start) / (len(thread) + 1)
        for k, (side, body) in enumerate(thread, start=1):
            Message.objects.create(
                relationship=rel, sender=mentee if side == "mentee" else mentor, body=body, created_at=start + step * k
            )


def _drifting(rel: Relationship, now: dt.datetime) -> None:
    _go_quiet(rel, now, since_days=41)


def _at_risk(rel: Relationship, now: dt.datetime) -> None:
    _go_quiet(rel, now, since_days=68)
    for days in (60, 46):  # booked, and the mentee did not come
        starts = now - dt.timedelta(days=days)
        meeting = Meeting.objects.create(
            relationship=rel,
            mentor=rel.mentor,
            starts_at=starts,
            ends_at=starts + dt.timedelta(minutes=30),
            status=MeetingStatus.CANCELLED,
            cancelled_at=starts + dt.timedelta(minutes=20),
            cancel_reason="The mentee did not show.",
            booked_by=rel.mentee.user,
            created_at=starts - dt.timedelta(days=5),
            updated_at=starts,
            video_url="https://meet.jit.si/MentorMeMed-demo-missed",
        )
        NoShow.objects.create(
            meeting=meeting,
            relationship=rel,
            absent_side="mentee",
            absent_user=rel.mentee.user,
            marked_by=rel.mentor.membership.user,
            marked_at=starts + dt.timedelta(minutes=20),
        )
    checkin = CareCheckIn.objects.create(
        relationship=rel, occasion="periodic", key="periodic-demo", sent_at=now - dt.timedelta(days=20)
    )
    CheckInAnswer.objects.create(
        checkin=checkin, side="mentor", going="poorly", rhythm="no", answered_at=now - dt.timedelta(days=19)
    )


class _Pronouns:
    """The words a case note uses for a person, from the pronouns the demo gave them."""

    FORMS = {"she/her": ("she", "her", "is", "has"), "he/him": ("he", "his", "is", "has")}

    def __init__(self, user) -> None:
        self.they, self.their, self.are, self.have = self.FORMS.get(user.pronouns, ("they", "their", "are", "have"))
        self.They = self.they.capitalize()


def _paused(ctx: DemoContext, rel: Relationship, now: dt.datetime) -> None:
    filed = now - dt.timedelta(days=6)
    mentee, mentor = _Pronouns(rel.mentee.user), _Pronouns(rel.mentor.membership.user)
    staff = ctx.staff
    case = Case.objects.create(
        kind=CaseKind.REPORT,
        category=Category.BOUNDARY,
        description="After our last meeting my mentor kept texting my personal phone late at night and asked me "
        "to meet at a bar. I said no twice. I do not want to meet again.",
        reporter=rel.mentee.user,
        reporter_membership=rel.mentee,
        subject=rel.mentor.membership.user,
        subject_membership=rel.mentor.membership,
        relationship=rel,
        institution=rel.mentee.institution,
        other_institution=rel.mentor.membership.institution
        if rel.mentor.membership.institution_id != rel.mentee.institution_id
        else None,
        status=CaseStatus.IN_REVIEW,
        owner=staff,
        created_at=filed,
        updated_at=filed + dt.timedelta(days=1),
    )
    Block.objects.create(
        blocker=rel.mentee.user, blocked=rel.mentor.membership.user, relationship=rel, case=case, created_at=filed
    )
    Meeting.objects.filter(relationship=rel, status=MeetingStatus.SCHEDULED).update(
        status=MeetingStatus.CANCELLED, cancelled_at=filed, cancel_reason="Contact in this mentorship is paused."
    )
    for at, by, role, action, note, before, after in [
        (filed, rel.mentee.user, "mentee", "filed", "", "", "open"),
        (filed, rel.mentee.user, "reporter", "blocked", "", "", ""),
        (filed + dt.timedelta(hours=3), staff, "staff", "owner", "", "", ""),
        (
            filed + dt.timedelta(days=1),
            staff,
            "staff",
            "status",
            f"Spoke with the mentee; {mentee.they} {mentee.are} safe and supported. Interview with the mentor "
            f"booked with {mentor.their} chair.",
            "open",
            "in_review",
        ),
    ]:
        CaseEvent.objects.create(
            case=case, at=at, by=by, by_role=role, action=action, note=note, from_status=before, to_status=after
        )


def _concern(ctx: DemoContext, rel: Relationship, now: dt.datetime) -> None:
    raised = now - dt.timedelta(hours=5)
    p = _Pronouns(rel.mentee.user)
    case = Case.objects.create(
        kind=CaseKind.CONCERN,
        urgent=True,
        description=f"In today's meeting {p.they} said {p.they} {p.have} not slept properly in two weeks, "
        f"{p.are} failing {p.their} rotation and 'does not see the point any more'. {p.They} agreed I could let "
        "the school know.",
        reporter=rel.mentor.membership.user,
        reporter_membership=rel.mentor.membership,
        subject=rel.mentee.user,
        subject_membership=rel.mentee,
        relationship=rel,
        institution=rel.mentee.institution,
        mentee_told=True,
        created_at=raised,
        updated_at=raised,
    )
    CaseEvent.objects.create(
        case=case, at=raised, by=rel.mentor.membership.user, by_role="mentor", action="filed", to_status="open"
    )
    CaseEvent.objects.create(case=case, at=raised, by=None, action="told", note="The mentee was told.")
    admin = ctx.admins.get("northgate")
    if admin is not None:
        notify(
            user=admin.user,
            kind="care_case",
            email=False,
            title=format_lazy(_("URGENT: A wellbeing concern was raised ({reference})"), reference=case.reference),
            body=format_lazy("{} · {} · {}", case.reference, CaseKind.CONCERN.label, _("urgent")),
            url=f"/care/cases/{case.pk}/",
        )
