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

from mentormemed.core.demo import DemoContext
from mentormemed.evaluations.models import Evaluation, Instrument
from mentormemed.evaluations.schedule import add_months
from mentormemed.evaluations.services import scores
from mentormemed.matching.models import MentorFacet
from mentormemed.mentorships.models import Compact, EndReason, MentorshipRequest, Relationship, RequestState
from mentormemed.profiles.models import ContentArea, IdentityValue, MenteeProfile, MentorProfile

HISTORY_DAYS = 540


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


def build(ctx: DemoContext) -> None:
    rng = ctx.rng
    now = timezone.now()
    mentees = [m for m in ctx.mentees if m.status == "active"]
    mentors = list(MentorProfile.objects.filter(membership__in=ctx.mentors).select_related("membership"))
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

    plan = []  # (mentee, mentor, start, end)
    for mentee in mentees:
        for _ in range(rng.choice([1, 2, 3, 3, 4])):
            start = now - dt.timedelta(days=rng.randint(60, HISTORY_DAYS))
            length = dt.timedelta(days=rng.randint(45, 420))
            end = min(start + length, now - dt.timedelta(days=rng.randint(3, 30)))
            if end <= start + dt.timedelta(days=20):
                continue
            same_place = [m for m in mentors if m.membership.institution_id == mentee.institution_id]
            pool = same_place if same_place and rng.random() < 0.6 else mentors
            plan.append((mentee, rng.choice(pool), start, end))
    if featured_mentor is not None:  # enough evaluations that "My feedback" shows averages
        for mentee in rng.sample(mentees, min(14, len(mentees))):
            start = now - dt.timedelta(days=rng.randint(220, HISTORY_DAYS))
            plan.append((mentee, featured_mentor, start, start + dt.timedelta(days=rng.randint(190, 210))))
    if featured_mentee is not None:  # the featured mentee owes an exit evaluation
        other = next(m for m in mentors if m.pk != getattr(featured_mentor, "pk", None))
        plan.append((featured_mentee, other, now - dt.timedelta(days=150), now - dt.timedelta(days=12)))

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
        if mentee is not featured_mentee:  # the featured one ends 12 days ago with its length as planned
            extra = dt.timedelta(days=int(60 * bonus) + rng.randint(0, 40))
            end = min(end + extra, now - dt.timedelta(days=rng.randint(2, 10)))
        relationships.append(
            (
                Relationship(
                    mentee=mentee,
                    mentor=mentor,
                    request=request,
                    started_at=start,
                    ended_at=end,
                    end_reason=rng.choice(
                        [
                            EndReason.GOALS_MET,
                            EndReason.GOALS_MET,
                            EndReason.TIME,
                            EndReason.MOVED_ON,
                            EndReason.NOT_A_FIT,
                        ]
                    ),
                    stage="separation",
                ),
                bonus,
            )
        )
    Relationship.objects.bulk_create([r for r, _ in relationships])
    Compact.objects.bulk_create(
        [
            Compact(
                relationship=rel,
                expectations="We keep what we share confidential and answer messages within a week.",
                meeting_rhythm="Every month, by video",
                mentee_confirmed_at=rel.started_at + dt.timedelta(days=3),
                mentor_confirmed_at=rel.started_at + dt.timedelta(days=3),
            )
            for rel, _ in relationships
        ]
    )

    evaluations = []
    for rel, bonus in relationships:
        points = []
        k = 1
        while add_months(timezone.localdate(rel.started_at), 6 * k) < timezone.localdate(rel.ended_at):
            points.append(("periodic", k, add_months(timezone.localdate(rel.started_at), 6 * k)))
            k += 1
        is_featured_exit = rel.mentee_id == getattr(featured_mentee, "pk", None) and rel.ended_at > now - dt.timedelta(
            days=20
        )
        if not is_featured_exit:
            points.append(("exit", 0, timezone.localdate(rel.ended_at)))
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
