"""Journeys (issue 18, R36, R37): report and block, a wellbeing concern with crisis resources, the admins'
at-risk list with outreach, a no-show — in Chromium, with axe, at desktop and phone widths."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone

from mentormemed.care.models import Block, Case, NoShow
from mentormemed.care.sweep import refresh_health
from mentormemed.mentorships.models import Message, Relationship
from mentormemed.mentorships.testing import fully_onboard, mentor_profile, relationship
from mentormemed.notifications.models import Notification
from mentormemed.scheduling.testing import meeting
from mentormemed.testing.factories import TEST_PASSWORD, TOTP_SECRET
from tests.e2e.conftest import ARTIFACTS, assert_accessible, sign_in


def shots(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for width, height in ((1366, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def pair(cast):
    fully_onboard(cast.mentee)
    fully_onboard(cast.mentor)
    return relationship(cast.mentee, mentor_profile(cast.mentor, scope="local"))


def test_r37_mentee_reports_and_blocks_mentor_sees_pause_staff_resolves(page, cast):
    rel = pair(cast)
    mentor_name = cast.mentor.user.display_name
    sign_in(page, "mentee@alpha.edu", TEST_PASSWORD)
    page.goto(f"/mentorships/{rel.pk}/")
    page.get_by_text("Something is wrong").click()
    page.get_by_role("link", name=f"Report {mentor_name} or block contact").click()
    page.get_by_role("heading", name=f"Report {mentor_name}").wait_for()
    assert_accessible(page, context="report form")
    page.get_by_label("Crossing a professional boundary").check()
    page.get_by_label("What happened").fill("Keeps asking to meet at a bar late in the evening.")
    assert page.get_by_label("Block contact now (pause the mentorship)").is_checked()
    page.get_by_role("button", name="Send the report").click()
    page.get_by_text("went to the people who handle reports. Contact is paused.").wait_for()
    assert_accessible(page, context="my reports")
    case = Case.objects.get()
    assert Block.objects.filter(blocker=cast.mentee.user, case=case).exists()
    page.context.clear_cookies()

    sign_in(page, "mentor@alpha.edu", TEST_PASSWORD)
    page.goto(f"/mentorships/{rel.pk}/")
    page.get_by_text("Contact is paused: no messages, meetings or requests between you.").wait_for()
    page.locator("#messages textarea").fill("Hello?")
    page.locator("#messages").get_by_role("button").first.click()
    page.get_by_text("Contact between the two of you is paused").first.wait_for()
    assert not Message.objects.filter(relationship=rel).exists()
    assert page.goto(f"/care/cases/{case.pk}/").status == 403  # the reported person never sees the case
    page.context.clear_cookies()

    sign_in(page, cast.staff.email, TEST_PASSWORD, totp_secret=TOTP_SECRET)
    page.get_by_role("button", name="Care").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports and concerns").click()
    page.get_by_role("link", name=case.reference).click()
    page.get_by_role("heading", name=f"Report {case.reference}").wait_for()
    assert_accessible(page, context="case page")
    page.get_by_role("button", name="Take ownership").click()
    page.get_by_text("You own this case now.").wait_for()
    page.get_by_label("Status").select_option("resolved")
    page.get_by_label("Note for the case history").fill("Spoke with both; the mentor was removed from the program.")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Saved to the case history.").wait_for()
    shots(page, "care-case")
    case.refresh_from_db()
    assert case.status == "resolved" and case.owner == cast.staff
    assert case.events.count() == 4  # filed, blocked, owner, status


def test_r37_mentor_raises_an_urgent_concern_and_sees_crisis_resources_at_once(page, cast):
    rel = pair(cast)
    mentee_name = cast.mentee.user.display_name
    sign_in(page, "mentor@alpha.edu", TEST_PASSWORD)
    page.goto(f"/mentorships/{rel.pk}/")
    page.get_by_text("Something is wrong").click()
    page.get_by_role("link", name=f"I am worried about {mentee_name}'s wellbeing").click()
    page.get_by_role("heading", name=f"A concern for {mentee_name}'s wellbeing").wait_for()
    page.get_by_text("call or text 988").first.wait_for()
    assert_accessible(page, context="concern form")
    page.get_by_label("What worries you").fill("Said today she does not see the point of going on.")
    page.get_by_label("Urgent: I think they need help today").check()
    page.get_by_role("button", name="Send the concern").click()
    page.get_by_role("heading", name=f"Thank you for looking out for {mentee_name}").wait_for()
    page.get_by_text("988 Suicide & Crisis Lifeline: call or text 988 (24/7, US)").wait_for()
    assert_accessible(page, context="concern sent")
    shots(page, "care-concern-sent")
    case = Case.objects.get()
    assert case.kind == "concern" and case.urgent and case.mentee_told
    assert Notification.objects.filter(user=cast.mentee.user, kind="care_concern").exists()
    assert Notification.objects.filter(user=cast.admin.user, title__startswith="URGENT").exists()


def test_r36_admin_sees_the_at_risk_list_and_reaches_out(page, cast):
    rel = pair(cast)
    Relationship.objects.filter(pk=rel.pk).update(started_at=timezone.now() - dt.timedelta(days=90))
    Message.objects.create(
        relationship=rel,
        sender=cast.mentee.user,
        body="A private message no admin may read",
        created_at=timezone.now() - dt.timedelta(days=64),
    )
    refresh_health(force=True)
    sign_in(page, cast.admin.user.email, TEST_PASSWORD, totp_secret=TOTP_SECRET)
    page.get_by_role("button", name="Care").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="At-risk mentorships").click()
    page.get_by_role("heading", name="At-risk mentorships").wait_for()
    page.get_by_text("No meeting held yet; last message 64 days ago; none booked").wait_for()
    assert "A private message no admin may read" not in page.content()
    page.get_by_text("Reach out", exact=True).click()
    page.get_by_label("Your note (optional)").fill("Checking in — is there anything we can do to help?")
    assert_accessible(page, context="at-risk list")
    shots(page, "care-at-risk")
    page.get_by_role("button", name=re.compile(r"^Send to ")).click()
    page.get_by_text("Sent. They get it as their notification settings say.").wait_for()
    page.get_by_text("Reached out").wait_for()
    assert Notification.objects.filter(kind="care_outreach").count() == 2


def test_mentor_marks_that_the_mentee_did_not_show(page, cast):
    rel = pair(cast)
    m = meeting(rel, starts_at=timezone.now() - dt.timedelta(hours=2))
    sign_in(page, "mentor@alpha.edu", TEST_PASSWORD)
    page.goto(f"/meetings/{m.pk}/")
    page.get_by_role("button", name=f"{cast.mentee.user.display_name} did not show").click()
    page.get_by_text("Recorded: the meeting did not take place").wait_for()
    page.get_by_text(f"You marked that {cast.mentee.user.display_name} did not show").wait_for()
    assert page.get_by_role("button", name="We met — mark as held").count() == 0
    assert_accessible(page, context="meeting after no-show")
    assert NoShow.objects.get().absent_user == cast.mentee.user
