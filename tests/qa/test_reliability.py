"""Cronbach's alpha and the item figures, against published values and pingouin."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin
import pytest

from naas_centre.qa.reliability import cronbach_alpha, feldt_interval, level_distributions
from naas_centre.qa.tables import NotEnoughData

# Shrout & Fleiss (1979) Table 2, its four judges taken as items: alpha is their
# consistency ICC of the mean of k raters, published as ICC(3,4) = .91 (McGraw & Wong
# 1996 note that ICC(C,k) is Cronbach's alpha).
SHROUT_FLEISS = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]


def test_alpha_on_shrout_fleiss_is_their_icc_3_k() -> None:
    a = cronbach_alpha(SHROUT_FLEISS)
    assert round(a.alpha, 2) == 0.91
    assert (a.n, a.items, a.dropped) == (6, 4, 0)


def test_feldt_interval_by_its_formula() -> None:
    # Feldt, Woodruff & Salih (1987), formulas 6 and 7, with F from tables: for n = 6 and
    # k = 4 (df 5 and 15), F(.975) = 3.576 and F(.025) = 1/6.428 (= 0.1556).
    low, high = feldt_interval(0.9, 6, 4)
    assert low == pytest.approx(1 - 0.1 * 3.5764, abs=1e-4)
    assert high == pytest.approx(1 - 0.1 / 6.4277, abs=1e-4)


def _wide(table: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(table, columns=[f"i{j}" for j in range(table.shape[1])])


def test_matches_pingouin_with_interval_and_items() -> None:
    rng = np.random.default_rng(2)
    for n, k in [(30, 3), (80, 6), (200, 10)]:
        table = np.round(rng.normal(size=(n, 1)) + rng.normal(size=(n, k)) * 1.2 + 3)
        ours = cronbach_alpha(table)
        value, (low, high) = pingouin.cronbach_alpha(_wide(table))
        assert ours.alpha == pytest.approx(value, abs=1e-6)
        # pingouin rounds the interval to three places.
        assert ours.ci_low == pytest.approx(low, abs=5e-4 + 1e-9)
        assert ours.ci_high == pytest.approx(high, abs=5e-4 + 1e-9)
        for item in ours.per_item:
            rest = np.delete(table, item.item, axis=1)
            assert item.alpha_if_deleted == pytest.approx(pingouin.cronbach_alpha(_wide(rest))[0], abs=1e-6)
            r = np.corrcoef(table[:, item.item], rest.sum(axis=1))[0, 1]
            assert item.corrected_item_total == pytest.approx(r, abs=1e-12)


def test_missing_cells_drop_the_subject_as_pingouin_listwise() -> None:
    rng = np.random.default_rng(9)
    table = np.round(rng.normal(size=(40, 1)) + rng.normal(size=(40, 4)) + 3)
    table[[3, 17, 22], [0, 2, 3]] = np.nan
    ours = cronbach_alpha(table)
    value, _ = pingouin.cronbach_alpha(_wide(table), nan_policy="listwise")
    assert ours.alpha == pytest.approx(value, abs=1e-6)
    assert (ours.n, ours.dropped) == (37, 3)


def test_level_distributions_flag_floor_and_ceiling() -> None:
    table = [[1, 4], [1, 4], [2, 3], [3, 4], [4, None], [2, 2], [3, 3]]
    first, second = level_distributions(table, levels=[1, 2, 3, 4])
    assert first.counts == ((1.0, 2), (2.0, 2), (3.0, 2), (4.0, 1))
    assert (first.floor, first.ceiling) == (True, False)  # 2 of 7 at level 1 is over 15%
    assert second.n == 6 and second.counts[0] == (1.0, 0)
    assert (second.floor, second.ceiling) == (False, True)
    with pytest.raises(NotEnoughData, match="level 5"):
        level_distributions([[5]], levels=[1, 2, 3, 4])


def test_alpha_needs_two_items_and_a_spread() -> None:
    with pytest.raises(NotEnoughData, match="at least 2 items"):
        cronbach_alpha([[1], [2]])
    with pytest.raises(NotEnoughData, match="same total"):
        cronbach_alpha([[1, 2], [2, 1], [1, 2]])
