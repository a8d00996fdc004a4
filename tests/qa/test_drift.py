"""Assessor drift: known truth in generated data, agreement with statsmodels OLS and
Holm's adjustment, and refusals."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from naas_centre.qa.drift import Trend, drift, holm
from naas_centre.qa.stringency import ExaminerEffects, Observation, examiner_effects
from naas_centre.qa.tables import NotEnoughData
from tests.qa.examiner_data import generated


@pytest.fixture(scope="module")
def known() -> list[Observation]:
    # As in the stringency tests: A000 +2, A001 −2, A002 drifting by 0.9 a slot.
    return generated(600, 12, seed=11, effects={0: 2.0, 1: -2.0}, slot_drift={2: 0.9})


def test_flags_the_drifting_assessor_and_no_other(known: list[Observation]) -> None:
    found = drift(known)
    flagged = [t.assessor for t in found.slot if t.flagged]
    assert flagged == ["A002"]
    own = found.slot_of("A002")
    assert own is not None and own.ci_low < 0.9 < own.ci_high
    assert not [t.assessor for t in found.day if t.flagged]
    # The lenient and stringent assessors start from their level and stay there.
    lenient = found.slot_of("A000")
    assert lenient is not None and lenient.intercept > 1.0 and not lenient.flagged
    assert [a.assessor for a in found.assessors] == [f"A{i:03d}" for i in range(12)]
    assert {t.n for t in found.slot} == {t.n for t in found.day}
    assert sum(t.n for t in found.slot) == len(known)


def test_given_effects_give_the_same_drift(known: list[Observation]) -> None:
    assert drift(known, examiner_effects(known)) == drift(known)


def _deviations_by_hand(observations: list[Observation], e: ExaminerEffects) -> list[float]:
    """Score less station mean less the candidate's BLUP from the other assessors' scores."""
    lean = {a.assessor: a.effect for a in e.assessors}
    shrink = e.variance.residual / e.variance.candidate
    by_candidate: dict[str, list[Observation]] = {}
    for o in observations:
        by_candidate.setdefault(o.candidate, []).append(o)
    out = []
    for o in observations:
        others = [
            p.score - e.stations[p.station] - lean[p.assessor]
            for p in by_candidate[o.candidate]
            if p.assessor != o.assessor
        ]
        out.append(o.score - e.stations[o.station] - sum(others) / (len(others) + shrink))
    return out


def test_each_trend_is_statsmodels_ols_on_the_deviations_with_holm() -> None:
    import statsmodels.api as sm  # type: ignore[import-untyped,unused-ignore]
    from statsmodels.stats.multitest import multipletests  # type: ignore[import-untyped,unused-ignore]

    observations = generated(120, 6, seed=21, slot_drift={3: 0.6})
    e = examiner_effects(observations)
    found = drift(observations, e)
    deviation = np.array(_deviations_by_hand(observations, e))
    slots = np.array([o.slot for o in observations], dtype=float)
    who = np.array([o.assessor for o in observations])
    p_values = []
    for trend in found.slot:
        rows = who == trend.assessor
        fit = sm.OLS(deviation[rows], sm.add_constant(slots[rows])).fit()
        assert trend.slope == pytest.approx(fit.params[1], abs=1e-8)
        assert trend.intercept == pytest.approx(fit.params[0], abs=1e-8)
        assert trend.se == pytest.approx(fit.bse[1], abs=1e-8)
        assert trend.p_value == pytest.approx(fit.pvalues[1], abs=1e-8)
        low, high = fit.conf_int(0.05)[1]
        assert (trend.ci_low, trend.ci_high) == pytest.approx((low, high), abs=1e-8)
        assert trend.n == int(rows.sum())
        p_values.append(fit.pvalues[1])
    reject, adjusted, _, _ = multipletests(p_values, alpha=0.05, method="holm")
    assert [t.p_adjusted for t in found.slot] == pytest.approx(list(adjusted), abs=1e-12)
    assert [t.flagged for t in found.slot] == list(reject)
    assert [t.assessor for t in found.slot if t.flagged] == ["A003"]


def test_the_pooled_slope_is_the_within_assessor_ols_and_finds_the_centre_drifting() -> None:
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]
    import statsmodels.formula.api as smf  # type: ignore[import-untyped,unused-ignore]

    # Every assessor drifts by 0.9 a slot: compared with each other none stands out, but
    # the centre as a whole does, as in the studies of long exams.
    observations = generated(300, 8, seed=5, slot_drift={a: 0.9 for a in range(8)})
    e = examiner_effects(observations)
    found = drift(observations, e)
    pooled = found.pooled_slot
    assert pooled is not None and pooled.assessor is None
    assert pooled.flagged and pooled.ci_low < 0.9 < pooled.ci_high
    frame = pd.DataFrame(
        {
            "deviation": [o.score - e.stations[o.station] for o in observations],
            "slot": [o.slot for o in observations],
            "assessor": [o.assessor for o in observations],
        }
    )
    fit = smf.ols("deviation ~ slot + C(assessor)", data=frame).fit()
    assert pooled.slope == pytest.approx(fit.params["slot"], abs=1e-8)
    assert pooled.se == pytest.approx(fit.bse["slot"], abs=1e-8)
    assert pooled.p_value == pytest.approx(fit.pvalues["slot"], abs=1e-8)
    assert (pooled.ci_low, pooled.ci_high) == pytest.approx(tuple(fit.conf_int().loc["slot"]), abs=1e-8)
    assert pooled.n == len(observations)


def test_days_are_counted_as_the_assessors_own_days_of_assessing() -> None:
    first = date(2026, 1, 5)
    observations = []
    # A scores on days 0, 4 and 31 of the calendar: their days of assessing 0, 1, 2, and
    # they rise by one point a day of assessing. B scores on days 0–5 and 31 (seven days of
    # assessing), C on days 0–5.
    for i, gap in enumerate((0, 4, 31)):
        for c in range(4):
            observations.append(
                Observation(f"P{i}{c}", "one", "A", 10.0 + i + (c % 2) * 0.1, first + timedelta(gap), c)
            )
    for d in range(6):
        for c in range(4):
            for a in "BC":
                observations.append(
                    Observation(
                        f"Q{d}{c}", "one", a, 10.0 + (c % 2) * 0.2 + d % 2 * 0.1, first + timedelta(d), c
                    )
                )
    for i, gap in enumerate((0, 4, 31)):
        observations.append(Observation(f"P{i}0", "one", "B", 10.0, first + timedelta(gap), 0))
    found = drift(observations)
    trend = found.day_of("A")
    assert trend is not None
    assert [x for x, _ in trend.points] == [0.0, 1.0, 2.0]
    assert trend.slope > 0.5
    b_trend = found.day_of("B")
    assert b_trend is not None and [x for x, _ in b_trend.points] == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]


def test_holm_adjusts_as_published() -> None:
    # Holm (1979) step-down: sorted p × (m, m−1, …), made monotone, capped at 1.
    p = np.array([0.01, 0.04, 0.03, 0.005])
    assert list(holm(p)) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm(np.array([])).size == 0


def test_an_assessor_with_one_slot_has_no_slot_trend() -> None:
    day = date(2026, 2, 2)
    observations = [Observation(f"C{c}", "one", "A", 10.0 + c % 3, day, c) for c in range(6)]
    observations += [Observation(f"C{c}", "one", "B", 11.0 - c % 2, day, 0) for c in range(6)]
    found = drift(observations)
    assert found.slot_of("B") is None
    assert isinstance(found.slot_of("A"), Trend)
    assert found.day_of("A") is None  # a single day
    assert found.pooled_day is None


@pytest.mark.parametrize(
    ("observations", "words"),
    [
        ([], "at least 1 observations"),
        (
            [Observation(f"C{i}", "one", "A", float(i), date(2026, 1, 1), i) for i in range(6)],
            "at least 2 assessors",
        ),
    ],
)
def test_too_little_data_is_refused_in_a_sentence(observations: list[Observation], words: str) -> None:
    with pytest.raises(NotEnoughData, match=words):
        drift(observations)


def test_a_negative_slot_or_effects_from_other_data_are_refused(known: list[Observation]) -> None:
    bad = [*known[:-1], Observation("C00000", "teenager", "A000", 10.0, date(2026, 1, 5), -1)]
    with pytest.raises(NotEnoughData, match=f"observation {len(known)} has a negative slot"):
        drift(bad)
    other = generated(60, 6, seed=2)
    with pytest.raises(NotEnoughData, match="fitted without A006"):
        drift(known, examiner_effects(other))
