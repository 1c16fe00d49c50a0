"""Issue 12: failures someone sees. Liveness without the database, readiness naming what failed
(503), Prometheus metrics for staff or a bearer token, and the staff panel in words."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from mentormemed.core.models import PeriodicRun
from mentormemed.mentorships.tasks import sweep_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def swept():
    PeriodicRun.objects.create(name="sweep", finished_at=timezone.now() - dt.timedelta(minutes=5))


def test_liveness_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"


def test_readiness_passes_when_everything_answers(client, swept):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "ok"
    assert set(response.json()["checks"]) == {"database", "cache", "queue", "sweep", "outbox"}


def test_readiness_fails_naming_the_sweep_when_none_finished_in_30_minutes(client):
    assert client.get("/readyz").json()["failed"] == ["sweep"]  # never
    PeriodicRun.objects.create(name="sweep", finished_at=timezone.now() - dt.timedelta(minutes=31))
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["failed"] == ["sweep"]


def test_readiness_fails_naming_the_queue_when_a_task_waits_too_long(client, swept, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}}
    result = sweep_task.enqueue(reschedule=False)
    assert client.get("/readyz").status_code == 200  # just enqueued
    DBTaskResult.objects.filter(pk=result.id).update(enqueued_at=timezone.now() - dt.timedelta(minutes=16))
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["failed"] == ["queue"]
    assert "16.0 min" in response.json()["checks"]["queue"]["detail"]


def test_readiness_is_503_when_the_database_is_unreachable(tmp_path):
    """A real process whose DATABASE_URL points at a closed port on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again when the block ends: nothing listens there
    script = (
        "import django, json; django.setup(); from django.test import Client; "
        "r = Client().get('/readyz'); l = Client().get('/healthz'); "
        "print(json.dumps({'ready': r.status_code, 'body': r.json(), 'live': l.status_code}))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mentormemed.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/mmm",
        "DJANGO_ENV": "development",
    }
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["live"] == 200  # the process is up: not restarted for a database outage
    assert result["ready"] == 503
    assert result["body"]["failed"] == ["database", "queue", "sweep", "outbox"]
    assert result["body"]["checks"]["database"]["detail"].startswith("unreachable")
    assert result["body"]["checks"]["cache"]["ok"] is True


def test_readiness_fails_naming_the_cache_when_the_cache_server_is_unreachable(client, swept, settings):
    """A Redis cache (``CACHE_URL=redis://…``) on a loopback port where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": f"redis://127.0.0.1:{port}"}
    }
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["failed"] == ["cache"]
    assert response.json()["checks"]["cache"]["detail"] == "unreachable: ConnectionError"
    assert client.get("/healthz").status_code == 200


def test_metrics_answer_staff_or_the_bearer_token_only(cast, swept, settings):
    settings.METRICS_TOKEN = "s3cret-scraper-token"
    assert Client().get("/metrics").status_code == 401
    assert Client().get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert cast.client_for(cast.mentor).get("/metrics").status_code == 401
    scraped = Client().get("/metrics", headers={"Authorization": "Bearer s3cret-scraper-token"})
    assert scraped.status_code == 200 and scraped["Content-Type"].startswith("text/plain")
    text = scraped.content.decode()
    for line in (
        'mmm_ready{check="database"} 1.0',
        'mmm_ready{check="sweep"} 1.0',
        'mmm_task_oldest_waiting_seconds{queue="email"} 0.0',
        'mmm_outbox_emails{status="failed"} 0.0',
        "mmm_sweep_last_failures 0.0",
    ):
        assert line in text
    assert "mmm_sweep_last_finished_seconds 3" in text  # about 300 seconds
    assert cast.client_for(cast.staff).get("/metrics").status_code == 200
    settings.METRICS_TOKEN = ""
    assert Client().get("/metrics", headers={"Authorization": "Bearer "}).status_code == 401


def test_the_staff_home_says_how_background_work_is_doing(cast):
    page = cast.client_for(cast.staff).get(reverse("core:home")).content.decode()
    assert "Background work" in page
    assert "Needs attention: sweep." in page and "No sweep has finished yet." in page
    assert "Workers alive: 0 on the main queue, 0 on the e-mail queue." in page
    PeriodicRun.objects.create(name="sweep", finished_at=timezone.now() - dt.timedelta(minutes=4))
    page = cast.client_for(cast.staff).get(reverse("core:home")).content.decode()
    assert "All checks pass." in page and "The last sweep finished 4 minutes ago." in page
    assert "Background work" not in cast.client_for(cast.admin).get(reverse("core:home")).content.decode()
