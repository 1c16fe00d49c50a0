"""Periodic jobs: each capability registers the idempotent work it needs done on a schedule.

The sweep (``mentorships.sweep``) runs every registered job at each pass, so a new
capability adds its reminders here instead of growing the sweep or a cron table.
Every job takes ``now`` and must be idempotent and safe to run concurrently.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

Job = Callable[..., "int | dict[str, int]"]

_jobs: dict[str, Job] = {}


def register_job(name: str, job: Job) -> None:
    _jobs[name] = job


def run_jobs(*, now: dt.datetime) -> dict[str, int]:
    """Run every registered job; a job returning several counts contributes each of them."""
    done: dict[str, int] = {}
    for name, job in _jobs.items():
        result = job(now=now)
        if isinstance(result, dict):
            done.update(result)
        else:
            done[name] = result
    return done
