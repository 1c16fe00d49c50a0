"""The read replica (issue 14): with ``DATABASE_REPLICA_URL`` the outcomes figures and research exports
read from a second connection, ``replica``; every write, and every other read, goes to the primary.

Here ``replica`` is a second connection to the test database (a test mirror of ``default``, as
``TEST: {"MIRROR": "default"}`` makes it under ``DATABASE_REPLICA_URL``), so the tests see which
connection ran each statement."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connections, router, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mentormemed.core.routers import ReplicaRouter, replica_reads
from mentormemed.institutions.models import Institution
from mentormemed.outcomes import research
from mentormemed.outcomes.models import PrecomputedRelease, ResearchRequest, RollupRefresh
from mentormemed.outcomes.testing import research_request

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def replica_alias(django_db_setup, django_db_blocker):
    """A ``replica`` alias: a second connection to the test database. Module-scoped, so it exists before
    each test's database set-up, which then allows it (``databases``); being a mirror, it is never flushed."""
    default = connections["default"].settings_dict
    connections.settings["replica"] = {**default, "TEST": {**default["TEST"], "MIRROR": "default"}}
    try:
        yield "replica"
    finally:
        with django_db_blocker.unblock():
            connections["replica"].close()
        del connections["replica"]
        del connections.settings["replica"]


@pytest.fixture
def replica(replica_alias, settings):
    settings.DATABASE_ROUTERS = ["mentormemed.core.routers.ReplicaRouter"]
    return connections[replica_alias]


with_replica = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


def _statements(alias: str) -> CaptureQueriesContext:
    return CaptureQueriesContext(connections[alias])


@with_replica
def test_outcomes_figures_are_read_from_the_replica_and_written_to_the_primary(replica):
    assert replica is not connections["default"]
    with _statements("default") as primary, _statements("replica") as second:
        RollupRefresh.objects.create(refreshed_at=timezone.now())  # the router's write: the primary
        found = RollupRefresh.objects.get()  # a read of the figures: the replica (same data here)
    assert [q["sql"].split()[0] for q in primary.captured_queries] == ["INSERT"]
    assert [q["sql"].split()[0] for q in second.captured_queries] == ["SELECT"]
    assert found._state.db == "replica"
    with _statements("default") as primary, _statements("replica") as second:
        found.seconds = 2.5
        found.save()  # an object read from the replica is saved to the primary
    assert [q["sql"].split()[0] for q in primary.captured_queries] == ["UPDATE"]
    assert second.captured_queries == []
    assert RollupRefresh.objects.using("default").get().seconds == 2.5
    assert router.db_for_read(PrecomputedRelease) == "replica"


@with_replica
def test_reads_that_must_see_the_latest_write_stay_on_the_primary(replica, cast):
    assert router.db_for_read(ResearchRequest) == "default"  # workflow records: read right after a change
    assert router.db_for_read(Institution) == "default"  # every other app
    assert ResearchRequest.objects.all().db == "default"
    assert RollupRefresh.objects.select_for_update().db == "default"  # read for a write
    with transaction.atomic():  # the rollup update reads back what its own transaction wrote
        assert router.db_for_read(RollupRefresh) == "default"
        assert RollupRefresh.objects.all().db == "default"
    for model in (RollupRefresh, ResearchRequest, Institution):
        assert router.db_for_write(model) == "default"
    assert not ReplicaRouter().allow_migrate("replica", "outcomes")
    assert ReplicaRouter().allow_migrate("default", "outcomes")


@with_replica
def test_a_research_export_reads_everything_from_the_replica(replica, cast, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    request = research_request(cast.mentor, state="approved")
    with replica_reads():
        assert router.db_for_read(Institution) == "replica"
        with transaction.atomic():  # even inside the export service's transaction
            assert router.db_for_read(Institution) == "replica"
            assert router.db_for_write(Institution) == "default"
    with _statements("default") as primary, _statements("replica") as second:
        release = research.export_rows(request=request)
    assert release.rows is not None
    assert second.captured_queries, "the export read nothing from the replica"
    assert primary.captured_queries == []


def test_without_a_replica_nothing_changes(settings):
    assert "DATABASE_ROUTERS" not in os.environ and settings.DATABASE_ROUTERS == []
    assert router.db_for_read(RollupRefresh) == "default"
    mirror = connections.settings.pop("replica", None)  # if this module's other tests made one
    try:
        assert ReplicaRouter().db_for_read(RollupRefresh) == "default"  # even if the router were installed
        with replica_reads():
            assert ReplicaRouter().db_for_read(Institution) == "default"
    finally:
        if mirror is not None:
            connections.settings["replica"] = mirror


def test_database_replica_url_adds_the_alias_and_the_router():
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps({'aliases': sorted(settings.DATABASES), "
        "'routers': getattr(settings, 'DATABASE_ROUTERS', []), "
        "'replica': settings.DATABASES.get('replica', {}).get('NAME'), "
        "'mirror': settings.DATABASES.get('replica', {}).get('TEST', {}).get('MIRROR')}))"
    )

    def settings_with(**env: str) -> dict:
        environ = {**os.environ, "DJANGO_SETTINGS_MODULE": "mentormemed.settings", **env}
        environ.pop("DATABASE_REPLICA_URL", None) if "DATABASE_REPLICA_URL" not in env else None
        out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=environ, capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout.strip().splitlines()[-1])

    configured = settings_with(
        DATABASE_URL="postgres://app@primary:5432/mmm", DATABASE_REPLICA_URL="postgres://reader@replica:5432/mmm"
    )
    assert configured == {
        "aliases": ["default", "replica"],
        "routers": ["mentormemed.core.routers.ReplicaRouter"],
        "replica": "mmm",
        "mirror": "default",
    }
    assert settings_with(DATABASE_URL="postgres://app@primary:5432/mmm") == {
        "aliases": ["default"],
        "routers": [],
        "replica": None,
        "mirror": None,
    }
