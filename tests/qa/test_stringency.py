"""Examiner stringency: the crossed mixed model's estimates against statsmodels, a
published worked example, known truth in generated data, and refusals."""

from __future__ import annotations

import warnings
from datetime import date

import numpy as np
import pytest

from naas_centre.qa.drift import drift
from naas_centre.qa.stringency import (
    AssessorEffect,
    ExaminerEffects,
    Observation,
    VarianceComponents,
    examiner_effects,
    outcomes_changed,
    personal_sheet,
)
from naas_centre.qa.tables import NotEnoughData
from tests.qa.examiner_data import generated

DAY = date(2026, 3, 2)


@pytest.fixture(scope="module")
def known() -> list[Observation]:
    # A000 lenient by 2, A001 stringent by 2, A002 drifting by 0.9 a slot about the middle
    # of the day (so on average neither); the other nine are neither.
    return generated(600, 12, seed=11, effects={0: 2.0, 1: -2.0}, slot_drift={2: 0.9})


def test_flags_the_lenient_and_the_stringent_assessor_and_no_other(known: list[Observation]) -> None:
    effects = examiner_effects(known)
    flagged = {e.assessor: e.effect for e in effects.assessors if e.flagged}
    assert set(flagged) == {"A000", "A001"}
    assert flagged["A000"] > 1.5 and flagged["A001"] < -1.5
    for e in effects.assessors:
        assert e.ci_low < e.effect < e.ci_high
        assert e.ci_high - e.ci_low == pytest.approx(2 * 1.959963984540054 * e.se)
    assert sum(e.n for e in effects.assessors) == len(known) == effects.observations
    v = effects.variance
    assert effects.assessor_share == pytest.approx(v.assessor / (v.candidate + v.assessor + v.residual))
    # The truth: candidates sd 2, assessors two of twelve at ±2 (variance 8/12 about), noise 1.5.
    assert v.candidate == pytest.approx(4.0, rel=0.2)
    assert v.residual == pytest.approx(1.5**2 + 0.9**2 * 35 / 12 / 12, rel=0.2)
    assert 0.05 < effects.assessor_share < 0.25


def _statsmodels_fit(observations: list[Observation]):  # type: ignore[no-untyped-def]
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]
    import statsmodels.api as sm  # type: ignore[import-untyped,unused-ignore]

    frame = pd.DataFrame(
        {
            "score": [o.score for o in observations],
            "station": [o.station for o in observations],
            "candidate": [o.candidate for o in observations],
            "assessor": [o.assessor for o in observations],
            "group": 1,
        }
    )
    # Crossed random effects as statsmodels documents them: one group holding everything,
    # each crossed factor a variance component.
    model = sm.MixedLM.from_formula(
        "score ~ 0 + C(station)",
        groups="group",
        vc_formula={"assessor": "0 + C(assessor)", "candidate": "0 + C(candidate)"},
        re_formula="0",
        data=frame,
    )
    with warnings.catch_warnings():
        # BFGS reports no convergence at a gradient tolerance this strict; it is there.
        warnings.simplefilter("ignore")
        return model.fit(reml=True, method=["bfgs"], gtol=1e-10)


