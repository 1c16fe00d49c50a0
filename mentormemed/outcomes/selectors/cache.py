"""The whole outcomes dashboard as one release: read as the sweep stored it for this rollup update
(``outcomes.precompute``), else computed and cached briefly per update (``product.outcomes_cache_seconds``)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.utils.translation import get_language

from mentormemed.core.conf import product
from mentormemed.outcomes.regression import adjusted_tables
from mentormemed.outcomes.rollups import last_refresh, stored_release
from mentormemed.outcomes.selectors.filters import Filters
from mentormemed.outcomes.selectors.matches import Headline, match_tables
from mentormemed.outcomes.selectors.searches import search_tables
from mentormemed.outcomes.selectors.success import Analysis, _group_labels, analysis_table, success_analysis
from mentormemed.outcomes.suppression import k_min
from mentormemed.outcomes.tables import Table

if TYPE_CHECKING:
    from mentormemed.institutions.models import Institution


@dataclass
class Dashboard:
    filters: Filters
    searches: list[Table]
    matches: list[Table]
    headline: list[Headline]
    analyses: list[Analysis]
    analysis_tables: list[Table]
    minimum: int
    as_of: dt.datetime | None = None  # when the rollups behind the figures were refreshed
    adjusted: list[Table] = dataclasses.field(
        default_factory=list
    )  # several characteristics at once (outcomes.regression)

    def table(self, key: str) -> Table | None:
        tables = self.searches + self.matches + self.analysis_tables + self.adjusted
        return next((t for t in tables if t.key == key), None)


def dashboard_key(institution: Institution | None, f: Filters) -> str:
    """What one release of the dashboard depends on besides the rollup update: scope, period,
    minimum and language (its labels are translated when computed)."""
    scope = institution.pk if institution else "national"
    return f"outcomes:{scope}:{f.cache_key()}:{k_min()}:{get_language()}"


def dashboard(institution: Institution | None, f: Filters, *, use_cache: bool = True) -> Dashboard:
    """Every figure of the outcomes page, from the rollups as of their last refresh. Reads only:
        when the rollups were never built there are no figures (the page says so; the sweep builds
        them). Read as the sweep stored them for this update (``outcomes.precompute``); otherwise computed
    and cached briefly per update (product.outcomes_cache_seconds)."""
    done = last_refresh()
    if done is None:
        return Dashboard(f, [], [], [], [], [], k_min(), None, [])
    as_of = done.refreshed_at
    seconds = product.outcomes_cache_seconds
    release = dashboard_key(institution, f)
    key = f"{release}:{as_of.timestamp()}"
    if use_cache:
        found: Dashboard | None = stored_release(release, done)  # computed by the sweep after this update
        if found is not None:
            return found
    if use_cache and seconds:
        found = cache.get(key)
        if found is not None:
            return found
    searches = search_tables(institution, f)
    matches, headline = match_tables(institution, f)
    analyses = success_analysis(institution, f)
    result = Dashboard(
        f,
        searches,
        matches,
        headline,
        analyses,
        [analysis_table(a, f"analysis_{n}") for n, a in enumerate(analyses)],
        k_min(),
        as_of,
        adjusted_tables(institution, f, k=k_min(), labels=_group_labels()),
    )
    if use_cache and seconds:
        cache.set(key, result, seconds)
    return result
