"""Worker heartbeats and the reaper: a task whose worker died goes back to the queue after a lease.

``manage.py worker`` (a wrapper around django_tasks_db's ``db_worker``) records a ``WorkerHeartbeat``
row and moves its ``seen_at`` every ``WORKER_LEASE_SECONDS / 4`` from a background thread, even while
a long task runs. The same thread reaps: a RUNNING ``DBTaskResult`` started more than a lease ago whose
worker (the last id in ``worker_ids``) has no fresh heartbeat is set back to READY with a conditional
UPDATE, so exactly one live worker picks it up again. Every task is idempotent (the outbox claim, the
sweep's conditional updates), so running the rest of a half-run task again changes nothing twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading

from django.conf import settings
from django.db import connections
from django.utils import timezone

from mentormemed.core.models import WorkerHeartbeat

log = logging.getLogger(__name__)

# The id of the ``manage.py worker`` running in this process (None elsewhere: web, cron, tests).
# A worker runs one task at a time, so work that records who holds it (the sweep lock) reads it here.
current_worker_id: str | None = None


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.WORKER_LEASE_SECONDS)


def alive(worker_id: str, *, now: dt.datetime | None = None) -> bool:
    """Whether ``worker_id`` beat within the last lease (an RQ worker: whether Redis still knows it)."""
    from mentormemed.core import redis_queue

    if worker_id.startswith(redis_queue.PREFIX):
        return redis_queue.worker_alive(worker_id.removeprefix(redis_queue.PREFIX))
    now = now or timezone.now()
    return WorkerHeartbeat.objects.filter(worker_id=worker_id, seen_at__gte=now - lease()).exists()


def beat(worker_id: str, *, queues: str, started_at: dt.datetime) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"seen_at": now, "queues": queues[:200], "hostname": socket.gethostname()[:200], "pid": os.getpid()},
        create_defaults={
            "seen_at": now,
            "started_at": started_at,
            "queues": queues[:200],
            "hostname": socket.gethostname()[:200],
            "pid": os.getpid(),
        },
    )


def requeue_orphans(*, now: dt.datetime | None = None) -> int:
    """Put RUNNING tasks of dead workers back on the queue. Returns how many."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    cutoff = now - lease()
    alive = set(WorkerHeartbeat.objects.filter(seen_at__gte=cutoff).values_list("worker_id", flat=True))
    requeued = 0
    for result in DBTaskResult.objects.running().filter(started_at__lt=cutoff).only("id", "worker_ids", "started_at"):
        if result.worker_ids and result.worker_ids[-1] in alive:
            continue
        won = DBTaskResult.objects.filter(pk=result.pk, status="RUNNING", started_at=result.started_at).update(
            status="READY"
        )
        if won:
            log.warning("Task %s was left running by dead worker %s; back on the queue", result.pk, result.worker_ids)
        requeued += won
    WorkerHeartbeat.objects.filter(seen_at__lt=now - 10 * lease()).delete()  # long gone
    return requeued


class Heartbeat(threading.Thread):
    """Beats and reaps every lease/4 until stopped; its own database connection."""

    def __init__(self, worker_id: str, queues: str) -> None:
        super().__init__(name="worker-heartbeat", daemon=True)
        self.worker_id, self.queues, self.started_at = worker_id, queues, timezone.now()
        self.stopping = threading.Event()

    def tick(self) -> None:
        beat(self.worker_id, queues=self.queues, started_at=self.started_at)
        requeue_orphans()

    def run(self) -> None:
        try:
            while not self.stopping.wait(settings.WORKER_LEASE_SECONDS / 4):
                try:
                    self.tick()
                except Exception:
                    log.exception("Worker heartbeat failed; retrying")
                    connections.close_all()
        finally:
            connections.close_all()

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=settings.WORKER_LEASE_SECONDS)
