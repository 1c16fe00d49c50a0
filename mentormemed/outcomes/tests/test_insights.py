"""R23, R27: the four views beyond the dashboard against hand-computed figures on a small fixture.

Alpha (A) has two mentors: M1 shares a race/ethnicity and speaks Spanish, M2 shares no identity.
M1 mentors e1 (started Mar 5) and e2 (Apr 1), both MS3 at A, and held two meetings (60 and 30
minutes) and claimed 1 CME credit; M2 mentors f1 and f2 of Beta (Apr 2, Apr 3) and received one
participation letter. Beta's mentor (national, Spanish, capacity 1) mentors e3 (PGY-1 at A, May 1).
e1 first searched Feb 1 (research + Spanish, no result), e2 Mar 20 (research, 2 results), e3 Apr 1
(5 results). The academic year is Jul 2024 – Jun 2025.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from mentormemed.core.models import AuditEntry
from mentormemed.mentorships import testing as mt
from mentormemed.outcomes import insights, rollups, selectors
from mentormemed.outcomes.tests.conftest import at
from mentormemed.outcomes.tests.test_figures import _mentee, _search
from mentormemed.scheduling.testing import meeting
from mentormemed.testing.factories import MembershipFactory, UserFactory, onboard
from mentormemed.training.testing import make_claim

NOW = dt.datetime(2025, 6, 20, 12, tzinfo=dt.UTC)
YEAR = selectors.Filters.year(2024)


@pytest.fixture
def world(cast, settings):
    settings.MMM = {**settings.MMM, "SMALL_CELL_MIN": 1}  # figures in full: suppression is tested separately
    with time_machine.travel(NOW, tick=False):
        m1 = mt.mentor_profile(
            cast.mentor, languages=("en", "es"), identities={"race_ethnicity": (["black_nigerian"], True)}
        )
        m2_member = onboard(
            MembershipFactory(institution=cast.inst_a, role="mentor", user=UserFactory(email="m2@alpha.edu"))
        )
        m2 = mt.mentor_profile(m2_member)
        mb = mt.mentor_profile(cast.mentor_b, languages=("es",), scope="national", capacity=1)
        e1, e2 = _mentee(cast, 1), _mentee(cast, 2)
        e3 = _mentee(cast, 3, level="PGY1")
        f1, f2 = _mentee(cast, 4, inst=cast.inst_b), _mentee(cast, 5, inst=cast.inst_b)
        _search(e1, at(2025, 2, 1), keys=["area:research", "lang:es"], results=0)
        _search(e2, at(2025, 3, 20), keys=["area:research"], results=2)
        _search(e3, at(2025, 4, 1), results=5)
        r1 = mt.relationship(e1, m1, started_at=at(2025, 3, 5))
        r2 = mt.relationship(e2, m1, started_at=at(2025, 4, 1))
        mt.relationship(f1, m2, started_at=at(2025, 4, 2))
        mt.relationship(f2, m2, started_at=at(2025, 4, 3))
        mt.relationship(e3, mb, started_at=at(2025, 5, 1))
        meeting(r1, starts_at=at(2025, 3, 10), minutes=60, status="held")
        meeting(r2, starts_at=at(2025, 4, 10), minutes=30, status="held")
        make_claim(cast.mentor, credits="1.00")
        AuditEntry.objects.create(
            action="reward.letter", institution=cast.inst_a, object_id=str(m2_member.pk), actor=cast.admin.user
        )
        rollups.refresh()
    return {"m1": m1, "m2": m2}


def _values(table, label: str) -> list:
    row = next(r for r in table.rows if r.label == label)
    return [c.value for c in row.cells]


def _view(slug: str, institution):
    with time_machine.travel(NOW, tick=False):
        return insights.insight(slug, institution, YEAR, use_cache=False)


@pytest.mark.django_db
def test_r27_ledger_shows_load_beside_credit_per_mentor_group(cast, world):
    view = _view("ledger", cast.inst_a)
    table = view.table("ledger_groups")
    black = next(r.label for r in table.rows if "Black" in r.label)
    # Mentors, requests, mentees, meetings, hours, CME credits, letters, hours/mentor, credits/mentor.
    assert _values(table, black) == [1, 2, 2, 2, 1.5, 1.0, 0, 1.5, 1.0]
    assert _values(table, "No identity shared on the profile") == [1, 2, 2, 0, 0.0, 0.0, 1, 0.0, 0.0]
    assert [c.value for c in table.total.cells] == [2, 4, 4, 2, 1.5, 1.0, 1, 0.8, 0.5]
    # Meeting hours by quarter: Jan–Mar M1 1h, M2 0 → Gini 0.5; the busiest 20% (one mentor) hold all of it.
    quarters = view.table("ledger_concentration")
    assert _values(quarters, "Jan–Mar 2025") == [0.5, 100.0, 2]
    assert _values(quarters, "Jul–Sep 2024") == [None, None, 2]
    assert view.benchmarks[0]["own"] == 0.5  # Gini of the year's hours [1.5, 0]


@pytest.mark.django_db
def test_r23_unmet_need_ranks_needs_and_counts_the_mentors_who_could_meet_them(cast, world):
    view = _view("unmet", cast.inst_a)
    table = view.table("unmet_need")
    labels = [r.label for r in table.rows]
    assert labels[0] == "Research" and len(labels) == 3
    pair = next(r for r in table.rows if r.label.startswith("Research with"))
    # Searches, no result, mentees, mentors here, here with room, elsewhere, elsewhere with room:
    # M1 offers research and Spanish (room); Beta's national mentor speaks Spanish but is full.
    assert [c.value for c in pair.cells] == [1, 1, 1, 1, 1, 1, 0]
    research = _values(table, "Research")
    assert research[:3] == [2, 1, 2]
    assert pair.label == "Research with a mentor who speaks Spanish"
    spanish = next(r for r in table.rows if r.label == "A mentor who speaks Spanish")
    assert [c.value for c in spanish.cells] == [1, 1, 1, 1, 1, 1, 0]
    assert [c.value for c in table.total.cells] == [2, 1]
    assert any("1 elsewhere in the network (full)" in s for s in view.recruitment)


@pytest.mark.django_db
def test_r23_time_to_match_from_first_search_by_cohort(cast, world):
    view = _view("time-to-match", cast.inst_a)
    table = view.table("time_to_match")
    # e1 32 days, e2 12 days, e3 30 days.
    assert [r.cells[0].value for r in table.rows] == [0, 1, 2, 0, 0]
    assert table.total.cells[0].value == 3
    cohort = view.table("time_to_match_by_cohort")
    assert _values(cohort, "Medical students (UME)")[:2] == [2, 22.0]
    assert _values(cohort, "Residents and fellows (GME)")[:2] == [1, 30.0]
    assert [c.value for c in cohort.total.cells][:2] == [3, 30.0]
    # A's two mentors each took on two new mentees this year.
    load = view.table("load_distribution")
    assert _values(load, "2 new mentees") == [2, 4, 100.0]
    assert _values(view.table("load_concentration"), "Gini index") == [0.0]
    national = _view("time-to-match", None)
    # Nationally f1 and f2 add two matches a day after their first request.
    assert [r.cells[0].value for r in national.table("time_to_match").rows] == [2, 1, 2, 0, 0]


@pytest.mark.django_db
def test_r23_reciprocity_gives_and_receives_per_institution(cast, world):
    national = _view("reciprocity", None).table("reciprocity")
    # Given, received, balance.
    assert _values(national, "Alpha School of Medicine") == [2, 1, 1]
    assert _values(national, "Beta Health System") == [1, 2, -1]
    assert [c.value for c in national.total.cells][:2] == [3, 3]
    with time_machine.travel(NOW, tick=False):
        flows = insights.all_flows(YEAR, use_cache=False)
    assert _values(flows, "Alpha School of Medicine → Beta Health System") == [2]
    assert _values(
        _view("reciprocity", None).table("reciprocity_top_flows"), "Beta Health System → Alpha School of Medicine"
    ) == [1]
    own = _view("reciprocity", cast.inst_a)
    assert [r.label for r in own.table("reciprocity").rows] == ["Alpha School of Medicine"]
    assert own.table("reciprocity_top_flows") is None  # staff only
    # Its own flows with each partner: given (its mentors, their mentees) and received.
    assert _values(own.table("reciprocity_partners"), "Beta Health System") == [2, 1]


@pytest.mark.django_db
@pytest.mark.parametrize("slug", list(insights.VIEWS))
def test_r23_each_view_renders_with_its_csv_for_admin_and_staff(cast, world, slug, django_assert_max_num_queries):
    admin, staff = cast.client_for(cast.admin), cast.client_for(cast.staff)
    with time_machine.travel(NOW, tick=False):
        with django_assert_max_num_queries(40):
            page = admin.get(reverse("outcomes:insight", args=[slug]), {"year": 2024})
        assert page.status_code == 200
        assert str(insights.VIEWS[slug].title) in page.content.decode()
        keys = [t.key for t in page.context["insight"].tables]
        csv = admin.get(reverse("outcomes:export", args=[keys[0]]), {"year": 2024})
        assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
        assert str(page.context["insight"].tables[0].rows[0].label) in csv.content.decode()
        national = staff.get(reverse("outcomes:national_insight", args=[slug]), {"year": 2024})
        assert national.status_code == 200
        csv = staff.get(reverse("outcomes:national_export", args=[keys[0]]), {"year": 2024})
        assert csv.status_code == 200
    assert admin.get(reverse("outcomes:insight", args=["nothing"])).status_code == 404


@pytest.mark.django_db
def test_r23_admin_sees_only_their_own_reciprocity_row_and_flows(cast, world):
    client = cast.client_for(cast.admin_b)
    with time_machine.travel(NOW, tick=False):
        page = client.get(reverse("outcomes:insight", args=["reciprocity"]), {"year": 2024})
        found = page.context["insight"]
        assert [r.label for r in found.table("reciprocity").rows] == ["Beta Health System"]
        assert [r.label for r in found.table("reciprocity_partners").rows] == ["Alpha School of Medicine"]
        assert "→" not in page.content.decode(), "no flow between two institutions"
        assert client.get(reverse("outcomes:export", args=["reciprocity_flows"]), {"year": 2024}).status_code == 404


@pytest.mark.django_db
def test_a_view_reads_only_it_does_not_build_the_rollups(cast):
    from mentormemed.outcomes.models import RollupRefresh

    page = cast.client_for(cast.admin).get(reverse("outcomes:insight", args=["ledger"]))
    assert page.status_code == 200 and "have not been computed yet" in page.content.decode()
    assert not RollupRefresh.objects.exists()
