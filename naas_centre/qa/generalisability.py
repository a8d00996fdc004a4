"""A generalisability study of candidates' scores over stations and assessors, and the
decision study built on it (Cronbach et al. 1972; Brennan 2001, chapters 3 and 4).

The scores are a balanced, complete array ``[candidate, station, assessor]``:
- ``crossed`` (p × s × a): the same assessors score every station;
- ``nested`` (p × (a:s)): each station has assessors of its own (index ``a`` within ``s``).
Variance components come from the ANOVA mean squares through their expected values
(random effects). A negative estimate is set to zero where the coefficients use it, as is
usual (Brennan 2001, 3.4), and named in ``set_to_zero``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from naas_centre.qa.tables import Floats, NotEnoughData, need

Design = Literal["crossed", "nested"]
TARGET = 0.8


@dataclass(frozen=True)
class Component:
    effect: str  # "candidate", "station", "assessor", "candidate×station", ...
    df: int
    mean_square: float
    variance: float  # the estimate from the expected mean squares, as it came
    share: float  # of the total variance, negatives counted as zero


@dataclass(frozen=True)
class DesignFigures:
    stations: int
    assessors: int  # per station
    g: float  # relative (norm-referenced) coefficient, E rho²
    phi: float  # absolute (criterion-referenced), the one for a pass mark
    sem_relative: float
    sem_absolute: float  # the standard error of a candidate's mean score around a cut score


@dataclass(frozen=True)
class GStudy:
    design: Design
    candidates: int
    components: tuple[Component, ...]
    set_to_zero: tuple[str, ...]
    observed: DesignFigures  # the design the data came from
    decisions: tuple[DesignFigures, ...]  # every stations × assessors in the decision grid
    smallest_for_g: DesignFigures | None  # fewest observations per candidate reaching the target
    smallest_for_phi: DesignFigures | None
    target: float

    def variance(self, effect: str) -> float:
        return max(0.0, next(c.variance for c in self.components if c.effect == effect))


def g_study(
    scores: Floats,
    design: Design = "crossed",
    max_stations: int = 12,
    max_assessors: int = 4,
    target: float = TARGET,
) -> GStudy:
    x = np.asarray(scores, dtype=np.float64)
    if x.ndim != 3:
        raise NotEnoughData("scores must be candidates × stations × assessors")
    if np.isnan(x).any():
        raise NotEnoughData("a generalisability study needs every score: the design must be complete")
    npp, ns, na = x.shape
    need(npp, 2, "candidates")
    need(ns, 2, "stations")
    need(na, 2, "assessors per station" if design == "nested" else "assessors")
    raw = _crossed(x) if design == "crossed" else _nested(x)
    total = float(sum(max(0.0, v) for _, _, _, v in raw)) or 1.0
    components = tuple(
        Component(e, int(df), float(ms), float(v), float(max(0.0, v) / total)) for e, df, ms, v in raw
    )
    var = {c.effect: max(0.0, c.variance) for c in components}
    zeroed = tuple(c.effect for c in components if c.variance < 0)

    def figures(s: int, a: int) -> DesignFigures:
        return _figures(design, var, s, a)

    grid = tuple(figures(s, a) for s in range(1, max_stations + 1) for a in range(1, max_assessors + 1))
    return GStudy(
        design,
        npp,
        components,
        zeroed,
        figures(ns, na),
        grid,
        _smallest(grid, "g", target),
        _smallest(grid, "phi", target),
        target,
    )


def _figures(design: Design, v: dict[str, float], s: int, a: int) -> DesignFigures:
    if design == "crossed":
        rel = v["candidate×station"] / s + v["candidate×assessor"] / a + v["residual"] / (s * a)
        absolute = rel + v["station"] / s + v["assessor"] / a + v["station×assessor"] / (s * a)
    else:
        rel = v["candidate×station"] / s + v["residual"] / (s * a)
        absolute = rel + v["station"] / s + v["assessor:station"] / (s * a)
    p = v["candidate"]
    g = p / (p + rel) if p + rel > 0 else float("nan")
    phi = p / (p + absolute) if p + absolute > 0 else float("nan")
    return DesignFigures(s, a, float(g), float(phi), float(np.sqrt(rel)), float(np.sqrt(absolute)))


def _smallest(grid: tuple[DesignFigures, ...], which: str, target: float) -> DesignFigures | None:
    reaching = [d for d in grid if getattr(d, which) >= target]
    # Fewest observations per candidate; then fewer assessors, who are the scarcer.
    return min(reaching, key=lambda d: (d.stations * d.assessors, d.assessors), default=None)


def _crossed(x: Floats) -> list[tuple[str, int, float, float]]:
    npp, ns, na = x.shape
    m = x.mean()
    mp, ms, ma = x.mean(axis=(1, 2)), x.mean(axis=(0, 2)), x.mean(axis=(0, 1))
    mps, mpa, msa = x.mean(axis=2), x.mean(axis=1), x.mean(axis=0)
    ss_p = ns * na * np.sum((mp - m) ** 2)
    ss_s = npp * na * np.sum((ms - m) ** 2)
    ss_a = npp * ns * np.sum((ma - m) ** 2)
    ss_ps = na * np.sum((mps - mp[:, None] - ms[None, :] + m) ** 2)
    ss_pa = ns * np.sum((mpa - mp[:, None] - ma[None, :] + m) ** 2)
    ss_sa = npp * np.sum((msa - ms[:, None] - ma[None, :] + m) ** 2)
    ss_e = np.sum((x - m) ** 2) - ss_p - ss_s - ss_a - ss_ps - ss_pa - ss_sa
    df = {
        "p": npp - 1,
        "s": ns - 1,
        "a": na - 1,
        "ps": (npp - 1) * (ns - 1),
        "pa": (npp - 1) * (na - 1),
        "sa": (ns - 1) * (na - 1),
    }
    df["e"] = df["p"] * df["s"] * df["a"]
    ms_ = {
        "p": ss_p / df["p"],
        "s": ss_s / df["s"],
        "a": ss_a / df["a"],
        "ps": ss_ps / df["ps"],
        "pa": ss_pa / df["pa"],
        "sa": ss_sa / df["sa"],
        "e": ss_e / df["e"],
    }
    e = ms_["e"]
    return [
        ("candidate", df["p"], ms_["p"], (ms_["p"] - ms_["ps"] - ms_["pa"] + e) / (ns * na)),
        ("station", df["s"], ms_["s"], (ms_["s"] - ms_["ps"] - ms_["sa"] + e) / (npp * na)),
        ("assessor", df["a"], ms_["a"], (ms_["a"] - ms_["pa"] - ms_["sa"] + e) / (npp * ns)),
        ("candidate×station", df["ps"], ms_["ps"], (ms_["ps"] - e) / na),
        ("candidate×assessor", df["pa"], ms_["pa"], (ms_["pa"] - e) / ns),
        ("station×assessor", df["sa"], ms_["sa"], (ms_["sa"] - e) / npp),
        ("residual", df["e"], e, e),
    ]


def _nested(x: Floats) -> list[tuple[str, int, float, float]]:
    npp, ns, na = x.shape
    m = x.mean()
    mp, ms = x.mean(axis=(1, 2)), x.mean(axis=(0, 2))
    mps, msa = x.mean(axis=2), x.mean(axis=0)
    ss_p = ns * na * np.sum((mp - m) ** 2)
    ss_s = npp * na * np.sum((ms - m) ** 2)
    ss_as = npp * np.sum((msa - ms[:, None]) ** 2)
    ss_ps = na * np.sum((mps - mp[:, None] - ms[None, :] + m) ** 2)
    ss_e = np.sum((x - mps[:, :, None] - msa[None, :, :] + ms[None, :, None]) ** 2)
    df_p, df_s, df_as = npp - 1, ns - 1, ns * (na - 1)
    df_ps, df_e = (npp - 1) * (ns - 1), (npp - 1) * ns * (na - 1)
    msp, mss, msas, msps, mse = ss_p / df_p, ss_s / df_s, ss_as / df_as, ss_ps / df_ps, ss_e / df_e
    return [
        ("candidate", df_p, msp, (msp - msps) / (ns * na)),
        ("station", df_s, mss, (mss - msas - msps + mse) / (npp * na)),
        ("assessor:station", df_as, msas, (msas - mse) / npp),
        ("candidate×station", df_ps, msps, (msps - mse) / na),
        ("residual", df_e, mse, mse),
    ]
