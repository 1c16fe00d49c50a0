"""An independent SCIM conformance checker (scim2-tester) against the live server (R33)."""

from __future__ import annotations

import pytest
from httpx2 import Client
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

from mentormemed.core.access import Actor
from mentormemed.provisioning.services import scim_token_create

PASSING = {Status.SUCCESS, Status.COMPLIANT, Status.ACCEPTABLE, Status.SKIPPED}


# A live server beside the browser journeys: one worker runs them in turn (SQLite shares a file per worker).
@pytest.mark.xdist_group("e2e")
@pytest.mark.django_db(transaction=True)
def test_r33_scim2_tester_passes_against_the_live_server(live_server, cast):
    secret = scim_token_create(
        acting=Actor.for_user(cast.admin.user), institution=cast.inst_a, label="conformance"
    ).secret
    http = Client(base_url=f"{live_server.url}/scim/v2", headers={"Authorization": f"Bearer {secret}"}, timeout=30)
    client = SyncSCIMClient(http)
    client.discover()
    results = check_server(client)
    failures = [f"{r.title}: {r.status.name} — {r.reason}" for r in results if r.status not in PASSING]
    assert results and not failures, "\n".join(failures)
    assert sum(r.status == Status.SUCCESS for r in results) >= 20
