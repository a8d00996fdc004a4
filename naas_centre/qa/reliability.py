"""Whether the criteria hang together: Cronbach's alpha with Feldt's interval, alpha if an
item is deleted, corrected item–total correlations, and each criterion's spread over the
levels with floor and ceiling effects flagged.

Tables are subjects (rows) by items (columns). Alpha uses the subjects with every item
scored (listwise); the count used is reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats  # type: ignore[import-untyped]

from naas_centre.qa.tables import Cell, Floats, NotEnoughData, matrix, need

FLOOR_CEILING_SHARE = 0.15  # more than this share at the scale's lowest (highest) level is a floor (ceiling)


@dataclass(frozen=True)
class ItemFigures:
    item: int  # 0-based column
    alpha_if_deleted: float  # nan with only two items (one left is no scale)
    corrected_item_total: float  # correlation with the sum of the other items


@dataclass(frozen=True)
class CronbachAlpha:
    alpha: float
    ci_low: float
    ci_high: float
    n: int  # subjects used (every item scored)
    items: int
    dropped: int  # subjects left out for a missing item
    per_item: tuple[ItemFigures, ...]


@dataclass(frozen=True)
class LevelDistribution:
    item: int
    counts: tuple[tuple[float, int], ...]  # (level, how many subjects), every level of the scale
    n: int
    lowest_share: float
    highest_share: float
    floor: bool
    ceiling: bool


def feldt_interval(alpha: float, n: int, k: int, confidence: float = 0.95) -> tuple[float, float]:
    """Feldt, Woodruff & Salih (1987), formulas 6 and 7: (1 - α) follows an F(n-1, (n-1)(k-1)) scale."""
    tail = (1 - confidence) / 2
    df1, df2 = n - 1, (n - 1) * (k - 1)
    return (
        float(1 - (1 - alpha) * stats.f.isf(tail, df1, df2)),
        float(1 - (1 - alpha) * stats.f.isf(1 - tail, df1, df2)),
    )


def _alpha(table: Floats) -> float:
    k = table.shape[1]
    total = table.sum(axis=1).var(ddof=1)
    if total == 0:
        raise NotEnoughData("alpha is undefined: every subject has the same total")
    return float(k / (k - 1) * (1 - table.var(axis=0, ddof=1).sum() / total))


def cronbach_alpha(rows: Sequence[Sequence[Cell]] | Floats, confidence: float = 0.95) -> CronbachAlpha:
    """Cronbach (1951): k/(k-1) · (1 - Σ item variances / variance of the total)."""
    full = matrix(rows)
    need(full.shape[1], 2, "items")
    keep = ~np.isnan(full).any(axis=1)
    table = full[keep]
    n, k = table.shape
    need(n, 2, "subjects with every item scored")
    value = _alpha(table)
    low, high = feldt_interval(value, n, k, confidence)
    per = []
    for j in range(k):
        rest = np.delete(table, j, axis=1)
        deleted = _alpha(rest) if k > 2 else float("nan")
        item, others = table[:, j], rest.sum(axis=1)
        r = float(np.corrcoef(item, others)[0, 1]) if item.std() > 0 and others.std() > 0 else float("nan")
        per.append(ItemFigures(j, deleted, r))
    return CronbachAlpha(value, low, high, n, k, int((~keep).sum()), tuple(per))


def level_distributions(
    rows: Sequence[Sequence[Cell]] | Floats, levels: Sequence[float], share: float = FLOOR_CEILING_SHARE
) -> tuple[LevelDistribution, ...]:
    """Each item's counts at every level of the scale; floor (ceiling) when more than
    ``share`` of its scored subjects sit at the lowest (highest) level."""
    table = matrix(rows)
    scale = sorted(float(v) for v in levels)
    need(len(scale), 2, "levels in the scale")
    out = []
    for j in range(table.shape[1]):
        scored = table[~np.isnan(table[:, j]), j]
        stray = sorted(set(scored.tolist()) - set(scale))
        if stray:
            raise NotEnoughData(f"item {j + 1} has level {stray[0]:g}, which is not on the scale {scale}")
        counts = tuple((v, int(np.sum(scored == v))) for v in scale)
        n = int(scored.size)
        low = counts[0][1] / n if n else 0.0
        high = counts[-1][1] / n if n else 0.0
        out.append(LevelDistribution(j, counts, n, low, high, low > share, high > share))
    return tuple(out)
