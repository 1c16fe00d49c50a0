"""Liveness, readiness and metrics for the load balancer, the orchestrator and Prometheus.

- ``/healthz``: the process is up (no database, so a database outage never restarts web processes).
- ``/readyz``: database, cache, the oldest waiting task, the last finished sweep, the outbox backlog;
  503 naming the check that failed.
- ``/metrics``: the same figures in Prometheus text format, for staff or a bearer ``METRICS_TOKEN``.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest

from mentormemed.core import health
from mentormemed.core.access import public


@public
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@public
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    checks = health.checks()
    failed = [c.name for c in checks if not c.ok]
    body = {
        "status": "fail" if failed else "ok",
        "failed": failed,
        "checks": {c.name: {"ok": c.ok, "detail": c.detail} for c in checks},
    }
    return JsonResponse(body, status=503 if failed else 200)


def metrics_allowed(request: HttpRequest) -> bool:
    """Staff signed in, or ``Authorization: Bearer <METRICS_TOKEN>`` (constant-time comparison)."""
    if request.user.is_authenticated and request.user.is_staff:
        return True
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    return bool(token) and header.startswith("Bearer ") and hmac.compare_digest(header[7:].strip(), token)


def registry() -> CollectorRegistry:
    """A fresh registry per scrape, filled from the database (several web processes agree)."""
    reg = CollectorRegistry()
    checks = health.checks()
    ready = Gauge("mmm_ready", "1 when the readiness check passes", ["check"], registry=reg)
    for check in checks:
        ready.labels(check.name).set(int(check.ok))
    if not checks[0].ok:
        return reg
    f = health.figures()
    oldest = Gauge(
        "mmm_task_oldest_waiting_seconds", "Age of the oldest due task not yet started", ["queue"], registry=reg
    )
    waiting = Gauge("mmm_tasks_waiting", "Due tasks not yet started", ["queue"], registry=reg)
    workers = Gauge("mmm_workers_alive", "Workers with a fresh heartbeat", ["queue"], registry=reg)
    for queue in f.tasks_waiting:
        oldest.labels(queue).set(f.oldest_task_age[queue] or 0)
        waiting.labels(queue).set(f.tasks_waiting[queue])
        workers.labels(queue).set(f.workers_alive.get(queue, 0))
    Gauge("mmm_tasks_running", "Tasks running now", registry=reg).set(f.tasks_running)
    Gauge("mmm_tasks_failed", "Task results marked FAILED (kept until pruned)", registry=reg).set(f.tasks_failed)
    sweep = Gauge("mmm_sweep_last_finished_seconds", "Seconds since a sweep last finished (-1: never)", registry=reg)
    sweep.set(-1 if f.sweep_age is None else f.sweep_age)
    Gauge("mmm_sweep_last_failures", "Jobs and rows that failed in the last sweep", registry=reg).set(f.sweep_failures)
    outbox = Gauge("mmm_outbox_emails", "Outbox e-mails by status", ["status"], registry=reg)
    for status, count in f.outbox.items():
        outbox.labels(status).set(count)
    Gauge("mmm_outbox_oldest_due_seconds", "Age of the oldest due e-mail not yet sent", registry=reg).set(
        f.outbox_oldest_age or 0
    )
    return reg


@public  # answers to staff or its bearer token, checked here (401 otherwise), never to other roles
@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    if not metrics_allowed(request):
        response = HttpResponse("Staff or a metrics token only.\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
