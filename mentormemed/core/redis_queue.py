"""Redis/RQ as the task engine (``TASKS_BACKEND=django_tasks_rq.RQBackend``): what the product needs of
it beyond enqueuing, which django-tasks-rq already does.

- **Which tasks wait or run** (``live_kwargs``), so the sweep is never scheduled twice
  (``mentorships.tasks``) and the ``resumed`` job (``core.resume``) finds work whose task was lost, as
  it does with the database backend.
- **The workers' figures** (``figures``) for ``/readyz``, ``/metrics`` and the staff panel: the oldest
  waiting job, jobs waiting, running and failed, and live workers per queue — read from RQ's queues
  and registries instead of ``DBTaskResult``.
- **Who holds the sweep lock**: ``Worker`` (``RQ["WORKER_CLASS"]``, what ``manage.py rqworker`` runs)
  records itself as ``core.workers.current_worker_id`` ("rq:<name>"), and ``worker_alive`` says whether
  that worker's key is still in Redis — RQ's own liveness, refreshed while a job runs and gone within
  the worker's TTL after it dies — so a sweep pass whose worker was killed frees the lock early
  (``core.periodic.claim_run``), as under ``manage.py worker``.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import django_rq
import rq
from django.conf import settings
from django.utils import timezone
from rq.executions import WORKER_EXECUTIONS_KEY_TEMPLATE
from rq.job import Job

log = logging.getLogger(__name__)

PREFIX = "rq:"  # PeriodicRun.holder of a pass run by an RQ worker


def is_rq(task_or_backend: Any) -> bool:
    backend = task_or_backend.get_backend() if hasattr(task_or_backend, "get_backend") else task_or_backend
    return type(backend).__module__.split(".")[0] == "django_tasks_rq"


def _queue(name: str) -> rq.Queue:
    return django_rq.get_queue(name)


def live_kwargs(task: Any, *, running: bool = True) -> list[dict[str, Any]]:
    """The keyword arguments of every job of ``task`` waiting (queued or scheduled) or, with ``running``,
    being run, on the task's queue."""
    queue = _queue(task.queue_name)
    ids = [*queue.get_job_ids(), *queue.scheduled_job_registry.get_job_ids()]
    if running:
        ids += queue.started_job_registry.get_job_ids()
    jobs = Job.fetch_many(ids, connection=queue.connection)
    return [job.kwargs for job in jobs if job is not None and job.func_name == task.module_path]


def _oldest_waiting(queue: rq.Queue, now: dt.datetime) -> dt.datetime | None:
    """When the oldest job that is due and not started became due: the head of the queue, or a
    scheduled job past its time (the scheduler has not moved it yet)."""
    since: list[dt.datetime] = []
    head = queue.get_job_ids(0, 1)
    if head and (job := queue.fetch_job(head[0])) is not None and job.enqueued_at:
        at = job.enqueued_at
        since.append(at if at.tzinfo else at.replace(tzinfo=dt.UTC))
    due = queue.connection.zrangebyscore(
        queue.scheduled_job_registry.key, 0, now.timestamp(), start=0, num=1, withscores=True
    )
    if due:
        since.append(dt.datetime.fromtimestamp(float(due[0][1]), dt.UTC))
    return min(since, default=None)


def figures(*, now: dt.datetime | None = None) -> dict[str, Any]:
    """The queue figures of ``core.health.Figures`` as RQ sees them."""
    now = now or timezone.now()
    oldest: dict[str, float | None] = {}
    waiting: dict[str, int] = {}
    alive: dict[str, int] = {}
    running = failed = 0
    for name in settings.TASK_QUEUES:
        queue = _queue(name)
        since = _oldest_waiting(queue, now)
        oldest[name] = None if since is None else max(0.0, (now - since).total_seconds())
        due = queue.connection.zcount(queue.scheduled_job_registry.key, 0, now.timestamp())
        waiting[name] = queue.count + due
        running += queue.started_job_registry.count
        failed += queue.failed_job_registry.count
        alive[name] = rq.Worker.count(queue=queue)
    return {
        "oldest_task_age": oldest,
        "tasks_waiting": waiting,
        "tasks_running": running,
        "tasks_failed": failed,
        "workers_alive": alive,
    }


def worker_alive(name: str) -> bool:
    """Whether the RQ worker ``name`` lives and is running a job (the one holding the lock: a worker
    runs one job at a time)."""
    try:
        connection = django_rq.get_connection(settings.TASK_QUEUES[0])
        key = rq.Worker.redis_worker_namespace_prefix + name
        # A killed worker's key expires (its TTL); one that stopped cleanly is marked dead first; one
        # whose work horse died (an OOM kill of the job) lives on, but no longer runs anything.
        if not connection.exists(key) or connection.hexists(key, "death"):
            return False
        return bool(connection.scard(WORKER_EXECUTIONS_KEY_TEMPLATE.format(name)))
    except Exception:
        log.exception("Could not ask Redis whether worker %s lives; treating it as alive", name)
        return True  # never take a lock over on a guess


class HolderMixin:
    """An RQ worker that names itself as the holder of what its jobs lock (``current_worker_id``)."""

    name: str

    def execute_job(self, job: Any, queue: Any) -> Any:
        from mentormemed.core import workers

        holder = PREFIX + self.name
        before = workers.current_worker_id
        workers.current_worker_id = holder if len(holder) <= 64 else None  # a forked work horse inherits it
        try:
            return super().execute_job(job, queue)  # type: ignore[misc]
        finally:  # a non-forking worker runs in this process: nothing after its job holds in its name
            workers.current_worker_id = before


class Worker(HolderMixin, rq.Worker):
    """What ``manage.py rqworker`` runs (``RQ["WORKER_CLASS"]``): RQ's forking worker."""


class SimpleWorker(HolderMixin, rq.SimpleWorker):
    """The same without forking (tests; ``manage.py rqworker --worker-class`` this on platforms without fork)."""
