"""The admin's member pages speak about the member, and an onboarded member never reads as
unfinished because an optional step (two-factor) is left."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mentormemed.mentorships import testing

pytestmark = pytest.mark.django_db


def test_members_list_says_onboarded_not_4_of_5_steps(cast):
    testing.fully_onboard(cast.mentee)
    html = cast.client_for(cast.admin).get(reverse("institutions:members")).content.decode()
    assert "Onboarded" in html
    assert " of 5 steps" not in html and " of 4 steps" not in html


def test_member_page_speaks_about_the_member(cast):
    testing.fully_onboard(cast.mentee)
    html = (
        cast.client_for(cast.admin).get(reverse("institutions:member_detail", args=[cast.mentee.pk])).content.decode()
    )
    assert f"{cast.mentee.user.display_name} has finished every required step" in html
    for topic in ("Agreement", "Eligibility", "Profile", "Required training", "Two-factor authentication"):
        assert f"<strong>{topic}</strong>" in html, topic
    section = html[html.index("Onboarding") : html.index("Eligibility</h2>")]
    for second_person in ("your ", "Your ", "Tell us", "Read and accept", "Complete your", "Confirm your"):
        assert second_person not in section, second_person


def test_a_member_midway_shows_required_steps_only(cast):
    html = cast.client_for(cast.admin).get(reverse("institutions:members")).content.decode()
    assert "required steps" in html
