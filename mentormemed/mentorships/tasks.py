"""The periodic sweep as a django-tasks task that re-enqueues itself (works with the DB worker).

``manage.py run_sweep --schedule`` starts the chain (``make demo`` does it); each run enqueues
the next one SWEEP_INTERVAL_MINUTES later — *before* running, so a pass that crashes or whose
worker is killed cannot end the chain — unless one is already waiting, so restarts never
multiply it. The pass itself runs under the sweep lock (``sweep.locked_sweep``): two never overlap.
A cron line calling ``manage.py run_sweep`` is an equally good alternative.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone
from django_tasks import task

from mentormemed.core.conf import product

log = logging.getLogger(__name__)


def interval() -> dt.timedelta:
    return dt.timedelta(minutes=product.sweep_interval_minutes)


@task()
def sweep_task(*, reschedule: bool = True) -> dict | None:
    from mentormemed.mentorships.sweep import locked_sweep

    if reschedule:
        schedule_sweep(delay=interval())  # first: nothing that happens below can stop future sweeps
    return locked_sweep()


def _waiting_sweeps() -> int | None:
    """How many sweep tasks wait in the queue (database or Redis/RQ; None for another backend)."""
    from mentormemed.core import redis_queue

    if redis_queue.is_rq(sweep_task):
        return len(redis_queue.live_kwargs(sweep_task, running=False))
    backend = sweep_task.get_backend()
    if type(backend).__module__.split(".")[0] != "django_tasks_db":
        return None
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=sweep_task.module_path, status="READY").count()


def schedule_sweep(*, delay: dt.timedelta = dt.timedelta(0)) -> bool:
    """Enqueue the next sweep after ``delay`` unless one is already waiting. False if not enqueued."""
    if not sweep_task.get_backend().supports_defer:
        log.warning("The task backend cannot run work later; run `manage.py run_sweep` from cron instead.")
        return False
    if _waiting_sweeps():
        return False
    try:
        sweep_task.using(run_after=timezone.now() + delay).enqueue(reschedule=True)
    except Exception:
        log.exception("Could not schedule the next sweep")
        return False
    return True
