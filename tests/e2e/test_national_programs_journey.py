"""Journey (issue 17, R34): staff create a national program, a learner of another institution opts in,
staff run and publish the matching round, both sides accept; the learner's own admin sees only their
own members (R30)."""

from __future__ import annotations

from pathlib import Path

from mentormemed.core.access import Actor
from mentormemed.mentorships import testing as mt
from mentormemed.programs import services
from mentormemed.programs.models import Program, ProposalStatus
from mentormemed.testing.factories import TEST_PASSWORD, TOTP_SECRET
from tests.e2e.conftest import assert_accessible, sign_in

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts"
NAME = "National Residency Season 2027"


def _shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"national-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def _own_context_page(browser, live_server, email: str):
    """Someone with two-factor sign-in in a browser context of their own (a TOTP code is spent once)."""
    context = browser.new_context(base_url=live_server.url, timezone_id="America/Chicago")
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_in(page, email, TEST_PASSWORD, totp_secret=TOTP_SECRET)
    return page


def test_r34_staff_run_a_national_program_and_a_learner_of_another_institution_is_matched(
    page, browser, live_server, cast
):
    learner = mt.fully_onboard(cast.mentee_b)  # Beta Health System
    mentor = mt.fully_onboard(cast.mentor)  # Alpha School of Medicine, mentors nationally
    mt.mentor_profile(mentor, scope="national", areas=("research", "residency_applications"))

    # Staff find national programs in their menu and create one from the residency-season template.
    staff = _own_context_page(browser, live_server, cast.staff.email)
    staff.get_by_role("button", name="Programs").click()
    staff.get_by_role("link", name="National programs").click()
    staff.get_by_role("heading", name="National programs").wait_for()
    assert_accessible(staff, context="national programs (staff)")
    staff.get_by_role("link", name="Create a national program").click()
    staff.get_by_label("Start from the template").select_option("residency_season")
    staff.get_by_role("button", name="Use this template").click()
    staff.get_by_label("Program name").fill(NAME)
    staff.get_by_label("MS4").uncheck()  # every level for this journey
    staff.get_by_label("Alpha School of Medicine").check()
    staff.get_by_label("Beta Health System").check()
    assert_accessible(staff, context="create national program")
    _shot(staff, "create")
    staff.get_by_role("button", name="Create the program").click()
    staff.get_by_text(f"{NAME} is ready.").wait_for()
    program = Program.objects.get(name=NAME)
    assert program.national and program.institution is None

    # The learner of Beta sees it on their programs page and opts in; the national mentor joins.
    sign_in(page, learner.user.email, TEST_PASSWORD)
    page.goto("/programs/")
    page.get_by_role("link", name=NAME).click()
    page.get_by_role("button", name=f"Join {NAME}").click()
    page.get_by_text(f"You are enrolled in {NAME}.").wait_for()
    assert_accessible(page, context="national program (learner)")
    page.context.clear_cookies()
    services.enrol_join(acting=Actor.for_membership(mentor), program=program)

    # Staff run the round, review it and publish.
    staff.reload()
    staff.get_by_role("cell", name="Beta Health System").wait_for()  # enrolled by institution
    assert_accessible(staff, context="national program (staff)")
    staff.get_by_role("button", name="Run a matching round").click()
    staff.get_by_text("Proposal ready: 1 pair.").wait_for()
    staff.get_by_text("Beta Health System").first.wait_for()  # the learner's institution, on the pair
    assert_accessible(staff, context="national round review")
    _shot(staff, "round")
    staff.get_by_role("button", name="Publish and send introductions").click()
    staff.get_by_text("Published: 1 introduction sent.").wait_for()

    # Beta's admin sees their own learner in the program, and counts.
    admin_b = _own_context_page(browser, live_server, cast.admin_b.user.email)
    admin_b.goto("/programs/manage/")
    admin_b.get_by_role("link", name=NAME).click()
    admin_b.get_by_role("heading", name="Your members in this program").wait_for()
    admin_b.get_by_role("cell", name=learner.user.display_name).wait_for()
    assert_accessible(admin_b, context="national program (institution admin)")

    # Both accept: the mentorship opens across institutions.
    proposal = program.rounds.get().proposals.get(mentee=learner)
    sign_in(page, learner.user.email, TEST_PASSWORD)
    page.goto(f"/programs/introductions/{proposal.pk}/")
    page.get_by_role("button", name="Accept the introduction").click()
    page.get_by_text("Thank you: your answer is recorded.").wait_for()
    page.context.clear_cookies()
    sign_in(page, mentor.user.email, TEST_PASSWORD)
    page.goto(f"/programs/introductions/{proposal.pk}/")
    assert_accessible(page, context="national introduction (mentor)")
    page.get_by_role("button", name="Accept the introduction").click()
    page.get_by_text("You are matched.").wait_for()
    page.get_by_role("heading", name=f"{NAME}: milestones").wait_for()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.MATCHED and proposal.relationship.is_active
    assert proposal.relationship.mentee.institution == cast.inst_b
