"""R36 in the sweep, with time travel: signals refresh, drifting pairs are nudged (R31 preferences hold),
and the regular and after-meeting check-ins go out once each, per the institution's rhythm."""

from __future__ import annotations

import datetime as dt

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from mentormemed.care.models import CareCheckIn, CarePolicy, CheckInAnswer, HealthState, RelationshipHealth
from mentormemed.mentorships.models import Message, Relationship
from mentormemed.mentorships.sweep import sweep
from mentormemed.notifications.models import Notification, NotificationPreference
from mentormemed.scheduling.testing import meeting


def test_r36_drifting_pair_is_nudged_once_then_again_after_two_weeks(pair, run, time_machine):
    start = timezone.now()
    Message.objects.create(relationship=pair.rel, sender=pair.mentee.user, body="hello", created_at=start)
    time_machine.move_to(start + dt.timedelta(days=20))
    assert run(sweep)["care_nudges"] == 0
    assert RelationshipHealth.objects.get(relationship=pair.rel).state == HealthState.HEALTHY

    time_machine.move_to(start + dt.timedelta(days=33))
    done = run(sweep)
    assert done["care_health"] == 1 and done["care_nudges"] == 1
    health = RelationshipHealth.objects.get(relationship=pair.rel)
    assert health.state == HealthState.DRIFTING
    assert health.reasons[0]["text"] == "no meeting held yet; last message 33 days ago; none booked"
    nudges = Notification.objects.filter(kind="care_nudge")
    assert sorted(n.user.email for n in nudges) == ["mentee@alpha.edu", "mentor@alpha.edu"]
    nudged = [m for m in mail.outbox if "could use some attention" in m.subject]
    assert sorted(m.to[0] for m in nudged) == ["mentee@alpha.edu", "mentor@alpha.edu"]
    assert reverse("mentorships:relationship", args=[pair.rel.pk]) in nudged[0].body
    assert "No meeting held yet; last message 33 days ago; none booked." in nudged[0].body

    time_machine.move_to(start + dt.timedelta(days=34, hours=2))  # next refresh: still drifting, no second nudge
    assert run(sweep)["care_nudges"] == 0
    time_machine.move_to(start + dt.timedelta(days=48))
    assert run(sweep)["care_nudges"] == 1
    assert RelationshipHealth.objects.get(relationship=pair.rel).state == HealthState.DRIFTING


def test_r31_nudges_follow_each_persons_delivery_choice(pair, run, time_machine):
    NotificationPreference.objects.create(user=pair.mentee.user, kind="care_nudge", delivery="digest")
    time_machine.move_to(timezone.now() + dt.timedelta(days=40))
    mail.outbox.clear()
    done = run(sweep)
    assert done["care_nudges"] == 1
    immediate = [m for m in mail.outbox if "could use some attention" in m.subject]
    assert [m.to for m in immediate] == [["mentor@alpha.edu"]]
    assert Notification.objects.get(kind="care_nudge", user=pair.mentee.user).delivery == "digest"


def test_r36_the_refresh_runs_at_most_hourly(pair, run, time_machine):
    now = timezone.now()
    assert run(sweep, now=now)["care_health"] == 1
    assert run(sweep, now=now + dt.timedelta(minutes=10))["care_health"] == 0
    assert run(sweep, now=now + dt.timedelta(minutes=61))["care_health"] == 1


def test_r36_ended_relationships_leave_the_signals(pair, run):
    run(sweep)
    Relationship.objects.filter(pk=pair.rel.pk).update(ended_at=timezone.now())
    from mentormemed.care.sweep import refresh_health

    refresh_health(force=True)
    assert not RelationshipHealth.objects.exists()


