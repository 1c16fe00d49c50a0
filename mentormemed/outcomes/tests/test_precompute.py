"""R23: the sweep computes the outcomes pages once per rollup update; pages read them, never stale."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from mentormemed.outcomes import insights, precompute, rollups, selectors
from mentormemed.outcomes.models import PrecomputedRelease
from mentormemed.outcomes.tests import test_rollups
from mentormemed.outcomes.tests.conftest import at
from mentormemed.outcomes.tests.test_figures import _search
from mentormemed.outcomes.tests.test_incremental import _writes

NOW = dt.datetime(2025, 6, 20, 9, tzinfo=dt.UTC)
YEAR = 2024  # the history's months (March–May 2025) are in the 2024–25 academic year
history = test_rollups.history  # the same fixture


def _computing(monkeypatch) -> list[str]:
    """Record every computation of a page's figures in the request (instead of a stored release)."""
    calls: list[str] = []
    real_search, real_builders = selectors.search_tables, dict(insights.BUILDERS)

    def search_tables(*args, **kwargs):
        calls.append("dashboard")
        return real_search(*args, **kwargs)

    monkeypatch.setattr(selectors.cache, "search_tables", search_tables)  # where the dashboard looks it up
    for slug, build in real_builders.items():

        def builder(*args, _slug=slug, _build=build, **kwargs):
            calls.append(_slug)
            return _build(*args, **kwargs)

        monkeypatch.setitem(insights.BUILDERS, slug, builder)
    return calls


@pytest.mark.django_db
def test_r23_pages_read_the_figures_the_sweep_computed_for_this_update(cast, history, settings, monkeypatch):
    settings.MMM = {**settings.MMM, "OUTCOMES_CACHE_SECONDS": 0}
    rollups.refresh(now=NOW)
    f = selectors.Filters.year(YEAR)
    inst = cast.admin.institution
    done = precompute.precompute(years=[YEAR])
    scopes = precompute.scopes()
    assert None in scopes and inst in scopes and cast.admin_b.institution in scopes
    from mentormemed.institutions.models import Institution

    everyone = 1 + Institution.objects.count()  # reciprocity: the network and every institution
    assert done["pages"] == (len(scopes) * 4 + everyone) * 2, "dashboard and four views, in both languages"
    with translation.override("en"):
        for scope in (None, inst):
            stored = rollups.stored_release(selectors.dashboard_key(scope, f), rollups.last_refresh())
            assert stored == selectors.dashboard(scope, f, use_cache=False), "the same figures as computed now"
            assert stored.searches and stored.matches and stored.analyses and stored.adjusted
            for slug in insights.VIEWS:
                view = rollups.stored_release(insights.insight_key(slug, scope, f), rollups.last_refresh())
                assert view == insights.insight(slug, scope, f, use_cache=False), slug
    calls = _computing(monkeypatch)
    admin, staff = cast.client_for(cast.admin), cast.client_for(cast.staff)
    pages = [
        (admin, reverse("outcomes:dashboard")),
        (staff, reverse("outcomes:national")),
        *[(admin, reverse("outcomes:insight", args=[slug])) for slug in insights.VIEWS],
        *[(staff, reverse("outcomes:national_insight", args=[slug])) for slug in insights.VIEWS],
    ]
    for client, url in pages:
        client.get(url, {"year": YEAR})
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(url, {"year": YEAR})
        assert page.status_code == 200, url
        assert _writes(ctx.captured_queries) == [], url
    assert calls == [], "every page read its stored figures"
    client = cast.client_for(cast.admin)
    client.cookies["django_language"] = "es"
    assert client.get(reverse("outcomes:dashboard"), {"year": YEAR}).status_code == 200
    assert calls == [], "in Spanish too"
    client.get(reverse("outcomes:dashboard"), {"year": YEAR - 1})
    assert calls == ["dashboard"], "a year the sweep did not compute is computed in the request"


@pytest.mark.django_db
def test_r23_after_an_update_a_page_never_reads_the_older_figures(cast, history, settings, monkeypatch):
    settings.MMM = {**settings.MMM, "OUTCOMES_CACHE_SECONDS": 0}
    rollups.refresh(now=NOW)
    precompute.precompute(years=[YEAR])
    f = selectors.Filters.year(YEAR)
    inst = cast.admin.institution
    with translation.override("en"):
        before = selectors.dashboard(inst, f)
    for n in range(12):  # a dozen more searches in April, by mentees already counted
        _search(history["mentees"][n], at(2025, 4, 28))
    rollups.update(now=NOW + dt.timedelta(minutes=10))
    calls = _computing(monkeypatch)
    with translation.override("en"):
        after = selectors.dashboard(inst, f)
    assert calls == ["dashboard"], "the stored figures are of the previous update: computed in the request"
    assert after.as_of == NOW + dt.timedelta(minutes=10)
    searches = before.table("searches_by_month").total.cells[0].value
    assert after.table("searches_by_month").total.cells[0].value == searches + 12
    # The sweep's job stores the new figures once; then pages read them again.
    monkeypatch.setattr(precompute.selectors.Filters, "from_query", classmethod(lambda cls, data: cls.year(YEAR)))
    assert precompute.precompute_job(now=NOW + dt.timedelta(minutes=11)) > 0
    assert precompute.precompute_job(now=NOW + dt.timedelta(minutes=12)) == 0, "nothing new to compute"
    assert set(PrecomputedRelease.objects.values_list("refreshed_at", flat=True)) == {NOW + dt.timedelta(minutes=10)}
    calls.clear()
    with translation.override("en"):
        assert selectors.dashboard(inst, f) == after
    assert calls == []
