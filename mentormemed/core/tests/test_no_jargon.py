"""No internal jargon on screen: rule numbers ("(R7)", "R32") and source-document names ("seed 002")
belong to the project's files, never to what a person reads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from mentormemed.core.access import PERMISSIONS
from mentormemed.core.tests.test_permission_matrix import ROLES, _client, _url, guarded_urls

JARGON = re.compile(r"\bR\d{1,2}\b|\bseed\s+0\d\d\b|\bseeds?/", re.IGNORECASE)
COMMENT = re.compile(r"{#.*?#}|{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|<!--.*?-->", re.DOTALL)
INVISIBLE = re.compile(r"<(script|style)\b.*?</\1>", re.DOTALL | re.IGNORECASE)
TAG = re.compile(r"<[^>]+>")


def visible_text(html: str) -> str:
    return TAG.sub(" ", INVISIBLE.sub(" ", COMMENT.sub(" ", html)))


def jargon_in(text: str) -> list[str]:
    return [m.group(0) for m in JARGON.finditer(text)]


def test_the_pattern_catches_what_it_should():
    assert jargon_in("Required before requests (R7)") == ["R7"]
    assert jargon_in("Mentors committed (R32)") == ["R32"]
    assert jargon_in("matters most (seed 002).") == ["seed 002"]
    assert not jargon_in("Certificate MMM-2026-R3KP-7XQ2, PGY-3, MS4, room 12")


def test_no_template_shows_jargon():
    base = Path(settings.BASE_DIR) / "mentormemed"
    problems = []
    for path in base.rglob("templates/**/*"):
        if path.is_file() and path.suffix in (".html", ".txt", ".ics"):
            text = COMMENT.sub(" ", path.read_text())
            problems += [f"{path.relative_to(base)}: {hit}" for hit in jargon_in(text)]
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_no_page_shows_jargon(cast, role):
    """Every page a role may open (the permission matrix's URLs), rendered with the shared cast."""
    client = _client(cast, role)
    problems, seen = [], 0
    for name, perm in guarded_urls():
        if role not in PERMISSIONS[perm].roles:
            continue
        response = client.get(_url(cast, name))
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        seen += 1
        problems += [f"{name}: {hit}" for hit in jargon_in(visible_text(response.content.decode()))]
    assert seen > 5
    assert not problems, "\n".join(problems)
