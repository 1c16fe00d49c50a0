"""Issue 14: the mentee's pages run a fixed, small number of SQL statements whatever the data size,
and what is kept between requests (the viewer's wishes) is forgotten when it changes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mentormemed.core.access import Actor
from mentormemed.matching.viewer import key_for, viewer_facts
from mentormemed.notifications.models import Notification
from mentormemed.notifications.services import notify
from mentormemed.profiles import services as profile_services
from mentormemed.profiles.models import ContentArea
from mentormemed.profiles.testing import complete_mentee_profile, complete_mentor_profile
from mentormemed.testing.factories import MembershipFactory, onboard

AREAS = ["research", "teaching", "residency_applications", "mental_health_wellness", "first_gen_navigation"]
LANGS = [["en"], ["en", "es"], ["es"]]
STATES = ["IL", "CA", "TX", "NY"]
SPECIALTIES = [
    ["pediatrics", "pediatrics_adolescent_medicine"],
    ["internal_medicine"],
    ["psychiatry_addiction_psychiatry"],
]
MAX_STATEMENTS = 8


def _population(cast, n: int = 40) -> list:
    """``n`` mentors with varied profiles in both institutions: areas, languages, homes, identities,
    scopes, some still finishing their training (R7)."""
    mentors = []
    for i in range(n):
        inst = cast.inst_a if i % 3 else cast.inst_b
        mentors.append(
            complete_mentor_profile(
                onboard(MembershipFactory(institution=inst, role="mentor")),
                areas=[AREAS[i % 5], AREAS[(i + 2) % 5]],
                languages=LANGS[i % 3],
                specialties=SPECIALTIES[i % 3],
                state=STATES[i % 4],
                scope="national" if i % 2 else "local",
                identities={
                    "first_generation": (["first_generation" if i % 2 else "not_first_generation"], i % 4 != 0)
                },
                trained=i % 7 != 0,
                photo="",
            )
        )
    return mentors


@pytest.fixture
def mentee(cast):
    """The signed-in mentee with needs, shared values and affinities that matter to them."""
    complete_mentee_profile(
        cast.mentee,
        identities={"first_generation": (["first_generation"], True)},
        specialty_interests=["pediatrics"],
        languages=["es"],
        affinities={"first_generation": 3, "language": 2},
    )
    return cast.mentee


@pytest.fixture
def world(cast, mentee):
    mentors = _population(cast)
    # Something unread elsewhere: the bell has a count, and no page here is its link.
    notify(user=cast.mentee.user, kind="request_accepted", title="Elsewhere", url="/mentorships/", email=False)
    return mentors


PAGES = [
    ("search, no filter", lambda m: reverse("matching:search")),
    (
        "search, three filters",
        lambda m: reverse("matching:search") + "?f=area:research&f=lang:en&f=id:first_generation:first_generation",
    ),
    ("search, free text", lambda m: reverse("matching:search") + "?q=research"),
    ("search, by name", lambda m: reverse("matching:search") + "?sort=name"),
    ("recommendations", lambda m: reverse("matching:recommended")),
    ("mentor page", lambda m: reverse("matching:mentor", args=[m.pk])),
]


@pytest.mark.parametrize(("name", "path"), PAGES, ids=[p[0] for p in PAGES])
def test_mentee_pages_run_at_most_eight_statements(cast, world, name, path, django_assert_max_num_queries):
    """Session, user and memberships (with the subscription check and the bell read in the same
    statement), then the page's own reads and its search-log write (R11) — at most eight."""
    national = next(m for m in world if m.scope == "national" and m.membership.institution_id == cast.inst_b.pk)
    client = cast.client_for(cast.mentee)
    url = path(national)
    assert client.get(url).status_code == 200  # the first request fills the caches of this process
    with django_assert_max_num_queries(MAX_STATEMENTS):
        response = client.get(url)
    assert response.status_code == 200
    assert b'class="badge' in response.content  # the bell's count is on the page


def test_statements_do_not_grow_with_more_mentors(cast, world, django_assert_max_num_queries):
    _population(cast, 30)
    client = cast.client_for(cast.mentee)
    for url in (reverse("matching:search"), reverse("matching:recommended")):
        client.get(url)
        with django_assert_max_num_queries(MAX_STATEMENTS):
            assert client.get(url).status_code == 200


