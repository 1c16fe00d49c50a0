"""R23 at scale: the rollup-backed figures equal the direct computation, stay suppressed and scoped."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from mentormemed.mentorships import testing as mt
from mentormemed.mentorships.models import Goal, MentorshipRequest, Relationship
from mentormemed.outcomes import rollups, selectors
from mentormemed.outcomes.models import RelationshipFact, RollupRefresh, SearchRollup
from mentormemed.outcomes.tests import direct
from mentormemed.outcomes.tests.conftest import at
from mentormemed.outcomes.tests.test_figures import NOW, _mentee, _search
from mentormemed.profiles.models import MenteeProfile
from mentormemed.scheduling import testing as st


@pytest.fixture
def history(cast):
    """Fourteen consenting mentees at A (UME and GME), one refusing, three at B; searches, requests, relationships."""
    mentor = mt.mentor_profile(cast.mentor)
    national = mt.mentor_profile(cast.mentor_b, scope="national")
    mentees = [_mentee(cast, n, level="MS3" if n % 3 else "PGY2") for n in range(1, 15)]
    refuser = _mentee(cast, 20, analytics=False)
    outsiders = [_mentee(cast, n, inst=cast.inst_b, level="MS1") for n in range(30, 33)]
    keys = [["area:research"], ["area:research", "lang:es"], ["lang:es"], [], ["area:research", "area:research"]]
    for n, m in enumerate([*mentees, refuser, *outsiders]):
        for month in (3, 4, 5):
            _search(m, at(2025, month, 1 + n), keys=keys[n % 5], results=n % 6, level=m.mentee_profile.training_level)
        if n % 4 == 0:
            _search(m, at(2025, 5, 20), results=0, level="MS4")  # a level change within the range
    states = ["accepted", "declined", "expired", "pending", "withdrawn"]
    for n, m in enumerate([*mentees, refuser, *outsiders]):
        for j, target in enumerate((mentor, national)):
            when = at(2025, 3 + (n + j) % 3, 2 + n)
            r = mt.pending_request(m, target, created_at=when)
            state = states[(n + j) % 5]
            fields = {"state": state}
            if state in ("accepted", "declined"):
                fields["responded_at"] = when + dt.timedelta(hours=5 + 13 * n)
            MentorshipRequest.objects.filter(pk=r.pk).update(**fields)
            if state == "accepted":
                rel = mt.relationship(m, target, started_at=when + dt.timedelta(days=1))
                ended = when + dt.timedelta(days=40 + 9 * n) if n % 2 else None
                Relationship.objects.filter(pk=rel.pk).update(
                    request=r,
                    ended_at=ended,
                    end_reason=("not_a_fit" if n % 4 == 1 else "goals_met") if ended else "",
                    mentee_checkin=("working", "not_working", "")[n % 3],
                    mentee_checkin_at=when + dt.timedelta(days=36) if n % 3 < 2 else None,
                )
                _early_activity(rel, when + dt.timedelta(days=1), n)
    return {"mentees": mentees, "outsiders": outsiders, "refuser": refuser}


def _early_activity(rel, start, n: int) -> None:
    """Meetings in and after the first 13 weeks (one cancelled) and goals, some reached."""
    at_minute = dt.timedelta(minutes=37 * n)  # one mentor's meetings never overlap
    for day, status in ((3, "held"), (20, "cancelled"), (50 + n, "scheduled"), (100, "held")):
        st.meeting(rel, starts_at=start + dt.timedelta(days=day) + at_minute, status=status)
    for progress in (100, 40 if n % 3 else 100, 100 if n % 4 else 0):
        Goal.objects.create(relationship=rel, text="Draft the research proposal", progress=progress)


def _shape(table):
    rows = table.rows + ([table.total] if table.total else [])
    return sorted((row.label, row.people, [(c.value, c.suppressed, c.reason) for c in row.cells]) for row in rows)


def _both(institution, **kw):
    start, end = dt.date(2025, 3, 1), dt.date(2025, 6, 30)
    with time_machine.travel(NOW):
        fresh = selectors.Filters(start, end, **kw)
        ref = direct.Filters(start, end, **kw)
        got = selectors.search_tables(institution, fresh), selectors.match_tables(institution, fresh)
        want = direct.search_tables(institution, ref), direct.match_tables(institution, ref)
        analysis = selectors.success_analysis(institution, fresh), direct.success_analysis(institution, ref)
    return got, want, analysis


COHORTS = [{}, {"level": "ume"}, {"level": "gme"}, {"basis": "first_generation"}, {"basis": "urim"}]


@pytest.mark.django_db
@pytest.mark.parametrize("k", [1, 11])
def test_r23_rollup_figures_equal_the_direct_computation(cast, history, settings, k):
    settings.MMM = {**settings.MMM, "SMALL_CELL_MIN": k}
    with time_machine.travel(NOW):  # the early-relationship measures depend on the day they are computed
        rollups.refresh()
    facts = RelationshipFact.objects.filter(meetings__isnull=False)
    assert facts.exists() and facts.filter(goals__gt=0, goals__lt=100).exists(), "the fixture exercises both measures"
    for field in ("working", "not_a_fit"):
        values = set(RelationshipFact.objects.filter(**{f"{field}__isnull": False}).values_list(field, flat=True))
        assert values == {0.0, 100.0}, f"the fixture exercises both answers of {field}"
    for institution in (cast.inst_a, cast.inst_b, None):
        for cohort in COHORTS:
            (searches, (matches, headline)), (want_s, (want_m, want_h)), (analyses, want_a) = _both(
                institution, **cohort
            )
            where = f"{institution} {cohort} k={k}"
            assert [t.key for t in searches] == [t.key for t in want_s]
            for got, want in zip(searches + matches, want_s + want_m, strict=True):
                assert _shape(got) == _shape(want), f"{got.key} {where}"
            assert [(h["label"], h["cell"].value, h["cell"].suppressed) for h in headline] == [
                (h["label"], h["cell"].value, h["cell"].suppressed) for h in want_h
            ], where
            assert [a.field for a in analyses] == ["score", "months", "meetings", "goals", "working", "not_a_fit"]
            for a, b in zip(analyses, want_a, strict=True):
                assert (a.total, a.too_few) == (b.total, b.too_few), where
                assert [(r["label"], r["result"]) for r in a.rows] == [(r["label"], r["result"]) for r in b.rows]


@pytest.mark.django_db
def test_r23_rollups_hold_consenting_mentees_only_and_follow_a_withdrawn_consent(cast, history):
    rollups.refresh()
    refuser = history["refuser"]
    assert not SearchRollup.objects.filter(viewer_id=refuser.pk).exists()
    first = history["mentees"][0]
    assert SearchRollup.objects.filter(viewer_id=first.pk).exists()
    MenteeProfile.objects.filter(membership=first).update(consent_analytics=False)
    rollups.refresh()
    assert not SearchRollup.objects.filter(viewer_id=first.pk).exists(), "a refresh drops a withdrawn consent"


@pytest.mark.django_db
def test_r23_small_cells_stay_suppressed_from_the_rollups(cast, history, settings):
    settings.MMM = {**settings.MMM, "SMALL_CELL_MIN": 11}
    rollups.refresh()
    client = cast.client_for(cast.admin_b)
    with time_machine.travel(NOW):
        csv = client.get(reverse("outcomes:export", args=["searches_by_level"]) + "?year=2024")
    # B has three consenting mentees: every row and the total describe fewer than 11 people.
    lines = csv.content.decode().splitlines()[1:]
    assert lines and all(line.endswith(",suppressed") for line in lines)


@pytest.mark.django_db
def test_r23_admin_sees_only_their_institution_in_the_rollups(cast, history, settings):
    settings.MMM = {**settings.MMM, "SMALL_CELL_MIN": 1}
    rollups.refresh()
    query = "?year=2024"
    with time_machine.travel(NOW):
        a = cast.client_for(cast.admin).get(reverse("outcomes:export", args=["searches_by_month"]) + query)
        b = cast.client_for(cast.admin_b).get(reverse("outcomes:export", args=["searches_by_month"]) + query)
    total = {line.split(",")[0]: line.split(",")[1] for line in a.content.decode().splitlines()[1:]}
    assert total["All months"] == str(14 * 3 + 4), "A's 14 consenting mentees only (not the refuser, not B's)"
    total_b = {line.split(",")[0]: line.split(",")[1] for line in b.content.decode().splitlines()[1:]}
    assert total_b["All months"] == str(3 * 3 + 1)


@pytest.mark.django_db
def test_r23_the_sweep_job_refreshes_at_most_every_interval_and_the_page_says_as_of(cast, history, settings):
    settings.MMM = {**settings.MMM, "OUTCOMES_REFRESH_MINUTES": 60}
    start = dt.datetime(2025, 6, 20, 9, tzinfo=dt.UTC)
    assert rollups.refresh_job(now=start) == 1
    assert rollups.refresh_job(now=start + dt.timedelta(minutes=30)) == 0
    assert rollups.refresh_job(now=start + dt.timedelta(minutes=61)) == 1
    assert RollupRefresh.objects.count() == 1
    page = cast.client_for(cast.admin).get(reverse("outcomes:dashboard")).content.decode()
    assert "Figures as of June 20, 2025," in page, "in the viewer's time zone"


@pytest.mark.django_db
def test_r23_sweep_runs_the_rollup_job(cast, history):
    from mentormemed.mentorships.sweep import sweep

    assert sweep(now=dt.datetime(2025, 6, 20, 9, tzinfo=dt.UTC))["outcomes_rollups"] == 1
    assert SearchRollup.objects.exists()


@pytest.mark.django_db
def test_r23_national_dashboard_query_count_is_bounded(cast, history, django_assert_max_num_queries):
    rollups.refresh()
    client = cast.client_for(cast.staff)
    client.get(reverse("outcomes:national"))
    with django_assert_max_num_queries(45):
        assert client.get(reverse("outcomes:national") + "?year=2024").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "page", "who"), [("export", "dashboard", "admin"), ("national_export", "national", "staff")]
)
def test_r23_an_export_before_the_figures_exist_says_so_and_changes_nothing(cast, name, page, who):
    """Before the sweep first computes the figures, an export explains instead of answering a bare 404."""
    client = cast.client_for(getattr(cast, who))
    response = client.get(reverse(f"outcomes:{name}", args=["searches_by_month"]) + "?year=2025", follow=True)
    assert response.redirect_chain[0][0] == reverse(f"outcomes:{page}") + "?year=2025"
    assert "The figures have not been computed yet" in response.content.decode()
    assert "every 10 minutes" in response.content.decode()
    assert not RollupRefresh.objects.exists()
    assert not SearchRollup.objects.exists()
