"""Calibration offsets: each assessor's distance from the panel's agreed levels, in
station-score units, with a t interval over their exercises."""

from __future__ import annotations

import math
import statistics

import pytest
from scipy import stats  # type: ignore[import-untyped]

from naas_centre.qa.calibration import _T975, CalibrationLevel, calibration_offsets


def _levels(assessor: str, exercise: str, diffs: list[int]) -> list[CalibrationLevel]:
    return [CalibrationLevel(assessor, exercise, f"c{i}", 2 + d, 2) for i, d in enumerate(diffs)]


def test_the_t_table_is_students() -> None:
    for df, value in enumerate(_T975, start=1):
        assert value == pytest.approx(stats.t.ppf(0.975, df), abs=6e-4)


def test_offsets_sum_per_exercise_and_average_over_exercises() -> None:
    levels = [
        *_levels("hawk", "e1", [-1, -1, 0]),
        *_levels("hawk", "e2", [-1, 0, -1]),
        *_levels("hawk", "e3", [-1, -1, -1]),
        *_levels("even", "e1", [0, 0, 0]),
    ]
    even, hawk = calibration_offsets(levels)  # in the order of their ids
    assert (hawk.assessor, hawk.exercises, hawk.levels) == ("hawk", 3, 9)
    sums = [-2.0, -2.0, -3.0]
    assert hawk.offset == pytest.approx(statistics.mean(sums))
    half = stats.t.ppf(0.975, 2) * statistics.stdev(sums) / math.sqrt(3)
    assert hawk.ci_low == pytest.approx(-7 / 3 - half, abs=1e-3)
    assert hawk.ci_high == pytest.approx(-7 / 3 + half, abs=1e-3)
    assert hawk.flagged  # consistently stricter than the panel
    assert hawk.exact == pytest.approx(2 / 9) and hawk.per_criterion == pytest.approx(-7 / 9)
    assert (even.offset, even.exact, even.ci_low, even.flagged) == (0.0, 1.0, None, False)


def test_no_attempts_no_offsets() -> None:
    assert calibration_offsets([]) == []
