"""Issue 12: workers die, work survives; a mail server that never answers stalls nothing else.

Real worker processes (``manage.py worker``) on the test's database, a real SIGKILL, a real SMTP
server on loopback that accepts and never answers."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import signal
import socket
import time

import pytest
from aiosmtpd.controller import Controller
from django_tasks_db.models import DBTaskResult

from mentormemed.core.models import PeriodicRun, WorkerHeartbeat
from mentormemed.mentorships.tasks import sweep_task
from mentormemed.notifications.emails import queue_email
from mentormemed.notifications.models import OutgoingEmail
from mentormemed.testing.workers import hold, shared_database_url, start_manage, sweep_holding, wait_for

__all__ = ["shared_database_url"]  # the fixture, used by name

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WORKER = ("worker", "--interval", "0.2", "--no-startup-delay", "--no-reload", "-v", "2")


def _stop(process) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except Exception:
            process.kill()
            process.wait(5)


def test_a_task_left_running_by_a_killed_worker_is_finished_by_another_after_the_lease(shared_database_url, tmp_path):
    marker = tmp_path / "runs"
    result = hold.enqueue(marker=str(marker), seconds=60)
    env = {"WORKER_LEASE_SECONDS": "2"}
    first = start_manage(shared_database_url, *WORKER, "--queue-name", "default", env=env, log=tmp_path / "w1.log")
    try:
        wait_for(
            lambda: marker.exists() and DBTaskResult.objects.filter(pk=result.id, status="RUNNING").exists(),
            timeout=120,
            what="the first worker to start the task",
        )
        time.sleep(2.5)  # longer than the lease: a live worker's task is never taken from it
        running = DBTaskResult.objects.get(pk=result.id)
        assert running.status == "RUNNING" and len(running.worker_ids) == 1
        assert WorkerHeartbeat.objects.filter(worker_id=running.worker_ids[0]).exists()
        first.send_signal(signal.SIGKILL)  # an OOM kill or a hard deploy: no cleanup at all
        first.wait(10)
    finally:
        _stop(first)
    assert DBTaskResult.objects.get(pk=result.id).status == "RUNNING"  # orphaned, as before this fix
    second = start_manage(shared_database_url, *WORKER, "--queue-name", "default", env=env, log=tmp_path / "w2.log")
    try:
        done = wait_for(
            lambda: DBTaskResult.objects.filter(pk=result.id, status="SUCCESSFUL").first(),
            timeout=120,
            what="another worker to finish the task after the lease",
        )
    finally:
        _stop(second)
    assert len(done.worker_ids) == 2 and done.worker_ids[0] != done.worker_ids[1]
    assert len(marker.read_text().split()) == 2  # run again once, by the second worker
    assert not WorkerHeartbeat.objects.filter(worker_id=done.worker_ids[1]).exists()  # a clean exit leaves none


def test_a_sweep_whose_worker_is_killed_mid_pass_is_run_again_within_one_worker_lease(shared_database_url, tmp_path):
    """The sweep lock's lease is 20 minutes; a pass whose worker was killed does not hold it that
    long: the lock names the worker, whose heartbeat stops, and the reaper's re-run takes it over."""
    marker = tmp_path / "runs"
    result = sweep_holding.enqueue(marker=str(marker), seconds=120)
    env = {"WORKER_LEASE_SECONDS": "2"}
    first = start_manage(shared_database_url, *WORKER, "--queue-name", "default", env=env, log=tmp_path / "w1.log")
    try:
        locked = wait_for(
            lambda: marker.exists() and PeriodicRun.objects.filter(name="sweep", locked_until__isnull=False).first(),
            timeout=180,  # the jobs registered before it run first (rollups, care, …): slow on a loaded machine
            what="the first worker to be in the middle of the sweep",
        )
        assert locked.holder == DBTaskResult.objects.get(pk=result.id).worker_ids[0]
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        _stop(first)
    killed_at = time.monotonic()
    stuck = PeriodicRun.objects.get(name="sweep")
    assert stuck.finished_at is None and stuck.locked_until > stuck.started_at + dt.timedelta(minutes=19)
    second = start_manage(shared_database_url, *WORKER, "--queue-name", "default", env=env, log=tmp_path / "w2.log")
    try:
        done = wait_for(
            lambda: DBTaskResult.objects.filter(pk=result.id, status="SUCCESSFUL").first(),
            timeout=300,
            what="another worker to run the killed sweep again",
        )
    finally:
        _stop(second)
    assert time.monotonic() - killed_at < 300  # well inside the 20 minutes of the lock's lease
    assert done.return_value is not None and done.return_value["held"] == 1  # it ran the pass, not "skipped"
    run = PeriodicRun.objects.get(name="sweep")
    assert run.finished_at is not None and run.locked_until is None and run.holder == ""
    assert len(marker.read_text().split()) == 2


class Silent:
    """Accepts the connection and the message, and never answers the end of DATA."""

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's hook name)
        await asyncio.sleep(120)
        return "250 too late"


