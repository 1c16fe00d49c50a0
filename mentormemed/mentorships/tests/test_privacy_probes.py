"""Findings of the privacy probe (R8, R9, R13): what a mentor sees of a mentee, and which mentors
a mentee can reach through the request page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from mentormemed.mentorships import testing as mt
from mentormemed.profiles.models import Language, MentorProfile, Region
from mentormemed.profiles.testing import complete_mentee_profile

pytestmark = pytest.mark.django_db


def _mentee_with(cast, *, shared: bool):
    profile = complete_mentee_profile(cast.mentee)
    profile.languages.set(Language.objects.filter(key__in=["es", "yo"]))
    profile.home_state = Region.objects.get(kind="state", code="TX")
    profile.languages_shared = profile.home_shared = shared
    profile.save()
    return profile


@pytest.mark.parametrize("shared", [False, True])
def test_r8_the_inbox_shows_a_mentees_languages_and_home_only_when_shared(cast, shared):
    mentor = mt.mentor_profile(cast.mentor)
    _mentee_with(cast, shared=shared)
    request = mt.pending_request(cast.mentee, mentor)
    page = cast.client_for(cast.mentor).get(reverse("mentorships:inbox_detail", args=[request.pk])).content.decode()
    for private in ("Yoruba", "Texas"):
        assert (private in page) is shared, f"{private} shown={shared}"


@pytest.mark.parametrize(
    "change",
    [
        {"search_consent": False},
        {"suspended_at": timezone.now()},
    ],
    ids=["unlisted", "suspended"],
)
def test_r8_r13_the_request_page_of_an_unlisted_or_suspended_mentor_is_a_404(cast, change):
    mentor = mt.mentor_profile(cast.mentor)
    client = cast.client_for(cast.mentee)
    url = reverse("mentorships:request_new", args=[mentor.pk])
    assert client.get(url).status_code == 200
    MentorProfile.objects.filter(pk=mentor.pk).update(**change)
    response = client.get(url)
    assert response.status_code == 404
    assert mentor.membership.user.last_name not in response.content.decode()
    posted = client.post(url, {"message": "Hello, could we talk about research?", "areas": ["research"]})
    assert posted.status_code == 404


def _private_everything(membership) -> None:
    """Every identity dimension answered with one option, private; languages and home private."""
    from mentormemed.profiles.models import IdentityDimension
    from mentormemed.profiles.testing import set_identities

    answers = {}
    for dimension in IdentityDimension.objects.prefetch_related("options"):
        option = dimension.options.order_by("-key").first()
        if option:
            answers[dimension.key] = ([option.key], False)
    set_identities(membership, answers)


def _private_names(membership) -> set[str]:
    from mentormemed.profiles.models import IdentityValue

    names = {v.option.name for v in IdentityValue.objects.filter(membership=membership, shared=False)}
    return {n for n in names if len(n) > 3}


def _leaked(client, urls, membership) -> tuple[set[str], set[str], str]:
    """Answer every identity question of ``membership`` privately between two reads of ``urls``:
    the private values, and those that appear after but did not before."""
    before = _pages(client, urls)
    _private_everything(membership)
    after = _pages(client, urls)
    names = _private_names(membership)
    return names, {name for name in names if name not in before and name in after}, before


def _pages(client, urls) -> str:
    out = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        out.append(response.content.decode())
    return "\n".join(out)


def test_r8_no_page_that_shows_a_mentee_to_their_mentor_shows_a_private_value(cast):
    """Differential: values that appear on no page before the mentee answers them privately must
    appear on no page after (inbox, request, relationship, relationships, meetings)."""
    mentor = mt.mentor_profile(cast.mentor)
    _mentee_with(cast, shared=False)
    rel = mt.relationship(cast.mentee, mentor)
    urls = [
        reverse("mentorships:inbox"),
        reverse("mentorships:inbox_detail", args=[rel.request_id]),
        reverse("mentorships:relationships"),
        reverse("mentorships:relationship", args=[rel.pk]),
        reverse("core:home"),
        reverse("scheduling:meetings"),
    ]
    client = cast.client_for(cast.mentor)
    names, leaked, before = _leaked(client, urls, cast.mentee)
    assert names and not leaked
    # The same values, shared, do show: the pages would reveal a leak.
    from mentormemed.profiles.models import IdentityValue

    IdentityValue.objects.filter(membership=cast.mentee).update(shared=True)
    assert {name for name in names if name not in before and name in _pages(client, urls)}


def test_r8_no_page_that_shows_a_mentor_to_a_mentee_shows_a_private_value(cast):
    mentor = mt.mentor_profile(cast.mentor)
    complete_mentee_profile(cast.mentee)
    rel = mt.relationship(cast.mentee, mentor)
    urls = [
        reverse("matching:search"),
        reverse("matching:search") + "?q=" + mentor.membership.user.last_name,
        reverse("matching:recommended"),
        reverse("matching:mentor", args=[mentor.pk]),
        reverse("mentorships:relationships"),
        reverse("mentorships:relationship", args=[rel.pk]),
        reverse("mentorships:network"),
        reverse("core:home"),
    ]
    names, leaked, _ = _leaked(cast.client_for(cast.mentee), urls, cast.mentor)
    assert names and not leaked
