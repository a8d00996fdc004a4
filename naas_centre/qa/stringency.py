"""Examiner stringency ("hawks and doves"): each assessor's leniency with candidates and
stations taken into account, by a linear mixed model fitted by REML.

    score = station (fixed) + candidate (random) + assessor (random, crossed) + residual

This is the model statsmodels fits as ``MixedLM`` with one group and the candidate and
assessor as variance components. Its general optimiser works on the dense covariance
of the one group, far too slow for a centre's history, so the same REML estimates are
found here from Henderson's mixed model equations (Henderson 1975, *Biometrics* 31,
423–447): the candidates' block is diagonal, so it is absorbed exactly and every
evaluation of the restricted likelihood and its gradient needs only one dense matrix of
the stations and assessors (Searle, Casella & McCulloch 1992, *Variance Components*,
6.8 and 7.6). A test holds the estimates to statsmodels' to 1e-6.

An assessor's effect is their BLUP in score units (positive: more lenient); its standard
error is the square root of the prediction error variance, Var(û − u), which counts the
uncertainty of the station means too; the 95% interval is ±1.96 of it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt
from scipy import optimize, sparse  # type: ignore[import-untyped]

from naas_centre.qa.tables import Floats, NotEnoughData, need

if TYPE_CHECKING:
    from naas_centre.qa.drift import Drift, Trend

Z95 = 1.959963984540054
Ints = npt.NDArray[np.intp]
Total = Literal["sum", "mean"]
# log(variance ratio) is searched within these bounds: e^-30 is a component of zero.
_LOG_BOUNDS = (-30.0, 15.0)


@dataclass(frozen=True)
class Observation:
    candidate: str  # ids, opaque
    station: str
    assessor: str
    score: float  # that assessor's station score (sum of criterion levels)
    day: date
    slot: int  # 0-based position of the sitting in the assessor's day


@dataclass(frozen=True)
class AssessorEffect:
    assessor: str
    effect: float  # BLUP in score units: positive = more lenient than the model expects
    se: float  # square root of the prediction error variance
    ci_low: float
    ci_high: float
    n: int  # their observations
    flagged: bool  # the 95% interval excludes zero


@dataclass(frozen=True)
class VarianceComponents:
    candidate: float
    assessor: float
    residual: float

    @property
    def total(self) -> float:
        return self.candidate + self.assessor + self.residual


@dataclass(frozen=True)
class ExaminerEffects:
    assessors: tuple[AssessorEffect, ...]  # in the order of their ids
    variance: VarianceComponents  # REML estimates
    assessor_share: float  # assessor variance over candidate + assessor + residual
    stations: Mapping[str, float]  # each station's fixed effect (its mean score)
    candidates: Mapping[str, float]  # each candidate's BLUP, score units
    observations: int
    reml_criterion: float  # -2 × the restricted log-likelihood, constants left out

    def of(self, assessor: str) -> AssessorEffect:
        for effect in self.assessors:
            if effect.assessor == assessor:
                return effect
        raise NotEnoughData(f"assessor {assessor} has no estimated effect")

    def expected(self, observation: Observation) -> float:
        """The model's score for this candidate at this station, without any assessor."""
        return self.stations[observation.station] + self.candidates[observation.candidate]


@dataclass(frozen=True)
class ChangedOutcomes:
    """Outcomes before and after removing each score's assessor effect.

    A candidate's station score is the mean of the scores their assessors gave there; the
    total is the sum or the mean of those, and is met when it reaches the cut."""

    cut: float
    total: Total
    candidates: int
    met: int  # as scored
    met_adjusted: int
    met_to_not_met: int
    not_met_to_met: int

    @property
    def changed(self) -> int:
        return self.met_to_not_met + self.not_met_to_met


@dataclass(frozen=True)
class PersonalSheet:
    """One assessor's own figures: nothing in it names or shows a colleague."""

    assessor: str
    effect: AssessorEffect
    percentile: float  # 0–100: the share of assessors less lenient, ties counted half
    among: int  # how many assessors the percentile is taken over
    slot: Trend | None  # their drift across the slots of a day, when it could be fitted
    day: Trend | None  # and across days


@dataclass(frozen=True)
class _Coded:
    y: Floats
    station: Ints
    candidate: Ints
    assessor: Ints
    station_ids: tuple[str, ...]
    candidate_ids: tuple[str, ...]
    assessor_ids: tuple[str, ...]


