"""The G and D study. For the nested design, averaging each station's assessors gives a
candidates × stations table whose alpha is G and whose ICC(2,k) is Phi exactly (the
expected mean squares cancel to 1 - MS_ps/MS_p and to McGraw & Wong's ICC(A,k) on the
station means; docs/qa-statistics.md shows the algebra); pingouin gives those.
For both designs, the variance components must give back the mean squares
through the expected mean squares, and a large generated study must recover its components."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pingouin
import pytest

from naas_centre.qa.generalisability import g_study
from naas_centre.qa.tables import NotEnoughData

PINGOUIN_WARNING = "ignore:The inplace keyword:pandas.errors.Pandas4Warning"


def _scores(rng: np.random.Generator, p: int, s: int, a: int) -> np.ndarray:
    return (
        rng.normal(size=(p, 1, 1)) * 1.0
        + rng.normal(size=(1, s, 1)) * 0.6
        + rng.normal(size=(1, 1, a)) * 0.4
        + rng.normal(size=(p, s, 1)) * 0.7
        + rng.normal(size=(p, s, a)) * 0.5
    )


@pytest.mark.filterwarnings(PINGOUIN_WARNING)
def test_nested_g_and_phi_are_alpha_and_icc_2k_of_station_means() -> None:
    rng = np.random.default_rng(4)
    x = _scores(rng, 40, 5, 2)
    study = g_study(x, "nested")
    assert study.set_to_zero == ()  # the identities hold for unclipped components
    means = x.mean(axis=2)
    alpha, _ = pingouin.cronbach_alpha(pd.DataFrame(means))
    long = pd.DataFrame(
        [(i, j, v) for i, row in enumerate(means) for j, v in enumerate(row)], columns=list("tsv")
    )
    iccs = pingouin.intraclass_corr(long, "t", "s", "v").set_index("Type")
    assert study.observed.g == pytest.approx(alpha, abs=1e-6)
    assert study.observed.phi == pytest.approx(iccs.loc["ICC(A,k)", "ICC"], abs=1e-6)


@pytest.mark.parametrize("design", ["crossed", "nested"])
def test_components_give_back_the_mean_squares(design: str) -> None:
    rng = np.random.default_rng(8)
    p, s, a = 30, 4, 3
    study = g_study(_scores(rng, p, s, a), design)  # type: ignore[arg-type]
    v = {c.effect: c.variance for c in study.components}
    ms = {c.effect: c.mean_square for c in study.components}
    e = v["residual"]
    if design == "crossed":
        assert ms["candidate"] == pytest.approx(
            e + a * v["candidate×station"] + s * v["candidate×assessor"] + s * a * v["candidate"]
        )
        assert ms["station"] == pytest.approx(
            e + p * v["station×assessor"] + a * v["candidate×station"] + p * a * v["station"]
        )
        assert ms["assessor"] == pytest.approx(
            e + p * v["station×assessor"] + s * v["candidate×assessor"] + p * s * v["assessor"]
        )
        assert [c.df for c in study.components] == [29, 3, 2, 87, 58, 6, 174]
    else:
        assert ms["candidate"] == pytest.approx(e + a * v["candidate×station"] + s * a * v["candidate"])
        assert ms["station"] == pytest.approx(
            e + p * v["assessor:station"] + a * v["candidate×station"] + p * a * v["station"]
        )
        assert [c.df for c in study.components] == [29, 3, 8, 87, 232]
    assert sum(c.df for c in study.components) == p * s * a - 1


def test_a_large_crossed_study_recovers_its_components() -> None:
    rng = np.random.default_rng(12)
    p, s, a = 1500, 12, 10
    x = (
        rng.normal(size=(p, 1, 1)) * 1.0  # candidate 1.0
        + rng.normal(size=(1, s, 1)) * 0.0
        + rng.normal(size=(p, s, 1)) * np.sqrt(0.5)  # candidate×station 0.5
        + rng.normal(size=(p, 1, a)) * np.sqrt(0.1)  # candidate×assessor 0.1
        + rng.normal(size=(p, s, a)) * np.sqrt(0.3)  # residual 0.3
    )
    study = g_study(x, "crossed")
    assert study.variance("candidate") == pytest.approx(1.0, abs=0.1)
    assert study.variance("candidate×station") == pytest.approx(0.5, abs=0.03)
    assert study.variance("candidate×assessor") == pytest.approx(0.1, abs=0.01)
    assert study.variance("residual") == pytest.approx(0.3, abs=0.01)


def test_decision_study_and_smallest_design() -> None:
    rng = np.random.default_rng(1)
    study = g_study(_scores(rng, 60, 4, 2), "nested", max_stations=10, max_assessors=3)
    assert len(study.decisions) == 30
    best = study.smallest_for_g
    assert best is not None and best.g >= 0.8
    smaller = [d for d in study.decisions if d.stations * d.assessors < best.stations * best.assessors]
    assert all(d.g < 0.8 for d in smaller)
    # More stations never lower G; the absolute error is at least the relative.
    one = [d for d in study.decisions if d.assessors == 1]
    assert all(x.g <= y.g for x, y in itertools.pairwise(one))
    assert all(d.sem_absolute >= d.sem_relative and d.phi <= d.g for d in study.decisions)
    observed = next(d for d in study.decisions if (d.stations, d.assessors) == (4, 2))
    assert observed == study.observed


def test_needs_a_complete_design() -> None:
    x = np.ones((5, 3, 2))
    x[1, 1, 1] = np.nan
    with pytest.raises(NotEnoughData, match="complete"):
        g_study(x)
    with pytest.raises(NotEnoughData, match="at least 2 stations"):
        g_study(np.ones((5, 1, 2)))
