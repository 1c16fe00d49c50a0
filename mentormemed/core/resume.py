"""Background work whose task was lost goes back on the queue.

A service that starts background work (a roster import, a roster sync, a data export, a close-out's
destruction) records it as a row in a waiting or working state, in the caller's transaction, and
enqueues the task after commit. That row, like an outbox row for an e-mail, is the record that the
work is owed. The task itself can still be lost: the process dies between the commit and the enqueue,
the queue refuses it (the enqueue is ``robust``: the request still succeeds), or a task re-run after
its worker died finds the row claimed by the dead run and ends without finishing it.

Each app registers its kinds of work here (``register_resumable``); the sweep's ``resumed`` job finds
rows that are owed work but have no task waiting or running for them, puts back in the waiting state
those a dead run had claimed (``reset``) and enqueues their task again. Every such task is idempotent
(a conditional claim or a row lock), so the rare duplicate — a row whose task is enqueued while the job
looks — does no harm.

With the database task backend the waiting and running tasks are ``DBTaskResult`` rows; with Redis/RQ
they are the jobs in the task's queue and its scheduled and started registries (``core.redis_queue``).
With any other backend (one that cannot say what waits) the job does nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Resumable:
    task: Any  # a django_tasks Task
    owed: Callable[[], QuerySet[Any]]  # rows waiting for or being worked on by the task
    kwarg: str  # the task's keyword argument naming the row's pk
    reset: Callable[[Any], bool] | None = None  # back to the state the task claims from; False: leave it
    extra: Callable[[Any], dict[str, Any]] = field(default=lambda row: {})  # the task's other arguments


_resumables: dict[str, Resumable] = {}


def register_resumable(name: str, resumable: Resumable) -> None:
    _resumables[name] = resumable


def _database_backend(task: Any) -> bool:
    return type(task.get_backend()).__module__.split(".")[0] == "django_tasks_db"


def _knows_waiting(task: Any) -> bool:
    from mentormemed.core import redis_queue

    return _database_backend(task) or redis_queue.is_rq(task)


def _live_ids(task: Any, kwarg: str) -> set[Any]:
    """The rows named by a waiting or running ``task``."""
    from mentormemed.core import redis_queue

    if redis_queue.is_rq(task):
        return {kwargs.get(kwarg) for kwargs in redis_queue.live_kwargs(task)}
    from django_tasks_db.models import DBTaskResult

    live = DBTaskResult.objects.filter(task_path=task.module_path, status__in=["READY", "RUNNING"])
    return {(args or {}).get("kwargs", {}).get(kwarg) for args in live.values_list("args_kwargs", flat=True)}


def resume_stranded(*, now: dt.datetime | None = None) -> int:
    """Enqueue again the work of every row owed a task that no task waits for or runs. Returns how many."""
    resumed = 0
    for name, resumable in _resumables.items():
        if not _knows_waiting(resumable.task):
            continue
        rows = list(resumable.owed()[:200])  # read before the live tasks: a task that starts meanwhile is seen
        if not rows:
            continue
        live = _live_ids(resumable.task, resumable.kwarg)
        for row in rows:
            if row.pk in live:
                continue
            if resumable.reset is not None and not resumable.reset(row):
                continue  # it moved on meanwhile (finished, or claimed by a live run)
            resumable.task.enqueue(**{resumable.kwarg: row.pk, **resumable.extra(row)})
            log.warning("%s #%s had no task waiting or running for it; enqueued again", name, row.pk)
            resumed += 1
    return resumed