def _coded(observations: Sequence[Observation]) -> _Coded:
    need(len(observations), 1, "observations")
    y = np.fromiter((o.score for o in observations), dtype=np.float64, count=len(observations))
    if not np.isfinite(y).all():
        at = int(np.flatnonzero(~np.isfinite(y))[0])
        raise NotEnoughData(f"observation {at + 1} has no score")
    s_ids, s = np.unique(np.array([o.station for o in observations], dtype=object), return_inverse=True)
    c_ids, c = np.unique(np.array([o.candidate for o in observations], dtype=object), return_inverse=True)
    a_ids, a = np.unique(np.array([o.assessor for o in observations], dtype=object), return_inverse=True)
    return _Coded(
        y,
        s.ravel(),
        c.ravel(),
        a.ravel(),
        tuple(map(str, s_ids)),
        tuple(map(str, c_ids)),
        tuple(map(str, a_ids)),
    )


class _Equations:
    """Henderson's mixed model equations with the candidates absorbed.

    The unknowns are ordered [station means (p), assessors (q_a) | candidates (q_c)]; the
    first part is "R", the candidates "C". M_CC is diagonal, so for given variance ratios
    γ = σ²/σ²_e everything follows from the Schur complement S = M_RR − M_RC M_CC⁻¹ M_CR.
    """

    def __init__(self, d: _Coded) -> None:
        self.n = d.y.size
        self.p, self.qa, self.qc = len(d.station_ids), len(d.assessor_ids), len(d.candidate_ids)
        r = self.p + self.qa
        ones = np.ones(self.n)
        rows = np.concatenate([d.station, self.p + d.assessor])
        cols = np.concatenate([d.candidate, d.candidate])
        self.b = sparse.csr_matrix((np.concatenate([ones, ones]), (rows, cols)), shape=(r, self.qc))
        m_rr = np.zeros((r, r))
        np.add.at(m_rr, (d.station, self.p + d.assessor), 1.0)
        m_rr += m_rr.T.copy()
        m_rr[np.arange(self.p), np.arange(self.p)] = np.bincount(d.station, minlength=self.p)
        m_rr[self.p + np.arange(self.qa), self.p + np.arange(self.qa)] = np.bincount(
            d.assessor, minlength=self.qa
        )
        self.m_rr = m_rr
        self.n_c = np.bincount(d.candidate, minlength=self.qc).astype(np.float64)
        self.t_r = np.concatenate(
            [np.bincount(d.station, d.y, minlength=self.p), np.bincount(d.assessor, d.y, minlength=self.qa)]
        )
        self.t_c = np.bincount(d.candidate, d.y, minlength=self.qc)
        self.yy = float(d.y @ d.y)

    def solve(self, log_gamma: Floats) -> tuple[float, Floats, dict[str, Floats | float]]:
        """-2 × the REML log-likelihood (σ²_e profiled out), its gradient in log γ, and
        the solution."""
        g_c, g_a = np.exp(log_gamma)
        p, qa, qc, n = self.p, self.qa, self.qc, self.n
        dinv = 1.0 / (self.n_c + 1.0 / g_c)
        bd = self.b @ sparse.diags(dinv)
        s = self.m_rr - (bd @ self.b.T).toarray()
        s[p + np.arange(qa), p + np.arange(qa)] += 1.0 / g_a
        chol = np.linalg.cholesky(s)
        s_inv = np.linalg.inv(s)
        b_r = s_inv @ (self.t_r - bd @ self.t_c)
        b_c = dinv * (self.t_c - self.b.T @ b_r)
        rss = self.yy - float(b_r @ self.t_r) - float(b_c @ self.t_c)
        dof = n - p
        logdet = float(np.sum(np.log(1.0 / dinv))) + 2.0 * float(np.sum(np.log(np.diag(chol))))
        f = dof * np.log(rss / dof) + qc * np.log(g_c) + qa * np.log(g_a) + logdet
        u_a = b_r[p:]
        tr_aa = float(np.trace(s_inv[p:, p:]))
        # tr(C_cc) = Σ 1/D + tr(S⁻¹ B D⁻² B')
        bd2 = (bd @ bd.T).toarray()
        tr_cc = float(dinv.sum()) + float(np.sum(s_inv * bd2))
        grad = np.array(
            [
                qc - tr_cc / g_c - dof * float(b_c @ b_c) / (rss * g_c),
                qa - tr_aa / g_a - dof * float(u_a @ u_a) / (rss * g_a),
            ]
        )
        return float(f), grad, {"b_r": b_r, "b_c": b_c, "s_inv": s_inv, "sigma2": rss / dof}