def test_agrees_with_statsmodels_mixedlm_to_1e_6() -> None:
    observations = generated(36, 6, seed=4, effects={0: 2.0, 1: -2.0})
    ours = examiner_effects(observations)
    theirs = _statsmodels_fit(observations)
    vcomp = dict(zip(theirs.model.exog_vc.names, theirs.vcomp, strict=True))
    assert ours.variance.assessor == pytest.approx(vcomp["assessor"], abs=1e-6)
    assert ours.variance.candidate == pytest.approx(vcomp["candidate"], abs=1e-6)
    assert ours.variance.residual == pytest.approx(theirs.scale, abs=1e-6)
    fixed = {name.split("[")[1].rstrip("]"): value for name, value in theirs.fe_params.items()}
    for station, mean in ours.stations.items():
        assert mean == pytest.approx(fixed[station], abs=1e-6)
    blups = theirs.random_effects[1]
    for e in ours.assessors:
        assert e.effect == pytest.approx(blups[f"assessor[C(assessor)[{e.assessor}]]"], abs=1e-6)
    for candidate, effect in ours.candidates.items():
        assert effect == pytest.approx(blups[f"candidate[C(candidate)[{candidate}]]"], abs=1e-6)
    # The same restricted likelihood, up to its constant, at the optimum.
    n, p = len(observations), len(ours.stations)
    assert ours.reml_criterion + (n - p) * (1 + np.log(2 * np.pi)) == pytest.approx(-2 * theirs.llf, abs=1e-6)


def test_standard_errors_are_the_prediction_error_variance_of_the_dense_model() -> None:
    observations = generated(30, 6, seed=9, effects={0: 1.5})
    e = examiner_effects(observations)
    y = np.array([o.score for o in observations])
    stations = sorted({o.station for o in observations})
    candidates = sorted({o.candidate for o in observations})
    assessors = [a.assessor for a in e.assessors]
    x = np.array([[o.station == s for s in stations] for o in observations], dtype=float)
    zc = np.array([[o.candidate == c for c in candidates] for o in observations], dtype=float)
    za = np.array([[o.assessor == a for a in assessors] for o in observations], dtype=float)
    v = e.variance
    big_v = v.candidate * zc @ zc.T + v.assessor * za @ za.T + v.residual * np.eye(len(y))
    vi = np.linalg.inv(big_v)
    proj = vi - vi @ x @ np.linalg.inv(x.T @ vi @ x) @ x.T @ vi
    # BLUP u = G Z' P y and its prediction error variance G - G Z' P Z G (Henderson 1975).
    blup = v.assessor * za.T @ proj @ y
    pev = v.assessor - v.assessor**2 * np.diag(za.T @ proj @ za)
    assert [a.effect for a in e.assessors] == pytest.approx(list(blup), abs=1e-9)
    assert [a.se for a in e.assessors] == pytest.approx(list(np.sqrt(pev)), abs=1e-9)


# Penicillin (Davies & Goldsmith 1972, Statistical Methods in Research and Production,
# Table 6.6; the lme4 data set): the inhibition zone's diameter, 24 plates each with all
# 6 samples, a fully crossed two-way random design. Bates (2010), lme4: Mixed-effects
# modeling with R, chapter 2, fits diameter ~ 1 + (1|plate) + (1|sample) by REML and
# gives the standard deviations 0.8467 (plate), 1.9316 (sample), 0.5499 (residual) and
# the intercept 22.9722; MixedModels.jl's own tests (test/plstwoscalar.jl) hold its REML
# objective to 330.86058899122156. Plates play candidates, samples assessors.
PENICILLIN = """
27 23 26 23 23 21|27 23 26 23 23 21|25 21 25 24 24 20|26 23 25 23 23 20|25 22 26 22 23 20
24 22 25 23 22 19|24 20 23 21 22 19|26 22 26 24 24 21|24 21 24 22 22 20|24 21 24 23 22 19
26 23 26 24 24 21|25 22 26 24 24 20|26 24 26 24 25 22|26 23 26 23 23 20|26 23 25 24 24 22
25 22 25 23 23 20|25 21 24 23 23 20|25 22 24 23 23 19|24 21 23 21 21 19|26 23 26 24 24 21
25 21 24 22 22 18|25 22 25 22 22 20|24 21 24 22 24 19|24 21 24 22 21 18
"""


def penicillin() -> list[Observation]:
    plates = [row.split() for row in PENICILLIN.replace("\n", "|").split("|") if row.strip()]
    assert len(plates) == 24
    return [
        Observation(f"plate {i + 1}", "diameter", "ABCDEF"[j], float(v), DAY, 0)
        for i, row in enumerate(plates)
        for j, v in enumerate(row)
    ]


