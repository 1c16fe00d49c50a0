"""Differentially private quarterly figures: the ``OUTCOMES_PRIVACY = "differential"`` deployment setting.

Small-cell suppression (``outcomes.suppression``) releases exact figures and hides the small ones;
a small program then sees little. Differential privacy releases every figure with noise of a known
size instead, so a program of any size sees its trend with error bars, and no reader — however
many releases they combine — can tell whether any one mentee's records are in the data beyond
the stated privacy loss.

**What is released.** Per scope (an institution's own mentees, or the whole network) and per
quarter of the academic year, once the quarter has closed and the rollups hold all of it:

* mentees who searched, mentees who sent a request, mentees whose mentorship started (distinct
  consenting mentees, so one person moves each count by at most 1);
* the mean evaluation score of the mentorships that started (each mentee's own mean, clamped to
  the instrument's 1–7 scale), as a noisy sum over a noisy count of scored mentees.

**Guarantee.** Adding or removing one mentee changes the four counts by at most 1 each (L1
sensitivity 4) and the shifted score sum by at most 6. The counts get discrete Laplace noise and
the sum Laplace noise from OpenDP (``make_laplace``), three quarters of the release's epsilon
to the counts and a quarter to the sum; OpenDP's privacy maps give the epsilon actually spent,
which is stored with the release. Everything shown (rounding, clamping at 0, the mean, the
intervals) is computed from the noisy values only (post-processing). Each release is drawn once
and stored, so repeated views spend nothing more; the releases of one academic year may spend at
most ``OUTCOMES_DP_BUDGET`` together (basic composition), after which the remaining quarters
say so. A mentee is in their institution's releases and in the network's: their loss per
academic year is at most the two budgets added.

**What it replaces.** With the setting on, an institution's admins read only these figures in
outcomes: the exact tables, the views built on them and their CSVs are not released to them
(they would describe the same people exactly and void the guarantee). Staff, who operate the
platform and hold the records anyway, keep the exact national tables.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass

import opendp.prelude as dp
from django.db import connection, transaction
from django.db.models import Q, Sum
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy

from mentormemed.core.clock import platform_today
from mentormemed.core.conf import product
from mentormemed.evaluations.schedule import add_months
from mentormemed.institutions.models import Institution
from mentormemed.outcomes.models import PrivateRelease, RelationshipFact, RequestFact, SearchRollup
from mentormemed.outcomes.rollups import last_refresh
from mentormemed.outcomes.selectors import Filters
from mentormemed.outcomes.suppression import Cell, Row
from mentormemed.outcomes.tables import Table

dp.enable_features("contrib")

COUNTS = ("searchers", "requesters", "matched", "scored")
COUNT_SENSITIVITY = len(COUNTS)  # one mentee is at most once in each count
SCORE_LOW, SCORE_HIGH = 1.0, 7.0  # the evaluation instruments' scale
SUM_SENSITIVITY = SCORE_HIGH - SCORE_LOW  # one mentee's clamped mean, shifted to start at 0
COUNT_SHARE = 0.75  # of a release's epsilon; the rest goes to the score sum
CONFIDENCE = 0.95
MAX_MEAN_RANGE = 1.0  # points on the 1–7 scale: a mean whose noise range is wider says nothing
LABELS = {
    "searchers": gettext_lazy("Mentees who searched"),
    "requesters": gettext_lazy("Mentees who sent a request"),
    "matched": gettext_lazy("Mentees whose mentorship started"),
}


def enabled() -> bool:
    return product.outcomes_privacy == "differential"


def quarters(academic_year: int) -> list[tuple[dt.date, dt.date]]:
    """The four quarters of an academic year, each as [start, end)."""
    start = dt.date(academic_year, product.academic_year_start_month, 1)
    return [(add_months(start, 3 * n), add_months(start, 3 * n + 3)) for n in range(4)]


def true_figures(institution_id: int | None, start: dt.date, end: dt.date) -> dict[str, float]:
    """The exact figures of one quarter from the rollups (consenting mentees only). Never shown."""

    def scope(field: str) -> Q:
        return Q(**{field: institution_id}) if institution_id is not None else Q()

    months = Q(month__gte=start, month__lt=end)
    searchers = SearchRollup.objects.filter(months, scope("institution_id")).values("viewer_id").distinct().count()
    requesters = RequestFact.objects.filter(months, scope("mentee_institution_id")).values("mentee_id").distinct()
    started = RelationshipFact.objects.filter(months, scope("mentee_institution_id"), mentee_id__isnull=False)
    scores: dict[int, list[float]] = defaultdict(list)
    for mentee_id, score in started.filter(score__isnull=False).values_list("mentee_id", "score"):
        if mentee_id is not None and score is not None:
            scores[mentee_id].append(score)
    means = [min(max(sum(s) / len(s), SCORE_LOW), SCORE_HIGH) - SCORE_LOW for s in scores.values()]
    return {
        "searchers": searchers,
        "requesters": requesters.count(),
        "matched": started.values("mentee_id").distinct().count(),
        "scored": len(means),
        "score_sum": float(sum(means)),
    }


@dataclass(frozen=True)
class Mechanism:
    """The two OpenDP measurements of one release, and the epsilon their privacy maps give."""

    counts: dp.Measurement
    score_sum: dp.Measurement
    scales: dict[str, float]

    @classmethod
    def for_epsilon(cls, epsilon: float) -> Mechanism:
        counts_space = dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int)
        sum_space = dp.atom_domain(T=float, nan=False), dp.absolute_distance(T=float)
        scales = {
            "count": COUNT_SENSITIVITY / (epsilon * COUNT_SHARE),
            "sum": SUM_SENSITIVITY / (epsilon * (1 - COUNT_SHARE)),
        }
        return cls(
            dp.m.make_laplace(*counts_space, scale=scales["count"]),
            dp.m.make_laplace(*sum_space, scale=scales["sum"]),
            scales,
        )

    @property
    def epsilon(self) -> float:
        return float(self.counts.map(COUNT_SENSITIVITY) + self.score_sum.map(SUM_SENSITIVITY))

    def release(self, figures: dict[str, float]) -> dict[str, float]:
        noisy = self.counts([int(figures[name]) for name in COUNTS])
        return {
            **dict(zip(COUNTS, map(int, noisy), strict=True)),
            "score_sum": float(self.score_sum(figures["score_sum"])),
        }


def _of(institution_id: int | None) -> Q:
    """The releases of one scope: an institution's, or the network's (no institution)."""
    return Q(institution__isnull=True) if institution_id is None else Q(institution_id=institution_id)


def spent(institution_id: int | None, academic_year: int) -> float:
    qs = PrivateRelease.objects.filter(_of(institution_id), academic_year=academic_year)
    return float(qs.aggregate(total=Sum("epsilon"))["total"] or 0.0)


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # one releaser at a time: the budget check and the insert go together
            cursor.execute("SELECT pg_advisory_xact_lock(7024)")


def release_quarter(institution_id: int | None, academic_year: int, start: dt.date, end: dt.date) -> bool:
    """Draw and store one quarter's release if it is not there and the budget allows. True if drawn."""
    mechanism = Mechanism.for_epsilon(product.outcomes_dp_epsilon)
    with transaction.atomic():
        _lock()
        if PrivateRelease.objects.filter(_of(institution_id), quarter_start=start).exists():
            return False
        if spent(institution_id, academic_year) + mechanism.epsilon > product.outcomes_dp_budget + 1e-9:
            return False
        PrivateRelease.objects.create(
            institution_id=institution_id,
            academic_year=academic_year,
            quarter_start=start,
            epsilon=mechanism.epsilon,
            values=mechanism.release(true_figures(institution_id, start, end)),
            scales=mechanism.scales,
        )
    return True


