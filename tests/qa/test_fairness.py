"""Fairness figures against published examples."""

from __future__ import annotations

import pytest
from scipy import stats  # type: ignore[import-untyped]

from naas_centre.qa import fairness


@pytest.mark.parametrize(
    ("passed", "of", "low", "high"),
    # Newcombe (1998), Two-sided confidence intervals for the single proportion,
    # Statistics in Medicine 17:857-872, Table II, method 3 (Wilson score, no correction).
    [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718)],
)
def test_wilson_interval_matches_newcombe_1998(passed: int, of: int, low: float, high: float) -> None:
    got = fairness.wilson(passed, of)
    assert got.low == pytest.approx(low, abs=5e-5)
    assert got.high == pytest.approx(high, abs=5e-5)


def test_wilson_refuses_impossible_counts() -> None:
    with pytest.raises(ValueError):
        fairness.wilson(5, 4)
    with pytest.raises(ValueError):
        fairness.wilson(0, 0)


def test_four_fifths_rule_on_the_uniform_guidelines_example() -> None:
    # Uniform Guidelines on Employee Selection Procedures, Questions and Answers, Q 12:
    # 48 of 80 white applicants hired (60%), 12 of 40 black applicants (30%):
    # 30/60 = 50%, under four fifths, so adverse impact is indicated.
    rates = {"White": 48 / 80, "Black": 12 / 40}
    by_group = {a.group: a for a in fairness.adverse_impact(rates)}
    assert by_group["Black"].ratio == pytest.approx(0.5)
    assert by_group["Black"].flagged
    assert by_group["White"].ratio == 1.0 and not by_group["White"].flagged
    # Just at four fifths is not flagged; just under is.
    assert not fairness.adverse_impact({"a": 0.5, "b": 0.4})[1].flagged
    assert fairness.adverse_impact({"a": 0.5, "b": 0.399})[1].flagged


def test_mean_difference_is_welchs_interval() -> None:
    group = [10.0, 12.0, 9.0, 14.0, 11.0, 13.0]
    reference = [15.0, 14.0, 16.0, 13.0, 17.0, 15.0, 18.0]
    got = fairness.mean_difference(group, reference)
    assert got.difference == pytest.approx(sum(group) / 6 - sum(reference) / 7)
    expected = stats.ttest_ind(group, reference, equal_var=False).confidence_interval(0.95)
    assert got.interval.low == pytest.approx(expected.low, abs=1e-9)
    assert got.interval.high == pytest.approx(expected.high, abs=1e-9)
    mean = fairness.group_mean(group)
    ci = stats.t.interval(0.95, 5, loc=sum(group) / 6, scale=stats.sem(group))
    assert (mean.interval.low, mean.interval.high) == pytest.approx(ci, abs=1e-9)
