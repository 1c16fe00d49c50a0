"""Every list page runs the same number of queries whatever the data size.

Each page is opened once with a little data, then again after every list it shows has grown
(more institutions, mentors, mentees, requests, mentorships, notifications, suspended mentors,
research requests): the query count must not change.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

PAGES = {
    "mentee": [
        "core:home",
        "notifications:inbox",
        "mentorships:requests",
        "mentorships:relationships",
        "mentorships:network",
        "matching:recommended",
        "evaluations:index",
        "scheduling:meetings",
    ],
    "mentor": ["core:home", "notifications:inbox", "mentorships:inbox", "mentorships:relationships"],
    "admin": ["core:home", "institutions:members", "mentorships:suspended", "outcomes:reward"],
    "staff": ["core:home", "staff:institutions", "mentorships:suspended", "outcomes:staff_research", "staff:audit"],
}


def _grow(cast, n: int, tag: str) -> None:
    from mentormemed.mentorships import testing as mt
    from mentormemed.notifications.services import notify
    from mentormemed.outcomes.testing import research_request
    from mentormemed.profiles.models import MentorProfile
    from mentormemed.testing.factories import InstitutionFactory

    mentor_of_cast = mt.mentor_profile(cast.mentor)
    for i in range(n):
        InstitutionFactory(name=f"Grown {tag} {i}")
        mentor = mt.new_member(cast.inst_a, "mentor", f"m{tag}{i}@alpha.edu")
        profile = MentorProfile.objects.get(membership=mentor)
        if i % 2:
            mt.relationship(cast.mentee, profile)
        else:
            mt.pending_request(cast.mentee, profile)
        mentee = mt.new_member(cast.inst_a, "mentee", f"e{tag}{i}@alpha.edu")
        if i < 2:
            mt.pending_request(mentee, mentor_of_cast)
        research_request(mentor)
        if i % 2 == 0:  # the one asked but not answering: suspended (R13)
            MentorProfile.objects.filter(pk=profile.pk).update(suspended_at=timezone.now(), suspended_reason="missed")
        for member in (cast.mentee, cast.mentor, cast.admin):
            notify(user=member.user, kind="request_reminder", title=f"Note {tag} {i}", url="/")
        notify(user=cast.staff, kind="request_reminder", title=f"Note {tag} {i}", url="/")


def _counts(cast) -> dict[tuple[str, str], int]:
    counts = {}
    for role, names in PAGES.items():
        client = cast.client_for(cast.staff if role == "staff" else getattr(cast, role))
        for name in names:
            url = reverse(name)
            client.get(url)  # warm per-process caches (catalog, versions) the same way both times
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            assert response.status_code == 200, (role, name, response.status_code)
            counts[(role, name)] = len(captured.captured_queries)
    return counts


@pytest.mark.django_db
def test_list_pages_run_a_bounded_number_of_queries(cast):
    _grow(cast, 2, "a")
    small = _counts(cast)
    _grow(cast, 4, "b")
    large = _counts(cast)
    assert all(small.values())
    grew = {page: (small[page], large[page]) for page in small if large[page] > small[page]}
    assert not grew, f"query count grows with the data: {grew}"


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["mentee", "mentor"])
def test_the_home_page_reads_the_getting_started_checklist_once(cast, who):
    """Issue 14: each step's check runs its own statements; the home page showed the checklist and
    then asked again whether it was complete, reading every step twice."""
    client = cast.client_for(getattr(cast, who))
    client.get(reverse("core:home"))
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("core:home")).status_code == 200
    versions = [q["sql"] for q in ctx.captured_queries if 'FROM "accounts_agreement" GROUP BY' in q["sql"]]
    assert len(versions) == 1, "the agreement step (and every other step) is checked once per page"
