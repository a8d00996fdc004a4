"""Agreement among more than two raters: Fleiss' kappa and Krippendorff's alpha.

Tables are subjects (rows) by raters (columns); a missing rating is NaN or ``None``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from naas_centre.qa.tables import Cell, Floats, NotEnoughData, matrix, need

Metric = Literal["nominal", "ordinal", "interval", "ratio"]


@dataclass(frozen=True)
class FleissKappa:
    kappa: float
    observed: float  # mean agreement over subjects, P-bar
    expected: float  # chance agreement from the category shares, P-bar_e
    per_level: tuple[tuple[float, float], ...]  # (level, kappa for that level against the rest)
    n: int  # subjects
    raters: int  # ratings per subject


@dataclass(frozen=True)
class KrippendorffAlpha:
    alpha: float
    metric: Metric
    observed_disagreement: float
    expected_disagreement: float
    n: int  # units with at least two values (pairable)
    values: int  # pairable values, the n.. of Krippendorff


def fleiss_kappa(rows: Sequence[Sequence[Cell]] | Floats) -> FleissKappa:
    """Fleiss (1971) over raw ratings; every subject needs the same number of ratings."""
    table = matrix(rows)
    counts_per_row = (~np.isnan(table)).sum(axis=1)
    need(table.shape[0], 2, "subjects")
    m = int(counts_per_row[0]) if counts_per_row.size else 0
    uneven = np.flatnonzero(counts_per_row != m)
    if uneven.size:
        i = int(uneven[0])
        raise NotEnoughData(
            f"Fleiss' kappa needs the same number of ratings for every subject: "
            f"{int(counts_per_row[i])} here, {m} for the first",
            i,
        )
    levels = sorted(set(table[~np.isnan(table)].tolist()))
    counts = np.array([[np.sum(row == v) for v in levels] for row in table], dtype=np.float64)
    return _fleiss(counts, tuple(levels))


def fleiss_kappa_counts(
    counts: Sequence[Sequence[int]] | Floats, levels: Sequence[float] | None = None
) -> FleissKappa:
    """Fleiss (1971) over a subjects × categories table of how many raters chose each."""
    table = np.asarray(counts, dtype=np.float64)
    need(table.shape[0], 2, "subjects")
    return _fleiss(
        table, tuple(levels) if levels is not None else tuple(float(i + 1) for i in range(table.shape[1]))
    )


def _fleiss(counts: Floats, levels: tuple[float, ...]) -> FleissKappa:
    n_subjects = counts.shape[0]
    m = counts.sum(axis=1)
    if not np.all(m == m[0]):
        raise NotEnoughData(
            "Fleiss' kappa needs the same number of ratings for every subject", int(np.argmax(m != m[0]))
        )
    raters = int(m[0])
    need(raters, 2, "ratings per subject")
    p_j = counts.sum(axis=0) / (n_subjects * raters)
    p_i = (np.sum(counts**2, axis=1) - raters) / (raters * (raters - 1))
    observed, expected = float(p_i.mean()), float(np.sum(p_j**2))
    if expected >= 1.0 - 1e-12:
        raise NotEnoughData("Fleiss' kappa is undefined: every rating is the same level")
    kappa = (observed - expected) / (1.0 - expected)
    # Fleiss (1971), eq. 11: each category against the rest.
    per = []
    for j, level in enumerate(levels):
        pq = p_j[j] * (1 - p_j[j])
        disagree = np.sum(counts[:, j] * (raters - counts[:, j]))
        per.append(
            (
                level,
                float(1 - disagree / (n_subjects * raters * (raters - 1) * pq)) if pq > 0 else float("nan"),
            )
        )
    return FleissKappa(kappa, observed, expected, tuple(per), n_subjects, raters)


def krippendorff_alpha(
    rows: Sequence[Sequence[Cell]] | Floats, metric: Metric = "ordinal"
) -> KrippendorffAlpha:
    """Krippendorff (2011): 1 - D_o / D_e from the coincidence matrix, missing values allowed.

    Units with fewer than two values are not pairable and are left out.
    """
    table = matrix(rows)
    present = ~np.isnan(table)
    pairable = present.sum(axis=1) >= 2
    units = table[pairable]
    need(units.shape[0], 1, "subjects with two or more ratings")
    values = np.array(sorted(set(units[~np.isnan(units)].tolist())), dtype=np.float64)
    index = {v: i for i, v in enumerate(values.tolist())}
    k = values.size
    coincidence = np.zeros((k, k))
    for unit in units:
        seen = unit[~np.isnan(unit)]
        c = np.zeros(k)
        for v in seen.tolist():
            c[index[v]] += 1
        # Every ordered pair of values from different coders, weighted 1 / (m_u - 1).
        coincidence += (np.outer(c, c) - np.diag(c)) / (seen.size - 1)
    n_c = coincidence.sum(axis=1)
    total = float(n_c.sum())
    delta = _distance(values, n_c, metric)
    observed = float(np.sum(coincidence * delta)) / total
    expected = float(np.sum(np.outer(n_c, n_c) * delta)) / (total * (total - 1))
    if expected == 0.0:
        raise NotEnoughData("Krippendorff's alpha is undefined: every rating is the same value")
    return KrippendorffAlpha(
        1.0 - observed / expected, metric, observed, expected, int(units.shape[0]), int(total)
    )


def _distance(values: Floats, n_c: Floats, metric: Metric) -> Floats:
    diff = values[:, None] - values[None, :]
    if metric == "nominal":
        return np.asarray(diff != 0, dtype=np.float64)
    if metric == "interval":
        return np.asarray(diff**2, dtype=np.float64)
    if metric == "ratio":
        total = values[:, None] + values[None, :]
        with np.errstate(invalid="ignore", divide="ignore"):
            d = np.where(total == 0, 0.0, (diff / np.where(total == 0, 1, total)) ** 2)
        return np.asarray(d, dtype=np.float64)
    if metric == "ordinal":
        # δ_ck = (Σ_{g=c..k} n_g - (n_c + n_k) / 2)², the ranks the values' frequencies give.
        cum = np.concatenate([[0.0], np.cumsum(n_c)])
        i, j = np.meshgrid(np.arange(values.size), np.arange(values.size), indexing="ij")
        lo, hi = np.minimum(i, j), np.maximum(i, j)
        between = cum[hi + 1] - cum[lo]
        return np.asarray((between - (n_c[i] + n_c[j]) / 2) ** 2, dtype=np.float64)
    raise NotEnoughData(f"unknown metric {metric!r}: nominal, ordinal, interval or ratio")
