"""Journey (R7, R10): what a first-time mentee sees in search, at 1366 and 390 px — accents
forgiven, several areas narrowing or widening by the mentee's choice, their own mentor marked, and a
mentor still finishing training findable but not requestable."""

from __future__ import annotations

import re

from mentormemed.mentorships import testing as mt
from mentormemed.profiles.models import MentorProfile
from mentormemed.profiles.testing import complete_mentee_profile, complete_mentor_profile
from mentormemed.testing.factories import TEST_PASSWORD, MembershipFactory, UserFactory, onboard
from tests.e2e.conftest import assert_accessible, sign_in


def _mentor(cast, first, last, **kwargs) -> MentorProfile:
    user = UserFactory(first_name=first, last_name=last)
    return complete_mentor_profile(
        onboard(MembershipFactory(institution=cast.inst_a, role="mentor", user=user)), **kwargs
    )


def _card(page, mentor):
    return page.locator(f"#mentor-{mentor.pk}")


def test_r7_r10_a_first_time_mentee_searches_at_1366_and_390_px(page, cast):
    mentee = mt.new_member(cast.inst_a, "mentee", "learner@alpha.edu")
    complete_mentee_profile(mentee, needs=["research"])
    mine = mt.mentor_profile(cast.mentor, areas=["research"])
    mt.relationship(mentee, mine)
    both = _mentor(cast, "Lucía", "Hernández", areas=["research", "teaching"])
    _mentor(cast, "Kwame", "Mensah", areas=["teaching"])
    untrained = _mentor(cast, "Priya", "Okafor", areas=["research"], trained=False)

    for width, height in ((1366, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        sign_in(page, mentee.user.email, TEST_PASSWORD)
        page.goto("/mentors/")
        page.get_by_text("4 mentors found").wait_for()
        assert _card(page, mine).get_by_text("Your mentor").is_visible(), width
        finishing = _card(page, untrained)
        assert finishing.get_by_text("Finishing training").is_visible(), width
        assert not finishing.get_by_text("Your mentor").count()
        assert_accessible(page, context=f"search at {width} px")

        words = page.get_by_label("Search by name, specialty, language, institution or any word")
        words.fill("hernandez")  # no accent, lower case
        page.get_by_text("1 mentor found").wait_for()
        assert page.get_by_role("link", name="Lucía Hernández").is_visible()
        words.fill("")
        page.get_by_text("4 mentors found").wait_for()

        if width < 992:
            page.get_by_role("button", name=re.compile(r"^Filters")).click()
            page.locator("#search-filters.show").wait_for()
        page.get_by_label("Research", exact=False).first.check()
        page.get_by_text("3 mentors found").wait_for()
        page.get_by_label("Teaching", exact=False).first.check()
        page.get_by_text("1 mentor found").wait_for()  # narrows: research and teaching
        assert _card(page, both).is_visible()
        page.get_by_label("offer at least one of them (more mentors)").check()
        page.get_by_text("4 mentors found").wait_for()  # widens: research or teaching
        page.context.clear_cookies()

    sign_in(page, mentee.user.email, TEST_PASSWORD)
    page.goto(f"/mentors/{untrained.pk}/")
    page.get_by_text("finishing the required mentor training", exact=False).first.wait_for()
    assert not page.get_by_role("link", name=re.compile("to mentor you")).count(), "no request button"
