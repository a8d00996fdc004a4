"""Knowledge-test item statistics: how each item behaves, and whether a form hangs together.

Pure numpy over plain arrays. An item's scores are one per candidate who sat it (0 to
1: a multiple-answer item marked per option may score a fraction); its ``rest`` is each
of those candidates' marks on the rest of their form (their total less this item),
its ``total`` their whole mark.

- **Facility**: the mean score, the share who got it right.
- **Corrected point-biserial**: the correlation of the item's score with the rest score
  (the item left out of the total it is correlated with, so it cannot correlate with
  itself).
- **Upper–lower discrimination** (Kelley 1939): the facility in the top 27 % by total
  less the facility in the bottom 27 %.
- **Distractor analysis**: for each option, how many chose it, overall and in the upper
  and lower groups, and the correlation of choosing it with the rest score; a distractor
  chosen by nobody, or chosen more by the upper group than the lower, is flagged.
- **KR-20** (Kuder & Richardson 1937) for a form every candidate sat whole:
  k/(k-1) · (1 - Σ p·q / σ²), equal to Cronbach's alpha on right/wrong scores.
- **Review flags**: facility below 0.2 or above 0.95, discrimination below 0.2.
- **Mantel–Haenszel DIF** (Holland & Thayer 1988): the common odds ratio of a right
  answer for the reference group against the focal group across strata of candidates
  with the same total, the ETS delta (-2.35 ln α) with its standard error (Robins,
  Breslow & Greenland 1986), the continuity-corrected MH chi-square, and the ETS class:
  A (negligible) when |Δ| < 1 or Δ is not significantly different from 0; C (large)
  when |Δ| ≥ 1.5 and significantly greater than 1; B otherwise (Zwick 2012).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats  # type: ignore[import-untyped]

from naas_centre.qa.tables import Floats, NotEnoughData, column, need

GROUP_SHARE = 0.27  # Kelley's upper and lower groups
LOW_FACILITY, HIGH_FACILITY = 0.2, 0.95
LOW_DISCRIMINATION = 0.2
ETS_DELTA = -2.35  # Δ = -2.35 ln α: the ETS delta scale
Z_05_ONE_SIDED = 1.6448536269514722
Indexes = npt.NDArray[np.intp]


def facility(scores: Sequence[float] | Floats) -> float:
    values = _scored(scores)
    need(values.size, 1, "candidates who sat the item")
    return float(values.mean())


def _scored(values: Sequence[float] | Floats) -> Floats:
    array = column(values) if not isinstance(values, np.ndarray) else values.astype(np.float64)
    return array[~np.isnan(array)]


def _correlation(x: Floats, y: Floats) -> float:
    """Pearson's r, NaN when either does not vary (nobody or everybody right)."""
    if x.size < 2 or x.std() == 0 or y.std() == 0:
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1])


def point_biserial(scores: Sequence[float] | Floats, rest: Sequence[float] | Floats) -> float:
    """The corrected point-biserial: the item's score against the rest of the form."""
    x, y = np.asarray(scores, dtype=np.float64), np.asarray(rest, dtype=np.float64)
    if x.shape != y.shape:
        raise ValueError("an item's scores and rest scores are one per candidate")
    return _correlation(x, y)


def upper_lower_groups(total: Floats, share: float = GROUP_SHARE) -> tuple[Indexes, Indexes]:
    """Indexes of the upper and lower groups by total (ties broken by order: stable)."""
    n = total.size
    size = max(1, round(share * n))
    if 2 * size > n:
        raise NotEnoughData(f"upper and lower groups of {size} need at least {2 * size} candidates, not {n}")
    order = np.argsort(-total, kind="stable")
    return order[:size], order[::-1][:size]


def upper_lower(
    scores: Sequence[float] | Floats, total: Sequence[float] | Floats, share: float = GROUP_SHARE
) -> float:
    """Facility in the upper group less facility in the lower group."""
    x, t = np.asarray(scores, dtype=np.float64), np.asarray(total, dtype=np.float64)
    upper, lower = upper_lower_groups(t, share)
    return float(x[upper].mean() - x[lower].mean())


@dataclass(frozen=True)
class OptionFigures:
    option: str
    key: bool
    chosen: int
    share: float
    upper_share: float
    lower_share: float
    r_rest: float  # correlation of choosing it with the rest score
    flag: str  # "" or why a distractor needs a look


def distractors(
    choices: Sequence[Sequence[str]],
    options: Sequence[str],
    keys: Sequence[str],
    rest: Sequence[float] | Floats,
    total: Sequence[float] | Floats,
    share: float = GROUP_SHARE,
) -> tuple[OptionFigures, ...]:
    """Each option's pull, overall and in the upper and lower groups (by total)."""
    n = len(choices)
    need(n, 2, "candidates who sat the item")
    r, t = np.asarray(rest, dtype=np.float64), np.asarray(total, dtype=np.float64)
    upper, lower = upper_lower_groups(t, share)
    out = []
    for option in options:
        picked = np.array([option in c for c in choices], dtype=np.float64)
        up, low = float(picked[upper].mean()), float(picked[lower].mean())
        is_key = option in keys
        flag = ""
        if not is_key and picked.sum() == 0:
            flag = "chosen by nobody: it distracts no one"
        elif not is_key and up > low:
            flag = "chosen more by the upper group than the lower: check it is not a second key"
        out.append(
            OptionFigures(
                option,
                is_key,
                int(picked.sum()),
                float(picked.mean()),
                up,
                low,
                _correlation(picked, r),
                flag,
            )
        )
    return tuple(out)


