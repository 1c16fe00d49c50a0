"""Bad input gets a clear answer, never a server error: every form of every page, filled with junk.

Generated from the same URL list as the permission matrix: for each guarded page and each role
allowed on it, every POST form on the page is submitted with hostile values in every field it
names (wrong types, out-of-range numbers, impossible dates, ids of nothing, very long text, NUL
bytes). Any 5xx fails. A new page with a form is covered without editing this file.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from mentormemed.core.access import PERMISSIONS
from mentormemed.core.tests.test_permission_matrix import _client, _url, guarded_urls

JUNK = ["", "-1", "99999999999999999999", "abc", "2026-13-45", "<script>alert(1)</script>", "x" * 20000, "a\x00b"]


class _Forms(HTMLParser):
    """The POST forms of a page: action and field names (file inputs left out)."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, set[str]]] = []
        self._current: tuple[str, set[str]] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._current = (a.get("action") or "", set())
            self.forms.append(self._current)
        elif (
            self._current
            and tag in ("input", "select", "textarea")
            and a.get("name")
            and a.get("type") not in ("file", "submit")
            and a["name"] != "csrfmiddlewaretoken"
        ):
            self._current[1].add(a["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def _forms(html: str) -> list[tuple[str, set[str]]]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "perm"), guarded_urls())
def test_junk_in_every_form_never_breaks_the_server(cast, name, perm):
    url = _url(cast, name)
    for role in sorted(PERMISSIONS[perm].roles):
        client = _client(cast, role)
        page = client.get(url)
        if page.status_code != 200 or "html" not in page.get("Content-Type", ""):
            continue
        for action, fields in _forms(page.content.decode()):
            target = urlsplit(action).path or url
            if not target.startswith("/") or target.startswith("/accounts/"):
                continue  # allauth's own forms (sign-out, MFA) are not ours to fuzz
            for junk in JUNK:
                response = client.post(target, dict.fromkeys(fields, junk))
                assert response.status_code < 500, f"{role} POST {target} ({name}) with {junk[:20]!r}"


@pytest.mark.django_db
def test_out_of_range_ids_in_a_list_match_nothing(cast):
    from mentormemed.institutions.models import Institution

    huge = 10**30
    assert list(Institution.objects.filter(pk__in=[huge])) == []
    assert list(Institution.objects.filter(pk__in=[huge, cast.inst_a.pk, -huge])) == [cast.inst_a]
    assert Institution.objects.exclude(pk__in=[huge]).count() == Institution.objects.count()


QUERY_JUNK = {
    "page": "-1",
    "p": "abc",
    "from": "2026-99",
    "to": "x",
    "level": "<zzz>",
    "basis": "99999999999999999999",
    "f": ["area:", "id:nothing:here", "x" * 500],
    "sort": "'; drop table--",
    "scope": "everywhere",
    "q": "%_" * 200,
    "week": "-99999",
    "length": "0",
    "role": "god",
    "status": "\x00",
}


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "perm"), guarded_urls())
def test_junk_in_the_query_string_never_breaks_the_server(cast, name, perm):
    url = _url(cast, name)
    for role in sorted(PERMISSIONS[perm].roles):
        response = _client(cast, role).get(url, QUERY_JUNK)
        assert response.status_code < 500, f"{role} GET {name} with junk parameters"


@pytest.mark.django_db
def test_a_nul_byte_is_refused_with_a_clear_message_and_changes_nothing(cast):
    client = cast.client_for(cast.mentee)
    user = cast.mentee.user
    response = client.post(
        "/account/settings/", {"first_name": "A\x00", "last_name": "B", "time_zone": "America/Chicago"}
    )
    assert response.status_code == 400 and "Nothing was changed" in response.content.decode()
    user.refresh_from_db()
    assert user.first_name != "A\x00" and user.time_zone != "America/Chicago"
    assert client.get("/manage/members/", {"status": "\x00"}).status_code in (400, 403)
