"""At phone width (390 px) the search's filters fold behind one button above the results, and a
mentor's request button is on screen without scrolling past the whole profile."""

from __future__ import annotations

import re

from mentormemed.profiles.models import MentorProfile
from mentormemed.profiles.testing import complete_mentee_profile, complete_mentor_profile
from mentormemed.testing.factories import TEST_PASSWORD, MembershipFactory, UserFactory, onboard
from tests.e2e.conftest import assert_accessible, sign_in

PHONE = {"width": 390, "height": 844}


def _mentor(cast, first, last, **kwargs) -> MentorProfile:
    user = UserFactory(first_name=first, last_name=last)
    return complete_mentor_profile(
        onboard(MembershipFactory(institution=cast.inst_a, role="mentor", user=user)), **kwargs
    )


def test_filters_fold_behind_a_button_above_the_results_at_390_px(page, cast):
    complete_mentee_profile(cast.mentee, needs=["residency_applications"])
    _mentor(cast, "Marisol", "Delgado", areas=["residency_applications", "teaching"])
    _mentor(cast, "Kwame", "Mensah", areas=["research"])
    page.set_viewport_size(PHONE)
    sign_in(page, cast.mentee.user.email, TEST_PASSWORD)
    page.goto("/mentors/")
    page.get_by_text("2 mentors found").wait_for()
    toggle = page.get_by_role("button", name="Filters")
    assert toggle.is_visible()
    assert not page.get_by_label("Residency applications").first.is_visible()  # folded away
    status = page.get_by_text("2 mentors found").bounding_box()
    assert status["y"] < PHONE["height"], "the result count is on the first screen"
    assert toggle.bounding_box()["y"] < status["y"], "the button sits above the results"
    words = page.get_by_label("Search by name, specialty, language, institution or any word")
    assert words.is_visible(), "the free-text box is not folded away with the filters"
    assert words.bounding_box()["y"] < status["y"]
    assert_accessible(page, context="search at 390 px, filters folded")
    words.fill("Mensah")
    page.get_by_text("1 mentor found").wait_for()
    assert page.get_by_role("link", name="Kwame Mensah").is_visible()
    words.fill("")
    page.get_by_text("2 mentors found").wait_for()

    toggle.click()
    page.locator("#search-filters.show").wait_for()
    page.get_by_label("Residency applications").first.check()
    page.get_by_text("1 mentor found").wait_for()
    assert page.get_by_label("Residency applications").first.is_visible(), "the panel stays open after a live update"
    assert page.get_by_role("button", name=re.compile(r"^Filters")).get_attribute("aria-expanded") == "true"
    assert_accessible(page, context="search at 390 px, filters open")

    page.set_viewport_size({"width": 1366, "height": 900})
    assert not page.locator("[data-filters-toggle]").is_visible()  # a wide screen shows them
    assert page.get_by_label("Teaching").first.is_visible()


def test_the_request_button_is_on_screen_at_390_px(page, cast):
    complete_mentee_profile(cast.mentee, needs=["residency_applications"])
    long_bio = "I trained in three cities and mentor students who are the first in their family in medicine. " * 12
    mentor = _mentor(cast, "Marisol", "Delgado", areas=["residency_applications", "teaching"], bio=long_bio)
    page.set_viewport_size(PHONE)
    sign_in(page, cast.mentee.user.email, TEST_PASSWORD)
    page.goto(f"/mentors/{mentor.pk}/")
    ask = page.get_by_role("link", name="Ask Marisol Delgado to mentor you")
    ask.first.wait_for(state="attached")
    visible = [i for i in range(ask.count()) if ask.nth(i).is_visible()]
    assert len(visible) == 1, "one request button"
    box = ask.nth(visible[0]).bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], "reachable without scrolling"
    assert page.evaluate("document.documentElement.scrollHeight") > PHONE["height"] * 1.5  # a long page
    assert_accessible(page, context="mentor profile at 390 px")
    page.mouse.wheel(0, 2000)  # still there after scrolling
    box = ask.nth(visible[0]).bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"]
    ask.nth(visible[0]).click()
    page.wait_for_url(f"**/mentorships/mentors/{mentor.pk}/request/**")