def kr20(table: Sequence[Sequence[float]] | Floats) -> float:
    """KR-20 of a form that every candidate sat whole (candidates × items, right = 1)."""
    x = np.asarray(table, dtype=np.float64)
    if x.ndim != 2 or np.isnan(x).any():
        raise NotEnoughData("KR-20 needs every candidate's score on every item of the form")
    n, k = x.shape
    need(k, 2, "items")
    need(n, 2, "candidates")
    p = x.mean(axis=0)
    variance = x.sum(axis=1).var()  # population variance, as p·q is
    if variance == 0:
        raise NotEnoughData("KR-20 is undefined: every candidate has the same total")
    return float(k / (k - 1) * (1 - float((p * (1 - p)).sum()) / variance))


@dataclass(frozen=True)
class ItemReview:
    facility: float
    discrimination: float  # the corrected point-biserial
    upper_lower: float
    reasons: tuple[str, ...]  # empty: no flag

    @property
    def flagged(self) -> bool:
        return bool(self.reasons)


def review(facility_value: float, discrimination: float, upper_lower_value: float) -> ItemReview:
    """Why an item should be looked at, in words (empty: it behaves)."""
    reasons = []
    if facility_value < LOW_FACILITY:
        reasons.append(f"hard: {facility_value:.0%} answered it right (below {LOW_FACILITY:.0%})")
    if facility_value > HIGH_FACILITY:
        reasons.append(f"easy: {facility_value:.0%} answered it right (above {HIGH_FACILITY:.0%})")
    if math.isnan(discrimination) or discrimination < LOW_DISCRIMINATION:
        shown = "not computable" if math.isnan(discrimination) else f"{discrimination:.2f}"
        reasons.append(f"discriminates weakly: corrected point-biserial {shown} (below {LOW_DISCRIMINATION})")
    return ItemReview(facility_value, discrimination, upper_lower_value, tuple(reasons))


# ---------------------------------------------------------------------------------------
# Mantel–Haenszel differential item functioning


@dataclass(frozen=True)
class MantelHaenszel:
    odds_ratio: float  # α_MH: > 1 favours the reference group
    log_odds_se: float  # Robins–Breslow–Greenland
    delta: float  # ETS Δ = -2.35 ln α: negative is against the focal group
    delta_se: float
    chi_square: float  # with the continuity correction
    p_value: float
    ets_class: str  # A, B or C
    strata: int  # strata that held both groups
    reference: int
    focal: int


def ets_class(delta: float, delta_se: float, p_value: float) -> str:
    """A: negligible, B: moderate, C: large (the ETS rules, Zwick 2012)."""
    size = abs(delta)
    if size < 1.0 or p_value >= 0.05:
        return "A"
    if size >= 1.5 and (size - 1.0) / delta_se > Z_05_ONE_SIDED:
        return "C"
    return "B"


def mantel_haenszel(
    right: Sequence[float] | Floats, focal: Sequence[bool], strata: Sequence[float] | Floats
) -> MantelHaenszel:
    """DIF of one item: ``right`` (1 or 0) per candidate, whether each is in the focal
    group, and each one's matching stratum (their total score)."""
    y = np.asarray(right, dtype=np.float64)
    g = np.asarray(focal, dtype=bool)
    s = np.asarray(strata, dtype=np.float64)
    if not (y.shape == g.shape == s.shape):
        raise ValueError("right, focal and strata are one per candidate")
    if not np.isin(y, (0.0, 1.0)).all():
        raise NotEnoughData("Mantel–Haenszel needs each answer right (1) or wrong (0)")
    tables = []
    for level in np.unique(s):
        at = s == level
        ref, foc = at & ~g, at & g
        a, b = float(y[ref].sum()), float((1 - y[ref]).sum())
        c, d = float(y[foc].sum()), float((1 - y[foc]).sum())
        if (a + b) > 0 and (c + d) > 0:
            tables.append((a, b, c, d))
    need(len(tables), 1, "score levels held by both groups")
    t = np.array(tables)
    a, b, c, d = t.T
    n = t.sum(axis=1)
    r, q = a * d / n, b * c / n
    if r.sum() == 0 or q.sum() == 0:
        raise NotEnoughData("the odds ratio is undefined: one group is always right or always wrong")
    odds = float(r.sum() / q.sum())
    p_, q_ = (a + d) / n, (b + c) / n
    rr, ss = r.sum(), q.sum()
    var = (
        (p_ * r).sum() / (2 * rr**2) + (p_ * q + q_ * r).sum() / (2 * rr * ss) + (q_ * q).sum() / (2 * ss**2)
    )
    se = float(math.sqrt(var))
    n1, n0 = a + b, c + d  # reference, focal
    m1, m0 = a + c, b + d  # right, wrong
    usable = n > 1
    expected = (n1 * m1 / n)[usable].sum()
    variance = (n1 * n0 * m1 * m0 / (n**2 * (n - 1)))[usable].sum()
    if variance == 0:
        raise NotEnoughData("the MH chi-square is undefined: no stratum varies")
    chi = float((abs(a[usable].sum() - expected) - 0.5) ** 2 / variance)
    p_value = float(stats.chi2.sf(chi, 1))
    delta = ETS_DELTA * math.log(odds)
    delta_se = abs(ETS_DELTA) * se
    return MantelHaenszel(
        odds, se, delta, delta_se, chi, p_value, ets_class(delta, delta_se, p_value),
        len(tables), int(n1.sum()), int(n0.sum()),
    )  # fmt: skip
