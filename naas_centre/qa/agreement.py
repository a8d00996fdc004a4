"""How far two raters agree on the same subjects: exact and adjacent agreement, Cohen's
kappa and weighted kappa.

Subjects missing either rating are left out. Levels are numbers (rubric levels); the
weights for weighted kappa are agreement weights, 1 on the diagonal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from naas_centre.qa.tables import Cell, Floats, NotEnoughData, column, need

WeightScheme = Literal["linear", "quadratic"]


@dataclass(frozen=True)
class Agreement:
    exact: float  # share of subjects given the same level by both
    adjacent: float  # share within one level of each other (exact included)
    n: int


@dataclass(frozen=True)
class Kappa:
    kappa: float
    observed: float  # (weighted) proportion of agreement observed
    expected: float  # (weighted) proportion expected by chance from the two raters' margins
    n: int
    levels: tuple[float, ...]
    weights: str = "none"  # "none" for Cohen's kappa; "linear", "quadratic" or "given"


def paired(first: Sequence[Cell] | Floats, second: Sequence[Cell] | Floats) -> tuple[Floats, Floats]:
    """The two raters' values on the subjects both rated."""
    a, b = column(first), column(second)
    if a.shape != b.shape:
        raise NotEnoughData(f"the two raters rate different numbers of subjects ({a.size} and {b.size})")
    both = ~(np.isnan(a) | np.isnan(b))
    need(int(both.sum()), 2, "subjects rated by both raters")
    return a[both], b[both]


def agreement(first: Sequence[Cell] | Floats, second: Sequence[Cell] | Floats) -> Agreement:
    a, b = paired(first, second)
    gap = np.abs(a - b)
    return Agreement(float(np.mean(gap == 0)), float(np.mean(gap <= 1)), int(a.size))


def cohen_kappa(
    first: Sequence[Cell] | Floats, second: Sequence[Cell] | Floats, levels: Sequence[float] | None = None
) -> Kappa:
    """Cohen (1960): (p_o - p_e) / (1 - p_e)."""
    a, b = paired(first, second)
    scale = scale_of(a, b, levels)
    return _kappa(a, b, scale, np.eye(len(scale)), "none")


def weighted_kappa(
    first: Sequence[Cell] | Floats,
    second: Sequence[Cell] | Floats,
    weights: WeightScheme | Sequence[Sequence[float]] | Floats = "linear",
    levels: Sequence[float] | None = None,
) -> Kappa:
    """Cohen (1968) with agreement weights w: (Σw·p_o - Σw·p_e) / (1 - Σw·p_e).

    Linear weights are 1 - |i - j| / (max - min) and quadratic 1 - (i - j)² / (max - min)²,
    from the levels' values; the levels are those given, else those either rater used.
    A given matrix has a row and a column per level, lowest first.
    """
    a, b = paired(first, second)
    scale = scale_of(a, b, levels)
    if isinstance(weights, str):
        w = scheme_weights(scale, weights)
        name: str = weights
    else:
        w = np.asarray(weights, dtype=np.float64)
        check_weights(w, len(scale))
        name = "given"
    return _kappa(a, b, scale, w, name)


def scheme_weights(scale: Sequence[float], scheme: WeightScheme) -> Floats:
    values = np.asarray(scale, dtype=np.float64)
    span = float(values.max() - values.min()) if values.size else 0.0
    gap = np.abs(values[:, None] - values[None, :]) / (span or 1.0)
    if scheme == "linear":
        return np.asarray(1.0 - gap, dtype=np.float64)
    if scheme == "quadratic":
        return np.asarray(1.0 - gap**2, dtype=np.float64)
    raise NotEnoughData(f"unknown weights {scheme!r}: linear, quadratic or a matrix")


def check_weights(w: Floats, size: int) -> None:
    """A matrix of agreement weights: square, one row per level, 1 on the diagonal, within 0..1."""
    if w.ndim != 2 or w.shape[0] != w.shape[1]:
        raise NotEnoughData(f"the weights are not a square matrix ({'×'.join(map(str, w.shape))})")
    if w.shape[0] != size:
        raise NotEnoughData(f"the weights are {w.shape[0]}×{w.shape[0]}, but there are {size} levels")
    if np.isnan(w).any():
        raise NotEnoughData("the weights have an empty cell")
    off = [i for i in range(size) if w[i, i] != 1.0]
    if off:
        raise NotEnoughData(
            f"the weights must be 1 on the diagonal; row {off[0] + 1} has {w[off[0], off[0]]:g}"
        )
    if (w < 0).any() or (w > 1).any():
        raise NotEnoughData("agreement weights lie between 0 and 1")


def scale_of(a: Floats, b: Floats, given: Sequence[float] | None) -> tuple[float, ...]:
    """The levels kappa is computed over: those given (checked to hold every value), else those used."""
    used = sorted(set(a.tolist()) | set(b.tolist()))
    if given is None:
        return tuple(used)
    scale = tuple(sorted(float(v) for v in given))
    stray = [v for v in used if v not in scale]
    if stray:
        raise NotEnoughData(f"level {stray[0]:g} was given but is not one of the levels {list(scale)}")
    return scale


def _kappa(a: Floats, b: Floats, scale: tuple[float, ...], w: Floats, name: str) -> Kappa:
    index = {v: i for i, v in enumerate(scale)}
    k = len(scale)
    table = np.zeros((k, k))
    for x, y in zip(a.tolist(), b.tolist(), strict=True):
        table[index[x], index[y]] += 1
    p = table / table.sum()
    chance = np.outer(p.sum(axis=1), p.sum(axis=0))
    observed, expected = float((w * p).sum()), float((w * chance).sum())
    if expected >= 1.0 - 1e-12:
        raise NotEnoughData("kappa is undefined: agreement expected by chance is already complete")
    return Kappa((observed - expected) / (1.0 - expected), observed, expected, int(a.size), scale, name)
