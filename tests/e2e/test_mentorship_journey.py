"""Journey (issue 4): mentee requests → mentor accepts → compact → message → the network shows the covered need."""

from __future__ import annotations

from mentormemed.mentorships import testing
from mentormemed.profiles.models import MenteeProfile
from mentormemed.testing.factories import TEST_PASSWORD
from tests.e2e.conftest import assert_accessible, sign_in

MESSAGE = "I'm a first-generation MS3 hoping to start research before applying to residency."


def test_mentee_requests_mentor_accepts_compact_message_and_network(page, cast):
    testing.fully_onboard(cast.mentee)
    testing.fully_onboard(cast.mentor)
    mentor = testing.mentor_profile(cast.mentor, areas=("research", "career_advancement"))
    mentor_name = cast.mentor.user.display_name
    MenteeProfile.objects.filter(membership=cast.mentee).update(phone="(312) 555-0101")

    # The mentee finds the mentor's profile and asks (R13), seeing why before asking (R28).
    sign_in(page, "mentee@alpha.edu", TEST_PASSWORD)
    page.goto(f"/mentors/{mentor.pk}/")
    page.get_by_role("link", name=f"Ask {mentor_name} to mentor you").click()
    page.get_by_role("heading", name=f"Ask {mentor_name} to mentor you").wait_for()
    assert_accessible(page, context="request form")
    page.get_by_label("Research", exact=True).check()
    page.get_by_label("Your message to the mentor").fill(MESSAGE)
    page.get_by_role("button", name="Send request").click()
    page.get_by_text(f"Your request is on its way to {mentor_name}.").wait_for()
    assert_accessible(page, context="my requests")
    page.context.clear_cookies()

    # The mentor sees the mentee's profile and message with the deadline, and accepts (R12, R28).
    sign_in(page, "mentor@alpha.edu", TEST_PASSWORD)
    page.goto("/mentorships/inbox/")  # "Requests and capacity" in the navigation
    page.get_by_text(MESSAGE).wait_for()
    assert_accessible(page, context="mentor inbox")
    page.get_by_role("link", name=cast.mentee.user.display_name).click()
    page.get_by_text("Residency applications, Research, Mental health and wellness").wait_for()
    assert_accessible(page, context="request detail")
    page.get_by_label("Welcome message (optional)").fill("Happy to help — let's start with a compact.")
    page.get_by_role("button", name=f"Accept {cast.mentee.user.display_name}").click()
    page.get_by_role("heading", name=f"Mentorship with {cast.mentee.user.display_name}").wait_for()
    # The thread opens with the request and the welcome; the mentor sees the mentee's phone, as promised.
    thread = page.locator("#thread")
    thread.get_by_text(MESSAGE).wait_for()
    thread.get_by_text("Happy to help — let's start with a compact.").wait_for()
    page.get_by_role("link", name="(312) 555-0101").wait_for()

    # The mentor writes the compact (R30).
    page.get_by_label("What we expect of each other").fill("We answer within three days and speak honestly.")
    page.get_by_label("How often we meet").fill("Monthly, 45 minutes by video")
    page.get_by_label("Goals (one per line)").fill("Join a research project\nSubmit an abstract")
    page.get_by_role("button", name="Save the compact").click()
    page.get_by_text("Compact saved.").wait_for()
    assert_accessible(page, context="relationship page (mentor)")
    page.context.clear_cookies()

    # The mentee confirms the compact and sends a message (R16) through htmx.
    sign_in(page, "mentee@alpha.edu", TEST_PASSWORD)
    bell = page.get_by_role("navigation", name="Main").locator(".badge.text-bg-warning")
    assert bell.count() == 1  # "accepted your request" waits, unread
    page.goto("/mentorships/")
    page.get_by_role("main").get_by_role("link", name=mentor_name).click()
    page.locator("#thread").get_by_text("Happy to help — let's start with a compact.").wait_for()
    assert bell.count() == 0, "opening the mentorship clears its notification"
    assert "(312) 555-0101" not in page.content()  # the mentee's own phone is for their mentors
    page.get_by_role("button", name="Confirm the compact").click()
    page.get_by_text("Confirmed by both of you.").wait_for()
    page.get_by_label("Your message").fill("Thank you! Could we meet next Thursday?")
    page.get_by_role("button", name="Send message").click()
    page.locator("#thread").get_by_text("Thank you! Could we meet next Thursday?").wait_for()
    assert_accessible(page, context="relationship page (mentee)")

    # The network page shows the covered need and the uncovered ones (R14).
    page.goto("/mentorships/network/")
    row = page.get_by_role("row", name="Research")
    row.get_by_text(mentor_name).wait_for()
    assert page.get_by_role("row", name="Mental health and wellness").get_by_text("Not covered yet").is_visible()
    assert_accessible(page, context="my network")
