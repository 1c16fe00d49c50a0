"""MFA for admins and staff, login throttling, deployment settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from mentormemed.testing.factories import TEST_PASSWORD, MembershipFactory, UserFactory, onboard

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


def test_admin_without_mfa_is_sent_to_enrol(cast):
    admin = MembershipFactory(institution=cast.inst_a, role="admin")
    client = cast.client_for(admin)
    response = client.get(reverse("institutions:members"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_staff_without_mfa_is_sent_to_enrol(db):
    client = Client()
    client.force_login(UserFactory(is_staff=True))
    response = client.get(reverse("staff:institutions"))
    assert response["Location"] == reverse("mfa_activate_totp")


def test_mentee_without_mfa_is_not_forced(cast):
    assert cast.client_for(cast.mentee).get(reverse("core:home")).status_code == 200


def test_login_with_mfa_asks_for_a_code(cast):
    client = Client()
    response = client.post(reverse("account_login"), {"login": "admin@alpha.edu", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")


def test_repeated_failed_logins_are_throttled(db, settings):
    onboard(MembershipFactory(role="mentee", user=UserFactory(email="t@alpha.edu")))
    client = Client()
    for _ in range(5):
        client.post(reverse("account_login"), {"login": "t@alpha.edu", "password": "wrong"})
    # Even the right password is refused until the lockout window passes.
    response = client.post(reverse("account_login"), {"login": "t@alpha.edu", "password": TEST_PASSWORD})
    assert b"Too many failed login attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_production_settings_pass_the_deployment_checklist():
    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "SECRET_KEY": "x" * 64 + "-production-secret-for-check",
        "ALLOWED_HOSTS": "mentormemed.example.org",
        "DATABASE_URL": "sqlite:////tmp/check-deploy.sqlite3",
        "CACHE_URL": "redis://127.0.0.1:6379/1",  # production requires a shared cache (core.checks)
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser-test harness, never in deployment
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_passwords_are_hashed_with_argon2_outside_tests():
    import mentormemed.settings as module

    assert module.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_totp_accepts_one_step_of_drift_and_no_more():
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, validate_totp_code

    from mentormemed.testing.factories import TOTP_SECRET

    step = int(time.time()) // 30

    def code(n):
        return format_hotp_value(hotp_value(TOTP_SECRET, n))

    assert validate_totp_code(TOTP_SECRET, code(step))
    assert validate_totp_code(TOTP_SECRET, code(step - 1))  # typed as it rolled over
    assert not validate_totp_code(TOTP_SECRET, code(step - 3))


def _sign_in_with_code(email: str, code: str) -> Client:
    client = Client()
    client.post(reverse("account_login"), {"login": email, "password": TEST_PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": code})
    return client


def test_a_used_totp_code_is_refused_for_the_rest_of_its_drift_window(cast):
    """ASVS 2.8.4: a code signs in once. allauth forgets a used code after 30 s while it stays
    valid for ~90 s (one step of drift each way): 31 s later it must still be refused."""
    import time_machine
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    from mentormemed.testing.factories import TOTP_SECRET

    with time_machine.travel(1_800_000_000, tick=False):
        code = format_hotp_value(hotp_value(TOTP_SECRET, 1_800_000_000 // 30))
        first = _sign_in_with_code("admin@alpha.edu", code)
        assert "_auth_user_id" in first.session
    with time_machine.travel(1_800_000_031, tick=False):
        from django.core.cache import cache

        cache.clear()  # what allauth's 30-second memory would have forgotten by now
        replay = _sign_in_with_code("admin@alpha.edu", code)
        assert "_auth_user_id" not in replay.session, "the same code signed in a second session"
        fresh = format_hotp_value(hotp_value(TOTP_SECRET, 1_800_000_031 // 30))
        assert "_auth_user_id" in _sign_in_with_code("admin@alpha.edu", fresh).session, "the next step works"


def test_pages_carry_a_content_security_policy_and_a_permissions_policy(cast):
    response = cast.client_for(cast.mentee).get(reverse("core:home"))
    policy = response["Content-Security-Policy"]
    assert (
        "default-src 'self'" in policy
        and "script-src 'self'" in policy
        and "unsafe-inline" not in policy.split("style-src-attr")[0]
    ), policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.parametrize("url_name", ["core:home", "institutions:members", "outcomes:dashboard"])
def test_signed_in_pages_are_never_cached(cast, url_name):
    response = cast.client_for(cast.admin).get(reverse(url_name))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_public_pages_keep_their_own_caching(db):
    response = Client().get(reverse("core:landing"))
    assert response.status_code == 200 and "no-store" not in response.get("Cache-Control", "")


@pytest.mark.parametrize("number", ["a/b", "../../etc", "<script>", "x" * 500])
def test_a_malformed_certificate_number_is_a_plain_not_found(db, number):
    response = Client().get(reverse("training:verify"), {"number": number})
    assert response.status_code == 404
    assert b"<script>" not in response.content


def test_every_export_defuses_spreadsheet_formulas():
    from mentormemed.core.spreadsheet import csv_text, defuse, tsv_line

    assert defuse("=HYPERLINK(1)") == "'=HYPERLINK(1)" and defuse("@SUM(A1)") == "'@SUM(A1)"
    assert defuse("-0.31") == "-0.31" and defuse("+2.5%") == "+2.5%", "plain numbers stay numbers"
    assert csv_text(["a"], [["=1+1"]]).splitlines()[1] == "'=1+1"
    assert tsv_line(["=cmd|' /C calc'!A0", "Ana"]) == "'=cmd|' /C calc'!A0\tAna\r\n"
