"""R23, R27 in Chromium: the four outcomes views (ledger, unmet need, time to match, reciprocity)
open from the dashboard's tabs, draw their charts, pass axe, and read at 1366 and 390 px."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from mentormemed.matching.models import SearchLog
from mentormemed.mentorships import testing as mt
from mentormemed.outcomes import rollups
from mentormemed.outcomes.tests.conftest import consenting
from mentormemed.testing.factories import TEST_PASSWORD, TOTP_SECRET, MembershipFactory, UserFactory, onboard
from tests.e2e.conftest import ARTIFACTS, assert_accessible, sign_in

# A horizontal bar chart's category labels: the tallest wrapped label against the band each category gets.
LABELS_FIT = """key => {
  const chart = Chart.getChart(document.getElementById("chart-" + key));
  const y = chart.scales.y;
  const lines = Math.max(...y.ticks.map(t => [].concat(t.label).length));
  const line = Chart.helpers.toFont(y.options.ticks.font).lineHeight;
  return {lines: lines, band: y.height / y.ticks.length, needed: lines * line};
}"""


def test_r23_the_four_views_open_from_the_dashboard_and_are_accessible(page, cast, settings):
    settings.MMM = {**settings.MMM, "OUTCOMES_CACHE_SECONDS": 0, "SMALL_CELL_MIN": 2}
    now = timezone.now()
    mentor = mt.mentor_profile(cast.mentor, languages=("en", "es"))
    for n in range(6):
        mentee = consenting(
            onboard(
                MembershipFactory(institution=cast.inst_a, role="mentee", user=UserFactory(email=f"v{n}@alpha.edu"))
            ),
            level="MS2" if n % 2 else "PGY1",
        )
        SearchLog.objects.create(
            viewer=mentee,
            institution=cast.inst_a,
            role="mentee",
            training_level="MS2",
            kind="search",
            filters={"f": ["area:residency_applications", "lang:es"]},
            result_count=0,
            created_at=now - dt.timedelta(days=20 + n),
        )
        if n < 3:
            mt.relationship(mentee, mentor, started_at=now - dt.timedelta(days=5 + n))
    rollups.refresh()
    sign_in(page, cast.admin.user.email, TEST_PASSWORD, totp_secret=TOTP_SECRET)
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/outcomes/")
    for name, slug, chart in (
        ("Minority-tax ledger", "ledger", "ledger_concentration"),
        ("Unmet need", "unmet", "unmet_need"),
        ("Time to match and load", "time-to-match", "load_distribution"),
        ("National reciprocity", "reciprocity", None),
    ):
        page.get_by_role("navigation", name="Outcomes views").get_by_role("link", name=name).click()
        page.get_by_role("heading", level=1, name=name).wait_for()
        assert page.get_by_role("link", name=name).get_attribute("aria-current") == "page"
        if chart:
            # A chart, or the sentence that says its figures describe too few people to draw one.
            section = page.locator(f'section[aria-labelledby="t-{chart}"]')
            section.wait_for()
            shown = section.locator(f"canvas#chart-{chart}").count()
            assert shown or "too few people to show" in section.inner_text(), chart
            if slug == "unmet":
                fit = page.evaluate(LABELS_FIT, chart)
                assert fit["band"] >= fit["needed"], f"the need labels overlap at 1366 px: {fit}"
        assert_accessible(page, context=f"outcomes view {slug}")
        page.screenshot(path=str(ARTIFACTS / f"outcomes-view-{slug}-1366.png"), full_page=True)
    page.goto("/outcomes/views/unmet/")
    recruit = page.get_by_role("heading", name="Recruitment list").locator("xpath=..").inner_text()
    assert "Residency applications with a mentor who speaks Spanish" in recruit
    page.set_viewport_size({"width": 390, "height": 844})
    for slug in ("ledger", "unmet", "time-to-match", "reciprocity"):
        page.goto(f"/outcomes/views/{slug}/")
        assert_accessible(page, context=f"outcomes view {slug} on a phone")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, f"{slug}: the page scrolls sideways on a phone ({width}px)"
        if slug == "unmet":  # long need names wrap onto several lines: each gets the height it needs
            fit = page.evaluate(LABELS_FIT, "unmet_need")
            assert fit["lines"] >= 3 and fit["band"] >= fit["needed"], f"the need labels overlap on a phone: {fit}"
        page.screenshot(path=str(ARTIFACTS / f"outcomes-view-{slug}-390.png"), full_page=True)


def test_r23_national_reciprocity_lists_institutions_a_page_at_a_time(page, cast, settings):
    """Staff: 60 institutions, 50 a page, a name search, one institution's partners; 1366 and 390 px."""
    import time_machine

    from mentormemed.outcomes.tests.test_reciprocity import NOW

    with time_machine.travel(NOW, tick=True):  # the world's years are 2023–24 … 2026–27 (in progress)
        _reciprocity_pages(page, cast, settings)


def _reciprocity_pages(page, cast, settings):
    from mentormemed.outcomes import precompute
    from mentormemed.outcomes.tests.test_reciprocity import _world

    settings.MMM = {**settings.MMM, "OUTCOMES_CACHE_SECONDS": 0}
    insts = _world(60)
    precompute.precompute()
    sign_in(page, cast.staff.email, TEST_PASSWORD, totp_secret=TOTP_SECRET)
    ARTIFACTS.mkdir(exist_ok=True)
    for width, height in ((1366, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto("/outcomes/national/views/reciprocity/")
        page.get_by_role("heading", level=1, name="National reciprocity").wait_for()
        assert "Rows 1–50 of 60." in page.get_by_test_id("listing-count").inner_text()
        assert page.locator('section[aria-labelledby="t-reciprocity"] tbody tr').count() == 50
        assert_accessible(page, context=f"national reciprocity at {width}px")
        scroll = page.evaluate("() => document.documentElement.scrollWidth")
        assert scroll <= width, f"the page scrolls sideways ({scroll}px)"
        page.screenshot(path=str(ARTIFACTS / f"outcomes-reciprocity-national-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.get_by_label("Find an institution").fill("ringwood 4")
    page.get_by_role("button", name="Apply").click()
    page.get_by_text("Rows 1–10 of 10.").wait_for()
    page.get_by_role("link", name=insts[42].name).click()
    page.get_by_role("heading", level=1, name=f"National reciprocity: {insts[42].name}").wait_for()
    partners = page.locator('section[aria-labelledby="t-reciprocity_partners"]')
    assert insts[43].name in partners.inner_text() and insts[41].name in partners.inner_text()
    assert_accessible(page, context="one institution's partners")
    page.screenshot(path=str(ARTIFACTS / "outcomes-reciprocity-partners-1366.png"), full_page=True)
    page.goto("/outcomes/national/views/reciprocity/?year=pooled")
    assert "Academic years 2023–24 to 2025–26, pooled" in page.locator("main").inner_text()
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(ARTIFACTS / "outcomes-reciprocity-pooled-390.png"), full_page=True)
