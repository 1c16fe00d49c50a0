"""Run in a child process with ``DATABASE_URL`` set: generate data, sign mentees in, count queries.

Prints one JSON line: generation time, session keys, a visible mentor id and the
query count of every benchmarked path.
"""

from __future__ import annotations

import json
import os
import sys

import django


def main(sizes: dict) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentormemed.settings")
    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.generate import generate
    from bench.run import endpoints
    from mentormemed.core.middleware import SESSION_KEY as ACTING
    from mentormemed.institutions.models import Membership
    from mentormemed.matching.selectors import searchable_mentors

    reuse = os.environ.get("BENCH_REUSE") == "1" and Membership.objects.filter(role="mentee").exists()
    report = {"seconds": 0} if reuse else generate(**sizes)
    mentees = list(
        Membership.objects.filter(role="mentee").select_related("user").order_by("pk")[:40:1]
    )  # different institutions (ids rotate across them)
    sessions = []
    for membership in mentees:
        store = SessionStore()
        store[SESSION_KEY] = str(membership.user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = membership.user.get_session_auth_hash()
        store[ACTING] = membership.pk
        store.create()
        sessions.append(store.session_key)
    admin_session = _admin_session(institution_id=mentees[0].institution_id)
    mentor = searchable_mentors(viewer=mentees[0]).filter(scope="national").order_by("pk").first()
    client = Client()
    client.cookies["sessionid"] = sessions[0]
    queries = {}
    for _, path in endpoints(mentor.pk):
        client.get(path)  # warm caches the same way the server is warmed
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        queries[path] = len(captured.captured_queries)
    return {
        "seconds": report["seconds"],
        "sessions": sessions,
        "admin_session": admin_session,
        "mentor_id": mentor.pk,
        "queries": queries,
    }


def _admin_session(*, institution_id: int) -> str:
    """A signed-in admin (with the second factor the MFA gate asks for) acting for ``institution_id``."""
    from allauth.mfa.totp.internal.auth import TOTP
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from mentormemed.accounts.models import User
    from mentormemed.core.middleware import SESSION_KEY as ACTING
    from mentormemed.institutions.models import Membership
    from mentormemed.testing.factories import TOTP_SECRET

    user, _ = User.objects.get_or_create(email="bench-load-admin@example.org")
    if not user.authenticator_set.exists():
        TOTP.activate(user, TOTP_SECRET)
    membership, _ = Membership.objects.get_or_create(user=user, institution_id=institution_id, role="admin")
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[ACTING] = membership.pk
    store.create()
    return store.session_key


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]))))
