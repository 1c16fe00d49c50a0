"""Two-group comparisons with effect sizes and 95% confidence intervals (R23), no SciPy needed.

Welch's difference in means with a t interval (Welch–Satterthwaite degrees of freedom) and
Hedges' g. Groups smaller than the small-cell minimum are not compared at all: the result
says "too few to conclude" instead of a number nobody should act on.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

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


def mantissa_exponent(value: float) -> tuple[int, int]:
    """``value`` exactly as integer mantissa × 2**exponent (53-bit mantissa, as math.frexp gives)."""
    fraction, exponent = math.frexp(float(value))
    return int(fraction * 2**53), exponent - 53


@dataclass(frozen=True)
class Moments:
    """How many values a group holds, their sum and their sum of squares, exactly (as rationals).

    Exact sums can be computed anywhere (in the database per group, from integer mantissas) and
    subtracted ("without" = all − "with") without any rounding, so every figure derived from
    them is the same bit for bit whichever way the group was summed.
    """

    n: int = 0
    total: Fraction = Fraction(0)
    squares: Fraction = Fraction(0)

    @classmethod
    def from_parts(cls, parts) -> Moments:
        """From (exponent, count, Σ mantissa, Σ mantissa²) per exponent (see ``mantissa_exponent``)."""
        n, total, squares = 0, Fraction(0), Fraction(0)
        for exponent, count, sums, sum_squares in parts:
            n += count
            total += Fraction(int(sums)) * Fraction(2) ** exponent
            squares += Fraction(int(sum_squares)) * Fraction(4) ** exponent
        return cls(n, total, squares)

    @classmethod
    def of(cls, values) -> Moments:
        parts = defaultdict(lambda: [0, 0, 0])
        for value in values:
            m, e = mantissa_exponent(value)
            part = parts[e]
            part[0] += 1
            part[1] += m
            part[2] += m * m
        return cls.from_parts((e, *part) for e, part in parts.items())

    def __add__(self, other: Moments) -> Moments:
        return Moments(self.n + other.n, self.total + other.total, self.squares + other.squares)

    def __sub__(self, other: Moments) -> Moments:
        return Moments(self.n - other.n, self.total - other.total, self.squares - other.squares)

    def mean(self) -> float:
        return float(self.total / self.n)

    def variance(self) -> float:
        """Sample variance, exact until the one final rounding (like ``statistics.variance``)."""
        return float((self.squares - self.total * self.total / self.n) / (self.n - 1))


def compare(with_: list[float], without: list[float], *, minimum: int) -> Comparison:
    """Mean of ``with_`` minus mean of ``without``, its 95% CI and Hedges' g; or "too few to conclude"."""
    return compare_moments(Moments.of(with_), Moments.of(without), minimum=minimum)


def compare_moments(with_: Moments, without: Moments, *, minimum: int) -> Comparison:
    """``compare`` from the two groups' exact moments (the dashboards sum them in the database)."""
    n1, n0 = with_.n, without.n
    if n1 < minimum or n0 < minimum:
        return Comparison(n1, n0)
    m1, m0 = with_.mean(), without.mean()
    v1, v0 = with_.variance(), without.variance()
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


def among_people(result: Comparison, *, with_people: int, all_people: int, minimum: int) -> Comparison:
    """``result`` only if both groups hold at least ``minimum`` distinct people, else "too few".

    People in the "without" group are at least those with no relationship in the "with" group
    (``all_people − with_people``): a person can have relationships on both sides."""
    if with_people < minimum or all_people - with_people < minimum:
        return Comparison(result.n_with, result.n_without)
    return result


def _verdict(diff: float, low: float, high: float) -> str:
    if low > 0:
        return "higher with it"
    if high < 0:
        return "lower with it"
    return "no clear difference"
