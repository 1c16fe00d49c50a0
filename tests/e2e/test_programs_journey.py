"""Journeys (issue 17): a program from a template, a matching round reviewed and published, both
sides accepting in the browser; a circle meeting with one invite to all; a speed-mentoring rotation
generated and booked; a question to the network answered."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core import mail
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect

from mentormemed.mentorships import testing as mt
from mentormemed.programs.models import Program, ProposalStatus
from mentormemed.scheduling.testing import weekday_availability
from mentormemed.testing.factories import TEST_PASSWORD, TOTP_SECRET
from tests.e2e.conftest import assert_accessible, sign_in

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"programs-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def _admin_page(browser, live_server, cast):
    """The admin in a browser context of their own: one sign-in (a TOTP code is spent once)."""
    context = browser.new_context(base_url=live_server.url, timezone_id="America/Chicago")
    context.set_default_timeout(10_000)
    admin = context.new_page()
    sign_in(admin, cast.admin.user.email, TEST_PASSWORD, totp_secret=TOTP_SECRET)
    return admin


def test_r34_admin_creates_program_runs_round_publishes_and_both_accept(page, browser, live_server, cast):
    mentee = mt.fully_onboard(cast.mentee)
    mentor = mt.fully_onboard(cast.mentor)
    profile = mt.mentor_profile(mentor, areas=("research", "residency_applications"))
    others = [mt.new_member(cast.inst_a, "mentee", f"cohort{i}@alpha.edu") for i in range(2)]
    second = mt.new_member(cast.inst_a, "mentor", "second@alpha.edu", areas=("mental_health_wellness",))

    # The admin creates a program from the residency-season template (R34).
    admin = _admin_page(browser, live_server, cast)
    admin.goto("/programs/manage/new/")
    admin.get_by_label("Start from the template").select_option("residency_season")
    admin.get_by_role("button", name="Use this template").click()
    admin.get_by_label("Program name").fill("Residency Season 2027")
    admin.get_by_label("MS4").uncheck()  # open to every level for this journey
    assert "30 | Personal statement draft" in admin.get_by_label("Milestones").input_value()
    assert_accessible(admin, context="create program")
    _shot(admin, "create")
    admin.get_by_role("button", name="Create the program").click()
    admin.get_by_text("Residency Season 2027 is ready.").wait_for()
    program = Program.objects.get(name="Residency Season 2027")

    # Learners and mentors opt in.
    for who in (mentee, mentor):
        sign_in(page, who.user.email, TEST_PASSWORD)
        page.goto(f"/programs/{program.pk}/")
        page.get_by_role("button", name="Join Residency Season 2027").click()
        page.get_by_text("You are enrolled in Residency Season 2027.").wait_for()
        page.context.clear_cookies()
    from mentormemed.programs.testing import enrol

    enrol(program, *others, second)

    # The admin runs the round, reviews reasons and the load, locks a pair and publishes.
    admin.goto(f"/programs/manage/{program.pk}/")
    admin.get_by_role("button", name="Run a matching round").click()
    admin.get_by_text("Proposal ready: 3 pairs.").wait_for()
    admin.get_by_role("heading", name="Load across mentors").wait_for()
    assert admin.get_by_text("new mentor: too few requests yet to measure").count() >= 3
    assert_accessible(admin, context="round review")
    _shot(admin, "round")
    admin.get_by_role("button", name=f"Lock {mentee.user.display_name}").click()
    admin.get_by_role("button", name="Publish and send introductions").click()
    admin.get_by_text("Published: 3 introductions sent.").wait_for()

    proposal = program.rounds.get().proposals.get(mentee=mentee)
    other = proposal.mentor.membership
    # Both accept in the browser; nothing starts before the second answer (R34).
    sign_in(page, mentee.user.email, TEST_PASSWORD)
    page.goto("/programs/")
    page.get_by_role("link", name=f"Residency Season 2027: {proposal.mentor.membership.user.display_name}").click()
    page.get_by_role("heading", name="Why the program suggests this match").wait_for()
    assert_accessible(page, context="introduction (mentee)")
    _shot(page, "introduction")
    page.get_by_role("button", name="Accept the introduction").click()
    page.get_by_text("Thank you: your answer is recorded.").wait_for()
    page.context.clear_cookies()
    sign_in(page, other.user.email, TEST_PASSWORD)
    page.goto(f"/programs/introductions/{proposal.pk}/")
    page.get_by_role("button", name="Accept the introduction").click()
    page.get_by_text("You are matched.").wait_for()
    # The relationship page shows the program's milestones (from the match date).
    page.get_by_role("heading", name="Residency Season 2027: milestones").wait_for()
    page.get_by_role("button", name="Mark done Mentoring compact").click()
    page.get_by_text("“Mentoring compact” marked done.").wait_for()
    assert_accessible(page, context="relationship with milestones")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.MATCHED and proposal.relationship.is_active
    assert profile.pk in (proposal.mentor_id, second.mentor_profile.pk)


def test_r35_circle_meets_with_one_invite_to_all(page, browser, live_server, cast):
    facilitator = mt.fully_onboard(cast.mentor)
    weekday_availability(mt.mentor_profile(facilitator))
    members = [mt.fully_onboard(cast.mentee)] + [
        mt.new_member(cast.inst_a, "mentee", f"circle{i}@alpha.edu") for i in range(3)
    ]

    admin = _admin_page(browser, live_server, cast)
    admin.goto("/programs/manage/circles/")
    admin.get_by_label("Circle name").fill("Step 1 study circle")
    admin.get_by_label(facilitator.user.display_name).first.check()
    for m in members:
        admin.get_by_label(m.user.display_name).check()
    assert_accessible(admin, context="circles (admin)")
    admin.get_by_role("button", name="Form the circle").click()
    admin.get_by_text("The circle “Step 1 study circle” is formed").wait_for()

    sign_in(page, facilitator.user.email, TEST_PASSWORD)
    page.goto("/programs/circles/")
    page.get_by_role("link", name="Step 1 study circle").click()
    page.get_by_role("link", name="Book a group meeting").click()
    assert_accessible(page, context="circle booking")
    mail.outbox.clear()
    page.get_by_role("button", name="Book the meeting").click()
    page.get_by_text("Meeting booked; one invite went to everyone in the circle.").wait_for()
    page.get_by_label("Your message to the circle").fill("Looking forward to our first meeting!")
    page.get_by_role("button", name="Send to the circle").click()
    page.locator("#circle-thread").get_by_text("Looking forward to our first meeting!").wait_for()
    assert_accessible(page, context="circle page")
    _shot(page, "circle")
    invites = [a[1] for message in mail.outbox for a in message.attachments if a[0] == "invite.ics"]
    assert len(invites) == 5
    events = [Calendar.from_ical(text).walk("VEVENT")[0] for text in invites]
    assert len({str(e["UID"]) for e in events}) == 1 and all(len(e.get("ATTENDEE")) == 5 for e in events)


def test_r35_speed_mentoring_rotation_is_generated_and_booked(page, browser, live_server, cast):
    mentors = [mt.fully_onboard(cast.mentor)] + [
        mt.new_member(cast.inst_a, "mentor", f"speed{i}@alpha.edu") for i in range(2)
    ]
    mentees = [mt.fully_onboard(cast.mentee)] + [
        mt.new_member(cast.inst_a, "mentee", f"fast{i}@alpha.edu") for i in range(3)
    ]
    admin = _admin_page(browser, live_server, cast)
    admin.goto("/programs/manage/events/")
    admin.get_by_label("Event name").fill("Specialty speed mentoring")
    start = timezone.now() + dt.timedelta(days=5)
    admin.get_by_label("Starts at").fill(start.strftime("%Y-%m-%dT18:00"))
    for m in mentors + mentees:
        admin.get_by_label(m.user.display_name).check()
    admin.get_by_role("button", name="Create the event").click()
    admin.get_by_role("button", name="Generate and book the rotation").click()
    admin.get_by_text("Rotation generated and booked: 12 short meetings").wait_for()
    assert_accessible(admin, context="event (admin)")
    _shot(admin, "event")
    sign_in(page, cast.mentee.user.email, TEST_PASSWORD)
    page.goto("/programs/events/")
    page.get_by_role("link", name="Specialty speed mentoring").click()
    page.wait_for_url("**/programs/events/*/")
    expect(page.get_by_role("row")).to_have_count(1 + 3)  # header + one round with each mentor
    assert_accessible(page, context="event (mentee)")


def test_r35_a_question_to_the_network_gets_an_answer(page, cast):
    mentee = mt.fully_onboard(cast.mentee)
    mentor = mt.fully_onboard(cast.mentor)
    mt.mentor_profile(mentor, areas=("research",))
    sign_in(page, mentee.user.email, TEST_PASSWORD)
    page.goto("/programs/questions/")
    page.get_by_label("Your question").fill("How do I find a research project as an MS1?")
    page.get_by_label("Details").fill("I have no contacts yet and would like to start this summer.")
    page.get_by_label("Research", exact=True).check()
    page.get_by_label("Other mentees of my institution may read the answers").check()
    assert_accessible(page, context="ask the network")
    page.get_by_role("button", name="Ask the network").click()
    page.get_by_text("Your question is on its way").wait_for()
    page.context.clear_cookies()
    sign_in(page, mentor.user.email, TEST_PASSWORD)
    page.goto("/programs/questions/")
    page.get_by_role("link", name="How do I find a research project as an MS1?").click()
    page.get_by_label("Your answer").fill("Ask two residents which labs truly mentor students, then email those PIs.")
    page.get_by_role("button", name="Send the answer").click()
    page.get_by_text("Thank you: your answer is with the learner.").wait_for()
    page.context.clear_cookies()
    sign_in(page, mentee.user.email, TEST_PASSWORD)
    page.goto("/programs/questions/")
    page.get_by_role("link", name="How do I find a research project as an MS1?").click()
    page.get_by_text("Ask two residents which labs truly mentor students").wait_for()
    assert_accessible(page, context="question with answer")
    _shot(page, "question")
