"""R23 in Chromium: a hidden figure is a labelled gap, never a bar; every category is labelled; the
period still running is marked partial. Screenshots at 1366 and 390 px."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from mentormemed.accounts.models import MenteeEligibility
from mentormemed.matching.models import SearchLog
from mentormemed.outcomes import rollups
from mentormemed.outcomes.tests.conftest import consenting
from mentormemed.testing.factories import TEST_PASSWORD, TOTP_SECRET, MembershipFactory, UserFactory, onboard
from tests.e2e.conftest import ARTIFACTS, assert_accessible, sign_in

CHART = """key => {
  const chart = Chart.getChart(document.getElementById("chart-" + key));
  const axis = chart.options.indexAxis === "y" ? chart.scales.y : chart.scales.x;
  return {labels: chart.data.labels, data: chart.data.datasets.map(d => d.data), gaps: chart.$gapLabels,
          horizontal: chart.options.indexAxis === "y", ticks: axis.ticks.map(t => [].concat(t.label).join(" "))};
}"""

# For each chart: does its aria-details name an element holding the table of the same figures?
LINKED_TABLES = """() => [...document.querySelectorAll("canvas")].map(c => {
  const target = document.getElementById(c.getAttribute("aria-details") || "");
  return c.getAttribute("role") === "img" && !!target && !!target.querySelector("table");
})"""


def test_r23_hidden_figures_are_labelled_gaps_and_the_running_period_is_partial(page, cast, settings):
    settings.MMM = {**settings.MMM, "OUTCOMES_CACHE_SECONDS": 0}
    now = timezone.now()
    for n in range(14):
        mentee = consenting(
            onboard(
                MembershipFactory(institution=cast.inst_a, role="mentee", user=UserFactory(email=f"g{n}@alpha.edu"))
            ),
            level="MS2",
        )
        if n < 3:  # 3 economically disadvantaged mentees: too few to show
            MenteeEligibility.objects.filter(membership=mentee).update(economically_disadvantaged=True)
        for hours in (1, 2):
            SearchLog.objects.create(
                viewer=mentee,
                institution=cast.inst_a,
                role="mentee",
                training_level="MS2",
                kind="search",
                filters={"f": ["area:research"]},
                result_count=12,
                created_at=now - dt.timedelta(hours=hours),
            )
    rollups.refresh()  # what the periodic sweep does
    sign_in(page, cast.admin.user.email, TEST_PASSWORD, totp_secret=TOTP_SECRET)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/outcomes/")
    page.locator("canvas#chart-searches_by_basis").wait_for()
    assert_accessible(page, context="outcomes charts")
    linked = page.evaluate(LINKED_TABLES)
    assert linked and all(linked), "every chart names (aria-details) the table of its figures: WCAG 1.1.1"

    basis = page.evaluate(CHART, "searches_by_basis")
    assert basis["horizontal"], "long category labels: horizontal bars"
    assert basis["labels"] == [
        "Underrepresented in medicine",
        "First-generation college graduate",
        "Economically disadvantaged",
    ]
    assert basis["data"] == [[28, 28, None]], "the hidden figure is no bar (not even a zero-length one)"
    assert basis["gaps"] == [{"index": 2, "text": "fewer than 11"}], "its gap says why"
    assert basis["ticks"] == basis["labels"], "every category is labelled"

    monthly = page.evaluate(CHART, "searches_by_month")
    this_month = f"{timezone.localdate():%b %Y} (partial)"
    assert monthly["labels"][-1] == this_month, "the month still running is marked partial"
    assert monthly["ticks"] == monthly["labels"], "every month is labelled, none skipped"
    section = page.locator("section", has=page.get_by_role("heading", name="Searches per month"))
    section.locator("summary").click()
    assert "(partial" in section.locator("tbody tr").last.inner_text(), "the table says so too"

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "outcomes-charts-1366.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.locator("canvas#chart-searches_by_basis").wait_for()
    narrow = page.evaluate(CHART, "searches_by_basis")
    assert narrow["ticks"] == narrow["labels"], "every category is labelled on a phone too"
    assert_accessible(page, context="outcomes charts on a phone")
    page.screenshot(path=str(ARTIFACTS / "outcomes-charts-390.png"), full_page=True)
