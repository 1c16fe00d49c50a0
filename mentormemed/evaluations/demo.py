"""Demo: 18 months of finished mentorships with their accepted requests and evaluations (R18, R23).

The other builders made today's state; this adds history so outcomes tell a story: about
150 ended relationships spread over the last 18 months, evaluations at six months and at
the end, scores a little higher (and mentorships a little longer) where mentee and mentor
share a racial/ethnic identity or a language — the pattern the pilot hoped to see. The
featured mentee owes an exit evaluation; the featured mentor has enough evaluations for
aggregates to show.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.utils import timezone

from mentormemed.core.clock import platform_today
from mentormemed.core.demo import DemoContext
from mentormemed.core.onboarding import missing_steps
from mentormemed.evaluations.models import Evaluation, Instrument
from mentormemed.evaluations.schedule import add_months
from mentormemed.evaluations.services import scores
from mentormemed.matching.models import MentorFacet
from mentormemed.mentorships.demo import add_story, checkin_history
from mentormemed.mentorships.models import EndReason, MentorshipRequest, Relationship, RequestState
from mentormemed.profiles.models import ContentArea, IdentityValue, MenteeProfile, MentorProfile

HISTORY_DAYS = 540


def _translate_mentor_evaluation(ctx) -> None:
    """Staff's Spanish translation of the mentor evaluation (issue 19); the surveys stay English only,
    so the Spanish-speaking mentee sees one questionnaire in Spanish and others marked as English."""
    from mentormemed.core.access import Actor
    from mentormemed.evaluations.defaults import MENTOR_EVALUATION_ES
    from mentormemed.evaluations.services import instrument_translation_save

    version = Instrument.objects.get(kind=Instrument.Kind.MENTOR_EVALUATION).current_version
    instrument_translation_save(
        acting=Actor.for_user(ctx.staff), version=version, language="es", **MENTOR_EVALUATION_ES
    )


def shared_groups(mentee_keys: set[str], mentor_keys: set[str]) -> set[str]:
    return {k.rsplit(":", 1)[0] for k in mentee_keys & mentor_keys}


def mentee_keys_by_membership(memberships) -> dict[int, set[str]]:
    keys = defaultdict(set)
    for mid, dim, key, parent in IdentityValue.objects.filter(membership__in=memberships, shared=True).values_list(
        "membership_id", "option__dimension__key", "option__key", "option__parent__key"
    ):
        keys[mid].add(f"id:{dim}:{key}")
        if parent:
            keys[mid].add(f"id:{dim}:{parent}")
    for profile in MenteeProfile.objects.filter(membership__in=memberships).prefetch_related("languages"):
        if profile.languages_shared:
            keys[profile.membership_id].update(f"lang:{lang.key}" for lang in profile.languages.all())
    return keys


def _reason_for(length: dt.timedelta, rng) -> str:
    """An end reason the mentorship's history bears out: "not a fit" shows early, goals take months."""
    if length < dt.timedelta(days=80):
        return rng.choice([EndReason.NOT_A_FIT, EndReason.TIME])
    if length >= dt.timedelta(days=150):
        return rng.choice([EndReason.GOALS_MET, EndReason.GOALS_MET, EndReason.MOVED_ON, EndReason.TIME])
    return rng.choice([EndReason.TIME, EndReason.MOVED_ON])


