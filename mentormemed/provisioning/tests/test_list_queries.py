"""The provisioning page and SCIM lists run the same number of queries as they grow."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mentormemed.core.access import Actor
from mentormemed.provisioning.models import RosterSync, ScimGroup, ScimUser
from mentormemed.provisioning.services import scim_token_create
from mentormemed.provisioning.tests.test_scim import Scim


def _grow(cast, n: int, tag: str) -> None:
    group = ScimGroup.objects.create(institution=cast.inst_a, display_name=f"Mentors {tag}", role="mentor")
    for i in range(n):
        scim_token_create(acting=Actor.for_user(cast.admin.user), institution=cast.inst_a, label=f"{tag}{i}")
        RosterSync.objects.create(institution=cast.inst_a, uploaded_by=cast.admin.user, file_name=f"{tag}{i}.csv")
        person = ScimUser.objects.create(institution=cast.inst_a, user_name=f"{tag}{i}@alpha.edu")
        group.members.add(person)


def _count(client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_provisioning_lists_run_a_bounded_number_of_queries(cast):
    admin = cast.client_for(cast.admin)
    scim = Scim(
        scim_token_create(acting=Actor.for_user(cast.admin.user), institution=cast.inst_a, label="lists").secret
    ).client
    pages = [(admin, reverse("provisioning:index")), (scim, "/scim/v2/Users"), (scim, "/scim/v2/Groups")]
    _grow(cast, 2, "a")
    small = [_count(client, url) for client, url in pages]
    _grow(cast, 5, "b")
    large = [_count(client, url) for client, url in pages]
    assert small == large
