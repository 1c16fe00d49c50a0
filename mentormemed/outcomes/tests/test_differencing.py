"""R23, R38: an automated differencing attack on every release an admin or staff member can ask for.

The attacker requests the dashboard (and each CSV) with every date window and cohort filter the
old page offered, then subtracts any two releases and any total from its visible rows. No
suppressed figure may come back, and every figure shown must describe 0 or ≥ k people.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import time_machine
from django.urls import reverse

from mentormemed.mentorships import testing as mt
from mentormemed.mentorships.models import MentorshipRequest, Relationship
from mentormemed.outcomes import rollups
from mentormemed.outcomes.suppression import COUNT
from mentormemed.outcomes.tests.conftest import at
from mentormemed.outcomes.tests.test_figures import _mentee, _search

NOW = dt.datetime(2025, 6, 20, 12, tzinfo=dt.UTC)
K = 11


@pytest.fixture
def program(cast, settings):
    """A school of 30 consenting mentees: 26 MS2s and 4 PGY-1s. Most search every month from
    September to June; in November only 5 do (a small month). 20 requests, 3 accepted, 2 with
    a mentor who also sponsors."""
    settings.MMM = {**settings.MMM, "SMALL_CELL_MIN": K}
    ume = [_mentee(cast, n, level="MS2") for n in range(26)]
    gme = [_mentee(cast, 100 + n, level="PGY1") for n in range(4)]
    for month in (9, 10, 11, 12, 1, 2, 3, 4, 5, 6):
        year = 2024 if month >= 7 else 2025
        searchers = (ume + gme)[:5] if month == 11 else ume + gme
        for n, m in enumerate(searchers):
            level = m.mentee_profile.training_level
            _search(m, at(year, month, 1 + n % 27), keys=["area:research"], results=n % 5, level=level)
    mentor = mt.mentor_profile(cast.mentor, capacity=3)
    for n, m in enumerate((ume + gme)[:20]):
        r = mt.pending_request(m, mentor, created_at=at(2025, 3, 1 + n))
        state = "accepted" if n < 3 else "declined"
        MentorshipRequest.objects.filter(pk=r.pk).update(state=state, responded_at=at(2025, 3, 2 + n))
    for m in ume[:3]:
        mt.relationship(m, mentor, started_at=at(2025, 3, 5))
    Relationship.objects.filter(mentee__in=ume[:2]).update(is_sponsor=True)
    rollups.refresh()
    return {"ume": ume, "gme": gme}


def _months(start: dt.date, end: dt.date) -> list[str]:
    out, cursor = [], start
    while cursor <= end:
        out.append(f"{cursor:%Y-%m}")
        cursor = (cursor.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return out


def _requests() -> list[dict]:
    """Every query the old and the new page accept: date windows, cohorts, years, junk."""
    months = _months(dt.date(2024, 7, 1), dt.date(2025, 6, 1))
    windows = [{"from": a, "to": b} for a, b in itertools.combinations_with_replacement(months, 2)]
    cohorts = [{"level": lv, "basis": b} for lv in ("", "ume", "gme") for b in ("", "first_generation", "urim")]
    years = [{"year": y} for y in ("2024", "2023", "2020", "1999", "x", "")]
    return [{}, *windows[::7], *cohorts, *years, {**windows[3], **cohorts[4]}]


def _release(client, url: str, query: dict) -> dict:
    """Everything a page shows: (table, row, column) → the text shown, and the headlines."""
    board = client.get(url, query).context["board"]
    shown = {("headline", h["label"], 0): h["cell"].display for h in board.headline}
    for t in board.searches + board.matches + board.analysis_tables + board.adjusted:
        for row in [*t.rows, *([t.total] if t.total else [])]:
            for j, cell in enumerate(row.cells):
                shown[t.key, row.label, j] = cell.display
    return {"period": (board.filters.start, board.filters.end), "shown": shown, "board": board}


def _assert_no_cell_recovered(tables) -> None:
    """Within one release: a hidden cell never equals total − the visible rest, alone."""
    for t in tables:
        if t.total is None:
            continue
        for j, total in enumerate(t.total.cells):
            if total.kind != COUNT or total.suppressed:
                continue
            hidden = [r.cells[j] for r in t.rows if r.cells[j].suppressed and r.cells[j].value]
            if hidden:
                assert len(hidden) >= 2 or not hidden[0].value, f"{t.key}: one hidden cell = total − rest"
                assert max(c.people for c in hidden) >= K, f"{t.key}: the hidden sum may describe < {K} people"


def _assert_every_shown_figure_describes_enough_people(tables, headline=()) -> None:
    for t in tables:
        for row in [*t.rows, *([t.total] if t.total else [])]:
            for cell in row.cells:
                if not cell.suppressed:
                    assert cell.people == 0 or cell.people >= K, f"{t.key} {row.label}: {cell.people} people"
                    assert all(p == 0 or p >= K for p in cell.parts), f"{t.key} {row.label}: parts {cell.parts}"
    for h in headline:
        assert h["cell"].suppressed or h["cell"].safe(K), h["label"]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["admin", "staff"])
def test_r38_differencing_any_two_requested_releases_recovers_nothing(cast, program, who):
    client = cast.client_for(getattr(cast, who))
    url = reverse("outcomes:dashboard" if who == "admin" else "outcomes:national")
    scopes = [{}] if who == "admin" else [{}, {"institution": cast.inst_a.pk}]
    with time_machine.travel(NOW):
        for scope in scopes:
            releases = [_release(client, url, {**query, **scope}) for query in _requests()]
            by_period: dict = {}
            for r in releases:
                by_period.setdefault(r["period"], []).append(r["shown"])
            # Whatever was asked, only whole academic years come back, each always the same.
            assert all(
                start.month == 7 and start.day == 1 and (end.month, end.day) == (6, 30) for start, end in by_period
            )
            assert (dt.date(2024, 7, 1), dt.date(2025, 6, 30)) in by_period
            for shown in by_period.values():
                assert all(s == shown[0] for s in shown), (
                    "a filter or window changed a release: it could be differenced"
                )
            # Two different periods never overlap, so subtracting them isolates nothing.
            periods = sorted(by_period)
            assert all(a[1] < b[0] for a, b in itertools.pairwise(periods))
            for r in releases:
                board = r["board"]
                _assert_no_cell_recovered(board.searches + board.matches)
                _assert_every_shown_figure_describes_enough_people(
                    board.searches + board.matches + board.adjusted, board.headline
                )


@pytest.mark.django_db
def test_r38_the_attacks_found_by_probing_no_longer_work(cast, program):
    client = cast.client_for(cast.admin)
    url = reverse("outcomes:dashboard")
    with time_machine.travel(NOW):
        year = _release(client, url, {})
        shown = year["shown"]
        # November had 5 searchers: rather than hiding it and a second month, the table is by quarter,
        # each quarter counted by its own searchers (30), and no single month is released.
        assert ("searches_by_month", "Nov 2024", 0) not in shown
        assert shown["searches_by_month", "Oct–Dec 2024", 0] == "65"
        assert "by quarter" in year["board"].table("searches_by_month").merged
        # "All levels − GME = UME" is gone: no level filter; the 4 PGY-1s are hidden in the breakdown
        # together with another row, so the total cannot give them back.
        assert shown["searches_by_level", "PGY-1", 0] == "fewer than 11"
        assert shown["searches_by_level", "MS2", 0] == "hidden"
        # 3 accepted requests and 2 sponsoring mentors describe too few people.
        assert shown["headline", "Mentors also sponsoring", 0] == "fewer than 11"
        # 3 accepted: no cut of the outcome columns reaches 11 people, so the table shows requests only.
        requests = year["board"].table("requests_by_month")
        assert requests.columns == ["Requests"] and "Outcomes are not shown" in requests.merged
        assert ("requests_by_month", "All months", 1) not in shown
        assert shown["headline", "Acceptance rate", 0] == "fewer than 11"
        # "Aug–Sep minus Aug": asking for months returns the same whole year.
        narrowed = _release(client, url, {"from": "2024-08", "to": "2024-09"})
        assert narrowed["shown"] == shown
        # CSV: the same verdicts as the page.
        csv = client.get(reverse("outcomes:export", args=["searches_by_month"]), {"from": "2024-11", "to": "2024-11"})
        assert "Oct–Dec 2024,65" in csv.content.decode()
        assert "Nov 2024" not in csv.content.decode()


@pytest.mark.django_db
def test_r38_a_coarsened_cell_cannot_be_derived_from_two_releases(cast, program):
    """November (5 searchers) is released only inside its quarter. Across every release anyone can
    ask for (each year, admin and staff, national and per institution, page and CSV), no released
    period cuts into a merged quarter, so no difference of two releases gives a month back."""
    releases = []
    with time_machine.travel(NOW):
        for who, url, scopes in (
            ("admin", reverse("outcomes:dashboard"), [{}]),
            ("staff", reverse("outcomes:national"), [{}, {"institution": cast.inst_a.pk}]),
        ):
            client = cast.client_for(getattr(cast, who))
            for scope in scopes:
                for query in _requests():
                    releases.append(_release(client, url, {**query, **scope})["board"])
    merged, spans = set(), set()
    for board in releases:
        for key in ("searches_by_month", "requests_by_month"):
            table = board.table(key)
            for row in table.rows:
                span = frozenset(row.extra["months"])
                spans.add((key, span))
                if len(span) > 1:
                    merged.add((key, span))
            months = frozenset(m for row in table.rows for m in row.extra["months"])
            spans.add((key, months))  # the total
    november = dt.date(2024, 11, 1)
    assert any(key == "searches_by_month" and november in span for key, span in merged), "November is merged"
    for key, quarter in merged:
        for other_key, span in spans:
            if other_key == key and span & quarter:
                assert span >= quarter, f"{key}: a released period cuts into a merged one"
    for board in releases:
        assert "Nov 2024" not in board.table("searches_by_month").csv(), "the CSV releases the same layout"


def _insight_release(client, url: str, query: dict) -> dict:
    found = client.get(url, query).context["insight"]
    shown = {}
    for t in found.tables:
        for row in [*t.rows, *([t.total] if t.total else [])]:
            for j, cell in enumerate(row.cells):
                shown[t.key, row.label, j] = cell.display
    shown["benchmarks"] = repr(found.benchmarks)
    shown["recruitment"] = repr(found.recruitment)
    return {"period": (found.filters.start, found.filters.end), "shown": shown, "tables": found.tables}


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["admin", "staff"])
def test_r38_the_four_views_release_whole_years_with_safe_cells_only(cast, program, who):
    """Ledger, unmet need, time to match and reciprocity: whatever is asked, one whole year comes
    back, always the same; every figure shown describes 0 or ≥ k people; no hidden cell is a
    total minus the visible rest."""
    from mentormemed.outcomes.insights import VIEWS

    client = cast.client_for(getattr(cast, who))
    scopes = [{}] if who == "admin" else [{}, {"institution": cast.inst_a.pk}]
    name = "outcomes:insight" if who == "admin" else "outcomes:national_insight"
    with time_machine.travel(NOW):
        for slug in VIEWS:
            url = reverse(name, args=[slug])
            for scope in scopes:
                releases = [_insight_release(client, url, {**query, **scope}) for query in _requests()[::3]]
                by_period: dict = {}
                for r in releases:
                    by_period.setdefault(r["period"], []).append(r["shown"])
                for shown in by_period.values():
                    assert all(s == shown[0] for s in shown), f"{slug}: a query changed a release"
                for r in releases:
                    _assert_no_cell_recovered(r["tables"])
                    _assert_every_shown_figure_describes_enough_people(r["tables"])
            year = _insight_release(client, url, {"year": 2024, **scopes[-1]})
            # 24 mentees searched research with 3 or fewer results, but only 6 found nobody: a need
            # that cannot be shown whole is not listed (a row of "fewer than k" recruits nobody).
            if slug == "unmet":
                assert not year["tables"][0].rows
            if slug == "time-to-match":
                assert year["shown"]["time_to_match", "First matches this year", 0] == f"fewer than {K}"
