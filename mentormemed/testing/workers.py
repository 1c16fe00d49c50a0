"""Real worker processes for tests: a database both this process and subprocesses see, and tasks
that hold a worker busy so a test can kill it mid-task."""

from __future__ import annotations

import os
import pathlib
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable

import pytest
from django.conf import settings
from django.db import connections
from django_tasks import task

ROOT = pathlib.Path(settings.BASE_DIR)


@task()
def hold(*, marker: str, seconds: float) -> str:
    """First run: note it in ``marker`` and stay busy ``seconds`` (long enough to be killed). Later runs
    (the task re-queued after its worker died) note it and finish at once."""
    path = pathlib.Path(marker)
    first = not path.exists()
    with path.open("a") as out:
        out.write(f"{os.getpid()}\n")
    if first:
        time.sleep(seconds)
    return "done"


@task()
def sweep_holding(*, marker: str, seconds: float) -> dict | None:
    """A real sweep pass (``locked_sweep``, under the sweep lock) with one more job that, the first
    time, notes itself in ``marker`` and stays busy ``seconds`` mid-pass — long enough to be killed."""
    from mentormemed.core.periodic import register_job
    from mentormemed.mentorships.sweep import locked_sweep

    def held(*, now) -> int:
        path = pathlib.Path(marker)
        first = not path.exists()
        with path.open("a") as out:
            out.write(f"{os.getpid()}\n")
        if first:
            time.sleep(seconds)
        return 1

    register_job("held", held)
    return locked_sweep()


@pytest.fixture
def shared_database_url(transactional_db, tmp_path, settings):
    """A DATABASE_URL for subprocesses that names the database this test uses.

    PostgreSQL: the test database itself. SQLite keeps test databases in memory, which no other
    process can open: the test database is copied to a file and this process switches to it for
    the test (and back afterwards)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}}
    conn = connections["default"]
    if conn.vendor == "postgresql":
        s = conn.settings_dict
        auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
        yield f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
        return
    path = tmp_path / "shared.sqlite3"
    conn.ensure_connection()
    target = sqlite3.connect(path)
    conn.connection.backup(target)
    target.close()
    memory, name = conn.connection, conn.settings_dict["NAME"]
    conn.connection = None
    conn.settings_dict["NAME"] = str(path)
    try:
        yield f"sqlite:///{path}"
    finally:
        conn.close()
        conn.settings_dict["NAME"] = name
        conn.connection = memory


def start_manage(database_url: str, *args: str, env: dict | None = None, log: pathlib.Path) -> subprocess.Popen:
    """``manage.py <args>`` in a subprocess against ``database_url`` (output to ``log``)."""
    environ = {**os.environ, "DATABASE_URL": database_url, "DJANGO_ENV": "development", **(env or {})}
    environ.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environ,
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
    )


def wait_for(check: Callable[[], object], *, timeout: float, what: str, step: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