def test_the_penicillin_example_as_published() -> None:
    e = examiner_effects(penicillin())
    v = e.variance
    assert np.sqrt(v.candidate) == pytest.approx(0.8467, abs=5e-5)
    assert np.sqrt(v.assessor) == pytest.approx(1.9316, abs=5e-5)
    assert np.sqrt(v.residual) == pytest.approx(0.5499, abs=5e-5)
    assert e.stations["diameter"] == pytest.approx(22.9722, abs=5e-5)
    n, p = 144, 1
    assert e.reml_criterion + (n - p) * (1 + np.log(2 * np.pi)) == pytest.approx(330.86058899122156, abs=1e-6)
    assert e.assessor_share == pytest.approx(v.assessor / (v.candidate + v.assessor + v.residual))


def _effects(shifts: dict[str, float]) -> ExaminerEffects:
    return ExaminerEffects(
        tuple(AssessorEffect(a, s, 0.1, s - 0.2, s + 0.2, 2, True) for a, s in shifts.items()),
        VarianceComponents(1.0, 1.0, 1.0),
        1 / 3,
        {"one": 10.0, "two": 10.0},
        {},
        4,
        0.0,
    )


def test_outcomes_changed_counts_each_direction_by_hand() -> None:
    # Candidate P met (20.5 ≥ 20) only through lenient L (+1): adjusted 19.5, not met.
    # Candidate Q did not meet (19.5) only because of stringent S (−1): adjusted 20.5, met.
    # Candidate R met well clear of either.
    effects = _effects({"L": 1.0, "S": -1.0})
    observations = [
        Observation("P", "one", "L", 10.5, DAY, 0),
        Observation("P", "two", "L", 10.0, DAY, 1),
        Observation("Q", "one", "S", 9.5, DAY, 0),
        Observation("Q", "two", "S", 10.0, DAY, 1),
        Observation("R", "one", "L", 14.0, DAY, 2),
        Observation("R", "two", "S", 12.0, DAY, 3),
    ]
    summed = outcomes_changed(effects, observations, cut=20.0, total="sum")
    assert (summed.candidates, summed.met, summed.met_adjusted) == (3, 2, 2)
    assert (summed.met_to_not_met, summed.not_met_to_met, summed.changed) == (1, 1, 2)
    meaned = outcomes_changed(effects, observations, cut=10.0, total="mean")
    assert (meaned.met_to_not_met, meaned.not_met_to_met) == (1, 1)
    # Two assessors at one station count as one station score, their mean.
    both = [
        Observation("P", "one", "L", 11.0, DAY, 0),
        Observation("P", "one", "S", 9.4, DAY, 0),
    ]
    assert outcomes_changed(effects, both, cut=10.2, total="sum").changed == 0
    assert outcomes_changed(effects, both, cut=10.1, total="sum").met == 1


def test_outcomes_changed_agrees_with_adjusting_by_hand(known: list[Observation]) -> None:
    effects = examiner_effects(known)
    shift = {e.assessor: e.effect for e in effects.assessors}
    station_scores: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for o in known:
        station_scores.setdefault((o.candidate, o.station), []).append((o.score, o.score - shift[o.assessor]))
    totals: dict[str, list[float]] = {}
    for (candidate, _), pairs in station_scores.items():
        row = totals.setdefault(candidate, [0.0, 0.0])
        row[0] += sum(p[0] for p in pairs) / len(pairs)
        row[1] += sum(p[1] for p in pairs) / len(pairs)
    cut = 60.0
    down = sum(1 for b, a in totals.values() if b >= cut > a)
    up = sum(1 for b, a in totals.values() if a >= cut > b)
    changed = outcomes_changed(effects, known, cut)
    assert (changed.met_to_not_met, changed.not_met_to_met) == (down, up)
    assert down > 0 and up > 0


