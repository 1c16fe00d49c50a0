"""Periodic jobs: each capability registers the idempotent work it needs done on a schedule.

The sweep (``mentorships.sweep``) runs every registered job at each pass, so a new
capability adds its reminders here instead of growing the sweep or a cron table.
Every job takes ``now`` and must be idempotent and safe to run concurrently.

One job that raises never stops the others: the failure is logged, recorded in the pass's
``failures`` and the job runs again at the next pass (each job is idempotent). ``claim_run`` /
``finish_run`` keep two passes from overlapping (a lock row with a lease, see ``PeriodicRun``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone

Job = Callable[..., "int | dict[str, int]"]

log = logging.getLogger(__name__)
_jobs: dict[str, Job] = {}


def register_job(name: str, job: Job) -> None:
    _jobs[name] = job


def isolated(name: str, step: Callable[[], int | dict[str, int]], failures: list[str]) -> int | dict[str, int]:
    """Run one step; an exception is logged and recorded in ``failures`` and counts as 0 done."""
    try:
        return step()  # not one transaction: each step commits its rows one by one
    except Exception as exc:
        log.exception("Periodic step %s failed", name)
        failures.append(f"{name}: {type(exc).__name__}: {exc}"[:500])
        return 0


def run_jobs(*, now: dt.datetime, failures: list[str] | None = None) -> dict[str, int]:
    """Run every registered job, each isolated; a job returning several counts contributes each of them."""
    failures = [] if failures is None else failures
    done: dict[str, int] = {}
    for name, job in _jobs.items():
        result = isolated(name, functools.partial(job, now=now), failures)
        if isinstance(result, dict):
            done.update(result)
        else:
            done[name] = result
    return done


def claim_run(name: str, *, lease: dt.timedelta, now: dt.datetime | None = None) -> bool:
    """Take the ``name`` lock for ``lease`` unless a live pass holds it. True if this caller won.

    A pass is live while its lease runs *and*, if it ran in a ``manage.py worker``, that worker's
    heartbeat is fresh: a pass whose worker was killed frees the lock within one worker lease
    (``WORKER_LEASE_SECONDS``), when the reaper runs its task again, rather than after ``lease``."""
    from mentormemed.core import workers
    from mentormemed.core.models import PeriodicRun

    now = now or timezone.now()
    with contextlib.suppress(IntegrityError):  # created by a concurrent caller
        PeriodicRun.objects.get_or_create(name=name)
    with transaction.atomic():
        run = PeriodicRun.objects.select_for_update().get(name=name)
        if run.locked_until and run.locked_until > now and (not run.holder or workers.alive(run.holder, now=now)):
            return False
        if run.locked_until and run.locked_until > now:
            log.warning("Periodic run %s: taking over the lock of dead worker %s", name, run.holder)
        run.locked_until, run.started_at, run.holder = now + lease, now, workers.current_worker_id or ""
        run.save(update_fields=["locked_until", "started_at", "holder"])
    return True


def finish_run(name: str, *, result: dict[str, int], failures: list[str]) -> None:
    """Release the lock and record the pass (finished, what it did, what failed)."""
    from mentormemed.core.models import PeriodicRun

    PeriodicRun.objects.filter(name=name).update(
        locked_until=None, holder="", finished_at=timezone.now(), result=result, failures=failures
    )


def release_run(name: str, *, failures: list[str]) -> None:
    """Release the lock after a pass that crashed; ``finished_at`` stays at the last good pass."""
    from mentormemed.core.models import PeriodicRun

    PeriodicRun.objects.filter(name=name).update(locked_until=None, holder="", failures=failures)
