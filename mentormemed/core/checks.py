"""System checks for a deployment (``manage.py check``; run at every start of a management command
and of the web process).

- **A shared cache in production.** Rate limits (failed sign-ins per address and per account), the
  search index's version (which invalidates cached facet counts) and the viewer's cached wishes live
  in the default cache. A per-process cache (memory, dummy, files on one machine) gives each web
  process its own: the sign-in throttle then allows N × the limit and an invalidation reaches one
  process only. (Spent one-time codes are kept in the database, ``accounts.totp``.) ``DJANGO_ENV=production`` therefore
  requires a cache every process shares — Redis, ``CACHE_URL=redis://host:6379/1``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register

PER_PROCESS_CACHES = frozenset(
    {
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.cache.backends.dummy.DummyCache",
        "django.core.cache.backends.filebased.FileBasedCache",
    }
)


@register(Tags.caches)
def shared_cache_in_production(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    if not settings.PRODUCTION:
        return []
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend not in PER_PROCESS_CACHES:
        return []
    return [
        Error(
            f"The default cache ({backend}) is per process, and production runs several processes: "
            "sign-in rate limits and the invalidation of cached figures would not be shared.",
            hint="Set CACHE_URL=redis://host:6379/1 (a Redis every web process and worker reaches).",
            id="mentormemed.E001",
        )
    ]
