"""R13 deadline, reminders, expiry, suspension and reinstatement; R29 check-ins — with time travel."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from mentormemed.core.access import Actor
from mentormemed.core.models import AuditEntry
from mentormemed.mentorships import services, testing
from mentormemed.mentorships.models import MissedResponse, RequestState
from mentormemed.mentorships.selectors import is_searchable_by
from mentormemed.mentorships.sweep import sweep
from mentormemed.profiles.models import MentorProfile


@pytest.fixture
def sent(pair, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = services.request_send(
            acting=Actor.for_membership(pair.mentee),
            mentor=pair.mentor,
            message="Could we talk about research years before residency?",
            areas=list(pair.mentor.content_areas.all()[:1]),
        )
    mail.outbox.clear()
    return request


def run_sweep(at, capture):
    with capture(execute=True):
        return sweep(now=at)


def test_r13_reminders_go_out_3_and_1_days_before_once_each(sent, time_machine, django_capture_on_commit_callbacks):
    deadline = sent.deadline
    assert run_sweep(deadline - dt.timedelta(days=4), django_capture_on_commit_callbacks)["reminders"] == 0
    assert run_sweep(deadline - dt.timedelta(days=3, minutes=-1), django_capture_on_commit_callbacks)["reminders"] == 1
    assert run_sweep(deadline - dt.timedelta(days=2), django_capture_on_commit_callbacks)["reminders"] == 0
    assert run_sweep(deadline - dt.timedelta(hours=23), django_capture_on_commit_callbacks)["reminders"] == 1
    assert run_sweep(deadline - dt.timedelta(hours=22), django_capture_on_commit_callbacks)["reminders"] == 0
    assert [m.to for m in mail.outbox] == [["mentor@alpha.edu"]] * 2
    assert "Reminder" in mail.outbox[0].subject
    assert reverse("mentorships:inbox_detail", args=[sent.pk]) in mail.outbox[0].body


def test_r13_a_late_sweep_sends_one_reminder_not_a_burst(sent, django_capture_on_commit_callbacks):
    run_sweep(sent.deadline - dt.timedelta(hours=12), django_capture_on_commit_callbacks)
    sent.refresh_from_db()
    assert sent.reminders_sent == 2 and len(mail.outbox) == 1


def test_r13_expiry_tells_mentee_with_alternatives_and_records_a_miss(sent, pair, django_capture_on_commit_callbacks):
    alternative = testing.new_member(pair.cast.inst_a, "mentor", "alt@alpha.edu", areas=("research",))
    alt_profile = MentorProfile.objects.get(membership=alternative)
    assert run_sweep(sent.deadline - dt.timedelta(seconds=1), django_capture_on_commit_callbacks)["expired"] == 0
    done = run_sweep(sent.deadline + dt.timedelta(minutes=1), django_capture_on_commit_callbacks)
    assert done["expired"] == 1
    sent.refresh_from_db()
    assert sent.state == RequestState.EXPIRED
    assert MissedResponse.objects.filter(request=sent, mentor=pair.mentor).count() == 1
    to_mentee = next(m for m in mail.outbox if m.to == ["mentee@alpha.edu"])
    assert "did not answer in time" in to_mentee.subject
    assert reverse("mentorships:request_new", args=[alt_profile.pk]) in to_mentee.body  # an alternative, linked
    assert any(m.to == ["mentor@alpha.edu"] and "missed" in m.subject for m in mail.outbox)
    # Idempotent: a second sweep changes nothing and sends nothing.
    count = len(mail.outbox)
    assert run_sweep(sent.deadline + dt.timedelta(minutes=2), django_capture_on_commit_callbacks)["expired"] == 0
    assert len(mail.outbox) == count and MissedResponse.objects.count() == 1
    pair.mentor.refresh_from_db()
    # One decided request is too few to judge (profiles.responsiveness): still a new mentor.
    assert (pair.mentor.answer_rate, pair.mentor.response_count) == (None, 1)


def test_r13_third_miss_in_180_days_suspends_and_reinstatement_is_audited(
    pair, django_capture_on_commit_callbacks, time_machine
):
    cast = pair.cast
    learners = [testing.new_member(cast.inst_a, "mentee", f"l{i}@alpha.edu") for i in range(4)]
    start = pair.mentor.updated_at
    requests = [
        testing.pending_request(m, pair.mentor, created_at=start + dt.timedelta(hours=i))
        for i, m in enumerate(learners[:3])
    ]
    for request in requests[:2]:
        run_sweep(request.deadline + dt.timedelta(minutes=1), django_capture_on_commit_callbacks)
    pair.mentor.refresh_from_db()
    assert pair.mentor.suspended_at is None  # 2 misses: at the threshold, not above it
    mail.outbox.clear()
    run_sweep(requests[2].deadline + dt.timedelta(minutes=1), django_capture_on_commit_callbacks)
    pair.mentor.refresh_from_db()
    assert pair.mentor.suspended_at is not None
    told = sorted(m.to[0] for m in mail.outbox if "suspend" in m.subject.lower() or "paused" in m.subject.lower())
    assert told == ["admin@alpha.edu", "mentor@alpha.edu", "staff@mentormemed.org"]
    assert "admin@beta.org" not in str([m.to for m in mail.outbox])
    assert not is_searchable_by(mentee=learners[3], mentor=pair.mentor)

    # The other institution's admin cannot see or reinstate this mentor.
    outsider = cast.client_for(cast.admin_b)
    url = reverse("mentorships:reinstate", args=[pair.mentor.pk])
    assert outsider.post(url, {"note": "x"}).status_code == 404
    # The own admin reinstates with a note (a little later); it is audited.
    time_machine.move_to(requests[2].deadline + dt.timedelta(hours=1))
    admin = cast.client_for(cast.admin)
    assert b"3 requests went unanswered" in admin.get(reverse("mentorships:suspended")).content
    admin.post(url, {"note": "Spoke with Dr. M; back from leave."})
    pair.mentor.refresh_from_db()
    assert pair.mentor.suspended_at is None
    entry = AuditEntry.objects.get(action="mentor.reinstate")
    assert entry.detail["note"] == "Spoke with Dr. M; back from leave." and entry.actor == cast.admin.user
    # A fresh start: the next single miss does not suspend again.
    request = testing.pending_request(learners[3], pair.mentor, created_at=start + dt.timedelta(days=1))
    run_sweep(request.deadline + dt.timedelta(minutes=1), django_capture_on_commit_callbacks)
    pair.mentor.refresh_from_db()
    assert pair.mentor.suspended_at is None


def test_r13_misses_older_than_180_days_do_not_count(pair, django_capture_on_commit_callbacks, time_machine):
    learners = [testing.new_member(pair.cast.inst_a, "mentee", f"o{i}@alpha.edu") for i in range(3)]
    start = pair.mentor.updated_at
    time_machine.move_to(start - dt.timedelta(days=200))
    old = [testing.pending_request(m, pair.mentor) for m in learners[:2]]
    for request in old:
        run_sweep(request.deadline + dt.timedelta(minutes=1), django_capture_on_commit_callbacks)
    time_machine.move_to(start)
    recent = testing.pending_request(learners[2], pair.mentor)
    run_sweep(recent.deadline + dt.timedelta(minutes=1), django_capture_on_commit_callbacks)
    pair.mentor.refresh_from_db()
    assert pair.mentor.suspended_at is None


def test_r13_responsiveness_median_and_answer_rate(pair, time_machine):
    learners = [testing.new_member(pair.cast.inst_a, "mentee", f"r{i}@alpha.edu") for i in range(3)]
    start = pair.mentor.updated_at
    a, b, c = (testing.pending_request(m, pair.mentor, created_at=start) for m in learners)
    time_machine.move_to(start + dt.timedelta(hours=10))
    services.request_decline(acting=Actor.for_user(pair.cast.mentor.user), request=a)
    time_machine.move_to(start + dt.timedelta(hours=30))
    services.request_accept(acting=Actor.for_user(pair.cast.mentor.user), request=b)
    services.request_expire(request=c, now=c.deadline + dt.timedelta(minutes=1))
    pair.mentor.refresh_from_db()
    assert pair.mentor.median_response_hours == 20.0
    assert pair.mentor.answer_rate == pytest.approx(0.667, abs=0.001)
    assert pair.mentor.response_count == 3


def test_r29_checkin_after_five_weeks_once_and_not_working_rematches(pair, django_capture_on_commit_callbacks):
    rel = testing.relationship(pair.mentee, pair.mentor)
    assert run_sweep(rel.started_at + dt.timedelta(days=27), django_capture_on_commit_callbacks)["checkins"] == 0
    assert run_sweep(rel.started_at + dt.timedelta(days=36), django_capture_on_commit_callbacks)["checkins"] == 1
    assert run_sweep(rel.started_at + dt.timedelta(days=37), django_capture_on_commit_callbacks)["checkins"] == 0
    assert sorted(m.to[0] for m in mail.outbox if "working" in m.subject) == ["mentee@alpha.edu", "mentor@alpha.edu"]
    client = pair.cast.client_for(pair.mentee)
    page = client.get(reverse("mentorships:relationship", args=[rel.pk]))
    assert b"Early check-in" in page.content
    response = client.post(reverse("mentorships:checkin", args=[rel.pk]), {"answer": "not_working"})
    assert response["Location"] == reverse("mentorships:rematch", args=[rel.pk])
    rel.refresh_from_db()
    assert rel.ended_at and rel.end_reason == "not_a_fit" and rel.stage == "separation"
    assert MentorProfile.objects.get(pk=pair.mentor.pk).active_mentee_count == 0
    rematch = client.get(response["Location"])
    assert (
        rematch.status_code == 200
        and pair.mentor.membership.user.display_name.encode()
        not in rematch.content.split(b"These mentors could help")[1]
    )


def test_r29_working_checkin_keeps_the_mentorship(pair):
    rel = testing.relationship(pair.mentee, pair.mentor)
    assert (
        services.checkin_answer(acting=Actor.for_user(pair.cast.mentor.user), relationship=rel, answer="working")
        is False
    )
    rel.refresh_from_db()
    assert rel.is_active and rel.mentor_checkin == "working"


def test_run_sweep_command_runs_and_schedules(pair, capsys, settings):
    testing.pending_request(pair.mentee, pair.mentor)
    call_command("run_sweep")
    assert "expired: 0" in capsys.readouterr().out
    call_command("run_sweep", "--schedule")  # the immediate test backend cannot defer: says so, no crash
    assert "already scheduled" in capsys.readouterr().out


def test_r13_figures_follow_the_window_as_requests_age_out(pair, time_machine):
    learners = [testing.new_member(pair.cast.inst_a, "mentee", f"w{i}@alpha.edu") for i in range(3)]
    start = pair.mentor.updated_at
    for learner in learners:
        request = testing.pending_request(learner, pair.mentor, created_at=start)
        time_machine.move_to(start + dt.timedelta(hours=5))
        services.request_decline(acting=Actor.for_user(pair.cast.mentor.user), request=request)
    pair.mentor.refresh_from_db()
    assert pair.mentor.median_response_hours is not None
    later = start + dt.timedelta(days=181)
    time_machine.move_to(later)
    assert services.refresh_aged_responsiveness(now=later) == 1
    pair.mentor.refresh_from_db()
    assert (pair.mentor.median_response_hours, pair.mentor.answer_rate, pair.mentor.response_count) == (None, None, 0)
    assert services.refresh_aged_responsiveness(now=later + dt.timedelta(days=3)) == 0
