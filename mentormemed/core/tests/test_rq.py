"""Redis/RQ as the task engine (issue 14): the product's own tasks, enqueued through django-tasks-rq into a
real ``redis-server`` this test run started, run by an RQ worker, with their effect in the database.

What holds with the database backend holds here: e-mail is delivered from the outbox and a failed send
is recorded on the row and retried later (RQ's scheduler); a task that raises is visible as failed and
its work is enqueued again by the sweep's ``resumed`` job; nothing is enqueued before commit; the sweep
runs under its lock, scheduled once however often ``run_sweep --schedule`` is called."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import django_rq
import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from rq.job import Job

from mentormemed.core import health, periodic, redis_queue
from mentormemed.core.access import Actor
from mentormemed.core.models import PeriodicRun
from mentormemed.core.resume import resume_stranded
from mentormemed.institutions import services
from mentormemed.institutions.models import Invitation, RosterImport
from mentormemed.institutions.tasks import run_roster_import
from mentormemed.mentorships import tasks as sweep_tasks
from mentormemed.notifications import tasks as mail_tasks
from mentormemed.notifications.emails import queue_email
from mentormemed.notifications.models import OutgoingEmail
from mentormemed.outcomes.models import RollupRefresh
from mentormemed.testing.redis import run_rq_worker

pytestmark = [pytest.mark.redis, pytest.mark.django_db]

Status = OutgoingEmail.Status


class RefusingBackend:
    """A mail server that refuses connections."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server unreachable")


def _queue_email(to: str = "someone@example.org") -> OutgoingEmail:
    return queue_email(
        to=[to],
        template_prefix="notifications/email/notification",
        context={"name": "Sam", "title": "Hello", "body": "", "url": "", "action": "", "items": []},
    )[0]


def _jobs(queue: str, task) -> list[Job]:
    """Every job of ``task`` RQ holds for ``queue``, whatever its state."""
    q = django_rq.get_queue(queue)
    ids = {
        *q.get_job_ids(),
        *q.scheduled_job_registry.get_job_ids(),
        *q.started_job_registry.get_job_ids(),
        *q.finished_job_registry.get_job_ids(),
        *q.failed_job_registry.get_job_ids(),
    }
    return [
        job for job in Job.fetch_many(list(ids), connection=q.connection) if job and job.func_name == task.module_path
    ]


def test_an_email_is_enqueued_in_redis_after_commit_and_delivered_by_an_rq_worker(
    rq_tasks, smtp_inbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        row = _queue_email()
    assert django_rq.get_queue("email").count == 1  # on the e-mail queue, not the main one
    assert django_rq.get_queue("default").count == 0
    waiting = health.figures()
    assert waiting.tasks_waiting == {"default": 0, "email": 1}
    assert waiting.oldest_task_age["email"] is not None and waiting.workers_alive == {"default": 0, "email": 0}
    assert next(c for c in health.checks() if c.name == "queue").ok  # seconds old: not stuck

    assert run_rq_worker("email") == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 1)
    assert [m["To"] for m in smtp_inbox.messages] == ["someone@example.org"]
    (job,) = _jobs("email", mail_tasks.deliver_email)
    result = mail_tasks.deliver_email.get_backend().get_result(job.id)  # django-tasks' view of the RQ job
    assert (result.status, result.return_value, result.kwargs) == ("SUCCESSFUL", "sent", {})
    assert result.args == [row.pk]
    assert health.figures().tasks_waiting == {"default": 0, "email": 0}


def test_a_failed_send_is_recorded_on_the_row_and_retried_by_the_rq_scheduler(
    rq_tasks, smtp_inbox, settings, django_capture_on_commit_callbacks
):
    smtp = settings.EMAIL_BACKEND
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        row = _queue_email()
    run_rq_worker("email")
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.QUEUED, 1)
    assert "SMTP server unreachable" in row.last_error
    retry_at = row.next_attempt_at
    assert dt.timedelta(seconds=50) < retry_at - timezone.now() <= dt.timedelta(minutes=1)
    email = django_rq.get_queue("email")
    (scheduled,) = email.scheduled_job_registry.get_job_ids()  # the retry waits in RQ's scheduled registry
    assert abs(email.scheduled_job_registry.get_scheduled_time(scheduled) - retry_at) < dt.timedelta(seconds=1)
    assert health.figures().tasks_waiting["email"] == 0  # not due yet
    assert run_rq_worker("email", scheduler=True) == 0  # the scheduler leaves it until its time

    settings.EMAIL_BACKEND = smtp  # the mail server is back
    with time_machine.travel(retry_at + dt.timedelta(seconds=5)):
        assert health.figures().tasks_waiting["email"] == 1  # due, not yet moved to the queue
        assert run_rq_worker("email", scheduler=True) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (Status.SENT, 2, "")
    assert len(smtp_inbox.messages) == 1


def _confirmed_roster(cast, rows: int = 12) -> RosterImport:
    admin = Actor.for_user(cast.admin.user)
    lines = ["email,role,first_name,last_name"] + [f"rq{i:02d}@alpha.edu,mentee,Ana{i},Reyes" for i in range(rows)]
    data = ("\n".join(lines) + "\n").encode()
    roster = services.roster_check(acting=admin, institution=cast.inst_a, data=data).roster
    return services.roster_confirm(acting=admin, roster=roster)


