"""Demo: requests and mentorships in every state, built after profiles and training.

The pilot made 15 relationships; the demo has about that many active, plus ended
ones with reasons, pending/declined/expired/withdrawn requests, a mentor suspended
for missed responses, and compacts, goals and messages. The featured mentee has 2
active mentors and 1 request waiting; the featured mentor has 2 active mentees
(one is the featured mentee) and 1 request in the inbox. Timestamps are backdated,
so rows are written directly (the services' rules hold by construction) and the
derived numbers (counts, responsiveness) are computed by the services' helpers.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from mentormemed.core.conf import product
from mentormemed.core.demo import DemoContext
from mentormemed.core.onboarding import missing_steps
from mentormemed.mentorships import demo_content, services
from mentormemed.mentorships.models import (
    CheckIn,
    Compact,
    EndReason,
    Goal,
    MentorshipRequest,
    Message,
    MissedResponse,
    Relationship,
    RequestState,
    Stage,
)
from mentormemed.mentorships.sweep import notify_checkin
from mentormemed.notifications.services import notify
from mentormemed.profiles.models import ContentArea, MenteeProfile, MentorProfile

HOME_STATES = ["IL", "CA", "TX", "NY", "GA", "OH", "CO", "NM", "AZ", "FL", "MI", "HI"]
FEATURED_NEEDS = ["residency_applications", "research", "first_gen_navigation", "mental_health_wellness"]
REQUEST_LINES = [
    "I'm a first-generation student and nobody in my family has been through residency applications. "
    "Your profile says you mentor on exactly that — could we talk?",
    "I read about your research and would love guidance on finding a project and presenting it.",
    "I'm trying to decide on a specialty and would value someone who has walked a similar path.",
    "I'm struggling to balance clinical rotations, family responsibilities and Step preparation.",
    "Could you help me prepare for interviews? I want to tell my story with confidence.",
]


# How long a mentorship that ended for each reason ran: "not a fit" shows early, goals take time.
ENDED_LENGTH_DAYS = {EndReason.NOT_A_FIT: (28, 75), EndReason.GOALS_MET: (150, 320)}
DECLINE_REPLIES = [
    "I'm at my limit this term — please try again in a few months.",
    "Your question is outside what I can help with; a mentor in your specialty of interest would serve you better.",
    "I'm away on leave until the spring, so I can't give you the time you deserve.",
    "I have just taken on a new mentee and want to do right by them first.",
]


def build(ctx: DemoContext) -> None:
    demo_content.start()
    now = timezone.now()
    # R7: only mentors the request gate lets accept are asked or matched in the demo.
    mentors = [m for m in _mentor_profiles(ctx) if not missing_steps(m.membership)]
    mentees = [m for m in _mentee_profiles(ctx) if not missing_steps(m)]  # R6/R7 hold for mentees too
    featured_mentor = MentorProfile.objects.get(membership=ctx.featured["mentor"])
    featured_mentee = ctx.featured["mentee"]
    others = [
        m
        for m in mentors
        if m.pk != featured_mentor.pk and m.membership.institution_id == featured_mentee.institution_id
    ]
    b = _Builder(ctx, now)

    # The featured mentee: 2 active mentors, 1 request waiting, an expired and a declined one earlier.
    second_mentor = _mentor_offering(others, "research", ctx)
    others.remove(second_mentor)
    b.relationship(featured_mentee, featured_mentor, days_ago=120, areas=["residency_applications"], rich=True)
    b.relationship(featured_mentee, second_mentor, days_ago=36, areas=["research"], rich=True, checkin=True)
    waiting_for = _mentor_offering(others, "mental_health_wellness", ctx)
    others.remove(waiting_for)
    b.request(featured_mentee, waiting_for, days_ago=2, areas=["mental_health_wellness"])
    b.request(featured_mentee, others.pop(0), days_ago=60, areas=["first_gen_navigation"], state=RequestState.EXPIRED)
    b.request(
        featured_mentee,
        others.pop(0),
        days_ago=90,
        areas=["research"],
        state=RequestState.DECLINED,
        reply="I'm on sabbatical this term — please ask again in the spring!",
    )

    # The featured mentor: a second active mentee and 1 request in the inbox.
    pool = [m for m in mentees if m.pk != featured_mentee.pk and m.institution_id == featured_mentee.institution_id]
    ctx.rng.shuffle(pool)
    b.relationship(pool.pop(), featured_mentor, days_ago=200, areas=["research"], rich=True, stage=Stage.CULTIVATION)
    b.request(pool.pop(), featured_mentor, days_ago=1, areas=["residency_applications"])
    b.request(
        pool.pop(),
        featured_mentor,
        days_ago=150,
        areas=["research"],
        state=RequestState.DECLINED,
        reply="I'm at my limit this year, but Dr. Chen is wonderful for research.",
    )

    # The wider network: ~12 more active relationships, ended ones, and every request state.
    everyone = [m for m in mentees if m.pk != featured_mentee.pk]
    ctx.rng.shuffle(everyone)
    candidates = [m for m in mentors if m.pk not in (featured_mentor.pk, second_mentor.pk, waiting_for.pk)]
    for i, mentee in enumerate(everyone[:22]):
        mentor = _visible_mentor(candidates, mentee, ctx)
        if mentor is None or mentor.active_mentee_count >= mentor.capacity - 1:
            continue
        if i < 12:
            b.relationship(
                mentee,
                mentor,
                days_ago=ctx.rng.randint(20, 400),
                areas=None,
                stage=ctx.rng.choice([Stage.INITIATION, Stage.CULTIVATION]),
                rich=i < 4,
            )
        elif i < 17:
            reason = [EndReason.GOALS_MET, EndReason.TIME, EndReason.NOT_A_FIT, EndReason.MOVED_ON, EndReason.OTHER][
                i - 12
            ]
            b.relationship(mentee, mentor, days_ago=ctx.rng.randint(200, 500), areas=None, ended_reason=reason)
        else:
            state = [
                RequestState.PENDING,
                RequestState.DECLINED,
                RequestState.WITHDRAWN,
                RequestState.EXPIRED,
                RequestState.PENDING,
            ][i - 17]
            b.request(
                mentee,
                mentor,
                days_ago=ctx.rng.randint(1, 5) if state == RequestState.PENDING else ctx.rng.randint(20, 150),
                areas=None,
                state=state,
            )

    # A mentor suspended for 3 missed responses (R13), waiting for the admin to reinstate.
    suspended = candidates[-1]
    for k, mentee in enumerate(everyone[-3:]):
        b.request(mentee, suspended, days_ago=40 + 10 * k, areas=None, state=RequestState.EXPIRED)
    services.maybe_suspend(mentor=suspended, now=now)
    ctx.sign_ins.append(("suspended mentor", suspended.membership.user.email, "paused for missed responses"))
    _answer_history(b, [m for m in candidates if m.pk != suspended.pk], everyone)

    refresh_derived(now=now)


def refresh_derived(*, now: dt.datetime) -> None:
    """Every figure is computed from the requests written so far (profiles.responsiveness): a mentor
    with fewer than three decided requests is honestly shown as new. Later demo steps that write
    requests (outcomes' history) call it again."""
    for profile in MentorProfile.objects.all():
        services.refresh_responsiveness(mentor=profile, now=now)
        MentorProfile.objects.filter(pk=profile.pk).update(
            active_mentee_count=Relationship.objects.filter(mentor=profile, ended_at__isnull=True).count()
        )
    _checkin_notifications()


def _checkin_notifications() -> None:
    """Check-ins the demo marks as sent reach both sides as the sweep would send them (R29)."""
    due = Relationship.objects.filter(ended_at__isnull=True, checkin_sent_at__isnull=False, mentee_checkin="")
    for relationship in due.select_related("mentee__user", "mentor__membership__user"):
        notify_checkin(relationship)


def _answer_history(b: _Builder, mentors: list[MentorProfile], mentees: list) -> None:
    """Most mentors answered (declined, kindly) a few requests in the last months: what their
    responsiveness rests on. A quarter have too few yet and show as new mentors."""
    rng = b.ctx.rng
    for mentor in mentors:
        if rng.random() < 0.25:
            continue
        asked = set(MentorshipRequest.objects.filter(mentor=mentor).values_list("mentee_id", flat=True))
        home = mentor.membership.institution_id
        visible = [m for m in mentees if m.pk not in asked and (mentor.scope == "national" or m.institution_id == home)]
        for mentee in rng.sample(visible, k=min(len(visible), rng.randint(3, 5))):
            b.request(
                mentee,
                mentor,
                days_ago=rng.randint(20, 170),
                areas=None,
                state=RequestState.DECLINED,
                reply=rng.choice(DECLINE_REPLIES),
            )


class _Builder:
    def __init__(self, ctx, now):
        self.ctx = ctx
        self.now = now

    def _areas(self, mentee, mentor, keys):
        if keys:
            return list(ContentArea.objects.filter(key__in=keys))
        needs = [n.content_area for n in MenteeProfile.objects.get(membership=mentee).needs.all()]
        offered = set(mentor.content_areas.values_list("pk", flat=True))
        return [a for a in needs if a.pk in offered][:2] or needs[:1]

    def request(self, mentee, mentor, *, days_ago, areas, state=RequestState.PENDING, reply=""):
        created = self.now - dt.timedelta(days=days_ago, hours=self.ctx.rng.randint(0, 20))
        deadline = created + dt.timedelta(days=7)
        responded = None
        if state in (RequestState.ACCEPTED, RequestState.DECLINED):
            responded = created + dt.timedelta(hours=self.ctx.rng.choice([3, 9, 20, 30, 52, 70]))
        request = MentorshipRequest.objects.create(
            mentee=mentee,
            mentor=mentor,
            message=self.ctx.rng.choice(REQUEST_LINES),
            state=state,
            created_at=created,
            deadline=deadline,
            responded_at=responded,
            response_message=reply,
            reminders_sent=2
            if state == RequestState.EXPIRED
            else (1 if deadline - self.now < dt.timedelta(days=3) else 0),
        )
        request.areas.set(self._areas(mentee, mentor, areas))
        if state == RequestState.EXPIRED:
            MissedResponse.objects.create(mentor=mentor, request=request, occurred_at=deadline)
        if state == RequestState.PENDING:
            notify(
                user=mentor.membership.user,
                kind="request_received",
                email=False,
                title=format_lazy(_("{name} asks you to be their mentor"), name=mentee.user.display_name),
                url=f"/mentorships/inbox/{request.pk}/",
            )
        return request

    def relationship(
        self, mentee, mentor, *, days_ago, areas, rich=False, checkin=False, stage=Stage.INITIATION, ended_reason=None
    ):
        request = self.request(
            mentee,
            mentor,
            days_ago=days_ago + 2,
            areas=areas,
            state=RequestState.ACCEPTED,
            reply="Welcome — I'm glad you reached out.",
        )
        started = request.responded_at
        ended = None
        if ended_reason:
            low, high = ENDED_LENGTH_DAYS.get(ended_reason, (60, 180))
            ended = started + dt.timedelta(days=self.ctx.rng.randint(low, high))
            ended = min(ended, self.now - dt.timedelta(days=self.ctx.rng.randint(3, 20)))
            stage = Stage.SEPARATION
        rel = Relationship.objects.create(
            mentee=mentee,
            mentor=mentor,
            request=request,
            started_at=started,
            stage=stage,
            ended_at=ended,
            ended_by=mentee.user if ended else None,
            end_reason=ended_reason or "",
            end_note="Thank you for everything." if ended_reason == EndReason.GOALS_MET else "",
            is_sponsor=rich and stage == Stage.CULTIVATION,
            # Pairs past five weeks had their check-in; the featured 5-week one has it waiting for an answer.
            **(
                {"checkin_sent_at": started + dt.timedelta(days=35)}
                if checkin
                else checkin_history(
                    self.ctx.rng, started=started, ended=ended, reason=ended_reason or "", now=self.now
                )
            ),
        )
        MentorProfile.objects.filter(pk=mentor.pk).update(
            active_mentee_count=Relationship.objects.filter(mentor=mentor, ended_at__isnull=True).count()
        )
        mentor.refresh_from_db()
        add_story(self.ctx.rng, rel, now=self.now, rich=rich, confirmed=not checkin)
        return rel


def checkin_history(rng, *, started: dt.datetime, ended: dt.datetime | None, reason: str, now: dt.datetime) -> dict:
    """The five-week check-in of a demo relationship, as the sweep would have asked it and people answered:
    asked only of pairs that lasted that long; a running pair's mentee said "working" (a "not working"
    answer leads to ending or a re-match); an ended pair's answers mostly agree with how it ended, and
    some people never answered. Fields for ``Relationship``."""
    sent = started + dt.timedelta(days=product.checkin_after_days)
    if sent > min(ended or now, now):
        return {}
    fields: dict = {"checkin_sent_at": sent}
    for side, answers in (("mentee", 0.85), ("mentor", 0.7)):
        if ended is not None and rng.random() > answers:
            continue
        poor = ended is not None and (reason == EndReason.NOT_A_FIT and rng.random() < 0.85 or rng.random() < 0.04)
        fields[f"{side}_checkin"] = CheckIn.NOT_WORKING if poor else CheckIn.WORKING
        fields[f"{side}_checkin_at"] = min(sent + dt.timedelta(hours=rng.randint(2, 140)), ended or now, now)
    return fields


def add_story(rng, rel: Relationship, *, now: dt.datetime, rich: bool = False, confirmed: bool = True) -> None:
    """A compact, goals and a message thread composed for this pair (``demo_content``), all dated
    inside the mentorship; an ended one's thread and goals agree with its reason."""
    mentee, mentor = rel.mentee.user, rel.mentor.membership.user
    areas = list(rel.request.areas.all()) if rel.request_id else []
    started, until = rel.started_at, min(rel.ended_at or now, now)
    agreed = started + dt.timedelta(days=3)
    expectations, rhythm = demo_content.compact(rng, mentee=mentee.display_name)
    Compact.objects.update_or_create(  # a mentorship opened by the services already has an empty one
        relationship=rel,
        defaults={
            "expectations": expectations,
            "meeting_rhythm": rhythm,
            "mentee_confirmed_at": agreed if agreed < until else None,
            "mentor_confirmed_at": agreed if confirmed and agreed < until else None,
        },
    )
    for text, progress in demo_content.goals(
        rng, area_keys=[a.key for a in areas], done=rel.end_reason == EndReason.GOALS_MET
    ):
        Goal.objects.create(
            relationship=rel,
            text=text,
            progress=progress,
            created_at=agreed,
            updated_at=min(agreed + dt.timedelta(days=20), until),
        )
    messages = demo_content.thread(
        rng,
        mentee=mentee.display_name,
        mentor=mentor.last_name,
        areas=[a.name for a in areas],
        ended=rel.end_reason or "",
        length=2 if rich or rel.end_reason == EndReason.GOALS_MET else None,
    )
    span = max((until - started).total_seconds(), 3600 * len(messages))
    for k, (side, body) in enumerate(messages):
        at = started + dt.timedelta(seconds=span * (k + 0.5) / (len(messages) + 0.5))
        Message.objects.create(
            relationship=rel, sender=mentee if side == "mentee" else mentor, body=body, created_at=min(at, until)
        )


def _mentor_profiles(ctx) -> list[MentorProfile]:
    """Complete profiles for onboarded mentors that have none yet (profiles' demo may already have made them)."""
    from mentormemed.profiles.testing import complete_mentor_profile

    areas = list(ContentArea.objects.filter(active=True).values_list("key", flat=True))
    result = []
    for membership in ctx.mentors:
        profile = MentorProfile.objects.filter(membership=membership).first()
        if profile is None or not profile.is_complete:
            featured = membership == ctx.featured.get("mentor")
            chosen = FEATURED_NEEDS[:2] + ["career_advancement"] if featured else ctx.rng.sample(areas, 4)
            profile = complete_mentor_profile(
                membership,
                areas=chosen,
                scope="national" if featured or ctx.rng.random() < 0.4 else "local",
                state=ctx.rng.choice(HOME_STATES),
                country="US",
            )
        if membership.status == "active" and _has_access(membership):
            result.append(profile)
    return result


def _mentee_profiles(ctx) -> list:
    from mentormemed.profiles.testing import complete_mentee_profile

    areas = list(ContentArea.objects.filter(active=True).values_list("key", flat=True))
    result = []
    for membership in ctx.mentees:
        profile = MenteeProfile.objects.filter(membership=membership).first()
        if profile is None or not profile.needs.exists():
            featured = membership == ctx.featured.get("mentee")
            complete_mentee_profile(
                membership,
                needs=FEATURED_NEEDS if featured else ctx.rng.sample(areas, 3),
                training_level=ctx.rng.choice(["MS1", "MS2", "MS3", "MS4", "PGY1", "PGY2"]) if not featured else "MS3",
            )
        if membership.status == "active" and _has_access(membership):
            result.append(membership)
    return result


_ACCESS: dict[int, bool] = {}


def _has_access(membership) -> bool:
    from mentormemed.institutions.selectors import institution_has_access

    if membership.institution_id not in _ACCESS:
        _ACCESS[membership.institution_id] = institution_has_access(membership.institution)
    return _ACCESS[membership.institution_id]


def _mentor_offering(mentors, key, ctx) -> MentorProfile:
    offering = [m for m in mentors if m.content_areas.filter(key=key).exists() and not m.is_full]
    return ctx.rng.choice(offering) if offering else mentors[0]


def _visible_mentor(mentors, mentee, ctx):
    visible = [m for m in mentors if m.scope == "national" or m.membership.institution_id == mentee.institution_id]
    return ctx.rng.choice(visible) if visible else None
