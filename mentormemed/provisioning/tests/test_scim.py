"""SCIM 2.0 provisioning (R33): create, update, deactivate, reactivate, delete, filter, paginate,
groups as roles, and tenant isolation by token."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from mentormemed.core.access import Actor
from mentormemed.core.models import AuditEntry
from mentormemed.institutions.models import Membership
from mentormemed.provisioning.models import ScimToken
from mentormemed.provisioning.services import hash_token, scim_token_create, scim_token_revoke

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


class Scim:
    def __init__(self, secret: str):
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    def _send(self, method: str, path: str, body=None):
        kwargs = {"content_type": "application/scim+json"}
        if body is not None:
            kwargs["data"] = json.dumps(body)
        response = getattr(self.client, method)(f"/scim/v2/{path}", **kwargs)
        return response, (response.json() if response.content else None)

    def get(self, path):
        return self._send("get", path)

    def post(self, path, body):
        return self._send("post", path, body)

    def put(self, path, body):
        return self._send("put", path, body)

    def patch(self, path, *operations):
        return self._send("patch", path, {"schemas": [PATCH_SCHEMA], "Operations": list(operations)})

    def delete(self, path):
        return self._send("delete", path)


def _user(user_name: str, *, given="Grace", family="Hopper", roles=("mentee",), active=True, external_id=""):
    body = {
        "schemas": [USER_SCHEMA],
        "userName": user_name,
        "name": {"givenName": given, "familyName": family},
        "emails": [{"value": user_name, "primary": True, "type": "work"}],
        "roles": [{"value": r} for r in roles],
        "active": active,
    }
    if external_id:
        body["externalId"] = external_id
    return body


@pytest.fixture
def scim_a(cast):
    return Scim(scim_token_create(acting=Actor.for_user(cast.admin.user), institution=cast.inst_a, label="Okta").secret)


@pytest.fixture
def scim_b(cast):
    return Scim(
        scim_token_create(acting=Actor.for_user(cast.admin_b.user), institution=cast.inst_b, label="Entra").secret
    )


def test_r33_tokens_are_stored_hashed_audited_and_revocable(cast):
    issued = scim_token_create(acting=Actor.for_user(cast.admin.user), institution=cast.inst_a, label="Okta production")
    stored = ScimToken.objects.get(pk=issued.token.pk)
    assert stored.token_hash == hash_token(issued.secret) and issued.secret not in stored.token_hash
    assert AuditEntry.objects.filter(action="scim_token.create", institution=cast.inst_a).exists()
    assert Scim(issued.secret).get("Users")[0].status_code == 200
    scim_token_revoke(acting=Actor.for_user(cast.admin.user), token=stored)
    assert Scim(issued.secret).get("Users")[0].status_code == 401
    assert AuditEntry.objects.filter(action="scim_token.revoke").exists()


def test_r33_wrong_or_missing_token_is_401(db):
    response, body = Scim("mmm_scim_not-a-token").get("Users")
    assert response.status_code == 401 and body["status"] == "401"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert Client().get("/scim/v2/Users").status_code == 401


def test_r33_create_update_deactivate_reactivate_and_delete_a_user(cast, scim_a):
    response, created = scim_a.post("Users", _user("grace.hopper@alpha.edu", external_id="E-1001"))
    assert response.status_code == 201, created
    scim_id = created["id"]
    assert response["Location"].endswith(f"/scim/v2/Users/{scim_id}")
    membership = Membership.objects.get(user__email="grace.hopper@alpha.edu", institution=cast.inst_a)
    assert (membership.role, membership.status) == ("mentee", "active")

    replaced = _user("grace.hopper@alpha.edu", given="Grace B.", external_id="E-1001")
    response, body = scim_a.put(f"Users/{scim_id}", replaced)
    assert response.status_code == 200 and body["name"]["givenName"] == "Grace B."

    user = membership.user
    member_client = Client()
    member_client.force_login(user)
    assert member_client.get("/home/").status_code == 200

    response, body = scim_a.patch(f"Users/{scim_id}", {"op": "replace", "path": "active", "value": False})
    assert response.status_code == 200 and body["active"] is False
    membership.refresh_from_db()
    assert (membership.status, membership.end_reason) == ("ended", "left")
    assert member_client.get("/home/").status_code != 200  # access stops at once

    response, body = scim_a.patch(f"Users/{scim_id}", {"op": "replace", "value": {"active": True}})
    assert response.status_code == 200 and body["active"] is True
    memberships = Membership.objects.filter(user=user, institution=cast.inst_a).order_by("pk")
    assert [(m.role, m.status) for m in memberships] == [("mentee", "ended"), ("mentee", "active")]  # history kept
    assert member_client.get("/home/").status_code == 200

    assert scim_a.delete(f"Users/{scim_id}")[0].status_code == 204
    assert scim_a.get(f"Users/{scim_id}")[0].status_code == 404
    assert not Membership.objects.filter(user=user).exclude(status="ended").exists()
    assert Membership.objects.filter(user=user).count() == 2
    actions = set(AuditEntry.objects.filter(institution=cast.inst_a).values_list("action", flat=True))
    assert {"scim.user_create", "scim.user_deactivate", "scim.user_reactivate", "scim.user_delete"} <= actions


def test_r33_a_deprovisioned_person_can_no_longer_sign_in(cast, scim_a):
    from mentormemed.testing.factories import TEST_PASSWORD

    _, created = scim_a.post("Users", _user(cast.mentee.user.email, roles=()))
    scim_a.patch(f"Users/{created['id']}", {"op": "replace", "path": "active", "value": False})
    cast.mentee.refresh_from_db()
    assert cast.mentee.status == "ended"
    response = Client().post("/accounts/login/", {"login": cast.mentee.user.email, "password": TEST_PASSWORD})
    assert response.status_code == 403
    assert "membership has ended" in response.content.decode()


def test_r33_filter_and_paginate_users(cast, scim_a):
    for n in range(5):
        scim_a.post("Users", _user(f"learner{n}@alpha.edu", family=f"Family{n}"))
    response, body = scim_a.get('Users?filter=userName eq "LEARNER3@alpha.edu"')
    assert response.status_code == 200
    assert body["totalResults"] == 1 and body["Resources"][0]["userName"] == "learner3@alpha.edu"
    _, body = scim_a.get('Users?filter=name.familyName sw "family" and not (userName eq "learner0@alpha.edu")')
    assert body["totalResults"] == 4
    _, body = scim_a.get("Users?startIndex=2&count=2")
    assert (body["totalResults"], body["startIndex"], body["itemsPerPage"]) == (5, 2, 2)
    assert [r["userName"] for r in body["Resources"]] == ["learner1@alpha.edu", "learner2@alpha.edu"]
    _, body = scim_a.get("Users?count=0")
    assert body["totalResults"] == 5 and "Resources" not in body
    response, body = scim_a.get('Users?filter=nickName eq "x"')
    assert response.status_code == 400 and body["scimType"] == "invalidFilter"
    _, body = scim_a.get("Users?attributes=userName&count=1")
    assert set(body["Resources"][0]) == {"schemas", "id", "userName"}


def test_r33_another_institutions_token_gets_404_on_our_users(cast, scim_a, scim_b):
    _, created = scim_a.post("Users", _user("ada@alpha.edu"))
    assert scim_b.get(f"Users/{created['id']}")[0].status_code == 404
    assert (
        scim_b.patch(f"Users/{created['id']}", {"op": "replace", "path": "active", "value": False})[0].status_code
        == 404
    )
    assert scim_b.delete(f"Users/{created['id']}")[0].status_code == 404
    assert scim_b.get("Users")[1]["totalResults"] == 0
    assert Membership.objects.get(user__email="ada@alpha.edu").status == "active"


def test_r33_groups_map_to_roles(cast, scim_a):
    _, person = scim_a.post("Users", _user("prof@alpha.edu", roles=()))
    assert not Membership.objects.filter(user__email="prof@alpha.edu").exists()
    response, group = scim_a.post(
        "Groups", {"schemas": [GROUP_SCHEMA], "displayName": "Faculty Mentors", "members": [{"value": person["id"]}]}
    )
    assert response.status_code == 201, group
    assert Membership.objects.get(user__email="prof@alpha.edu").role == "mentor"
    _, body = scim_a.get(f"Users/{person['id']}")
    assert body["groups"][0]["display"] == "Faculty Mentors"
    response, _ = scim_a.patch(f"Groups/{group['id']}", {"op": "remove", "path": f'members[value eq "{person["id"]}"]'})
    assert response.status_code == 200
    membership = Membership.objects.get(user__email="prof@alpha.edu")
    assert (membership.status, membership.end_reason) == ("ended", "left")
    _, body = scim_a.get('Groups?filter=displayName eq "faculty mentors"')
    assert body["totalResults"] == 1
    response, body = scim_a.post("Groups", {"schemas": [GROUP_SCHEMA], "displayName": "Faculty Mentors"})
    assert response.status_code == 409 and body["scimType"] == "uniqueness"


def test_r33_an_invited_members_roles_are_left_alone_by_a_directory_that_names_none(cast, scim_a):
    _, created = scim_a.post("Users", _user(cast.mentor.user.email, roles=()))
    cast.mentor.refresh_from_db()
    assert cast.mentor.status == "active"
    scim_a.patch(f"Users/{created['id']}", {"op": "replace", "path": "name.givenName", "value": "Renamed"})
    cast.mentor.refresh_from_db()
    assert cast.mentor.status == "active"


def test_r33_discovery_endpoints(scim_a):
    _, config = scim_a.get("ServiceProviderConfig")
    assert config["patch"]["supported"] is True and config["filter"]["maxResults"] == 200
    _, types = scim_a.get("ResourceTypes")
    assert {t["id"] for t in types["Resources"]} == {"User", "Group"}
    _, schemas = scim_a.get("Schemas")
    assert USER_SCHEMA in {s["id"] for s in schemas["Resources"]}
