"""Fairness figures: pass rates with Wilson intervals, adverse impact, score differences.

- Wilson score interval (Wilson 1927; Newcombe 1998, method 3): for x passes of n at
  z = 1.959964 (95%), centre (x + z²/2)/(n + z²), half-width
  z·sqrt(x(n−x)/n + z²/4)/(n + z²).
- Adverse impact ratio: each group's pass rate over the highest group's; under 4/5 is
  flagged (US Uniform Guidelines on Employee Selection Procedures, 29 CFR 1607.4 D).
- A difference in mean station score between a group and the highest-scoring group,
  with a Welch interval (t on the Welch–Satterthwaite degrees of freedom).

Plain numbers in, frozen dataclasses out; scipy (for t quantiles) is imported only when
a score difference is worked out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

Z95 = 1.959963984540054
FOUR_FIFTHS = 0.8


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


@dataclass(frozen=True)
class PassRate:
    passed: int
    of: int
    rate: float
    interval: Interval


def wilson(passed: int, of: int, z: float = Z95) -> Interval:
    if of <= 0 or not 0 <= passed <= of:
        raise ValueError(f"a pass rate needs 0 <= passed <= of and of > 0 (got {passed} of {of})")
    z2 = z * z
    centre = (passed + z2 / 2) / (of + z2)
    half = z * math.sqrt(passed * (of - passed) / of + z2 / 4) / (of + z2)
    return Interval(max(0.0, centre - half), min(1.0, centre + half))


def pass_rate(passed: int, of: int) -> PassRate:
    return PassRate(passed, of, passed / of, wilson(passed, of))


@dataclass(frozen=True)
class AdverseImpact:
    group: str
    rate: float
    ratio: float  # this group's rate over the highest group's
    flagged: bool  # under four fifths


def adverse_impact(rates: dict[str, float]) -> list[AdverseImpact]:
    """Each group's ratio to the highest rate; empty when no group passed anyone."""
    highest = max(rates.values(), default=0.0)
    if highest <= 0:
        return []
    return [
        AdverseImpact(group, rate, ratio := rate / highest, ratio < FOUR_FIFTHS)
        for group, rate in rates.items()
    ]


@dataclass(frozen=True)
class GroupMean:
    n: int
    mean: float
    interval: Interval  # the mean's, on t with n - 1 degrees of freedom


@dataclass(frozen=True)
class MeanDifference:
    difference: float  # this group's mean less the reference group's
    interval: Interval


def _t(df: float) -> float:
    from scipy import stats  # type: ignore[import-untyped]

    return float(stats.t.ppf(0.975, df))


def _moments(values: Sequence[float]) -> tuple[int, float, float]:
    n = len(values)
    mean = sum(values) / n
    var = sum((v - mean) ** 2 for v in values) / (n - 1) if n > 1 else 0.0
    return n, mean, var


def group_mean(values: Sequence[float]) -> GroupMean:
    if len(values) < 2:
        raise ValueError("a mean with an interval needs at least two scores")
    n, mean, var = _moments(values)
    half = _t(n - 1) * math.sqrt(var / n)
    return GroupMean(n, mean, Interval(mean - half, mean + half))


def mean_difference(group: Sequence[float], reference: Sequence[float]) -> MeanDifference:
    """Welch's interval for mean(group) − mean(reference)."""
    if len(group) < 2 or len(reference) < 2:
        raise ValueError("a difference with an interval needs at least two scores on each side")
    n1, m1, v1 = _moments(group)
    n2, m2, v2 = _moments(reference)
    a, b = v1 / n1, v2 / n2
    se = math.sqrt(a + b)
    diff = m1 - m2
    if se == 0:
        return MeanDifference(diff, Interval(diff, diff))
    df = (a + b) ** 2 / (a * a / (n1 - 1) + b * b / (n2 - 1))
    half = _t(df) * se
    return MeanDifference(diff, Interval(diff - half, diff + half))
