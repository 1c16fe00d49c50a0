"""Journey (issue: foundation): an admin invites a mentee, who signs up, onboards and lands home."""

from __future__ import annotations

import re

from django.core import mail

from mentormemed.testing.factories import TEST_PASSWORD, TOTP_SECRET
from tests.e2e.conftest import assert_accessible, sign_in


def test_admin_invites_mentee_who_signs_up_and_completes_onboarding(page, cast):
    # Training has its own journey; here no module is required (staff can set this).
    from mentormemed.training.models import Module

    Module.objects.update(required=False)
    sign_in(page, "admin@alpha.edu", TEST_PASSWORD, totp_secret=TOTP_SECRET)
    page.get_by_role("button", name="People").click()
    page.get_by_role("link", name="Invite", exact=True).click()
    assert_accessible(page, context="invite page")
    page.get_by_label("E-mail address").fill("new.learner@alpha.edu")
    page.get_by_label("Role").select_option("mentee")
    page.get_by_label("First name").fill("Nia")
    page.get_by_label("Last name").fill("Robinson")
    page.get_by_role("button", name="Send invitation").click()
    page.get_by_text("Invitation sent to new.learner@alpha.edu").wait_for()
    page.context.clear_cookies()

    link = re.search(r"http\S+/invite/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    assert_accessible(page, context="sign-up page")
    page.get_by_label("Password", exact=True).fill("a-long-unusual-passphrase")
    page.get_by_label("Password (again)").fill("a-long-unusual-passphrase")
    page.get_by_role("button", name="Create account").click()

    page.get_by_role("heading", name="Getting started").wait_for()
    assert_accessible(page, context="onboarding checklist")
    page.get_by_role("link", name="Accept the agreement").click()
    page.get_by_label("I have read and accept this agreement.").check()
    page.get_by_role("button", name="Accept").click()
    page.get_by_role("link", name="Confirm your eligibility").click()
    assert_accessible(page, context="eligibility form")
    page.get_by_label("I am the first in my family to graduate from a four-year college.").check()
    page.get_by_label("I attest that what I selected is true.", exact=False).check()
    page.get_by_role("button", name="Save").click()

    # The profile is part of the gate: areas of need, training level, what matters in a mentor.
    # A stepped form: each step saves on its own, with progress, and ends with a summary to review.
    page.get_by_role("link", name="Complete your profile").click()
    page.get_by_text("Step 1 of 7: About you").wait_for()
    assert_accessible(page, context="mentee profile, step 1")
    page.get_by_label("Training level").select_option("MS2")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_text("Step 2 of 7: Areas of need").wait_for()
    page.get_by_label("Most important area of need").select_option(label="Residency applications")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_text("Step 3 of 7: Languages and home").wait_for()
    assert page.get_by_text("Who sees this:").count() == 1  # one privacy statement for the section
    assert_accessible(page, context="mentee profile, languages step")
    page.get_by_role(
        "group", name="How much does it matter to you that a mentor speaks a language you speak?"
    ).get_by_label("A lot").check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_text("Step 4 of 7: Identity").wait_for()
    assert_accessible(page, context="mentee profile, identity step")
    page.get_by_role("link", name="Review").click()
    page.get_by_text("Step 7 of 7: Review").wait_for()
    page.get_by_text("Your profile is complete.").first.wait_for()
    page.get_by_text("a mentor speaking one matters: a lot").wait_for()
    assert_accessible(page, context="mentee profile review")
    page.set_viewport_size({"width": 390, "height": 844})
    assert not page.locator("#steps-list").is_visible()  # the step list folds away on a phone
    page.get_by_role("button", name="All steps").click()
    page.locator("#steps-list").wait_for()
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/onboarding/")
    page.get_by_text("You have finished every required step.").wait_for()

    page.get_by_role("link", name="Home").click()
    page.get_by_role("heading", name="Welcome, Nia Robinson").wait_for()
    assert_accessible(page, context="mentee home")
