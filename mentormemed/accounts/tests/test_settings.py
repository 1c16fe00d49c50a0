"""A person's own name, pronouns and time zone; every date on a page follows the zone."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from mentormemed.accounts import services
from mentormemed.core.access import Actor

pytestmark = pytest.mark.django_db


def test_everyone_edits_their_own_name_and_time_zone(cast):
    for member in (cast.mentee, cast.mentor, cast.admin):
        client = cast.client_for(member)
        response = client.post(
            reverse("accounts:settings"),
            {
                "first_name": "Ana",
                "last_name": "Reyes",
                "preferred_name": "",
                "pronouns": "she/her",
                "time_zone": "America/Denver",
            },
        )
        assert response.status_code == 302
        member.user.refresh_from_db()
        assert (member.user.display_name, member.user.pronouns, member.user.time_zone) == (
            "Ana Reyes",
            "she/her",
            "America/Denver",
        )


def test_an_unknown_zone_or_a_blank_name_is_refused_and_changes_nothing(cast):
    client = cast.client_for(cast.mentee)
    before = (cast.mentee.user.first_name, cast.mentee.user.time_zone)
    page = client.post(
        reverse("accounts:settings"), {"first_name": "Ana", "last_name": "Reyes", "time_zone": "Mars/Olympus_Mons"}
    )
    assert page.status_code == 200 and "Select a valid choice" in page.content.decode()
    page = client.post(reverse("accounts:settings"), {"first_name": " ", "last_name": "", "time_zone": "UTC"})
    assert page.status_code == 200
    cast.mentee.user.refresh_from_db()
    assert (cast.mentee.user.first_name, cast.mentee.user.time_zone) == before
    with pytest.raises(ValidationError):
        services.account_settings_save(acting=Actor.for_user(cast.mentee.user), time_zone="Nowhere/Else")


def test_r1_paused_members_can_still_fix_their_name(cast):
    cast.inst_a.subscriptions.update(ended_on=cast.inst_a.subscriptions.get().term_start)
    client = cast.client_for(cast.mentee)
    assert client.get(reverse("core:home")).status_code == 403
    assert client.get(reverse("accounts:settings")).status_code == 200
