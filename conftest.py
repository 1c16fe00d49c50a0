"""The shared cast: mentee, mentor, admin and staff at institution A, outsiders at B."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.db import connections
from django.test import Client
from django.utils import translation

from mentormemed.core.access import Actor
from mentormemed.testing.factories import (
    InstitutionFactory,
    MembershipFactory,
    UserFactory,
    onboard,
    with_totp,
)

pytest_plugins = ["mentormemed.testing.smtp", "mentormemed.testing.redis"]  # smtp_inbox; redis_server, rq_tasks …


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    """Tasks run inline in tests so e-mails land in ``mail.outbox``."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": settings.TASK_QUEUES}
    }
    settings.MMM = {**settings.MMM}
    # Argon2 is the real hasher; tests use a fast one so factories stay quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    """A request read in Spanish leaves Spanish active in the thread: every test starts in the default language."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters, spent TOTP codes and facet counts live in the cache, and the facet
    catalogue in the process: no test inherits another's, and none leaves its own behind."""
    from mentormemed.matching.index import forget_catalog

    cache.clear()
    forget_catalog()
    yield
    cache.clear()
    forget_catalog()


@dataclass
class Cast:
    inst_a: object
    inst_b: object
    mentee: object
    mentor: object
    admin: object
    staff: object
    mentee_b: object
    mentor_b: object
    admin_b: object
    invitation: object = None

    def member(self, role: str, outsider: bool = False):
        return getattr(self, f"{role}_b" if outsider else role)

    def client_for(self, who) -> Client:
        client = Client()
        if who is not None:
            user = who if not hasattr(who, "user") else who.user
            client.force_login(user)
            if hasattr(who, "pk") and hasattr(who, "role"):
                session = client.session
                session["acting_membership_id"] = who.pk
                session.save()
        return client


def _person(email: str, name: str, **fields: object) -> object:
    first_name, last_name = name.split(" ", 1)
    return UserFactory(email=email, first_name=first_name, last_name=last_name, **fields)


@pytest.fixture
def cast(db) -> Cast:
    """The people every journey test uses. Their names are fixed, not drawn at random:
    a browser test finds buttons by their words, and a random surname such as
    "Townsend" once made the name menu match a "Send" button."""
    inst_a = InstitutionFactory(name="Alpha School of Medicine")
    inst_b = InstitutionFactory(name="Beta Health System", kind="hospital_system")
    admin_user = with_totp(_person("admin@alpha.edu", "Helen Whitfield"))
    admin_b_user = with_totp(_person("admin@beta.org", "Omar Haddad"))
    admin = MembershipFactory(institution=inst_a, role="admin", user=admin_user)
    admin_b = MembershipFactory(institution=inst_b, role="admin", user=admin_b_user)
    staff = with_totp(_person("staff@mentormemed.org", "Lena Park", is_staff=True))
    from mentormemed.institutions.services import invitation_create

    invitation = invitation_create(
        acting=Actor.for_user(admin.user), institution=inst_a, email="invitee@alpha.edu", role="mentee", send=False
    ).invitation
    return Cast(
        invitation=invitation,
        inst_a=inst_a,
        inst_b=inst_b,
        mentee=onboard(
            MembershipFactory(institution=inst_a, role="mentee", user=_person("mentee@alpha.edu", "Maya Okafor"))
        ),
        mentor=onboard(
            MembershipFactory(institution=inst_a, role="mentor", user=_person("mentor@alpha.edu", "Daniel Reyes"))
        ),
        admin=admin,
        staff=staff,
        mentee_b=onboard(
            MembershipFactory(institution=inst_b, role="mentee", user=_person("mentee@beta.org", "Jordan Ellis"))
        ),
        mentor_b=onboard(
            MembershipFactory(institution=inst_b, role="mentor", user=_person("mentor@beta.org", "Ruth Abernathy"))
        ),
        admin_b=admin_b,
    )


def pytest_collection_modifyitems(items):
    """Transactional tests (live server, concurrency) flush the database when they end,
    which would erase the reference data loaded by migrations (taxonomy, agreements,
    price bands, the module library). Serialized rollback restores it for each of them.
    pytest-django already runs them after the ordinary tests."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        transactional = marker is not None and marker.kwargs.get("transaction", False)
        uses = set(getattr(item, "fixturenames", ()))
        if not (transactional or {"transactional_db", "live_server", "page"} & uses):
            continue
        if "django_db_serialized_rollback" not in uses:
            item.fixturenames.append("django_db_serialized_rollback")
        if marker is not None and not marker.kwargs.get("serialized_rollback"):
            # pytest-django decides whether to snapshot the test database at all from the markers of
            # marked tests (the fixture name counts only for unmarked ones): without this, a run of
            # files whose markers do not say serialized_rollback snapshots nothing, the first
            # transactional test's flush erases the reference data, and later tests fail at setup.
            item.add_marker(
                pytest.mark.django_db(*marker.args, **{**marker.kwargs, "serialized_rollback": True}), append=False
            )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """Serialized rollback keeps the reference data on the connection object that
    created the test database. Connections opened later in another context (the
    browser tests' event loop) would not see it and would restore nothing, so every
    new connection object is handed the same snapshot."""
    snapshot = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    original = connections.create_connection

    def create_connection(alias):
        conn = original(alias)
        if alias in snapshot:
            conn._test_serialized_contents = snapshot[alias]
        return conn

    connections.create_connection = create_connection
    yield
    del connections.create_connection
