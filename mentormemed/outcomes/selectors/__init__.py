"""Outcomes figures for one institution or the national network (R23).

Every figure is computed from mentees who consented to aggregate analytics, scoped to the
institution given (``institution=None`` is the national view, for staff only), filtered by
date range and cohort, and passed through small-cell suppression before anyone sees it.
Queries are aggregate (GROUP BY) per table, so the count does not grow with the data, and they
read the rollups of ``outcomes.rollups`` (one row per person and month, request or relationship,
cohort and scope joined in), so the figures are as of the last rollup refresh.

By concern: ``filters`` (the period released), ``periods`` (month and quarter rows), ``searches``,
``matches`` and ``success`` (the three families of tables), ``cache`` (the whole dashboard, stored or
cached per rollup update). Import from here; the modules below are the package's own layout.
"""

from __future__ import annotations

from mentormemed.outcomes.cohorts import BASES, GME, UME
from mentormemed.outcomes.rollups import last_refresh
from mentormemed.outcomes.selectors.cache import Dashboard, dashboard, dashboard_key
from mentormemed.outcomes.selectors.filters import (
    POOLED,
    YEARS_OFFERED,
    Filters,
    academic_year_label,
    academic_year_of,
)
from mentormemed.outcomes.selectors.matches import (
    COLUMN_LAYOUTS,
    DECIDED,
    EMPTY_COUNTS,
    MERGED_COLUMNS,
    OUTCOME_COLUMNS,
    STATE_COLUMNS,
    Headline,
    match_tables,
    requests_month_table,
)
from mentormemed.outcomes.selectors.periods import Figures, period_layouts, quarter_of, quarters
from mentormemed.outcomes.selectors.searches import (
    LEVEL_GROUPS,
    level_group,
    search_tables,
    searches_level_table,
    searches_month_table,
)
from mentormemed.outcomes.selectors.success import FIELDS, Analysis, AnalysisRow, analysis_table, success_analysis
from mentormemed.outcomes.suppression import k_min

__all__ = [
    # the period released
    "POOLED",
    "YEARS_OFFERED",
    "Filters",
    "academic_year_label",
    "academic_year_of",
    # month and quarter rows
    "Figures",
    "period_layouts",
    "quarter_of",
    "quarters",
    # searches
    "LEVEL_GROUPS",
    "level_group",
    "search_tables",
    "searches_level_table",
    "searches_month_table",
    # requests and matches
    "COLUMN_LAYOUTS",
    "DECIDED",
    "EMPTY_COUNTS",
    "MERGED_COLUMNS",
    "OUTCOME_COLUMNS",
    "STATE_COLUMNS",
    "Headline",
    "match_tables",
    "requests_month_table",
    # successful matches
    "FIELDS",
    "Analysis",
    "AnalysisRow",
    "analysis_table",
    "success_analysis",
    # the whole dashboard
    "Dashboard",
    "dashboard",
    "dashboard_key",
    # read through the selectors by views and tests since before the split
    "BASES",
    "GME",
    "UME",
    "k_min",
    "last_refresh",
]