def test_personal_sheet_holds_only_the_assessors_own_figures(known: list[Observation]) -> None:
    effects = examiner_effects(known)
    trends = drift(known, effects)
    sheet = personal_sheet(effects, trends, "A000")
    assert sheet.effect == effects.of("A000")
    assert sheet.n == sum(1 for o in known if o.assessor == "A000")
    assert sheet.slot == trends.slot_of("A000") and sheet.day == trends.day_of("A000")
    assert sheet.slot is not None and sheet.slot.assessor == "A000"
    # The most lenient of twelve: eleven below, none level.
    assert sheet.among == 12
    assert sheet.percentile == pytest.approx(100 * 11.5 / 12)
    assert personal_sheet(effects, trends, "A001").percentile == pytest.approx(100 * 0.5 / 12)
    text = repr(sheet)
    for other in effects.assessors:
        if other.assessor != "A000":
            assert other.assessor not in text
            assert repr(other.effect) not in text
    assert "A000" in text
    with pytest.raises(NotEnoughData, match="A999"):
        personal_sheet(effects, trends, "A999")


def test_personal_sheet_without_drift() -> None:
    effects = examiner_effects(penicillin())
    sheet = personal_sheet(effects, None, "A")
    assert sheet.slot is None and sheet.day is None and sheet.among == 6


@pytest.mark.parametrize(
    ("observations", "words"),
    [
        ([], "at least 1 observations"),
        ([Observation(f"C{i}", "one", "A", float(i), DAY, i) for i in range(10)], "at least 2 assessors"),
        ([Observation("C", "one", a, 3.0, DAY, 0) for a in "ABC"], "at least 2 candidates"),
        (
            [Observation(c, s, a, 3.0, DAY, 0) for c, s, a in (("C", "one", "A"), ("D", "two", "B"))],
            "needs at least 5 observations",
        ),
        ([Observation("C", "one", "A", float("nan"), DAY, 0)], "observation 1 has no score"),
        ([Observation(f"C{i}", "one", "AB"[i % 2], float(i), DAY, 0) for i in range(8)], "one score only"),
        ([Observation(f"C{i % 4}", "one", "AB"[i % 2], 7.0, DAY, 0) for i in range(8)], "no difference"),
    ],
)
def test_too_little_or_bad_data_is_refused_in_a_sentence(observations: list[Observation], words: str) -> None:
    with pytest.raises(NotEnoughData, match=words) as refused:
        examiner_effects(observations)
    assert "\n" not in str(refused.value)


def test_outcomes_changed_refuses_an_assessor_the_model_did_not_see() -> None:
    effects = _effects({"L": 1.0})
    with pytest.raises(NotEnoughData, match="assessor X has no estimated effect"):
        outcomes_changed(effects, [Observation("P", "one", "X", 1.0, DAY, 0)], cut=1.0)
    with pytest.raises(NotEnoughData, match="sum or the mean"):
        outcomes_changed(effects, [Observation("P", "one", "L", 1.0, DAY, 0)], 1.0, "median")  # type: ignore[arg-type]


def test_holm_adjusts_as_published() -> None:
    # Holm (1979)'s procedure by hand: sorted p 0.01, 0.02, 0.03, 0.04 among m = 4 → 0.04,
    # 0.06, 0.06 (kept monotone), 0.06; the original order is given back.
    from naas_centre.qa.stringency import holm

    got = holm(np.array([0.03, 0.01, 0.04, 0.02]))
    assert got.tolist() == pytest.approx([0.06, 0.04, 0.06, 0.06])
    assert holm(np.array([0.5, 0.9])).tolist() == pytest.approx([1.0, 1.0])
    from statsmodels.stats.multitest import multipletests  # type: ignore[import-untyped]

    p = np.random.default_rng(7).uniform(0, 0.2, 200)
    assert holm(p) == pytest.approx(multipletests(p, method="holm")[1], abs=1e-12)
