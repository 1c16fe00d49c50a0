"""The outcomes pages' figures, computed by the sweep right after the rollups are updated (R23).

At national scale computing a page in the request costs seconds (the success analysis sums every
relationship's characteristics, the adjusted regressions fit six models, the views walk every
mentor), far beyond what a reader should wait. The figures change only when the rollups do, so
the sweep's ``outcomes_releases`` job, registered after ``outcomes_rollups``, computes the current
academic year's dashboard and three views, and the reciprocity view for every period it offers
(each year and the pooled years, for the network and every institution), once per rollup update —
nationally and for every institution with an active admin, in every language of the site — and
stores each
(``PrecomputedRelease``, keyed by scope, year, minimum and language, stamped with the update it was
computed from). A page reads its row with one indexed query when its stamp is the current update;
any other period, or a page opened after an update before the job has stored the new figures,
is computed in the request as before (and cached briefly). So a reader never sees figures of an
older update than the page states, and pages still never write.
"""

from __future__ import annotations

import datetime as dt
import pickle
import time

from django.conf import settings
from django.db import transaction
from django.utils import translation

from mentormemed.outcomes import insights, reciprocity, selectors
from mentormemed.outcomes.models import PrecomputedRelease
from mentormemed.outcomes.rollups import last_refresh


def scopes() -> list:
    """The national network (``None``) and every institution an active admin can read outcomes for."""
    from mentormemed.institutions.models import Institution

    admins = Institution.objects.filter(memberships__role="admin", memberships__status="active").distinct()
    return [None, *admins.order_by("pk")]


def _store(key: str, done, compute) -> float:
    started = time.perf_counter()
    value = compute()
    seconds = round(time.perf_counter() - started, 3)
    PrecomputedRelease.objects.update_or_create(
        key=key,
        defaults={"refreshed_at": done.refreshed_at, "payload": pickle.dumps(value), "seconds": seconds},
    )
    return seconds


def precompute(*, only=None, years=None) -> dict:
    """Compute and store the pages of the current academic year (``years``: these) for every scope
    (``only``: these scopes) and language, from the rollups as of their last update. Returns how
    many pages were stored and the seconds spent computing them."""
    done = last_refresh()
    if done is None:
        return {"pages": 0, "seconds": 0.0}
    periods = [selectors.Filters.from_query({})] if years is None else [selectors.Filters.year(y) for y in years]
    pages, seconds = 0, 0.0
    for language, _ in settings.LANGUAGES:
        with translation.override(language):
            for f, scope in ((f, scope) for f in periods for scope in (scopes() if only is None else only)):
                with transaction.atomic():  # one scope's pages together
                    seconds += _store(
                        selectors.dashboard_key(scope, f),
                        done,
                        lambda scope=scope, f=f: selectors.dashboard(scope, f, use_cache=False),
                    )
                    for slug in (s for s in insights.VIEWS if s != "reciprocity"):
                        seconds += _store(
                            insights.insight_key(slug, scope, f),
                            done,
                            lambda slug=slug, scope=scope, f=f: insights.insight(slug, scope, f, use_cache=False),
                        )
                pages += len(insights.VIEWS)
    done_pages, done_seconds = _reciprocity(done, only=only, years=years)
    pages, seconds = pages + done_pages, seconds + done_seconds
    # Rows of scopes no longer read (an institution without admins) are of no use.
    PrecomputedRelease.objects.exclude(refreshed_at=done.refreshed_at).filter(
        refreshed_at__lt=done.refreshed_at - dt.timedelta(days=1)
    ).delete()
    return {"pages": pages, "seconds": round(seconds, 1)}


def _reciprocity(done, *, only=None, years=None) -> tuple[int, float]:
    """The reciprocity view for every period it offers (each year, the pooled years), nationally with
    its whole flow table and for every institution (staff can open any; each is cut from the one
    national computation, reused across scopes), and the default period it opens on."""
    from mentormemed.institutions.models import Institution

    periods = reciprocity.periods() if years is None else [selectors.Filters.year(y) for y in years]
    scopes = [None, *Institution.objects.order_by("pk")] if only is None else only
    pages, seconds = 0, 0.0
    with reciprocity.reuse():
        seconds += _store(reciprocity.default_key(), done, reciprocity.choose_default_year)
        for language, _ in settings.LANGUAGES:
            with translation.override(language):
                for f in periods:
                    with transaction.atomic():
                        for scope in scopes:
                            seconds += _store(
                                insights.insight_key("reciprocity", scope, f),
                                done,
                                lambda scope=scope, f=f: insights.insight("reciprocity", scope, f, use_cache=False),
                            )
                        if None in scopes:
                            seconds += _store(
                                insights.flows_key(f), done, lambda f=f: insights.all_flows(f, use_cache=False)
                            )
                    pages += len(scopes)
    return pages, seconds


def precompute_job(*, now) -> int:
    """Periodic job: once per rollup update, compute the pages (nothing to do when they are current)."""
    done = last_refresh()
    if done is None:
        return 0
    f = selectors.Filters.from_query({})
    with translation.override(settings.LANGUAGE_CODE):
        key = selectors.dashboard_key(None, f)
    if PrecomputedRelease.objects.filter(key=key, refreshed_at=done.refreshed_at).exists():
        return 0
    return precompute()["pages"]
