"""Journey (foundation): staff create an institution, subscribe it and invite its first admin,
who must enrol in two-factor authentication before anything else."""

from __future__ import annotations

import re

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.core import mail

from mentormemed.institutions.models import Institution
from mentormemed.testing.factories import TEST_PASSWORD, TOTP_SECRET, UserFactory, with_totp
from tests.e2e.conftest import assert_accessible, sign_in


def _code(secret: str) -> str:
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def test_staff_onboard_an_institution_and_its_admin_enrols_in_mfa(page, db):
    with_totp(UserFactory(email="ops@mentormemed.org", is_staff=True))
    sign_in(page, "ops@mentormemed.org", TEST_PASSWORD, totp_secret=TOTP_SECRET)
    page.get_by_role("heading", name="Platform overview").wait_for()
    assert_accessible(page, context="staff overview")

    page.get_by_role("button", name="Institutions").click()
    page.get_by_role("link", name="All institutions").click()
    page.get_by_role("link", name="New institution").click()
    assert_accessible(page, context="institution form")
    page.get_by_label("Name").fill("Mesa Verde Medical Society")
    page.get_by_label("Kind").select_option("medical_society")
    page.get_by_label("Field of training").select_option(label="Medicine")
    page.get_by_label("Eligible headcount").fill("180")
    page.get_by_label("Black or African American").check()
    page.get_by_label("Hispanic or Latino").check()
    page.get_by_label("Minimum mentor criteria").fill("Holds a faculty appointment\nIn good standing")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="Mesa Verde Medical Society").wait_for()
    assert_accessible(page, context="institution page")

    page.get_by_label("Term start").fill("2026-09-01")
    page.get_by_role("button", name="Start subscription").click()
    page.get_by_text("Subscription started; invoice MMM-2026-").wait_for()
    inst = Institution.objects.get(name="Mesa Verde Medical Society")
    assert inst.subscriptions.get().band_name == "Small"

    page.get_by_label("E-mail address of the institution's admin").fill("director@mesaverde.org")
    page.get_by_role("button", name="Send invitation").click()
    page.get_by_text("Admin invitation sent to director@mesaverde.org").wait_for()
    page.context.clear_cookies()

    link = re.search(r"http\S+/invite/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.get_by_label("First name").fill("Rosa")
    page.get_by_label("Last name").fill("Castillo")
    page.get_by_label("Password", exact=True).fill("a-long-unusual-passphrase")
    page.get_by_label("Password (again)").fill("a-long-unusual-passphrase")
    page.get_by_role("button", name="Create account").click()

    # Admins must enrol before anything else.
    page.wait_for_url("**/accounts/2fa/totp/activate/")
    page.get_by_text("Your role requires two-factor authentication").wait_for()
    secret = page.get_by_label("Authenticator secret").input_value()
    page.get_by_label("Authenticator code").fill(_code(secret))
    page.get_by_role("button", name="Activate").click()
    page.wait_for_url(lambda url: "/totp/activate/" not in url)  # enrolled before moving on
    page.goto("/home/")
    page.get_by_role("heading", name="Mesa Verde Medical Society").wait_for()
    assert_accessible(page, context="new admin dashboard")
