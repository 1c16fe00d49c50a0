"""Pages a first-time member meets that had only client tests (issue 11): the stepped mentee
profile, styled error pages, the audit log and the reward table — each seen at 1366 and 390 px,
checked with axe-core, with what a person reads asserted."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone

from mentormemed.core.audit import audit
from mentormemed.core.models import AuditEntry
from mentormemed.mentorships import testing as mt
from mentormemed.profiles import mentee_steps
from mentormemed.scheduling import testing as st
from mentormemed.testing.factories import TEST_PASSWORD, TOTP_SECRET
from tests.e2e.conftest import ARTIFACTS, assert_accessible, sign_in

WIDTHS = ((1366, 900), (390, 844))


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_a_new_mentee_walks_every_profile_step_at_1366_and_390_px(page, cast):
    mentee = mt.new_member(cast.inst_a, "mentee", "new.learner@alpha.edu")
    sign_in(page, mentee.user.email, TEST_PASSWORD)
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        for number, step in enumerate(mentee_steps.STEPS, start=1):
            page.goto(f"/profile/?step={step.key}")
            page.get_by_text(f"Step {number} of {len(mentee_steps.STEPS)}").first.wait_for()
            assert page.get_by_role("heading", name=str(step.title)).first.is_visible()
            if step.privacy:
                # One privacy statement per section, not one per question.
                assert page.get_by_text(str(step.privacy)).count() == 1, step.key
            assert_accessible(page, context=f"profile step {step.key} at {width} px")
            _shot(page, f"profile-{step.key}-{width}")


@pytest.mark.parametrize(("width", "height"), WIDTHS)
def test_error_pages_are_the_products_own_even_with_debug_on(page, cast, settings, width, height):
    settings.DEBUG = True  # the demo runs with DEBUG: no URL list, no unstyled 403
    page.set_viewport_size({"width": width, "height": height})
    response = page.goto("/no-such-page/")
    assert response.status == 404
    page.get_by_role("heading", name="We could not find that page").wait_for()
    assert not page.get_by_text("URLconf").count()
    assert page.get_by_role("link", name="Go to the start page").is_visible()
    assert_accessible(page, context=f"404 at {width} px")
    _shot(page, f"error-404-{width}")

    sign_in(page, cast.mentee.user.email, TEST_PASSWORD)
    response = page.goto("/staff/audit/")
    assert response.status == 403
    assert page.get_by_text("Error 403").is_visible()
    assert page.get_by_role("link", name="Go to your home page").is_visible()
    assert page.locator("nav").first.is_visible()  # in the product's layout, with its menu
    assert_accessible(page, context=f"403 at {width} px")
    _shot(page, f"error-403-{width}")


def test_staff_read_filter_and_export_the_audit_log_in_utc(page, cast):
    at = timezone.now().replace(hour=3, minute=4, second=5, microsecond=0)
    entry = audit(
        actor=cast.admin.user,
        institution=cast.inst_a,
        action="membership.end",
        detail={"reason": "graduated", "invite": True},
    )
    AuditEntry.objects.filter(pk=entry.pk).update(at=at)
    sign_in(page, cast.staff.email, TEST_PASSWORD, totp_secret=TOTP_SECRET)
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        page.goto("/staff/audit/")
        row = page.locator("tr", has=page.get_by_text("membership.end"))
        # The browser is in Chicago; the page says UTC and shows UTC.
        assert page.get_by_role("columnheader", name="When (UTC)").is_visible()
        assert at.strftime("%Y-%m-%d 03:04:05") in row.inner_text()
        detail = row.locator(".audit-detail").inner_text()
        assert "{" not in detail and "reason" in detail and "graduated" in detail
        assert "Institution admin" in row.inner_text()
        assert_accessible(page, context=f"audit log at {width} px")
        _shot(page, f"audit-log-{width}")

    page.get_by_label("From (UTC)").fill(at.date().isoformat())
    page.get_by_label("To (UTC)").fill(at.date().isoformat())
    page.get_by_role("button", name="Filter").click()
    page.locator("tr", has=page.get_by_text("membership.end")).wait_for()
    with page.expect_download() as download:
        page.get_by_role("link", name="Export these entries (CSV)").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert "membership.end" in text and "graduated" in text
    assert AuditEntry.objects.filter(action="audit.export").exists()


def test_an_admin_sorts_filters_and_downloads_the_reward_table(page, cast):
    busy = mt.new_member(cast.inst_a, "mentor", "busy.mentor@alpha.edu")
    busy.user.first_name, busy.user.last_name = "Adaeze", "Okonkwo"
    busy.user.save()
    idle = mt.new_member(cast.inst_a, "mentor", "idle.mentor@alpha.edu")
    idle.user.first_name, idle.user.last_name = "Tomás", "Quispe"
    idle.user.save()
    mentee = mt.new_member(cast.inst_a, "mentee", "learner.two@alpha.edu")
    held = mt.relationship(mentee, busy.mentor_profile)
    st.meeting(held, starts_at=timezone.now() - dt.timedelta(days=10), status="held", held_at=timezone.now())

    sign_in(page, cast.admin.user.email, TEST_PASSWORD, totp_secret=TOTP_SECRET)
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        page.goto("/outcomes/reward/")
        busy_row = page.locator("tr", has=page.get_by_text("Adaeze Okonkwo"))
        idle_row = page.locator("tr", has=page.get_by_text("Tomás Quispe"))
        assert "over 12 months, at most 1 at once" in busy_row.inner_text()
        assert "Not yet" in idle_row.inner_text()  # no mentee, no meeting: never "meets"
        assert "so far" not in page.locator("table").inner_text()
        assert_accessible(page, context=f"reward table at {width} px")
        _shot(page, f"reward-{width}")

    page.get_by_role("link", name=re.compile("^Meetings")).click()
    page.wait_for_url(re.compile("sort=meetings"))
    page.get_by_label("Mentor's name").fill("quispe")
    page.get_by_role("button", name="Show").click()
    page.get_by_text("1 of").wait_for()
    assert not page.get_by_text("Adaeze Okonkwo").count()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert "Quispe" in text and "Okonkwo" not in text


def test_r29_the_first_weeks_check_in_from_home_page_to_answer_at_390_px(page, cast):
    from mentormemed.mentorships import sweep
    from mentormemed.profiles.models import MenteeProfile

    mt.fully_onboard(cast.mentee)
    mt.fully_onboard(cast.mentor)
    pair = mt.mentor_profile(cast.mentor)
    MenteeProfile.objects.filter(membership=cast.mentee).update(phone="(312) 555-0101")
    rel = mt.relationship(cast.mentee, pair, started_at=timezone.now() - dt.timedelta(days=36))
    assert sweep.send_checkins(now=timezone.now()) == 1

    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, cast.mentee.user.email, TEST_PASSWORD)
    page.goto("/")
    page.get_by_role("heading", name="Check-in due").wait_for()
    badge = page.locator(".navbar .badge.text-bg-warning")
    before = int((badge.text_content() or "0").split()[0])
    assert_accessible(page, context="home with a check-in due")
    _shot(page, "first-weeks-home-390")
    page.get_by_role("link", name=re.compile("Answer the check-in")).click()
    page.wait_for_url(re.compile(rf"/mentorships/{rel.pk}/#checkin"))
    page.get_by_label("It is working").check()
    page.get_by_role("button", name="Send my answer").click()
    page.goto("/")
    assert not page.get_by_role("heading", name="Check-in due").count()
    after = int((badge.text_content() or "0").split()[0]) if badge.count() else 0
    assert after < before  # opening the mentorship cleared its check-in notification

    page.context.clear_cookies()
    sign_in(page, cast.mentor.user.email, TEST_PASSWORD)
    page.goto(f"/mentorships/{rel.pk}/")
    assert page.get_by_text("(312) 555-0101").is_visible()  # the mentee's phone, as promised
    page.get_by_role("heading", name="Early check-in: is it working?").wait_for()  # the mentor's own answer is due
    assert_accessible(page, context="mentor's mentorship page with a check-in")