class HangsOnce:
    """Hangs on the first message (its sender is killed meanwhile); accepts and keeps every later one."""

    def __init__(self) -> None:
        self.calls = 0
        self.received: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's hook name)
        self.calls += 1
        if self.calls == 1:
            await asyncio.sleep(120)
            return "451 too late"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append(message["Message-ID"])
        return "250 Message accepted for delivery"


def test_a_mail_worker_killed_mid_send_loses_no_mail_and_sends_none_twice(shared_database_url, tmp_path):
    """The issue's "1 of 40 lost": the worker is SIGKILLed while the server holds its message; another
    worker delivers that message (same Message-ID) and the rest, each exactly once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = HangsOnce()
    controller = Controller(server, hostname="127.0.0.1", port=port)
    controller.start()
    env = {
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "EMAIL_TIMEOUT": "60",
        "WORKER_LEASE_SECONDS": "2",
        "OUTBOX_LEASE_SECONDS": "3",
    }
    rows = [
        queue_email(
            to=[f"person{i}@example.org"],
            template_prefix="notifications/email/notification",
            context={"name": "Sam", "title": "Hello", "body": "", "url": "", "action": "", "items": []},
        )[0]
        for i in range(5)
    ]
    try:
        first = start_manage(shared_database_url, *WORKER, "--queue-name", "email", env=env, log=tmp_path / "m1.log")
        try:
            stuck = wait_for(
                lambda: server.calls == 1 and OutgoingEmail.objects.filter(status="sending").first(),
                timeout=60,
                what="the first worker to be in the middle of a send",
            )
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        finally:
            _stop(first)
        assert OutgoingEmail.objects.get(pk=stuck.pk).status == "sending"  # nobody will finish this send
        time.sleep(3.5)  # past the sending claim's lease
        second = start_manage(shared_database_url, *WORKER, "--queue-name", "email", env=env, log=tmp_path / "m2.log")
        try:
            wait_for(
                lambda: OutgoingEmail.objects.filter(pk__in=[r.pk for r in rows], status="sent").count() == len(rows),
                timeout=60,
                what="another worker to deliver every e-mail",
            )
        finally:
            _stop(second)
    finally:
        controller.loop.call_soon_threadsafe(lambda: [t.cancel() for t in asyncio.all_tasks(controller.loop)])
        controller.stop()
    expected = sorted(f"<{r.key}@mentormemed.org>" for r in rows)
    assert sorted(server.received) == expected  # every e-mail once, the interrupted one included
    assert OutgoingEmail.objects.get(pk=stuck.pk).attempts == 2


def test_a_mail_server_that_never_answers_times_out_and_the_sweep_queue_proceeds(shared_database_url, tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Silent(), hostname="127.0.0.1", port=port)
    controller.start()
    env = {"EMAIL_URL": f"smtp://127.0.0.1:{port}", "EMAIL_TIMEOUT": "12", "WORKER_LEASE_SECONDS": "30"}
    mail_worker = start_manage(shared_database_url, *WORKER, "--queue-name", "email", env=env, log=tmp_path / "m.log")
    default_worker = start_manage(
        shared_database_url, *WORKER, "--queue-name", "default", env=env, log=tmp_path / "d.log"
    )
    try:
        wait_for(
            lambda: set(WorkerHeartbeat.objects.values_list("queues", flat=True)) == {"default", "email"},
            timeout=120,
            what="both workers to start",
        )
        outbox = queue_email(
            to=["someone@example.org"],
            template_prefix="notifications/email/notification",
            context={"name": "Sam", "title": "Hello", "body": "", "url": "", "action": "", "items": []},
        )[0]
        started = wait_for(
            lambda: OutgoingEmail.objects.filter(pk=outbox.pk, status="sending").first(),
            timeout=90,
            what="the mail worker to start sending",
        )
        # While the mail worker waits on the silent server, the sweep runs on its own queue.
        sweep = sweep_task.enqueue(reschedule=False)
        swept = wait_for(
            lambda: DBTaskResult.objects.filter(pk=sweep.id, status="SUCCESSFUL").first(),
            timeout=90,
            what="the sweep to finish on the default queue",
        )
        retried = wait_for(
            lambda: OutgoingEmail.objects.filter(pk=outbox.pk, status="queued", attempts=1).first(),
            timeout=90,
            what="the send to time out and be put back for a retry",
        )
    finally:
        _stop(mail_worker)
        _stop(default_worker)
        controller.loop.call_soon_threadsafe(lambda: [t.cancel() for t in asyncio.all_tasks(controller.loop)])
        controller.stop()
    assert "timed out" in retried.last_error.lower()
    assert (retried.next_attempt_at - started.claimed_at).total_seconds() > 55  # back-off: about a minute
    assert retried.sent_at is None
    gave_up_at = retried.next_attempt_at - dt.timedelta(minutes=1)
    assert swept.finished_at < gave_up_at  # the sweep did not wait for the mail server
