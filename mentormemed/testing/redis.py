"""A real Redis for tests: a ``redis-server`` of the test run's own, on a free loopback port, with its
files in a temporary directory, stopped at the end of the session. Never the machine's Redis.

- ``redis_server``: the session's server (its URL); skipped only when ``redis-server`` is not installed.
- ``redis_url``: the same, emptied before the test.
- ``rq_tasks``: the product's tasks enqueued through django-tasks-rq (``RQBackend``) into that Redis;
  ``run_rq_worker`` runs them with an in-process RQ worker in burst mode.
- ``redis_cache``: the default cache is Django's ``RedisCache`` on that Redis.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from typing import Any, cast

import pytest

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory) -> Iterator[str]:
    if not os.path.exists(REDIS_SERVER):
        pytest.skip("redis-server is not installed (apt-get install redis-server): the Redis/RQ tests need one")
    import redis

    directory = tmp_path_factory.mktemp("redis")
    port = _free_port()
    options = {
        "bind": "127.0.0.1",
        "port": str(port),
        "dir": str(directory),
        "save": "",  # nothing written to disk
        "appendonly": "no",
        "protected-mode": "yes",
        "loglevel": "warning",
        "logfile": str(directory / "redis.log"),
    }
    process = subprocess.Popen(
        [REDIS_SERVER, *(part for name, value in options.items() for part in (f"--{name}", value))],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 20
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                log = (directory / "redis.log").read_text() if (directory / "redis.log").exists() else ""
                raise RuntimeError(f"redis-server did not start on port {port}: {log}") from None
            time.sleep(0.05)
    try:
        yield url
    finally:
        client.close()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def redis_url(redis_server) -> str:
    import redis

    with redis.Redis.from_url(redis_server) as client:
        client.flushall()
    return redis_server


@pytest.fixture
def rq_tasks(settings, redis_url) -> str:
    """Tasks go to RQ on the test's Redis (the ``_immediate_tasks`` default is replaced)."""
    settings.RQ_QUEUES = {name: {"URL": redis_url, "DEFAULT_TIMEOUT": 300} for name in settings.TASK_QUEUES}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": settings.TASK_QUEUES}}
    return redis_url


def run_rq_worker(*queues: str, scheduler: bool = False) -> int:
    """Run the jobs waiting in ``queues`` (all the product's queues by default) in this process, in
    burst mode, with the worker class ``manage.py rqworker`` uses, minus the fork. With ``scheduler``,
    scheduled jobs that are due are moved to their queue first (what ``--with-scheduler`` does).
    Returns how many jobs the worker ran."""
    import django_rq
    from django.conf import settings

    from mentormemed.core.redis_queue import SimpleWorker

    ran: list[str] = []

    class Counting(SimpleWorker):
        def execute_job(self, job, queue):
            ran.append(job.id)
            return super().execute_job(job, queue)

    worker = django_rq.get_worker(*(queues or settings.TASK_QUEUES), worker_class=cast(Any, Counting))  # no fork
    worker.work(burst=True, with_scheduler=scheduler)
    return len(ran)


@pytest.fixture
def redis_cache(settings, redis_url) -> str:
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}}
    return redis_url
