"""/.well-known/security.txt follows RFC 9116: a Contact, one Expires less than a year ahead, only
known fields, served as plain UTF-8 text to anyone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

KNOWN_FIELDS = {"Acknowledgments", "Canonical", "Contact", "Encryption", "Expires", "Hiring", "Policy",
                "Preferred-Languages", "CSAF"}  # fmt: skip


def _fields(text: str) -> list[tuple[str, str]]:
    pairs = []
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, sep, value = line.partition(": ")
            assert sep, f"not a field line: {line!r}"
            pairs.append((name, value))
    return pairs


@pytest.mark.django_db
def test_security_txt_is_rfc_9116(client, settings):
    settings.SITE_URL = "https://mentormemed.example"
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    fields = _fields(response.content.decode())
    names = [n for n, _ in fields]
    assert set(names) <= KNOWN_FIELDS, names
    assert ("Contact", "mailto:security@mentormemed.org") in fields
    assert names.count("Expires") == 1
    expires = dt.datetime.strptime(dict(fields)["Expires"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    assert timezone.now() < expires < timezone.now() + dt.timedelta(days=365), "in the future, under a year"
    assert ("Canonical", "https://mentormemed.example/.well-known/security.txt") in fields
    assert dict(fields)["Preferred-Languages"] == "en, es"


@pytest.mark.django_db
def test_security_txt_names_the_configured_contact_and_policy(client, settings):
    settings.SECURITY_CONTACT_EMAIL = "psirt@university.example"
    settings.SECURITY_POLICY_URL = "https://mentormemed.example/security-policy"
    fields = _fields(client.get("/.well-known/security.txt").content.decode())
    assert ("Contact", "mailto:psirt@university.example") in fields
    assert ("Policy", "https://mentormemed.example/security-policy") in fields


def test_security_doc_names_only_files_and_settings_that_exist():
    """docs/security.md ties each answer to a file, a setting or an environment variable: they exist."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    text = (root / "docs" / "security.md").read_text(encoding="utf-8")
    names = re.findall(r"`([^`\s]+)`", text)
    files = [n for n in names if "/" in n and not n.startswith("/") and "<" not in n]
    assert files and [f for f in files if not (root / f).exists()] == []
    setting_names = [n.rstrip("*").rstrip("_") for n in names if re.fullmatch(r"[A-Z][A-Z_]+\*?", n)]
    assert setting_names
    settings_source = (root / "mentormemed" / "settings.py").read_text(encoding="utf-8")
    assert [n for n in setting_names if n not in settings_source] == []