def test_a_roster_import_runs_on_rq_and_invites_everyone(cast, rq_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        roster = _confirmed_roster(cast)
    assert django_rq.get_queue("default").count == 1
    with django_capture_on_commit_callbacks(execute=True):  # each batch commits, then enqueues its e-mails
        assert run_rq_worker("default") == 1
    roster.refresh_from_db()
    assert (roster.status, roster.created, roster.failed) == (RosterImport.Status.DONE, 12, 0)
    assert Invitation.objects.filter(email__startswith="rq").count() == 12
    # each invitation e-mail went to the outbox and its delivery to the e-mail queue
    assert sum(1 for to in OutgoingEmail.objects.values_list("to", flat=True) if to[0].startswith("rq")) == 12
    assert django_rq.get_queue("email").count == 12


def test_a_task_that_raises_is_failed_visibly_and_its_work_is_enqueued_again(
    cast, rq_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        roster = _confirmed_roster(cast)
    with mock.patch.object(services, "roster_import_run", side_effect=RuntimeError("database went away")):
        run_rq_worker("default")
    (job,) = _jobs("default", run_roster_import)
    result = run_roster_import.get_backend().get_result(job.id)
    assert result.status == "FAILED"
    assert result.errors[0].exception_class_path == "builtins.RuntimeError"
    assert "database went away" in result.errors[0].traceback
    figures = health.figures()
    assert (figures.tasks_failed, figures.tasks_running) == (1, 0)  # /metrics: mmm_tasks_failed 1
    assert RosterImport.objects.get(pk=roster.pk).status == RosterImport.Status.QUEUED  # still owed

    # The sweep's `resumed` job sees the import owed work with no job waiting or running for it …
    assert resume_stranded() == 1
    assert resume_stranded() == 0  # … and, once enqueued, does not enqueue it twice
    assert run_rq_worker("default") == 1
    roster.refresh_from_db()
    assert (roster.status, roster.created) == (RosterImport.Status.DONE, 12)


@pytest.mark.django_db(transaction=True)
def test_nothing_is_enqueued_before_commit_and_nothing_after_a_rollback(rq_tasks):
    email = django_rq.get_queue("email")
    with pytest.raises(RuntimeError), transaction.atomic():
        _queue_email("rolled-back@example.org")
        assert email.count == 0  # inside the transaction: not yet
        raise RuntimeError("the request failed")
    assert email.count == 0 and not OutgoingEmail.objects.exists()
    with transaction.atomic():
        row = _queue_email("kept@example.org")
        assert email.count == 0
    (job_id,) = email.get_job_ids()  # after commit, exactly one
    assert list(Job.fetch(job_id, connection=email.connection).args) == [row.pk]


def test_the_sweep_is_scheduled_once_runs_under_its_lock_and_schedules_the_next_pass(rq_tasks):
    call_command("run_sweep", "--schedule")
    call_command("run_sweep", "--schedule")  # every deploy runs it: still one chain
    default = django_rq.get_queue("default")
    assert len(_jobs("default", sweep_tasks.sweep_task)) == 1

    holders: list[str] = []
    periodic.register_job(
        "holder_probe", lambda *, now: holders.append(PeriodicRun.objects.get(name="sweep").holder) or 0
    )
    try:
        assert run_rq_worker("default", scheduler=True) == 1
    finally:
        periodic._jobs.pop("holder_probe")
    run = PeriodicRun.objects.get(name="sweep")
    assert run.finished_at is not None and run.locked_until is None and run.holder == ""
    assert run.result["outcomes_rollups"] == 1 and RollupRefresh.objects.exists()  # the rollups ran in it
    assert holders and holders[0].startswith(redis_queue.PREFIX)  # the RQ worker held the lock
    (next_pass,) = default.scheduled_job_registry.get_job_ids()  # scheduled before it ran: ~10 minutes on
    at = default.scheduled_job_registry.get_scheduled_time(next_pass)
    assert dt.timedelta(minutes=9) < at - timezone.now() <= dt.timedelta(minutes=10)
    call_command("run_sweep", "--schedule")
    assert len(default.scheduled_job_registry.get_job_ids()) == 1  # not doubled


def test_the_sweep_lock_holds_for_a_live_rq_worker_and_is_taken_over_from_a_dead_one(rq_tasks):
    from mentormemed.mentorships.sweep import locked_sweep

    live = redis_queue.SimpleWorker([django_rq.get_queue("default")], connection=django_rq.get_connection())
    live.register_birth()
    live.connection.sadd(live.executions_key, "sweep-job:execution")  # it is running a job (the pass)
    now = timezone.now()
    locked = {"locked_until": now + dt.timedelta(minutes=20), "holder": redis_queue.PREFIX + live.name}
    PeriodicRun.objects.create(name="sweep", **locked)
    assert locked_sweep() is None  # a pass in a live worker: no overlap
    live.connection.srem(live.executions_key, "sweep-job:execution")  # its work horse died (OOM)
    assert locked_sweep() is not None  # the worker lives on, the pass does not: taken over at once
    PeriodicRun.objects.filter(name="sweep").update(**locked)
    live.register_death()  # stopped (a killed worker's key expires instead)
    assert locked_sweep() is not None
    PeriodicRun.objects.filter(name="sweep").update(
        locked_until=now + dt.timedelta(minutes=20), holder=redis_queue.PREFIX + "gone-and-expired"
    )
    assert locked_sweep() is not None
    PeriodicRun.objects.filter(name="sweep").update(locked_until=now + dt.timedelta(minutes=20), holder="")
    assert locked_sweep() is None  # a pass from cron (no worker) holds until its lease ends


def test_an_unreachable_redis_fails_readiness_and_says_why(rq_tasks, settings):
    settings.RQ_QUEUES = {name: {"URL": "redis://127.0.0.1:1/0"} for name in settings.TASK_QUEUES}
    queue = next(c for c in health.checks() if c.name == "queue")
    assert not queue.ok and queue.detail.startswith("unreachable")


def test_the_rq_configuration_passes_the_system_checks(rq_tasks):
    from django.core.checks import run_checks

    assert [m for m in run_checks() if m.is_serious()] == []
