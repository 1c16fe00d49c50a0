"""Issue 12: gunicorn's timeouts and graceful shutdown are set deliberately, and as documented."""

from __future__ import annotations

import runpy

from django.conf import settings

CONF = settings.BASE_DIR / "gunicorn.conf.py"


def test_gunicorn_timeouts_are_the_documented_ones_and_each_can_be_overridden(monkeypatch):
    conf = runpy.run_path(str(CONF))
    assert conf["timeout"] == 30  # a request past 30 s is a bug: long work is a task
    assert conf["graceful_timeout"] >= conf["timeout"]  # a deploy never cuts short a request that could succeed
    assert conf["max_requests"] == 1000 and conf["max_requests_jitter"] == 100
    assert conf["preload_app"] is True and "worker_class" not in conf  # sync workers
    assert 1 <= conf["workers"] <= 9
    monkeypatch.setenv("GUNICORN_TIMEOUT", "45")
    monkeypatch.setenv("GUNICORN_WORKERS", "2")
    overridden = runpy.run_path(str(CONF))
    assert (overridden["timeout"], overridden["workers"]) == (45, 2)
    operations = (settings.BASE_DIR / "docs" / "operations.md").read_text()
    for sentence in (
        "`timeout = 30`",
        "`graceful_timeout = 30`",
        "`max_requests = 1000`",
        "terminationGracePeriodSeconds",
    ):
        assert sentence in operations
