"""Journey (R1, R3): a member of a lapsed institution sees a read-only view of their mentorships,
meetings and whom to contact; the institution's admin renews; the member is back in."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from mentormemed.core.clock import platform_today
from mentormemed.institutions.models import Subscription
from mentormemed.mentorships import testing
from mentormemed.scheduling.testing import meeting
from mentormemed.testing.factories import TEST_PASSWORD, TOTP_SECRET
from tests.e2e.conftest import assert_accessible, sign_in


def test_r1_lapsed_member_reads_admin_renews_member_is_back(page, cast):
    testing.fully_onboard(cast.mentee)
    testing.fully_onboard(cast.mentor)
    rel = testing.relationship(cast.mentee, testing.mentor_profile(cast.mentor))
    meeting(rel, starts_at=timezone.now() + dt.timedelta(days=3))
    today = platform_today()
    Subscription.objects.filter(institution=cast.inst_a).update(
        term_start=today - dt.timedelta(days=395), term_end=today - dt.timedelta(days=30)
    )

    sign_in(page, cast.mentee.user.email, TEST_PASSWORD)
    page.get_by_role("heading", name="Access is paused").wait_for()
    page.get_by_role("heading", name="Your mentorships").wait_for()
    page.get_by_text(cast.mentor.user.display_name).first.wait_for()
    page.get_by_role("heading", name="Upcoming meetings").wait_for()
    page.get_by_role("link", name=cast.admin.user.email).wait_for()  # whom to contact
    assert page.locator("main form").count() == 0  # read-only
    assert_accessible(page, context="paused member view")
    page.set_viewport_size({"width": 390, "height": 844})
    assert_accessible(page, context="paused member view at 390 px")
    page.context.clear_cookies()

    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, cast.admin.user.email, TEST_PASSWORD, totp_secret=TOTP_SECRET)
    page.goto("/manage/subscription/")
    page.get_by_role("heading", name="Renew for one year").wait_for()
    assert_accessible(page, context="renewal offer")
    page.get_by_label(f"I may commit {cast.inst_a.name} to the annual fee", exact=False).check()
    page.get_by_role("button", name="Renew the subscription").click()
    page.get_by_text("Your members have full access again").wait_for()
    page.context.clear_cookies()

    sign_in(page, cast.mentee.user.email, TEST_PASSWORD)
    page.get_by_role("heading", name=f"Welcome, {cast.mentee.user.display_name}").wait_for()
