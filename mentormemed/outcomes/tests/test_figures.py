"""R23: each outcomes figure against hand-computed values on a small fixture; suppression; analysis."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from mentormemed.matching.models import SearchLog
from mentormemed.mentorships import testing as mt
from mentormemed.mentorships.models import MentorshipRequest
from mentormemed.outcomes import rollups, selectors, stats
from mentormemed.outcomes.suppression import Cell, Row, protect
from mentormemed.outcomes.tests.conftest import at, consenting
from mentormemed.testing.factories import MembershipFactory, UserFactory, onboard

NOW = dt.datetime(2025, 6, 20, 12, tzinfo=dt.UTC)


def _mentee(cast, n: int, *, inst=None, **kw):
    membership = onboard(
        MembershipFactory(institution=inst or cast.inst_a, role="mentee", user=UserFactory(email=f"m{n}@x.org"))
    )
    return consenting(membership, **kw)


def _search(mentee, when, *, results: int = 5, keys=(), level: str = "MS3"):
    return SearchLog.objects.create(
        viewer=mentee,
        institution=mentee.institution,
        role="mentee",
        training_level=level,
        kind="search",
        filters={"f": list(keys)},
        result_count=results,
        created_at=when,
    )


@pytest.fixture
def small(cast, settings):
    """Three consenting mentees (two MS3, one PGY1) and one who declined analytics, all at A; one at B."""
    settings.MMM = {**settings.MMM, "SMALL_CELL_MIN": 1}  # figures in full: suppression is tested separately
    m1, m2 = _mentee(cast, 1), _mentee(cast, 2)
    m3 = _mentee(cast, 3, level="PGY1")
    refuser = _mentee(cast, 4, analytics=False)
    outsider = _mentee(cast, 5, inst=cast.inst_b)
    _search(m1, at(2025, 4, 3), keys=["area:research"], results=0)
    _search(m1, at(2025, 4, 9), keys=["area:research", "lang:es"], results=2)
    _search(m2, at(2025, 4, 20), results=9)
    _search(m3, at(2025, 5, 2), keys=["lang:es"], results=4, level="PGY1")
    _search(refuser, at(2025, 5, 3), keys=["area:research"], results=0)  # no analytics consent: never counted
    _search(outsider, at(2025, 5, 4), keys=["area:research"], results=0)  # another institution
    return {"m1": m1, "m2": m2, "m3": m3}


def _filters(**kw):
    return selectors.Filters(dt.date(2025, 4, 1), dt.date(2025, 6, 30), **kw)


def _values(table):
    return {row.label: [c.raw for c in row.cells] for row in table.rows}


@pytest.mark.django_db
def test_r23_search_figures_match_hand_counts(cast, small):
    rollups.refresh()
    with time_machine.travel(NOW):
        tables = {t.key: t for t in selectors.search_tables(cast.inst_a, _filters())}
    assert _values(tables["searches_by_month"]) == {"Apr 2025": [3], "May 2025": [1], "Jun 2025": [0]}
    assert tables["searches_by_month"].total.cells[0].raw == 4
    assert _values(tables["searches_by_level"]) == {"MS3": [3], "PGY-1": [1]}
    assert tables["searches_by_level"].total.label == "All training levels"
    assert tables["searches_by_month"].total.label == "All months"
    assert _values(tables["searched_filters"]) == {"Offers help with: Research": [2], "Speaks: Spanish": [2]}
    results = _values(tables["searches_by_results"])
    assert (
        results["No results"] == [1, 25.0] and results["1–3 results"] == [1, 25.0] and results["4 or more"] == [2, 50.0]
    )
    assert _values(tables["unmet_areas"]) == {"Offers help with: Research": [2]}
    assert _values(tables["searches_by_basis"])["First-generation college graduate"] == [4]


@pytest.mark.django_db
def test_r23_cohort_filters_narrow_the_figures(cast, small):
    rollups.refresh()
    with time_machine.travel(NOW):
        gme = {t.key: t for t in selectors.search_tables(cast.inst_a, _filters(level="gme"))}
        national = {t.key: t for t in selectors.search_tables(None, _filters())}
    assert gme["searches_by_month"].total.cells[0].raw == 1
    assert national["searches_by_month"].total.cells[0].raw == 5, "staff see B's consenting mentee too"


@pytest.mark.django_db
def test_r23_match_figures_match_hand_counts(cast, small, settings):
    mentor = mt.mentor_profile(cast.mentor)
    national = mt.mentor_profile(cast.mentor_b, scope="national")
    m1, m2, m3 = small["m1"], small["m2"], small["m3"]

    def request(mentee, mentor, when, state, hours=None):
        r = mt.pending_request(mentee, mentor, created_at=when)
        fields = {"state": state}
        if hours is not None:
            fields["responded_at"] = when + dt.timedelta(hours=hours)
        MentorshipRequest.objects.filter(pk=r.pk).update(**fields)

    request(m1, mentor, at(2025, 4, 1), "accepted", hours=10)
    request(m2, mentor, at(2025, 4, 2), "declined", hours=30)
    request(m3, national, at(2025, 5, 1), "expired")
    request(m1, national, at(2025, 5, 5), "pending")
    rollups.refresh()
    with time_machine.travel(NOW):
        tables, headline = selectors.match_tables(cast.inst_a, _filters())
    tables = {t.key: t for t in tables}
    assert _values(tables["requests_by_month"])["Apr 2025"] == [2, 1, 1, 0, 0]
    assert _values(tables["requests_by_month"])["May 2025"] == [2, 0, 0, 1, 1], "withdrawn or waiting has a column"
    heads = {h["label"]: h["cell"].raw for h in headline}
    assert heads["Requests sent"] == 4
    assert heads["Acceptance rate"] == 33.3  # 1 accepted of 3 decided
    assert heads["Expiry rate"] == 33.3
    assert heads["Median response time"] == 20.0  # hours: median of 10 and 30
    local = _values(tables["requests_local_national"])
    assert local["Local (same institution)"] == [2, 1, 50.0]
    assert local["National (another institution)"] == [2, 0, 0.0]
    times = _values(tables["response_times"])
    assert times["Within a day"] == [1] and times["1–3 days"] == [1] and times["No answer (expired)"] == [1]
    assert _values(tables["requests_by_area"])["Research"] == [4, 1, 33.3]


def _rows(*people):
    return [Row(f"r{i}", [Cell(p * 2, p)], p) for i, p in enumerate(people)]


def _total(people):
    return Row("total", [Cell(people * 2, people)], people)


def test_r23_primary_and_complementary_suppression():
    table = _rows(20, 5, 30, 15)
    protect(table, total=_total(70), additive=True, k=11)
    assert [r.cells[0].suppressed for r in table] == [False, True, False, True]
    assert table[3].cells[0].reason == "complementary", "the smallest other cell hides the 5 from total − rest"

    table = _rows(20, 3, 4, 30)
    protect(table, total=_total(57), additive=True, k=11)
    assert [r.cells[0].suppressed for r in table] == [True, True, True, False], "3 + 4 < 11: hide more"

    table = _rows(20, 5, 30)
    protect(table, additive=False, k=11)
    assert [r.cells[0].suppressed for r in table] == [False, True, False], "rows that do not add up: primary only"

    table = _rows(0, 12, 30)
    protect(table, total=_total(42), additive=True, k=11)
    assert not any(r.cells[0].suppressed for r in table), "a zero describes no one"

    table = _rows(4, 5)
    total = _total(9)
    protect(table, total=total, additive=True, k=11)
    assert all(r.cells[0].suppressed for r in table) and total.cells[0].suppressed


def test_r38_two_small_hidden_rows_are_not_enough_they_may_be_the_same_people():
    """6 + 6 people in two hidden months may be the same 6: the hidden set needs a row of ≥ k."""
    table = _rows(6, 6, 30, 40)
    protect(table, total=_total(50), additive=True, k=11)
    assert [r.cells[0].suppressed for r in table] == [True, True, True, False]


def test_r38_every_cell_is_counted_by_its_own_people():
    """A row of 40 requesters with 3 accepted hides the accepted count, and so the row."""
    row = Row("Sep", [Cell(60, 40), Cell(3, 3)], 40)
    protect([row], additive=False, k=11)
    assert row.hidden and row.cells[1].display == "fewer than 11"


def test_r38_a_rate_describes_those_it_leaves_out():
    from mentormemed.outcomes.tables import rate

    assert not rate(95, 100, 95, 5).safe(11), "95 % accepted tells about the 5 who were not"
    assert rate(100, 100, 40, 0).safe(11) and rate(60, 100, 30, 20).safe(11)


def test_r38_an_overlapping_row_is_hidden_when_its_complement_is_small():
    """Searches by basis: all − URiM would give the few non-URiM searchers."""
    total = _total(50)
    table = _rows(45, 20)
    protect(table, additive=False, reference=total, k=11)
    assert [r.cells[0].suppressed for r in table] == [True, False]
    assert table[0].cells[0].reason == "complement"


@pytest.mark.django_db
def test_r23_small_cells_are_suppressed_on_the_page_and_in_csv(cast, small, settings):
    settings.MMM = {**settings.MMM, "SMALL_CELL_MIN": 11}
    rollups.refresh()
    client = cast.client_for(cast.admin)
    query = "?year=2024"
    with time_machine.travel(NOW):
        page = client.get(reverse("outcomes:dashboard") + query).content.decode()
        csv = client.get(reverse("outcomes:export", args=["searches_by_month"]) + query).content.decode()
    assert "fewer than 11" in page
    # A chart of nothing but hidden figures is not drawn; the page says why.
    assert 'id="chart-searches_by_month"' not in page
    assert "Every figure here describes too few people to show" in page
    # The total describes 3 people (< 11): the whole table is hidden, the empty months too.
    lines = csv.splitlines()[1:]
    assert lines[0] == "Jul 2024,suppressed" and lines[-1] == "All months,suppressed"
    assert len(lines) == 13 and all(line.endswith(",suppressed") for line in lines)


def test_r23_comparison_matches_a_hand_computed_welch_interval():
    with_, without = [5, 6, 7, 6, 5, 6], [4, 5, 4, 3, 4, 4]
    res = stats.compare(with_, without, minimum=5)
    # means 35/6 and 24/6; variances 0.5667 and 0.4; se = sqrt(.5667/6 + .4/6) = 0.4014; df ≈ 9.7 → t = 2.262
    assert round(res.difference, 3) == 1.833
    assert round(res.ci_low, 2) == round(1.8333 - 2.262 * 0.40139, 2)
    assert round(res.ci_high, 2) == round(1.8333 + 2.262 * 0.40139, 2)
    assert res.verdict == "higher with it" and res.hedges_g > 2


def test_r23_analysis_says_too_few_to_conclude_on_tiny_data():
    res = stats.compare([6, 7, 5], [4, 3], minimum=11)
    assert not res.conclusive and res.verdict == "too few to conclude" and res.mean_with is None


@pytest.mark.django_db
def test_r23_dashboard_says_too_few_to_conclude_and_hides_means(cast, small):
    mentor = mt.mentor_profile(cast.mentor)
    mt.relationship(small["m1"], mentor, started_at=at(2025, 4, 2))
    rollups.refresh()
    client = cast.client_for(cast.admin)
    with time_machine.travel(NOW):
        page = client.get(reverse("outcomes:dashboard") + "?year=2024").content.decode()
        analyses = selectors.success_analysis(cast.inst_a, _filters())
    assert "Too few to conclude" in page
    assert all(a.too_few for a in analyses)
    assert all(not row["result"].conclusive for a in analyses for row in a.rows)


@pytest.mark.django_db
def test_r23_admin_b_sees_only_b_and_cannot_reach_a(cast, small):
    rollups.refresh()
    client = cast.client_for(cast.admin_b)
    with time_machine.travel(NOW):
        csv = client.get(reverse("outcomes:export", args=["searches_by_month"]) + "?year=2024").content.decode()
    assert "Apr 2025,0" in csv, "B's admin does not see A's April searches"
    assert client.get(reverse("outcomes:invoice_pdf", args=[cast.inst_a.subscriptions.first().pk])).status_code == 404


@pytest.mark.django_db
def test_r23_dashboard_query_count_is_bounded(cast, small, django_assert_max_num_queries):
    rollups.refresh()
    client = cast.client_for(cast.admin)
    client.get(reverse("outcomes:dashboard"))  # warm sessions and taxonomy caches
    with django_assert_max_num_queries(45):
        assert client.get(reverse("outcomes:dashboard") + "?year=2024").status_code == 200
    for n in range(6, 16):
        _search(_mentee(cast, n), at(2025, 5, 1), keys=["area:research"])
    rollups.update()
    with django_assert_max_num_queries(45):
        assert client.get(reverse("outcomes:dashboard") + "?year=2024").status_code == 200


def test_r38_a_comparison_needs_k_mentees_on_each_side_not_k_relationships():
    result = stats.compare([5, 6] * 6, [4, 5] * 6, minimum=11)
    assert result.conclusive
    assert not stats.among_people(result, with_people=4, all_people=30, minimum=11).conclusive, "12 from 4 mentees"
    assert not stats.among_people(result, with_people=12, all_people=20, minimum=11).conclusive, "≥ 8 on the other"
    assert stats.among_people(result, with_people=12, all_people=30, minimum=11) == result
