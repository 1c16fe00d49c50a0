"""Journey (R20): the program office ends a mentee's membership. It asks why and confirms; a mentee
whose eligibility was rejected cannot be ended as a graduate in good standing, so is never invited."""

from __future__ import annotations

from mentormemed.accounts.models import MenteeEligibility, ReviewStatus
from mentormemed.evaluations.models import MentorInvitationOffer
from mentormemed.institutions.models import Membership
from mentormemed.testing.factories import TEST_PASSWORD, TOTP_SECRET, onboard
from tests.e2e.conftest import assert_accessible, sign_in


def test_r20_ending_asks_why_confirms_and_invites_only_graduates_in_good_standing(page, cast):
    onboard(cast.mentee)
    MenteeEligibility.objects.filter(membership=cast.mentee).update(status=ReviewStatus.REJECTED)
    name = cast.mentee.user.display_name
    sign_in(page, cast.admin.user.email, TEST_PASSWORD, totp_secret=TOTP_SECRET)
    page.goto(f"/manage/members/{cast.mentee.pk}/")
    page.get_by_label("Action").select_option(label="End the membership…")
    page.get_by_role("button", name="Apply").click()
    page.get_by_role("heading", name=f"End {name}'s membership?").wait_for()
    assert Membership.objects.get(pk=cast.mentee.pk).status == "active"  # nothing changed yet
    graduated = page.get_by_label("Graduated in good standing")
    assert graduated.is_disabled()
    assert page.get_by_text("The program office did not confirm their eligibility.").is_visible()
    assert not page.locator("input[name=end_reason]:checked").count()  # the admin chooses
    assert_accessible(page, context="ending a membership")
    page.set_viewport_size({"width": 390, "height": 844})
    assert_accessible(page, context="ending a membership at 390 px")
    page.get_by_role("button", name="End the membership").click()
    page.get_by_text("Say why the membership ends.").wait_for()
    page.get_by_label("Left the institution").check()
    page.get_by_role("button", name="End the membership").click()
    page.get_by_text(f"{name}'s membership has ended.").wait_for()
    ended = Membership.objects.get(pk=cast.mentee.pk)
    assert (ended.status, ended.end_reason) == ("ended", "left")
    assert not MentorInvitationOffer.objects.filter(membership=cast.mentee).exists()
