"""How the background machinery is doing, in figures: for /readyz, /metrics and the staff panel.

Everything here reads; nothing writes except the cache probe. Thresholds (alert conditions,
docs/operations.md): ``READY_QUEUE_MAX_MINUTES`` for the oldest due task or e-mail,
``READY_SWEEP_MAX_MINUTES`` for the last finished sweep.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Min, Q
from django.utils import timezone


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class Figures:
    """The background work's figures at one moment (ages in seconds; None: nothing waiting)."""

    oldest_task_age: dict[str, float | None]  # per queue: the oldest task due and not yet started
    tasks_waiting: dict[str, int]
    tasks_running: int
    tasks_failed: int
    workers_alive: dict[str, int]  # per queue
    sweep_age: float | None  # since the last sweep finished; None: never
    sweep_failures: int  # jobs and rows that failed in the last pass
    outbox: dict[str, int]  # per status
    outbox_oldest_age: float | None  # the oldest queued e-mail that is due
    queue_error: str = ""  # the queue's store (Redis, with RQ) did not answer


@dataclass(frozen=True)
class Outbox:
    """The e-mail outbox at one moment: how many e-mails are in each status, and since when the oldest
    due one has been due (None: none is due)."""

    by_status: dict[str, int]  # every status, 0 included
    oldest_due: dt.datetime | None


# The app that keeps the outbox (notifications) registers ``reader(now) -> Outbox`` in its
# AppConfig.ready(): core reads it without importing that app.
OutboxReader = Callable[[dt.datetime], Outbox]
_OUTBOX: list[OutboxReader] = []


def register_outbox(reader: OutboxReader) -> None:
    _OUTBOX[:] = [reader]


def _outbox(now: dt.datetime) -> Outbox:
    if not _OUTBOX:
        raise ImproperlyConfigured("No outbox registered: is mentormemed.notifications installed?")
    return _OUTBOX[0](now)


def _age(now: dt.datetime, then: dt.datetime | None) -> float | None:
    return None if then is None else max(0.0, (now - then).total_seconds())


def figures(*, now: dt.datetime | None = None) -> Figures:
    from django_tasks import task_backends
    from django_tasks_db.models import DBTaskResult, get_date_max

    from mentormemed.core import redis_queue
    from mentormemed.core.models import PeriodicRun, WorkerHeartbeat
    from mentormemed.core.workers import lease

    now = now or timezone.now()
    run = PeriodicRun.objects.filter(name="sweep").first()
    outbox = _outbox(now)
    rest: dict[str, Any] = {
        "sweep_age": _age(now, run.finished_at if run else None),
        "sweep_failures": len(run.failures) if run else 0,
        "outbox": outbox.by_status,
        "outbox_oldest_age": _age(now, outbox.oldest_due),
    }
    if redis_queue.is_rq(task_backends["default"]):  # the queue lives in Redis (RQ)
        try:
            return Figures(**redis_queue.figures(now=now), **rest)
        except Exception as exc:
            empty = dict.fromkeys(settings.TASK_QUEUES)
            return Figures(empty, {}, 0, 0, {}, **rest, queue_error=f"unreachable: {type(exc).__name__}")
    never = get_date_max()
    ready = DBTaskResult.objects.filter(status="READY")
    oldest: dict[str, float | None] = {}
    waiting: dict[str, int] = {}
    for queue in settings.TASK_QUEUES:
        mine = ready.filter(queue_name=queue)
        at_once = mine.filter(run_after=never).aggregate(at=Min("enqueued_at"))["at"]
        deferred = mine.filter(run_after__lte=now).aggregate(at=Min("run_after"))["at"]
        since = min((t for t in (at_once, deferred) if t is not None), default=None)
        oldest[queue] = _age(now, since)
        waiting[queue] = mine.filter(Q(run_after=never) | Q(run_after__lte=now)).count()
    alive: dict[str, int] = dict.fromkeys(settings.TASK_QUEUES, 0)
    for queues in WorkerHeartbeat.objects.filter(seen_at__gte=now - lease()).values_list("queues", flat=True):
        for queue in queues.split(","):
            alive[queue] = alive.get(queue, 0) + 1
    return Figures(
        oldest_task_age=oldest,
        tasks_waiting=waiting,
        tasks_running=DBTaskResult.objects.filter(status="RUNNING").count(),
        tasks_failed=DBTaskResult.objects.filter(status="FAILED").count(),
        workers_alive=alive,
        **rest,
    )


def _database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return Check("database", False, f"unreachable: {type(exc).__name__}")
    return Check("database", True, "answers")


def _cache() -> Check:
    key, value = f"readyz:{uuid.uuid4().hex}", uuid.uuid4().hex
    try:
        cache.set(key, value, 10)
        ok = cache.get(key) == value
        cache.delete(key)
    except Exception as exc:
        return Check("cache", False, f"unreachable: {type(exc).__name__}")
    return Check("cache", ok, "answers" if ok else "does not keep values")


def _minutes(seconds: float | None) -> str:
    return "nothing waiting" if seconds is None else f"{seconds / 60:.1f} min"


def checks(*, now: dt.datetime | None = None) -> list[Check]:
    """Readiness: the database and the cache answer, no queue or outbox is stuck, the sweep runs."""
    result = [_database(), _cache()]
    if not result[0].ok:
        return [*result, *(Check(name, False, "not checked: no database") for name in ("queue", "sweep", "outbox"))]
    f = figures(now=now)
    limit = settings.READY_QUEUE_MAX_MINUTES * 60
    oldest = max((age for age in f.oldest_task_age.values() if age is not None), default=None)
    if f.queue_error:
        result.append(Check("queue", False, f.queue_error))
    else:
        result.append(Check("queue", oldest is None or oldest <= limit, f"oldest waiting task: {_minutes(oldest)}"))
    sweep_ok = f.sweep_age is not None and f.sweep_age <= settings.READY_SWEEP_MAX_MINUTES * 60
    sweep = "never finished" if f.sweep_age is None else f"last finished {_minutes(f.sweep_age)} ago"
    result.append(Check("sweep", sweep_ok, sweep))
    result.append(
        Check(
            "outbox",
            f.outbox_oldest_age is None or f.outbox_oldest_age <= limit,
            f"oldest due e-mail: {_minutes(f.outbox_oldest_age)}; {f.outbox['failed']} given up",
        )
    )
    return result