class _Calendar:
    """Who mentored whom when, so the demo never gives a mentor more mentees at once than their
    capacity (R12), nor a mentee two mentorships with one mentor at the same time."""

    def __init__(self, now: dt.datetime):
        self.now = now
        self.spans: dict[int, list[tuple[dt.datetime, dt.datetime, int]]] = defaultdict(list)
        for mentor_id, mentee_id, start, end in Relationship.objects.values_list(
            "mentor_id", "mentee_id", "started_at", "ended_at"
        ):
            self.spans[mentor_id].append((start, end or now + dt.timedelta(days=3650), mentee_id))

    def room(self, mentor, start, end) -> bool:
        overlapping = [s for s in self.spans[mentor.pk] if s[0] < end and start < s[1]]
        # Capacity must hold at every moment: checking at each overlapping start is enough.
        moments = [start] + [s[0] for s in overlapping if start <= s[0] < end]
        return all(sum(1 for s in overlapping if s[0] <= t < s[1]) < mentor.capacity for t in moments)

    def free_of(self, mentee, mentor, start, end) -> bool:
        return not any(m == mentee.pk and s < end and start < e for s, e, m in self.spans[mentor.pk])

    def add(self, mentor, start, end, mentee) -> None:
        self.spans[mentor.pk].append((start, end, mentee.pk))

    def lanes(self, mentor, mentees, rng):
        """Back-to-back mentorships in ``capacity`` lanes before the mentor's current ones."""
        cursors = sorted(s[0] for s in self.spans[mentor.pk])  # current mentorships' starts
        cursors = (cursors + [self.now - dt.timedelta(days=12)] * mentor.capacity)[: mentor.capacity]
        for i, mentee in enumerate(mentees):
            lane = i % len(cursors)
            end = cursors[lane] - dt.timedelta(days=rng.randint(5, 25))
            start = end - dt.timedelta(days=rng.randint(190, 210))
            cursors[lane] = start
            if self.room(mentor, start, end) and self.free_of(mentee, mentor, start, end):
                self.add(mentor, start, end, mentee)
                yield mentee, start, end


