"""R25, R40 in Chromium: staff approve a research request with its data use agreement; the researcher
reads and signs it, downloads the export, and later confirms the data destroyed. Axe on each page."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from mentormemed.core.models import AuditEntry
from mentormemed.outcomes.models import DataUseAgreement
from mentormemed.outcomes.testing import research_request
from mentormemed.testing.factories import TEST_PASSWORD, TOTP_SECRET
from tests.e2e.conftest import ARTIFACTS, assert_accessible, sign_in


def test_r25_r40_a_researcher_signs_the_agreement_downloads_and_confirms_destruction(page, cast):
    item = research_request(cast.mentor)
    ARTIFACTS.mkdir(exist_ok=True)
    sign_in(page, cast.staff.email, TEST_PASSWORD, totp_secret=TOTP_SECRET)
    page.goto(f"/outcomes/research/staff/{item.pk}/")
    page.get_by_label("Approve").check()
    page.get_by_label("Note to the requester").fill("Approved for the stated analysis plan.")
    page.get_by_role("button", name="Record decision").click()
    page.get_by_text("Name who may see the data").wait_for()  # the agreement's terms are required
    page.get_by_label("Who may see the data (names and roles)").fill("Dr. Rivera (PI); A. Chen (biostatistician)")
    page.get_by_label("Destroy the data by").fill((timezone.localdate() + dt.timedelta(days=365)).isoformat())
    page.get_by_label("Note to the requester").fill("Approved for the stated analysis plan.")
    page.get_by_role("button", name="Record decision").click()
    page.get_by_text("Waiting for the requester to accept").wait_for()
    assert page.get_by_role("link", name="De-identified export").count() == 0, "nothing to download yet"
    assert_accessible(page, context="staff decision")
    page.context.clear_cookies()

    sign_in(page, cast.mentor.user.email, TEST_PASSWORD)
    page.goto("/outcomes/research/")
    page.get_by_role("link", name="Read and accept the data use agreement").click()
    page.get_by_role("heading", level=1, name="Data use agreement").wait_for()
    assert "Dr. Rivera (PI)" in page.inner_text("main")
    assert_accessible(page, context="agreement to accept")
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(ARTIFACTS / f"research-agreement-{width}.png"), full_page=True)
    page.get_by_label("Your full name, as your signature").fill("Dr. Rivera")
    page.get_by_role("button", name="Accept and sign").click()
    page.get_by_text("This field is required").first.wait_for()  # the box was not ticked
    page.get_by_label("I have read this data use agreement and accept its terms").check()
    page.get_by_role("button", name="Accept and sign").click()
    page.get_by_text("Agreement accepted. You can download the export now.").wait_for()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the de-identified export").click()
    assert download.value.suggested_filename == f"research-{item.pk}-deidentified.zip"
    assert AuditEntry.objects.filter(action="research.export", actor_role="mentor").count() == 1
    page.get_by_label("Date the data was destroyed").fill(timezone.localdate().isoformat())
    page.get_by_label("I confirm that the data and every copy of it have been destroyed").check()
    page.get_by_role("button", name="Confirm destruction").click()
    page.get_by_text("Thank you: the destruction is recorded.").wait_for()
    assert page.get_by_role("link", name="Download the de-identified export").count() == 0
    assert_accessible(page, context="agreement closed")
    assert DataUseAgreement.objects.get(request=item).state == "destroyed"
