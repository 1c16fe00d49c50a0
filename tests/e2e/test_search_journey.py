"""Journey (issue 3, R8–R11, R28): a mentee searches, filters live, reads reasons and opens a profile."""

from __future__ import annotations

from mentormemed.matching.models import SearchEvent, SearchLog
from mentormemed.profiles.models import MentorProfile
from mentormemed.profiles.testing import complete_mentee_profile, complete_mentor_profile
from mentormemed.testing.factories import TEST_PASSWORD, MembershipFactory, UserFactory, onboard
from tests.e2e.conftest import ARTIFACTS, assert_accessible, sign_in


def _mentor(cast, first, last, **kwargs) -> MentorProfile:
    user = UserFactory(first_name=first, last_name=last)
    return complete_mentor_profile(
        onboard(MembershipFactory(institution=cast.inst_a, role="mentor", user=user)), **kwargs
    )


def test_mentee_searches_filters_reads_reasons_and_opens_a_profile(page, cast):
    complete_mentee_profile(
        cast.mentee,
        needs=["residency_applications", "research"],
        affinities={"first_generation": 3, "language": 2},
        identities={"first_generation": (["first_generation"], True)},
        languages=["es"],
        languages_shared=True,
    )
    match = _mentor(
        cast,
        "Marisol",
        "Delgado",
        areas=["residency_applications", "teaching"],
        languages=["en", "es"],
        identities={"first_generation": (["first_generation"], True)},
        median_response_hours=30,
        answer_rate=0.9,
    )
    _mentor(cast, "Kwame", "Mensah", areas=["research"], identities={"first_generation": (["first_generation"], False)})
    full = _mentor(cast, "Wei", "Chen", areas=["teaching"], capacity=1)
    MentorProfile.objects.filter(pk=full.pk).update(active_mentee_count=1)

    sign_in(page, cast.mentee.user.email, TEST_PASSWORD)
    page.goto("/mentors/")
    page.get_by_role("heading", name="Find mentors").wait_for()
    page.get_by_text("3 mentors found").wait_for()
    page.get_by_text("Full", exact=True).wait_for()  # a full mentor is shown as full
    assert_accessible(page, context="search, no filter")

    # A live filter: htmx swaps the results and pushes the whole state into the URL.
    page.get_by_label("Residency applications").first.check()
    page.get_by_text("1 mentor found").wait_for()
    assert "f=area%3Aresidency_applications" in page.url
    assert_accessible(page, context="search, filtered")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "search_filtered.png"), full_page=True)

    # Free text also lives in the URL; the back button restores the previous state.
    page.get_by_label("Search by name, specialty, language, institution or any word").fill("Delgado")
    page.wait_for_url("**q=Delgado**")
    page.get_by_text("1 mentor found").wait_for()
    page.go_back()
    page.wait_for_url(lambda url: "q=Delgado" not in url)

    card = page.get_by_role("article", name="Marisol Delgado")
    card.get_by_text("shares: first-generation, Spanish").wait_for()
    card.get_by_text("offers: residency applications").wait_for()
    card.get_by_role("link", name="Marisol Delgado").click()

    page.get_by_role("heading", name="Marisol Delgado").wait_for()
    page.get_by_role("heading", name="Why this mentor for you").wait_for()
    page.get_by_text("Usually answers within 2 days (90% of requests answered).").wait_for()
    assert_accessible(page, context="mentor profile")
    page.screenshot(path=str(ARTIFACTS / "mentor_profile.png"), full_page=True)

    assert SearchLog.objects.filter(viewer=cast.mentee, kind="search").count() >= 3
    event = SearchEvent.objects.get(kind="opened")
    assert event.mentor_id == match.pk and event.search_id is not None

    page.goto("/mentors/recommended/")
    page.get_by_role("heading", name="Recommended mentors").wait_for()
    page.get_by_role("article", name="Marisol Delgado").wait_for()
    assert page.get_by_role("article", name="Wei Chen").count() == 0  # full: not recommended
    assert_accessible(page, context="recommendations")