def release_job(*, now: dt.datetime) -> int:
    """Periodic job: release every closed quarter the rollups fully hold, for each institution and the network."""
    done = last_refresh()
    if not enabled() or done is None:
        return 0
    held = min(platform_today(now), platform_today(done.refreshed_at))
    scopes: list[int | None] = [None, *Institution.objects.order_by("pk").values_list("pk", flat=True)]
    existing = set(PrivateRelease.objects.values_list("institution_id", "quarter_start"))
    drawn = 0
    for year, _ in sorted(Filters.offered(platform_today(now))):
        for start, end in quarters(year):
            if end > held:
                continue
            for scope in scopes:
                if (scope, start) not in existing:
                    drawn += release_quarter(scope, year, start, end)
    return drawn


@dataclass
class Quarter:
    start: dt.date
    end: dt.date
    release: PrivateRelease | None
    state: str  # "released", "open" (not closed yet) or "budget" (the year's budget is spent)


@dataclass
class Trends:
    academic_year: int
    quarters: list[Quarter]
    spent: float
    budget: float
    epsilon: float

    @property
    def any_released(self) -> bool:
        return any(q.release for q in self.quarters)

    def table(self) -> Table:
        return trends_table(self)


def trends(institution_id: int | None, academic_year: int) -> Trends:
    """What has been released for a scope and year (reads only)."""
    releases = {
        r.quarter_start: r for r in PrivateRelease.objects.filter(_of(institution_id), academic_year=academic_year)
    }
    today = platform_today()
    out = []
    for start, end in quarters(academic_year):
        release = releases.get(start)
        state = "released" if release else ("open" if end > today else "budget")
        out.append(Quarter(start, end, release, state))
    total = sum(r.epsilon for r in releases.values())
    return Trends(academic_year, out, total, product.outcomes_dp_budget, product.outcomes_dp_epsilon)


