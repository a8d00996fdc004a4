"""Two-rater agreement: Cohen's (1960) worked example, and scikit-learn on generated data."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from naas_centre.qa.agreement import agreement, cohen_kappa, weighted_kappa
from naas_centre.qa.tables import NotEnoughData


def _from_counts(counts: list[list[int]]) -> tuple[list[int], list[int]]:
    a: list[int] = []
    b: list[int] = []
    for i, row in enumerate(counts):
        for j, c in enumerate(row):
            a += [i + 1] * c
            b += [j + 1] * c
    return a, b


def test_cohen_1960_table_1() -> None:
    # Cohen, J. (1960). A coefficient of agreement for nominal scales. Educational and
    # Psychological Measurement 20, 37-46, Table 1: 200 subjects, three categories;
    # p_o = .70, p_c = .41, kappa = .492.
    a, b = _from_counts([[88, 14, 18], [10, 40, 10], [2, 6, 12]])
    k = cohen_kappa(a, b)
    assert k.observed == pytest.approx(0.70)
    assert k.expected == pytest.approx(0.41)
    assert round(k.kappa, 3) == 0.492
    assert k.n == 200


@pytest.mark.parametrize("scheme", ["linear", "quadratic"])
def test_weighted_kappa_matches_scikit_learn(scheme: str) -> None:
    rng = np.random.default_rng(7)
    for _ in range(20):
        truth = rng.integers(1, 5, 60)
        a = np.clip(truth + rng.integers(-1, 2, 60), 1, 4)
        b = np.clip(truth + rng.integers(-1, 2, 60), 1, 4)
        ours = weighted_kappa(a.tolist(), b.tolist(), scheme)  # type: ignore[arg-type]
        assert ours.kappa == pytest.approx(cohen_kappa_score(a, b, weights=scheme), abs=1e-9)
        assert cohen_kappa(a.tolist(), b.tolist()).kappa == pytest.approx(cohen_kappa_score(a, b), abs=1e-9)


def test_a_given_matrix_equal_to_linear_gives_linear() -> None:
    rng = np.random.default_rng(3)
    a, b = rng.integers(1, 4, 40), rng.integers(1, 4, 40)
    linear = [[1, 0.5, 0], [0.5, 1, 0.5], [0, 0.5, 1]]
    assert weighted_kappa(a, b, linear).kappa == pytest.approx(cohen_kappa_score(a, b, weights="linear"))
    # The identity matrix is Cohen's unweighted kappa.
    assert weighted_kappa(a, b, np.eye(3)).kappa == pytest.approx(cohen_kappa_score(a, b))


def test_missing_ratings_leave_the_subject_out() -> None:
    a = [1, 2, 3, None, 2, float("nan"), 1]
    b = [1, 2, 2, 3, None, 1, 1]
    k = cohen_kappa(a, b)
    assert k.n == 4
    assert k.kappa == pytest.approx(cohen_kappa_score([1, 2, 3, 1], [1, 2, 2, 1]))


def test_exact_and_adjacent_agreement() -> None:
    r = agreement([1, 2, 3, 4, None], [1, 3, 1, 4, 2])
    assert (r.exact, r.adjacent, r.n) == (0.5, 0.75, 4)


def test_levels_given_must_hold_every_value_and_weights_must_fit() -> None:
    with pytest.raises(NotEnoughData, match="level 5"):
        cohen_kappa([1, 2, 5], [1, 2, 2], levels=[1, 2, 3, 4])
    with pytest.raises(NotEnoughData, match="1 on the diagonal"):
        weighted_kappa([1, 2, 1], [1, 2, 2], [[1, 0], [0, 0.5]])
    with pytest.raises(NotEnoughData, match="2 levels"):
        weighted_kappa([1, 2, 1], [1, 2, 2], np.eye(3))
    with pytest.raises(NotEnoughData, match="undefined"):
        cohen_kappa([1, 1, 1], [1, 1, 1])