def test_r36_regular_check_ins_go_out_every_60_days_after_the_first(pair, run, time_machine):
    start = pair.rel.started_at
    time_machine.move_to(start + dt.timedelta(days=94))
    assert run(sweep)["care_checkins"] == 0
    time_machine.move_to(start + dt.timedelta(days=95, hours=1))
    assert run(sweep)["care_checkins"] == 1
    assert run(sweep)["care_checkins"] == 0  # idempotent
    time_machine.move_to(start + dt.timedelta(days=156))
    assert run(sweep)["care_checkins"] == 1
    assert list(CareCheckIn.objects.order_by("sent_at").values_list("key", flat=True)) == ["periodic-1", "periodic-2"]
    asked = Notification.objects.filter(kind="care_checkin")
    assert sorted({n.user.email for n in asked}) == ["mentee@alpha.edu", "mentor@alpha.edu"]


def test_r36_the_rhythm_is_the_mentee_institutions(pair, run, time_machine):
    CarePolicy.objects.create(institution=pair.cast.inst_a, checkin_every_days=0)
    time_machine.move_to(pair.rel.started_at + dt.timedelta(days=200))
    assert run(sweep)["care_checkins"] == 0
    CarePolicy.objects.filter(institution=pair.cast.inst_a).update(checkin_every_days=30)
    assert run(sweep)["care_checkins"] == 0  # at most once an hour
    time_machine.move_to(pair.rel.started_at + dt.timedelta(days=200, hours=2))
    assert run(sweep)["care_checkins"] == 1
    assert CareCheckIn.objects.get().key == "periodic-5"  # (200 - 35) // 30: the latest only, no backlog


def test_r36_one_question_after_each_held_meeting(pair, run, time_machine):
    now = timezone.now()
    m = meeting(pair.rel, starts_at=now - dt.timedelta(hours=2), status="held", held_at=now - dt.timedelta(hours=1))
    done = run(sweep)
    assert done["care_meeting_checkins"] == 1
    assert run(sweep)["care_meeting_checkins"] == 0
    assert CareCheckIn.objects.get().key == f"meeting-{m.pk}"
    time_machine.move_to(now + dt.timedelta(days=5))
    meeting(pair.rel, starts_at=now + dt.timedelta(days=4), status="held", held_at=now + dt.timedelta(days=4, hours=1))
    CarePolicy.objects.create(institution=pair.cast.inst_a, checkin_after_meetings=False)
    assert run(sweep)["care_meeting_checkins"] == 0


def test_r36_answers_are_the_answering_sides_own(pair, cast):
    checkin = CareCheckIn.objects.create(
        relationship=pair.rel, occasion="periodic", key="periodic-1", sent_at=timezone.now()
    )
    mentee, mentor = cast.client_for(cast.mentee), cast.client_for(cast.mentor)
    page = mentee.get(reverse("mentorships:relationship", args=[pair.rel.pk]))
    assert b"Regular check-in" in page.content
    url = reverse("care:checkin_answer", args=[checkin.pk])
    assert mentee.post(url, {"going": "poorly"}).status_code == 302  # rhythm missing: refused with a sentence
    assert not CheckInAnswer.objects.exists()
    mentee.post(url, {"going": "poorly", "rhythm": "no"})
    answer = CheckInAnswer.objects.get()
    assert (answer.side, answer.going, answer.rhythm) == ("mentee", "poorly", "no")
    mentee.post(url, {"going": "well", "rhythm": "yes"})
    assert CheckInAnswer.objects.count() == 1
    assert b"Regular check-in" not in mentee.get(reverse("mentorships:relationship", args=[pair.rel.pk])).content
    theirs = mentor.get(reverse("mentorships:relationship", args=[pair.rel.pk])).content.decode()
    assert "not going well" not in theirs and "Regular check-in" in theirs
    outsider = cast.client_for(cast.mentee_b)
    assert outsider.post(url, {"going": "well", "rhythm": "yes"}).status_code == 404


def test_r34_r36_a_program_sets_its_own_rhythm_through_the_hook(pair, run, time_machine, monkeypatch):
    from mentormemed.care import services

    monkeypatch.setattr(services, "_rhythm_sources", [])
    services.register_checkin_rhythm(lambda ids: dict.fromkeys(ids, 14))
    time_machine.move_to(pair.rel.started_at + dt.timedelta(days=50))
    assert run(sweep)["care_checkins"] == 1
    assert CareCheckIn.objects.get().key == "periodic-1"  # (50 - 35) // 14, where the institution says 60