def build(ctx: DemoContext) -> None:
    _translate_mentor_evaluation(ctx)
    rng = ctx.rng
    now = timezone.now()
    mentees = [m for m in ctx.mentees if m.status == "active" and not missing_steps(m)]
    # R7: only mentors the request gate lets accept ever had a mentorship.
    mentors = [
        m
        for m in MentorProfile.objects.filter(membership__in=ctx.mentors, membership__status="active").select_related(
            "membership"
        )
        if not missing_steps(m.membership)
    ]
    if not mentees or not mentors:
        return
    mentee_keys = mentee_keys_by_membership(mentees)
    mentor_keys = defaultdict(set)
    for mid, key in MentorFacet.objects.filter(mentor__in=mentors).values_list("mentor_id", "key"):
        mentor_keys[mid].add(key)
    areas = list(ContentArea.objects.filter(active=True))
    version = Instrument.objects.get(kind=Instrument.Kind.MENTOR_EVALUATION).current_version
    featured_mentor = MentorProfile.objects.filter(membership=ctx.featured.get("mentor")).first()
    featured_mentee = ctx.featured.get("mentee")

    busy = _Calendar(now)  # R12 over time: never more mentees at once than the mentor's capacity
    plan = []  # (mentee, mentor, start, end)
    if featured_mentor is not None:  # enough evaluations that "My feedback" shows averages
        for mentee, start, end in busy.lanes(featured_mentor, rng.sample(mentees, min(14, len(mentees))), rng):
            plan.append((mentee, featured_mentor, start, end))
    for mentee in mentees:
        for _ in range(rng.choice([1, 2, 3, 3, 4])):
            start = now - dt.timedelta(days=rng.randint(60, HISTORY_DAYS))
            length = dt.timedelta(days=rng.randint(45, 420))
            end = min(start + length, now - dt.timedelta(days=rng.randint(3, 30)))
            if end <= start + dt.timedelta(days=20):
                continue
            same_place = [m for m in mentors if m.membership.institution_id == mentee.institution_id]
            pool = list(same_place if same_place and rng.random() < 0.6 else mentors)
            rng.shuffle(pool)
            for mentor in pool:
                # Pairs that share identity or language last longer (what the outcomes analysis finds).
                shared = shared_groups(mentee_keys[mentee.pk], mentor_keys[mentor.pk])
                bonus = 0.6 * any(g.startswith("id:race") for g in shared) + 0.4 * ("lang" in shared)
                extra = dt.timedelta(days=int(60 * bonus) + rng.randint(0, 40))
                longer = min(end + extra, now - dt.timedelta(days=rng.randint(2, 10)))
                if mentor.pk == getattr(featured_mentor, "pk", None) or not busy.room(mentor, start, longer):
                    continue
                if busy.free_of(mentee, mentor, start, longer):
                    busy.add(mentor, start, longer, mentee)
                    plan.append((mentee, mentor, start, longer))
                break
    if featured_mentee is not None:  # the featured mentee owes an exit evaluation
        start, end = now - dt.timedelta(days=150), now - dt.timedelta(days=12)
        other = next(
            (m for m in mentors if m.pk != getattr(featured_mentor, "pk", None) and busy.room(m, start, end)), None
        )
        if other is not None:  # every mentor may be full over those months: then there is no exit evaluation
            busy.add(other, start, end, featured_mentee)
            plan.append((featured_mentee, other, start, end))

    requests = [
        MentorshipRequest(
            mentee=mentee,
            mentor=mentor,
            message="Could we talk about my next steps?",
            state=RequestState.ACCEPTED,
            created_at=start - dt.timedelta(hours=rng.randint(6, 120)),
            deadline=start - dt.timedelta(hours=rng.randint(6, 120)) + dt.timedelta(days=7),
            responded_at=start,
        )
        for mentee, mentor, start, _ in plan
    ]
    for r in requests:  # keep the deadline after creation whatever the random draws were
        r.deadline = r.created_at + dt.timedelta(days=7)
    MentorshipRequest.objects.bulk_create(requests)
    through = MentorshipRequest.areas.through
    chosen_areas = {}
    links = []
    for r in requests:
        picked = rng.sample(areas, k=min(len(areas), rng.choice([1, 2])))
        chosen_areas[r.pk] = picked
        links += [through(mentorshiprequest_id=r.pk, contentarea_id=a.pk) for a in picked]
    through.objects.bulk_create(links)

    relationships = []
    for (mentee, mentor, start, end), request in zip(plan, requests, strict=True):
        shared = shared_groups(mentee_keys[mentee.pk], mentor_keys[mentor.pk])
        bonus = 0.6 * any(g.startswith("id:race") for g in shared) + 0.4 * ("lang" in shared)
        reason = _reason_for(end - start, rng)
        relationships.append(
            (
                Relationship(
                    mentee=mentee,
                    mentor=mentor,
                    request=request,
                    started_at=start,
                    ended_at=end,
                    ended_by=mentee.user,
                    end_reason=reason,
                    stage="separation",
                    **checkin_history(rng, started=start, ended=end, reason=reason, now=now),
                ),
                bonus,
            )
        )
    Relationship.objects.bulk_create([r for r, _ in relationships])
    for rel, _ in relationships:  # its own compact, goals and thread, agreeing with how it ended
        add_story(rng, rel, now=now)

    evaluations = []
    for rel, bonus in relationships:
        points = []
        k = 1
        while add_months(platform_today(rel.started_at), 6 * k) < platform_today(rel.ended_at):
            points.append(("periodic", k, add_months(platform_today(rel.started_at), 6 * k)))
            k += 1
        is_featured_exit = rel.mentee_id == getattr(featured_mentee, "pk", None) and rel.ended_at > now - dt.timedelta(
            days=20
        )
        if not is_featured_exit:
            points.append(("exit", 0, platform_today(rel.ended_at)))
        base = rng.gauss(4.9 + bonus, 0.7)
        for occasion, seq, due in points:
            if rng.random() > 0.85 and rel.mentor_id != getattr(featured_mentor, "pk", None):
                continue
            answers = {}
            for item in version.items:
                if item["type"] in ("scale", "overall"):
                    answers[item["key"]] = max(1, min(7, round(rng.gauss(base, 0.8))))
            competency, overall = scores(version, answers)
            submitted = dt.datetime.combine(due, dt.time(18), tzinfo=dt.UTC) + dt.timedelta(days=rng.randint(0, 20))
            evaluations.append(
                Evaluation(
                    relationship=rel,
                    mentee_id=rel.mentee_id,
                    mentor_id=rel.mentor_id,
                    occasion=occasion,
                    sequence=seq,
                    due_on=due,
                    version=version,
                    answers=answers,
                    competency_mean=competency,
                    overall=overall,
                    submitted_at=min(submitted, now),
                )
            )
    Evaluation.objects.bulk_create(evaluations, ignore_conflicts=True)