def test_opening_the_linked_page_still_marks_its_notification_read(cast, world):
    """The UPDATE is skipped only when nothing unread links to the page."""
    mentor = world[1]
    url = reverse("matching:mentor", args=[mentor.pk])
    notify(user=cast.mentee.user, kind="request_accepted", title="Here", url=url, email=False)
    client = cast.client_for(cast.mentee)
    assert Notification.objects.filter(user=cast.mentee.user, read_at__isnull=True).count() == 2
    client.get(url)
    assert list(
        Notification.objects.filter(user=cast.mentee.user, read_at__isnull=True).values_list("url", flat=True)
    ) == ["/mentorships/"]


def test_the_bell_counts_a_new_notification_at_once(cast, mentee):
    client = cast.client_for(cast.mentee)
    before = client.get(reverse("matching:search")).context["unread_notifications"]
    notify(user=cast.mentee.user, kind="request_accepted", title="New", url="/mentorships/", email=False)
    assert client.get(reverse("matching:search")).context["unread_notifications"] == before + 1


def test_a_lapsed_subscription_pauses_the_search_at_once(cast, mentee):
    """R1: the coverage check is read with the membership on every request, never cached."""
    from mentormemed.lifecycle.testing import lapse

    client = cast.client_for(cast.mentee)
    assert b"search-app" in client.get(reverse("matching:search")).content
    lapse(cast.inst_a)
    assert b"search-app" not in client.get(reverse("matching:search")).content


def _fresh(membership):
    return type(membership).objects.get(pk=membership.pk)


def test_cached_wishes_are_forgotten_when_the_mentee_edits_their_needs(
    cast, mentee, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    assert "area:research" in viewer_facts(_fresh(cast.mentee)).wishes.needs
    assert cache.get(key_for(cast.mentee.pk)) is not None
    with django_capture_on_commit_callbacks(execute=True):
        profile_services.mentee_needs_set(
            acting=Actor.for_membership(cast.mentee), areas=[ContentArea.objects.get(key="teaching")]
        )
    assert list(viewer_facts(_fresh(cast.mentee)).wishes.needs) == ["area:teaching"]


def test_cached_wishes_are_forgotten_when_a_shared_value_or_affinity_changes(cast, mentee):
    from mentormemed.profiles.models import IdentityDimension, IdentityOption

    assert "id:first_generation:first_generation" in viewer_facts(_fresh(cast.mentee)).wishes.affinities
    dimension = IdentityDimension.objects.get(key="first_generation")
    profile_services.identity_set(
        acting=Actor.for_membership(cast.mentee),
        dimension=dimension,
        options=IdentityOption.objects.filter(dimension=dimension, key="first_generation"),
        write_in="",
        shared=False,  # made private: no longer an affinity (R8)
    )
    assert "id:first_generation:first_generation" not in viewer_facts(_fresh(cast.mentee)).wishes.affinities
    profile_services.mentee_affinities_set(acting=Actor.for_membership(cast.mentee), weights={"language": 0})
    assert "lang:es" not in viewer_facts(_fresh(cast.mentee)).wishes.affinities


def test_cached_wishes_are_forgotten_when_specialty_interests_change(cast, mentee):
    from mentormemed.profiles.models import Specialty

    assert "spec:pediatrics" in viewer_facts(_fresh(cast.mentee)).wishes.affinities
    profile_services.mentee_profile_save(
        acting=Actor.for_membership(cast.mentee), fields={}, specialty_interests=Specialty.objects.none()
    )
    assert "spec:pediatrics" not in viewer_facts(_fresh(cast.mentee)).wishes.affinities


def test_the_search_log_records_the_new_training_level(cast, mentee):
    """R11's viewer descriptor comes from the same cached facts: an edit shows in the next log row."""
    from mentormemed.matching.models import SearchLog

    client = cast.client_for(cast.mentee)
    client.get(reverse("matching:search"))
    profile_services.mentee_profile_save(acting=Actor.for_membership(cast.mentee), fields={"training_level": "MS4"})
    client.get(reverse("matching:search"))
    assert list(
        SearchLog.objects.filter(viewer=cast.mentee).order_by("pk").values_list("training_level", flat=True)
    ) == [
        "MS3",
        "MS4",
    ]
