"""Two-group comparisons with effect sizes and 95% confidence intervals (R23), no SciPy needed.

Welch's difference in means with a t interval (Welch–Satterthwaite degrees of freedom) and
Hedges' g. Groups smaller than the small-cell minimum are not compared at all: the result
says "too few to conclude" instead of a number nobody should act on.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

# Two-sided 95% critical values of Student's t by degrees of freedom (beyond 120: normal).
_T95 = {
    1: 12.706,
    2: 4.303,
    3: 3.182,
    4: 2.776,
    5: 2.571,
    6: 2.447,
    7: 2.365,
    8: 2.306,
    9: 2.262,
    10: 2.228,
    11: 2.201,
    12: 2.179,
    13: 2.160,
    14: 2.145,
    15: 2.131,
    16: 2.120,
    17: 2.110,
    18: 2.101,
    19: 2.093,
    20: 2.086,
    22: 2.074,
    24: 2.064,
    26: 2.056,
    28: 2.048,
    30: 2.042,
    35: 2.030,
    40: 2.021,
    50: 2.009,
    60: 2.000,
    80: 1.990,
    100: 1.984,
    120: 1.980,
}


def t95(df: float) -> float:
    if df > 120:
        return 1.960
    below = max(d for d in _T95 if d <= max(df, 1))
    return _T95[below]  # rounding df down is conservative (a slightly wider interval)


@dataclass(frozen=True)
class Comparison:
    n_with: int
    n_without: int
    mean_with: float | None = None
    mean_without: float | None = None
    difference: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    hedges_g: float | None = None
    verdict: str = "too few to conclude"

    @property
    def conclusive(self) -> bool:
        return self.difference is not None


def compare(with_: list[float], without: list[float], *, minimum: int) -> Comparison:
    """Mean of ``with_`` minus mean of ``without``, its 95% CI and Hedges' g; or "too few to conclude"."""
    n1, n0 = len(with_), len(without)
    if n1 < minimum or n0 < minimum:
        return Comparison(n1, n0)
    m1, m0 = statistics.fmean(with_), statistics.fmean(without)
    v1, v0 = _variance(with_, m1), _variance(without, m0)
    se = math.sqrt(v1 / n1 + v0 / n0)
    diff = m1 - m0
    if se == 0:
        return Comparison(n1, n0, m1, m0, diff, diff, diff, None, _verdict(diff, diff, diff))
    df = (v1 / n1 + v0 / n0) ** 2 / ((v1 / n1) ** 2 / (n1 - 1) + (v0 / n0) ** 2 / (n0 - 1))
    half = t95(df) * se
    pooled = math.sqrt(((n1 - 1) * v1 + (n0 - 1) * v0) / (n1 + n0 - 2))
    correction = 1 - 3 / (4 * (n1 + n0) - 9)
    g = diff / pooled * correction if pooled else None
    return Comparison(n1, n0, m1, m0, diff, diff - half, diff + half, g, _verdict(diff, diff - half, diff + half))


def _variance(values: list[float], mean: float) -> float:
    """Sample variance, two-pass with compensated sums: as exact as ``statistics.variance`` to
    ~1e-15 and an order of magnitude faster (national analyses compare tens of thousands)."""
    return math.fsum((x - mean) ** 2 for x in values) / (len(values) - 1)


def _verdict(diff: float, low: float, high: float) -> str:
    if low > 0:
        return "higher with it"
    if high < 0:
        return "lower with it"
    return "no clear difference"
