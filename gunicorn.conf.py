"""gunicorn settings for MentorMeMed, chosen deliberately (docs/operations.md, "Web processes").

Run: ``gunicorn -c gunicorn.conf.py mentormemed.wsgi`` (``DJANGO_ENV=production``). Every value can be
overridden from the environment (``GUNICORN_<NAME>``) or the command line.
"""

from __future__ import annotations

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(f"GUNICORN_{name.upper()}", default))


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Sync workers: the app does no long work in requests (imports, exports and e-mail are tasks), so a
# plain process per request slot is the simplest thing that is safe with the ORM.
workers = _int("workers", min(2 * multiprocessing.cpu_count() + 1, 9))
# A request that runs past 30 s is a bug (long work belongs on the task queue): the worker is killed
# and replaced, the request gets a 502 from the proxy, and the traceback is in the log.
timeout = _int("timeout", 30)
# On a deploy (SIGTERM / HUP) requests in flight get this long to finish before their worker is killed.
# Keep it at least as long as ``timeout`` so no request that could still succeed is cut short, and below
# the orchestrator's kill delay (Kubernetes: terminationGracePeriodSeconds, default 30 → set it to 45).
graceful_timeout = _int("graceful_timeout", 30)
# Recycle each worker after this many requests (with jitter, so they do not all restart at once):
# bounds slow memory growth from long-lived processes.
max_requests = _int("max_requests", 1000)
max_requests_jitter = _int("max_requests_jitter", 100)
# Load the app in the master so a broken release fails at start, not in every worker.
preload_app = True
accesslog = "-"
errorlog = "-"
