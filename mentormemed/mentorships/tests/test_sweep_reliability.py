"""Issue 12: one crash cannot stop the sweep (R13, R31). A job or a row that raises is logged and
recorded while the other jobs, the other rows and the digests proceed; the next pass is scheduled
before this one runs; two passes never overlap (a lock row with a lease)."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from mentormemed.core import periodic, workers
from mentormemed.core.access import Actor
from mentormemed.core.models import PeriodicRun, WorkerHeartbeat
from mentormemed.mentorships import services, sweep, tasks
from mentormemed.mentorships.models import RequestState
from mentormemed.notifications.models import Delivery, Notification
from mentormemed.notifications.services import notify

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """What a worker killed mid-pass looks like from inside: not an ordinary exception."""


@pytest.fixture
def broken_job():
    def boom(*, now):
        raise RuntimeError("the rollups table is locked")

    periodic._jobs["broken"] = boom
    yield
    periodic._jobs.pop("broken", None)


def _digest_waiting(user) -> None:
    user.time_zone = "UTC"
    user.save()
    notify(user=user, kind="message", title="A message while you were away", email=False)
    Notification.objects.filter(user=user).update(delivery=Delivery.DIGEST, emailed_at=None)


def _request(pair):
    return services.request_send(
        acting=Actor.for_membership(pair.mentee),
        mentor=pair.mentor,
        message="Could we talk about research years before residency?",
        areas=list(pair.mentor.content_areas.all()[:1]),
    )


def test_a_job_that_raises_is_recorded_while_the_other_jobs_and_the_digests_run(
    pair, broken_job, django_capture_on_commit_callbacks
):
    request = _request(pair)
    _digest_waiting(pair.cast.admin.user)
    mail.outbox.clear()
    at = max(request.deadline + dt.timedelta(minutes=1), timezone.now().replace(hour=12) + dt.timedelta(days=8))
    with django_capture_on_commit_callbacks(execute=True):
        done = sweep.locked_sweep(now=at)
    assert done["broken"] == 0 and done["failures"] == 1
    assert done["expired"] == 1 and done["digests"] == 1  # expiry before it, digests after it
    assert "meeting_reminders" in done and "outbox_requeued" in done  # the jobs registered after it ran
    request.refresh_from_db()
    assert request.state == RequestState.EXPIRED
    assert any("daily summary" in m.subject for m in mail.outbox)
    run = PeriodicRun.objects.get(name="sweep")
    assert run.finished_at is not None and run.locked_until is None
    assert run.failures == ["broken: RuntimeError: the rollups table is locked"]


def test_one_bad_row_is_skipped_and_the_other_rows_proceed(pair, cast, django_capture_on_commit_callbacks):
    first = _request(pair)
    from mentormemed.mentorships import testing

    other = testing.mentor_profile(testing.new_member(cast.inst_a, "mentor", "other@alpha.edu", areas=("research",)))
    second = services.request_send(
        acting=Actor.for_membership(pair.mentee),
        mentor=other,
        message="And you too, on research years?",
        areas=[first.areas.first()],
    )
    real = services.request_expire

    def expire(*, request, now=None):
        if request.pk == first.pk:
            raise ValueError("a corrupt row")
        return real(request=request, now=now)

    at = max(first.deadline, second.deadline) + dt.timedelta(minutes=1)
    failures: list[str] = []
    with mock.patch.object(services, "request_expire", expire), django_capture_on_commit_callbacks(execute=True):
        done = sweep.sweep(now=at, failures=failures)
    assert done["expired"] == 1 and failures == [f"expired #{first.pk}: ValueError: a corrupt row"]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == (RequestState.PENDING, RequestState.EXPIRED)


def test_the_next_sweep_is_scheduled_before_this_one_runs_so_a_crash_cannot_end_the_chain(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}}

    def killed(*, now):
        raise WorkerKilled

    periodic._jobs["killed"] = killed
    try:
        with pytest.raises(WorkerKilled):
            tasks.sweep_task.call(reschedule=True)
    finally:
        periodic._jobs.pop("killed")
    waiting = DBTaskResult.objects.get(task_path=tasks.sweep_task.module_path, status="READY")
    assert waiting.run_after > timezone.now() + dt.timedelta(minutes=9)
    run = PeriodicRun.objects.get(name="sweep")
    assert run.locked_until is None and "sweep: crashed" in run.failures  # the lock is not left behind


def test_two_passes_never_overlap_and_a_dead_pass_frees_the_lock_after_the_lease():
    now = timezone.now()
    assert periodic.claim_run("sweep", lease=sweep.lease(), now=now)
    assert sweep.locked_sweep() is None  # a live pass holds it
    assert not periodic.claim_run("sweep", lease=sweep.lease(), now=now + dt.timedelta(minutes=19))
    # Its worker died: the lease runs out and the next pass goes ahead.
    with mock.patch.object(timezone, "now", return_value=now + sweep.lease() + dt.timedelta(seconds=1)):
        assert sweep.locked_sweep() is not None
    assert PeriodicRun.objects.get(name="sweep").locked_until is None


def test_a_pass_held_by_a_worker_that_stopped_beating_is_taken_over_before_the_lease_ends(settings, monkeypatch):
    settings.WORKER_LEASE_SECONDS = 60
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="w-1", queues="default", started_at=now, seen_at=now)
    monkeypatch.setattr(workers, "current_worker_id", "w-1")
    assert periodic.claim_run("sweep", lease=sweep.lease(), now=now)
    assert PeriodicRun.objects.get(name="sweep").holder == "w-1"
    monkeypatch.setattr(workers, "current_worker_id", "w-2")
    assert not periodic.claim_run("sweep", lease=sweep.lease(), now=now + dt.timedelta(seconds=50))  # w-1 beats
    assert not periodic.claim_run("sweep", lease=sweep.lease(), now=now + dt.timedelta(seconds=30))
    WorkerHeartbeat.objects.filter(worker_id="w-1").update(seen_at=now - dt.timedelta(seconds=61))  # killed
    assert periodic.claim_run("sweep", lease=sweep.lease(), now=now + dt.timedelta(seconds=1))
    assert PeriodicRun.objects.get(name="sweep").holder == "w-2"