def examiner_effects(observations: Sequence[Observation]) -> ExaminerEffects:
    d = _coded(observations)
    need(len(d.assessor_ids), 2, "assessors")
    need(len(d.candidate_ids), 2, "candidates")
    spare = d.y.size - len(d.station_ids)
    if spare < 3:
        raise NotEnoughData(
            f"the model needs at least {len(d.station_ids) + 3} observations for "
            f"{len(d.station_ids)} station(s); there are {d.y.size}"
        )
    eq = _Equations(d)

    def fun(x: Floats) -> tuple[float, Floats]:
        f, g, _ = eq.solve(x)
        return f, g

    start = _start(d)
    best = optimize.minimize(
        fun,
        start,
        jac=True,
        method="L-BFGS-B",
        bounds=[_LOG_BOUNDS, _LOG_BOUNDS],
        options={"ftol": 1e-15, "gtol": 1e-9, "maxiter": 500},
    )
    f, _, sol = eq.solve(best.x)
    sigma2 = float(sol["sigma2"])
    g_c, g_a = np.exp(best.x)
    b_r, b_c, s_inv = sol["b_r"], sol["b_c"], sol["s_inv"]
    assert isinstance(b_r, np.ndarray) and isinstance(b_c, np.ndarray) and isinstance(s_inv, np.ndarray)
    p = eq.p
    pev = sigma2 * np.diag(s_inv)[p:]
    counts = np.bincount(d.assessor, minlength=eq.qa)
    effects = []
    for j, who in enumerate(d.assessor_ids):
        u, se = float(b_r[p + j]), float(np.sqrt(max(pev[j], 0.0)))
        low, high = u - Z95 * se, u + Z95 * se
        effects.append(AssessorEffect(who, u, se, low, high, int(counts[j]), bool(low > 0 or high < 0)))
    v = VarianceComponents(float(g_c * sigma2), float(g_a * sigma2), sigma2)
    return ExaminerEffects(
        tuple(effects),
        v,
        v.assessor / v.total if v.total > 0 else 0.0,
        dict(zip(d.station_ids, map(float, b_r[:p]), strict=True)),
        dict(zip(d.candidate_ids, map(float, b_c), strict=True)),
        int(d.y.size),
        f,
    )


def _start(d: _Coded) -> Floats:
    """Variance ratios to start from: the spread of candidates' and assessors' mean
    deviations from the station means, over what is left."""
    dev = d.y - (np.bincount(d.station, d.y) / np.bincount(d.station))[d.station]
    total = float(dev.var()) or 1.0

    def spread(codes: Ints) -> float:
        means = np.bincount(codes, dev) / np.bincount(codes)
        return float(means.var())

    c, a = spread(d.candidate), spread(d.assessor)
    e = max(total - c - a, total * 0.1)
    return np.log(np.clip([max(c, 1e-3 * total) / e, max(a, 1e-3 * total) / e], 1e-6, 1e6))


def outcomes_changed(
    effects: ExaminerEffects, observations: Sequence[Observation], cut: float, total: Total = "sum"
) -> ChangedOutcomes:
    """How many candidates' outcomes change when each score loses its assessor's effect."""
    if total not in ("sum", "mean"):
        raise NotEnoughData(f"a total is the sum or the mean of the station scores, not {total!r}")
    d = _coded(observations)
    by_id = {e.assessor: e.effect for e in effects.assessors}
    missing = [a for a in d.assessor_ids if a not in by_id]
    if missing:
        raise NotEnoughData(f"assessor {missing[0]} has no estimated effect")
    shift = np.array([by_id[a] for a in d.assessor_ids])[d.assessor]
    ns, nc = len(d.station_ids), len(d.candidate_ids)
    cell = d.candidate * ns + d.station
    seen = np.bincount(cell, minlength=nc * ns)

    def totals(y: Floats) -> Floats:
        sums = np.bincount(cell, y, minlength=nc * ns)
        station_scores = np.where(seen > 0, sums / np.maximum(seen, 1), 0.0).reshape(nc, ns)
        summed = station_scores.sum(axis=1)
        if total == "sum":
            return summed
        stations = (seen > 0).reshape(nc, ns).sum(axis=1)
        return summed / stations

    before = totals(d.y) >= cut
    after = totals(d.y - shift) >= cut
    return ChangedOutcomes(
        float(cut),
        total,
        nc,
        int(before.sum()),
        int(after.sum()),
        int((before & ~after).sum()),
        int((~before & after).sum()),
    )


def personal_sheet(effects: ExaminerEffects, drift: Drift | None, assessor: str) -> PersonalSheet:
    """The assessor's own effect, drift and standing; every other figure stays out."""
    own = effects.of(assessor)
    others = np.array([e.effect for e in effects.assessors])
    below = float(np.sum(others < own.effect))
    level = float(np.sum(others == own.effect))
    percentile = 100.0 * (below + 0.5 * level) / others.size
    slot = drift.slot_of(assessor) if drift is not None else None
    day = drift.day_of(assessor) if drift is not None else None
    return PersonalSheet(assessor, own, percentile, int(others.size), slot, day)
