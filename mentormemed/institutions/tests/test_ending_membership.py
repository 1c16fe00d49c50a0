"""Ending a membership asks why and confirms; only a graduate in good standing is invited to mentor (R20)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from mentormemed.accounts.models import MenteeEligibility, ReviewStatus
from mentormemed.evaluations.models import MentorInvitationOffer
from mentormemed.institutions.models import Membership
from mentormemed.testing.factories import onboard

pytestmark = pytest.mark.django_db


def _end(client, membership, **data):
    return client.post(reverse("institutions:member_status", args=[membership.pk]), {"status": "ended", **data})


def test_r20_ending_asks_why_and_changes_nothing_until_confirmed(cast):
    client = cast.client_for(cast.admin)
    page = _end(client, cast.mentee)
    html = page.content.decode()
    assert page.status_code == 200 and f"End {cast.mentee.user.display_name}" in html
    assert "Why does it end?" in html and " checked" not in html  # nothing is chosen for the admin
    assert Membership.objects.get(pk=cast.mentee.pk).status == "active"
    page = _end(client, cast.mentee, confirm="1")
    assert "Say why the membership ends." in page.content.decode()
    assert Membership.objects.get(pk=cast.mentee.pk).status == "active"


def test_r20_a_graduate_in_good_standing_is_invited_once(cast, django_capture_on_commit_callbacks):
    onboard(cast.mentee)  # eligibility confirmed
    client = cast.client_for(cast.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = _end(client, cast.mentee, confirm="1", end_reason="graduated")
    assert response.status_code == 302
    ended = Membership.objects.get(pk=cast.mentee.pk)
    assert (ended.status, ended.end_reason) == ("ended", "graduated")
    assert MentorInvitationOffer.objects.filter(membership=cast.mentee).count() == 1
    assert [m for m in mail.outbox if m.to == [cast.mentee.user.email]]


def test_r20_a_mentee_whose_eligibility_was_rejected_is_never_invited(cast, django_capture_on_commit_callbacks):
    onboard(cast.mentee)
    MenteeEligibility.objects.filter(membership=cast.mentee).update(status=ReviewStatus.REJECTED)
    client = cast.client_for(cast.admin)
    html = _end(client, cast.mentee).content.decode()
    assert 'id="reason-graduated" value="graduated" disabled' in html
    assert "The program office did not confirm their eligibility." in html
    with django_capture_on_commit_callbacks(execute=True):
        page = _end(client, cast.mentee, confirm="1", end_reason="graduated")  # forced past the page
    assert "Only a graduate in good standing" in page.content.decode()
    assert Membership.objects.get(pk=cast.mentee.pk).status == "active"
    with django_capture_on_commit_callbacks(execute=True):
        _end(client, cast.mentee, confirm="1", end_reason="left")
    ended = Membership.objects.get(pk=cast.mentee.pk)
    assert (ended.status, ended.end_reason) == ("ended", "left")
    assert not MentorInvitationOffer.objects.filter(membership=cast.mentee).exists()
    assert not [m for m in mail.outbox if m.to == [cast.mentee.user.email]]


def test_r20_a_suspended_mentee_cannot_end_as_a_graduate(cast):
    from mentormemed.core.access import Actor
    from mentormemed.institutions.services import membership_set_status

    acting = Actor.for_user(cast.admin.user)
    membership_set_status(acting=acting, membership=cast.mentee, status="suspended")
    with pytest.raises(Exception, match="The membership is suspended"):
        membership_set_status(acting=acting, membership=cast.mentee, status="ended", end_reason="graduated")
