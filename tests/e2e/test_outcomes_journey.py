"""R23 in Chromium: an admin opens outcomes, sees charts with tables, picks an academic year, exports a CSV."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.utils import timezone

from mentormemed.matching.models import SearchLog
from mentormemed.outcomes import rollups
from mentormemed.outcomes.tests.conftest import consenting
from mentormemed.testing.factories import TEST_PASSWORD, TOTP_SECRET, MembershipFactory, UserFactory, onboard
from tests.e2e.conftest import ARTIFACTS, assert_accessible, sign_in


def test_admin_reads_outcomes_by_academic_year_and_exports_csv(page, cast, settings):
    settings.MMM = {**settings.MMM, "OUTCOMES_CACHE_SECONDS": 0}
    now = timezone.now()
    for n in range(14):
        mentee = consenting(
            onboard(
                MembershipFactory(institution=cast.inst_a, role="mentee", user=UserFactory(email=f"l{n}@alpha.edu"))
            ),
            level="MS2" if n < 12 else "PGY2",
        )
        for hours in (1, 2):
            SearchLog.objects.create(
                viewer=mentee,
                institution=cast.inst_a,
                role="mentee",
                training_level=mentee.mentee_profile.training_level,
                kind="search",
                filters={"f": ["area:research"]},
                result_count=0 if n % 3 else 12,
                created_at=now - dt.timedelta(hours=hours),
            )
    rollups.refresh()  # what the periodic sweep does
    sign_in(page, cast.admin.user.email, TEST_PASSWORD, totp_secret=TOTP_SECRET)
    page.goto("/outcomes/")
    page.get_by_role("heading", name="Outcomes", exact=True).wait_for()
    page.locator("canvas#chart-searches_by_month").wait_for()
    assert_accessible(page, context="outcomes dashboard")
    monthly = page.locator("section", has=page.get_by_role("heading", name="Searches per month"))
    monthly.locator("summary").click()
    total = monthly.locator("tfoot td").first.inner_text()
    assert total == "28"

    levels = page.locator("section", has=page.get_by_role("heading", name="Searches by training level"))
    levels.get_by_text("Every figure here describes too few people to show").wait_for()  # the table opens itself
    assert levels.get_by_role("row", name="PGY-2").inner_text().endswith("fewer than 11"), "2 GME mentees: hidden"
    assert levels.get_by_role("row", name="MS2").locator("td").inner_text() == "hidden", "else MS2 = total − PGY-2"

    year = int(page.get_by_label("Academic year").input_value())
    page.get_by_label("Academic year").select_option(str(year - 1))
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(f"**year={year - 1}**")
    monthly = page.locator("section", has=page.get_by_role("heading", name="Searches per month"))
    monthly.locator("summary").click()
    assert monthly.locator("tfoot td").first.inner_text() == "0", "last year had no searches"
    assert_accessible(page, context="outcomes of another year")

    page.get_by_label("Academic year").select_option(str(year))
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(f"**year={year}**")
    with page.expect_download() as info:
        page.get_by_role("link", name="CSV of Searches per month").click()
    content = Path(info.value.path()).read_text(encoding="utf-8")
    assert content.splitlines()[0] == "Month,Searches"
    assert content.splitlines()[-1] == "All months,28"


def test_r23_before_the_first_refresh_the_dashboard_says_so_and_shows_no_figure(page, cast):
    sign_in(page, cast.admin.user.email, TEST_PASSWORD, totp_secret=TOTP_SECRET)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/outcomes/")
        page.get_by_test_id("never-built").wait_for()
        assert page.locator("canvas").count() == 0, "no chart of figures never computed"
        assert page.get_by_role("heading", name="Searches").count() == 0
        assert_accessible(page, context=f"outcomes dashboard, never built, {width} px")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"outcomes-never-built-{width}.png"), full_page=True)