def half_width(scale: float) -> float:
    """The 95 % interval of Laplace noise of this scale: P(|noise| > t) = exp(-t / scale)."""
    return scale * math.log(1 / (1 - CONFIDENCE))


def _count_cell(release: PrivateRelease, name: str) -> Cell:
    return Cell(max(0, int(release.values[name])), 0)  # a count is never negative (post-processing)


def _mean_range(release: PrivateRelease) -> float | None:
    """The 95 % noise range of the mean (the sum's noise over the scored count), None when too wide to show."""
    scored = release.values["scored"]
    spread = half_width(release.scales["sum"]) / scored if scored > 0 else math.inf
    return round(spread, 2) if spread <= MAX_MEAN_RANGE else None


def _mean(release: PrivateRelease) -> float | None:
    scored = release.values["scored"]
    if _mean_range(release) is None:
        return None
    return round(min(max(SCORE_LOW + release.values["score_sum"] / scored, SCORE_LOW), SCORE_HIGH), 2)


def _margins(release: PrivateRelease) -> list[Cell]:
    """The 95 % range of the noise: of each count, and of the mean (the sum's noise over the scored count)."""
    count = math.ceil(half_width(release.scales["count"]))
    return [Cell(count, 0, fmt="± {:,}"), Cell(_mean_range(release), 0, fmt="± {:.2f}")]


def quarter_label(start: dt.date, end: dt.date) -> str:
    last = end - dt.timedelta(days=1)
    return f"{date_format(start, 'SHORT_YEAR_MONTH_FORMAT')} – {date_format(last, 'SHORT_YEAR_MONTH_FORMAT')}"


def trends_table(t: Trends) -> Table:
    rows = []
    states = {"open": gettext("not closed yet"), "budget": gettext("privacy budget spent")}
    for q in t.quarters:
        if q.release is None:
            cells = [Cell(None, 0) for _ in range(len(LABELS) + 3)]
            rows.append(Row(quarter_label(q.start, q.end), cells, 0, {"state": states[q.state]}))
            continue
        cells = [_count_cell(q.release, name) for name in LABELS]
        cells += [Cell(_mean(q.release), 0, fmt="{:.2f}"), *_margins(q.release)]
        rows.append(Row(quarter_label(q.start, q.end), cells, 0, {"state": "", "epsilon": q.release.epsilon}))
    return Table(
        "private_trends",
        gettext("By quarter"),
        [
            *(str(label) for label in LABELS.values()),
            gettext("Mean evaluation score (1–7)"),
            gettext("Noise range of each count (95%)"),
            gettext("Noise range of the mean (95%)"),
        ],
        rows,
        label_header=gettext("Quarter"),
        chart="",
        note=gettext(
            "Each figure carries random noise of a known size so that no one's records can be singled out; "
            "the last two columns give the range that noise stays within 95 times in 100. Drawn once per quarter, "
            "after it closes; "
            "a mean whose noise range is wider than one point is not shown (—)."
        ),
    )
