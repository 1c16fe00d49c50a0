"""R36: the health signal from facts — healthy, drifting, at risk, paused — with a plain explanation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from mentormemed.care import health
from mentormemed.care.health import Milestones, assess, register_milestone_source
from mentormemed.care.models import Block, CareCheckIn, CarePolicy, CheckInAnswer, HealthState, NoShow
from mentormemed.mentorships import testing as mt
from mentormemed.mentorships.models import Message, Relationship
from mentormemed.scheduling.testing import meeting

NOW = timezone.now()


def ago(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


def signal(rel, now=NOW):
    rel = Relationship.objects.select_related("mentee", "mentor__membership").get(pk=rel.pk)
    return assess([rel], now=now)[rel.pk]


def held(rel, days):
    return meeting(rel, starts_at=ago(days), status="held", held_at=ago(days))


def message(rel, days, side="mentee"):
    sender = rel.mentee.user if side == "mentee" else rel.mentor.membership.user
    return Message.objects.create(relationship=rel, sender=sender, body="private words", created_at=ago(days))


def test_r36_recent_meeting_and_message_is_healthy_with_a_plain_line(pair):
    held(pair.rel, 3)
    message(pair.rel, 0)
    s = signal(pair.rel)
    assert s.state == HealthState.HEALTHY and s.reasons == []
    assert s.summary == "last meeting 3 days ago; last message today"


def test_r36_a_new_pair_without_contact_is_just_started(pair):
    assert signal(pair.rel).state == HealthState.NEW


def test_r36_quiet_pairs_drift_then_are_at_risk_with_the_facts_named(pair):
    Relationship.objects.filter(pk=pair.rel.pk).update(started_at=ago(120))
    held(pair.rel, 47)
    message(pair.rel, 30)
    s = signal(pair.rel)
    assert s.state == HealthState.DRIFTING
    assert s.summary == "no meeting in 47 days; last message 30 days ago; none booked"
    assert signal(pair.rel, now=NOW + dt.timedelta(days=31)).state == HealthState.AT_RISK


def test_r36_a_booked_meeting_keeps_a_quiet_pair_from_drifting(pair):
    Relationship.objects.filter(pk=pair.rel.pk).update(started_at=ago(120))
    held(pair.rel, 50)
    meeting(pair.rel, starts_at=NOW + dt.timedelta(days=2))
    s = signal(pair.rel)
    assert s.state == HealthState.HEALTHY and s.facts.next_meeting_at is not None


def test_r36_thresholds_are_the_mentee_institutions(pair):
    Relationship.objects.filter(pk=pair.rel.pk).update(started_at=ago(120))
    message(pair.rel, 20)
    assert signal(pair.rel).state == HealthState.HEALTHY
    CarePolicy.objects.create(institution=pair.cast.inst_a, drift_days=14, at_risk_days=19)
    assert signal(pair.rel).state == HealthState.AT_RISK


def test_r36_no_shows_and_cancellations_count_per_side(pair):
    message(pair.rel, 1)
    for days in (5, 12):
        m = meeting(pair.rel, starts_at=ago(days), status="cancelled", cancelled_at=ago(days))
        NoShow.objects.create(
            meeting=m,
            relationship=pair.rel,
            absent_side="mentee",
            absent_user=pair.mentee.user,
            marked_by=pair.mentor.membership.user,
            marked_at=ago(days),
        )
    for days in (3, 8):
        meeting(
            pair.rel,
            starts_at=ago(days) + dt.timedelta(days=5),
            status="cancelled",
            cancelled_at=ago(days),
            cancelled_by=pair.mentor.membership.user,
        )
    s = signal(pair.rel)
    assert s.state == HealthState.AT_RISK
    assert s.facts.no_shows == {"mentee": 2, "mentor": 0} and s.facts.cancelled == {"mentee": 0, "mentor": 2}
    texts = [r.text for r in s.reasons]
    assert "the mentee did not show for 2 meetings in 90 days" in texts
    assert "the mentor cancelled 2 meetings in 90 days" in texts


def test_r36_r30_check_in_answers_colour_the_admin_signal_but_never_the_pairs(pair):
    message(pair.rel, 1)
    checkin = CareCheckIn.objects.create(relationship=pair.rel, occasion="periodic", key="periodic-1", sent_at=ago(2))
    CheckInAnswer.objects.create(checkin=checkin, side="mentee", going="poorly", rhythm="no", answered_at=ago(1))
    s = signal(pair.rel)
    assert s.state == HealthState.AT_RISK
    assert "the mentee's latest check-in: not going well" in [r.text for r in s.reasons]
    pair_view = s.for_pair()
    assert pair_view.state == HealthState.HEALTHY and pair_view.facts.checkins == {}
    assert all(not r.private for r in pair_view.reasons)


def test_r36_r18_an_overdue_evaluation_makes_a_pair_drift(pair):
    Relationship.objects.filter(pk=pair.rel.pk).update(started_at=ago(6 * 31 + 40))
    message(pair.rel, 1)
    s = signal(pair.rel)
    assert s.facts.evaluation == "overdue" and s.state == HealthState.DRIFTING


def test_r36_r34_programs_feed_milestones_through_the_hook(pair, monkeypatch):
    monkeypatch.setattr(health, "_milestone_sources", [])
    message(pair.rel, 1)
    register_milestone_source(lambda ids: {i: Milestones(done=2, total=5, overdue=1) for i in ids})
    s = signal(pair.rel)
    assert s.state == HealthState.DRIFTING and "1 milestone overdue (2 of 5 done)" in [r.text for r in s.reasons]


def test_r37_a_block_pauses_the_relationship(pair):
    Block.objects.create(blocker=pair.mentee.user, blocked=pair.mentor.membership.user, relationship=pair.rel)
    assert signal(pair.rel).state == HealthState.PAUSED


@pytest.mark.parametrize("count", [1, 3])
def test_r36_assess_runs_a_fixed_number_of_queries(cast, count, django_assert_num_queries):
    mentor = mt.mentor_profile(cast.mentor, scope="local", capacity=3)
    rels = []
    for i in range(count):
        mentee = mt.new_member(cast.inst_a, "mentee", f"m{i}@alpha.edu")
        rel = mt.relationship(mentee, mentor, started_at=ago(40))
        held(rel, 10 + i)  # one mentor: meetings never overlap (PostgreSQL refuses it)
        message(rel, 2)
        rels.append(rel)
    rels = list(Relationship.objects.filter(pk__in=[r.pk for r in rels]).select_related("mentee", "mentor__membership"))
    # policies, meetings, messages, no-shows, check-ins, blocks (evaluations: none due yet)
    with django_assert_num_queries(6):
        assess(rels, now=NOW)
