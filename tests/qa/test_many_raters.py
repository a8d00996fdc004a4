"""Fleiss' kappa on Fleiss' (1971) data; Krippendorff's alpha on Krippendorff's (2011)
example and against the krippendorff package on generated data with missing values."""

from __future__ import annotations

import krippendorff
import numpy as np
import pytest

from naas_centre.qa.many_raters import fleiss_kappa, fleiss_kappa_counts, krippendorff_alpha
from naas_centre.qa.tables import NotEnoughData

# Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters. Psychological
# Bulletin 76(5), 378-382, Table 1: 30 patients, 6 psychiatrists each, five diagnoses
# (1 depression, 2 personality disorder, 3 schizophrenia, 4 neurosis, 5 other), as the
# raw ratings of R's irr::diagnoses. Published: kappa = .430; per category .245, .245,
# .520, .471, .566.
DIAGNOSES = [
    [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5],
    [2, 2, 2, 4, 4, 4], [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4],
    [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5], [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4],
    [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5], [3, 3, 3, 3, 3, 5],
    [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4],
    [1, 4, 4, 4, 4, 5], [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4],
    [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
]  # fmt: skip

# Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability, section C: four
# observers, twelve units, values 1-5, missing data. Published: nominal .743, ordinal
# .815, interval .849.
N = None
KRIPPENDORFF_2011 = [  # units (rows) by observers A, B, C, D
    [1, 1, N, 1], [2, 2, 3, 2], [3, 3, 3, 3], [3, 3, 3, 3], [2, 2, 2, 2], [1, 2, 3, 4],
    [4, 4, 4, 4], [1, 1, 2, 1], [2, 2, 2, 2], [N, 5, 5, 5], [N, N, 1, 1], [N, 3, N, N],
]  # fmt: skip


def test_fleiss_1971() -> None:
    k = fleiss_kappa(DIAGNOSES)
    assert round(k.kappa, 3) == 0.430
    assert [round(v, 3) for _, v in k.per_level] == [0.245, 0.245, 0.520, 0.471, 0.566]
    assert (k.n, k.raters) == (30, 6)


def test_fleiss_from_counts_is_the_same() -> None:
    counts = [[row.count(c) for c in range(1, 6)] for row in DIAGNOSES]
    assert fleiss_kappa_counts(counts).kappa == pytest.approx(fleiss_kappa(DIAGNOSES).kappa, abs=1e-12)


def test_fleiss_refuses_uneven_rows_naming_the_subject() -> None:
    with pytest.raises(NotEnoughData) as caught:
        fleiss_kappa([[1, 1, 2], [1, 2, None], [2, 2, 2]])
    assert caught.value.row == 1


@pytest.mark.parametrize(
    ("metric", "published"), [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)]
)
def test_krippendorff_2011(metric: str, published: float) -> None:
    a = krippendorff_alpha(KRIPPENDORFF_2011, metric)  # type: ignore[arg-type]
    assert round(a.alpha, 3) == published
    assert a.n == 11  # the last unit has one value and cannot be paired


@pytest.mark.parametrize("metric", ["nominal", "ordinal", "interval", "ratio"])
def test_krippendorff_matches_the_krippendorff_package(metric: str) -> None:
    rng = np.random.default_rng(11)
    for _ in range(10):
        truth = rng.integers(1, 6, (40, 1))
        table = np.clip(truth + rng.integers(-1, 2, (40, 4)), 1, 5).astype(float)
        table[rng.random(table.shape) < 0.2] = np.nan
        theirs = krippendorff.alpha(reliability_data=table.T, level_of_measurement=metric)
        assert krippendorff_alpha(table, metric).alpha == pytest.approx(theirs, abs=1e-6)  # type: ignore[arg-type]
