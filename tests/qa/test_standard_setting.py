"""Borderline regression against scipy's linregress and the textbook formula for the
standard error of a predicted mean; the borderline group by hand."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from naas_centre.qa.standard_setting import borderline_regression
from naas_centre.qa.tables import NotEnoughData


def test_matches_linregress_and_the_prediction_error() -> None:
    rng = np.random.default_rng(6)
    g = rng.integers(1, 6, 120).astype(float)
    y = 8 + 4 * g + rng.normal(0, 3, 120)
    b = borderline_regression(g, y, borderline=2)
    line = stats.linregress(g, y)
    assert b.slope == pytest.approx(line.slope, abs=1e-9)
    assert b.intercept == pytest.approx(line.intercept, abs=1e-9)
    assert b.r_squared == pytest.approx(line.rvalue**2, abs=1e-9)
    assert b.pass_mark == pytest.approx(line.intercept + 2 * line.slope, abs=1e-9)
    # s · sqrt(1/n + (x0 - x̄)² / Sxx), e.g. Draper & Smith, Applied Regression Analysis, 1.4.
    resid = y - (line.intercept + line.slope * g)
    s = np.sqrt(np.sum(resid**2) / (g.size - 2))
    se = s * np.sqrt(1 / g.size + (2 - g.mean()) ** 2 / np.sum((g - g.mean()) ** 2))
    assert b.se == pytest.approx(se, abs=1e-9)
    t = stats.t.ppf(0.975, g.size - 2)
    assert (b.ci_low, b.ci_high) == pytest.approx((b.pass_mark - t * se, b.pass_mark + t * se))
    border = y[g == 2]
    assert b.n_borderline == border.size
    assert b.borderline_group_mean == pytest.approx(border.mean())
    assert b.borderline_group_se == pytest.approx(border.std(ddof=1) / np.sqrt(border.size))


def test_a_small_example_by_hand() -> None:
    # Scores on a line 10 + 5·g: the pass mark at grade 2 is 20 and fits exactly.
    b = borderline_regression([1, 2, 3, 4, None], [15, 20, 25, 30, 99])
    assert (b.n, b.n_borderline) == (4, 1)
    assert b.pass_mark == pytest.approx(20.0)
    assert b.r_squared == pytest.approx(1.0) and b.se == pytest.approx(0.0)
    assert np.isnan(b.borderline_group_se)


def test_one_judgement_only_has_no_line() -> None:
    with pytest.raises(NotEnoughData, match="same global judgement"):
        borderline_regression([2, 2, 2], [10, 11, 12])
