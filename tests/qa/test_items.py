"""Item statistics against established libraries and hand-worked examples."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pingouin  # type: ignore[import-untyped]
import pytest
from scipy import stats  # type: ignore[import-untyped]
from statsmodels.stats.contingency_tables import StratifiedTable  # type: ignore[import-untyped]

from naas_centre.qa import items
from naas_centre.qa.reliability import cronbach_alpha
from naas_centre.qa.tables import NotEnoughData


def _responses(seed: int = 7, n: int = 300, k: int = 20) -> np.ndarray:
    """Right/wrong answers from a one-parameter logistic model: abler candidates get more right."""
    rng = np.random.default_rng(seed)
    ability = rng.normal(size=(n, 1))
    difficulty = np.linspace(-2, 2, k)[None, :]
    return (rng.random((n, k)) < 1 / (1 + np.exp(-(ability - difficulty)))).astype(float)


def test_kr20_equals_cronbachs_alpha_on_right_and_wrong() -> None:
    x = _responses()
    expected = pingouin.cronbach_alpha(pd.DataFrame(x))[0]
    assert items.kr20(x) == pytest.approx(expected, abs=1e-12)
    assert items.kr20(x) == pytest.approx(cronbach_alpha(x).alpha, abs=1e-12)
    with pytest.raises(NotEnoughData):
        items.kr20(np.ones((5, 3)))


def test_the_corrected_point_biserial_is_scipys_against_the_rest_score() -> None:
    x = _responses()
    total = x.sum(axis=1)
    for j in (0, 7, 19):
        rest = total - x[:, j]
        expected = stats.pointbiserialr(x[:, j], rest).statistic
        assert items.point_biserial(x[:, j], rest) == pytest.approx(expected, abs=1e-12)
        # uncorrected would be higher: the item inflates its own total
        assert items.point_biserial(x[:, j], total) > items.point_biserial(x[:, j], rest)
    assert math.isnan(items.point_biserial([1, 1, 1], [3, 4, 5]))


def test_upper_lower_discrimination_by_hand() -> None:
    # Ten candidates; 27 % of 10 rounds to groups of 3. By total: upper = 19, 18, 17
    # (right, right, wrong: 2/3), lower = 5, 8, 9 (wrong, right, wrong: 1/3); D = 1/3.
    total = [19, 5, 12, 18, 8, 14, 17, 9, 11, 15]
    right = [1, 0, 1, 1, 1, 0, 0, 0, 1, 1]
    assert items.upper_lower(right, total) == pytest.approx(1 / 3)
    assert items.facility(right) == pytest.approx(0.6)
    with pytest.raises(NotEnoughData):
        items.upper_lower([1], [3])


def test_distractor_analysis_by_hand() -> None:
    total = [19, 5, 12, 18, 8, 14, 17, 9, 11, 15]
    choices = [["a"], ["b"], ["a"], ["a"], ["b"], ["c"], ["c"], ["b"], ["a"], ["a"]]
    rest = [t - (c == ["a"]) for t, c in zip(total, choices, strict=True)]
    figures = {f.option: f for f in items.distractors(choices, ["a", "b", "c", "d"], ["a"], rest, total)}
    assert figures["a"].key and figures["a"].chosen == 5 and figures["a"].share == 0.5
    assert (figures["a"].upper_share, figures["a"].lower_share) == (pytest.approx(2 / 3), 0.0)
    assert figures["b"].lower_share == 1.0 and figures["b"].upper_share == 0.0 and figures["b"].flag == ""
    assert figures["c"].upper_share == pytest.approx(1 / 3) and "upper group" in figures["c"].flag
    assert figures["d"].chosen == 0 and "nobody" in figures["d"].flag
    assert figures["b"].r_rest < 0 < figures["a"].r_rest


def test_review_flags_say_why() -> None:
    assert not items.review(0.6, 0.35, 0.4).flagged
    assert items.review(0.1, 0.35, 0.4).reasons[0].startswith("hard: 10%")
    assert items.review(0.97, 0.35, 0.1).reasons[0].startswith("easy: 97%")
    assert "weakly" in items.review(0.6, 0.1, 0.1).reasons[0]
    assert "not computable" in items.review(1.0, float("nan"), 0.0).reasons[-1]


def _dif_data(shift: float, seed: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """An item harder for the focal group by ``shift`` logits, at the same ability."""
    rng = np.random.default_rng(seed)
    n = 2000
    focal = rng.random(n) < 0.4
    x = _responses(seed, n, 20)
    ability = x.sum(axis=1)
    p = 1 / (1 + np.exp(-((ability - 10) / 3 - shift * focal)))
    studied = (rng.random(n) < p).astype(float)
    return studied, focal, ability + studied


def test_mantel_haenszel_matches_statsmodels_stratified_table() -> None:
    right, focal, strata = _dif_data(shift=0.9)
    mine = items.mantel_haenszel(right, focal, strata)
    tables = []
    for level in np.unique(strata):
        at = strata == level
        ref, foc = at & ~focal, at & focal
        if ref.any() and foc.any():
            tables.append(
                [[right[ref].sum(), (1 - right[ref]).sum()], [right[foc].sum(), (1 - right[foc]).sum()]]
            )
    table = StratifiedTable(np.array(tables, dtype=float).transpose(1, 2, 0))
    assert mine.odds_ratio == pytest.approx(table.oddsratio_pooled, rel=1e-12)
    assert mine.log_odds_se == pytest.approx(table.logodds_pooled_se, rel=1e-12)
    null = table.test_null_odds(correction=True)
    assert mine.chi_square == pytest.approx(null.statistic, rel=1e-12)
    assert mine.p_value == pytest.approx(null.pvalue, rel=1e-9)
    assert mine.delta == pytest.approx(-2.35 * math.log(table.oddsratio_pooled))
    assert mine.odds_ratio > 1 and mine.delta < -1.5 and mine.ets_class == "C"


def test_an_item_that_behaves_the_same_for_both_groups_is_class_a() -> None:
    right, focal, strata = _dif_data(shift=0.0)
    assert items.mantel_haenszel(right, focal, strata).ets_class == "A"


def test_ets_classes_by_the_rules() -> None:
    assert items.ets_class(-0.8, 0.2, 0.001) == "A"  # small
    assert items.ets_class(-1.8, 0.9, 0.20) == "A"  # not significant
    assert items.ets_class(-1.2, 0.2, 0.001) == "B"  # moderate
    assert items.ets_class(-1.6, 0.5, 0.001) == "B"  # large but not surely above 1
    assert items.ets_class(1.9, 0.3, 0.001) == "C"
