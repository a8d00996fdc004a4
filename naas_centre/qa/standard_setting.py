"""Setting a station's pass mark from the assessors' overall judgements.

Borderline regression (Kramer et al. 2003; Pell et al. 2010): the station score is
regressed on the global judgement (an ordinal grade, scored as numbers such as 1 clear
fail, 2 borderline, 3 clear pass, 4 good, 5 excellent); the pass mark is the predicted
score at the borderline grade. The borderline-group method (Livingston & Zieky 1982) is
the mean score of the candidates judged borderline, given beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats  # type: ignore[import-untyped]

from naas_centre.qa.tables import Cell, Floats, NotEnoughData, column, need

BORDERLINE = 2.0  # the grade taken as borderline unless another is given


@dataclass(frozen=True)
class BorderlineRegression:
    pass_mark: float  # intercept + slope × borderline grade
    se: float  # standard error of the predicted mean score at the borderline grade
    ci_low: float  # 95% interval for it, from t with n - 2 degrees of freedom
    ci_high: float
    slope: float
    intercept: float
    r_squared: float
    borderline_grade: float
    n: int  # candidates with both a judgement and a score
    n_borderline: int
    borderline_group_mean: float  # the borderline-group method; nan without borderline candidates
    borderline_group_se: float  # nan with fewer than two borderline candidates


def borderline_regression(
    judgements: Sequence[Cell] | Floats, scores: Sequence[Cell] | Floats, borderline: float = BORDERLINE
) -> BorderlineRegression:
    g, y = column(judgements), column(scores)
    if g.shape != y.shape:
        raise NotEnoughData(f"there are {g.size} judgements but {y.size} scores")
    both = ~(np.isnan(g) | np.isnan(y))
    g, y = g[both], y[both]
    n = int(g.size)
    need(n, 3, "candidates with a judgement and a score")
    sxx = float(np.sum((g - g.mean()) ** 2))
    if sxx == 0:
        raise NotEnoughData("every candidate has the same global judgement; there is no line to fit")
    slope = float(np.sum((g - g.mean()) * (y - y.mean())) / sxx)
    intercept = float(y.mean() - slope * g.mean())
    residual = y - (intercept + slope * g)
    ss_res, ss_tot = float(np.sum(residual**2)), float(np.sum((y - y.mean()) ** 2))
    r2 = 1 - ss_res / ss_tot if ss_tot > 0 else 1.0
    s = np.sqrt(ss_res / (n - 2))
    mark = intercept + slope * borderline
    se = float(s * np.sqrt(1 / n + (borderline - g.mean()) ** 2 / sxx))
    t = float(stats.t.ppf(0.975, n - 2))
    group = y[g == borderline]
    nb = int(group.size)
    return BorderlineRegression(
        mark,
        se,
        mark - t * se,
        mark + t * se,
        slope,
        intercept,
        r2,
        float(borderline),
        n,
        nb,
        float(group.mean()) if nb else float("nan"),
        float(group.std(ddof=1) / np.sqrt(nb)) if nb >= 2 else float("nan"),
    )
