"""One cache for every process (issue 14): production refuses a per-process cache, and Redis, the cache it
asks for, shares what the product keeps there — sign-in rate limits, the search index's version, the
viewer's cached wishes — between two cache clients, as two web processes would have."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.test import Client
from django.urls import reverse

from mentormemed.core import checks, health
from mentormemed.matching import index, viewer
from mentormemed.testing.factories import TEST_PASSWORD, MembershipFactory, UserFactory, onboard

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    "backend",
    [
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.cache.backends.dummy.DummyCache",
        "django.core.cache.backends.filebased.FileBasedCache",
    ],
)
def test_production_with_a_per_process_cache_is_an_error(settings, backend):
    settings.PRODUCTION = True
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": "/tmp/mmm-cache-check"}}
    (error,) = checks.shared_cache_in_production()
    assert error.id == "mentormemed.E001" and error.is_serious()
    assert "CACHE_URL=redis://" in error.hint


def test_production_with_redis_and_development_with_memory_pass(settings):
    settings.PRODUCTION = True
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://r:6379/1"}
    }
    assert checks.shared_cache_in_production() == []
    settings.PRODUCTION = False
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert checks.shared_cache_in_production() == []


def _check_deploy(**env: str) -> subprocess.CompletedProcess:
    environ = {
        **os.environ,
        "DJANGO_ENV": "production",
        "SECRET_KEY": "x" * 64 + "-production-secret-for-check",
        "ALLOWED_HOSTS": "mentormemed.example.org",
        "DATABASE_URL": "sqlite:////tmp/check-deploy.sqlite3",
        **env,
    }
    environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    if "CACHE_URL" not in env:
        environ.pop("CACHE_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT, env=environ, capture_output=True, text=True
    )


def test_production_refuses_to_start_without_cache_url_and_starts_with_it():
    without = _check_deploy()
    assert without.returncode != 0 and "mentormemed.E001" in without.stderr
    assert "CACHE_URL=redis://" in without.stderr
    with_redis = _check_deploy(CACHE_URL="redis://127.0.0.1:6379/1")  # the check reads settings; no connection
    assert with_redis.returncode == 0, with_redis.stdout + with_redis.stderr


@contextlib.contextmanager
def another_process() -> Iterator[RedisCache]:
    """This thread's default cache becomes a second, separate client (its own connection pool), as
    another web process's would be; the first comes back at the end."""
    mine = caches["default"]
    other = caches.create_connection("default")
    caches._connections.default = other  # type: ignore[attr-defined]
    try:
        yield other
    finally:
        other.close()
        caches._connections.default = mine  # type: ignore[attr-defined]


@pytest.mark.redis
@pytest.mark.django_db
def test_failed_sign_ins_counted_in_one_process_lock_the_account_in_another(redis_cache):
    onboard(MembershipFactory(role="mentee", user=UserFactory(email="t@alpha.edu")))
    first = caches["default"]
    assert isinstance(first, RedisCache)
    for _ in range(5):  # ACCOUNT_RATE_LIMITS login_failed: 5 per 5 minutes per account
        Client().post(reverse("account_login"), {"login": "t@alpha.edu", "password": "wrong"})
    with another_process() as other:
        assert other is not first and other._cache.get_client() is not first._cache.get_client()
        client = Client(REMOTE_ADDR="10.0.0.2")  # another address too: the account's own limit holds
        response = client.post(reverse("account_login"), {"login": "t@alpha.edu", "password": TEST_PASSWORD})
        assert b"Too many failed login attempts" in response.content
        assert "_auth_user_id" not in client.session


@pytest.mark.redis
@pytest.mark.django_db
def test_invalidations_made_in_one_process_are_seen_in_another(redis_cache, cast):
    before = index.index_version()
    with another_process():
        assert index.index_version() == before
        facts = viewer.viewer_facts(type(cast.mentee).objects.get(pk=cast.mentee.pk))  # cached by "process B"
    assert cache.get(viewer.key_for(cast.mentee.pk)) == facts  # visible to "process A"
    index.bump_index_version()  # a profile changed in "process A"
    viewer.forget(cast.mentee.pk)
    with another_process():
        assert index.index_version() > before  # B's cached facet counts are now under a stale version
        assert cache.get(viewer.key_for(cast.mentee.pk)) is None  # and B reads the wishes again
        assert next(c for c in health.checks() if c.name == "cache").ok
