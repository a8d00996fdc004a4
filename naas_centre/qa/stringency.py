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
uncertainty of the station means too; the 95% interval is ±1.96 of it. An assessor is
flagged when their effect stands out after Holm's correction for testing them all: an
interval that excludes zero is not enough among many assessors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Literal, overload

import numpy as np
import numpy.typing as npt
from scipy import linalg, optimize, sparse  # type: ignore[import-untyped]

from naas_centre.qa.tables import Floats, NotEnoughData, need
from naas_centre.qa.threads import one_blas_thread

if TYPE_CHECKING:
    from naas_centre.qa.drift import Drift, Trend

Z95 = 1.959963984540054
ALPHA = 0.05  # for the flags, family-wise over the assessors (Holm)
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
    flagged: bool  # distinct from zero after Holm's correction for testing every assessor
    p_holm: float = 1.0  # the two-sided p of effect / se, Holm-adjusted over the assessors


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

    @property
    def n(self) -> int:
        """Their station scores in the model."""
        return self.effect.n


@dataclass(frozen=True)
class Coded:
    y: Floats
    station: Ints
    candidate: Ints
    assessor: Ints
    station_ids: tuple[str, ...]
    candidate_ids: tuple[str, ...]
    assessor_ids: tuple[str, ...]


class Observations(Sequence[Observation]):
    """Observations held as columns, already coded: how a centre's hundreds of thousands
    of station scores are passed, since building and then coding an object per score cost
    more than fitting the model. Rows read as ``Observation`` on demand."""

    def __init__(self, coded: Coded, day: npt.NDArray[np.int64], slot: npt.NDArray[np.int64]) -> None:
        self.coded = coded
        self.day = day  # proleptic ordinals, as ``date.toordinal``
        self.slot = slot

    def __len__(self) -> int:
        return int(self.coded.y.size)

    @overload
    def __getitem__(self, i: int) -> Observation: ...

    @overload
    def __getitem__(self, i: slice) -> Sequence[Observation]: ...

    def __getitem__(self, i: int | slice) -> Observation | Sequence[Observation]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        d = self.coded
        return Observation(
            d.candidate_ids[d.candidate[i]],
            d.station_ids[d.station[i]],
            d.assessor_ids[d.assessor[i]],
            float(d.y[i]),
            date.fromordinal(int(self.day[i])),
            int(self.slot[i]),
        )

    def subset(self, keep: npt.NDArray[np.bool_]) -> Observations:
        """The rows ``keep`` marks, coded afresh over the ids they hold (as ``coded`` of
        their Observations would be)."""
        d = self.coded

        def recode(codes: Ints, ids: tuple[str, ...]) -> tuple[tuple[str, ...], Ints]:
            used, inverse = np.unique(codes[keep], return_inverse=True)
            return tuple(ids[k] for k in used.tolist()), inverse.ravel().astype(np.intp)

        s_ids, s = recode(d.station, d.station_ids)
        c_ids, c = recode(d.candidate, d.candidate_ids)
        a_ids, a = recode(d.assessor, d.assessor_ids)
        return Observations(Coded(d.y[keep], s, c, a, s_ids, c_ids, a_ids), self.day[keep], self.slot[keep])


def coded(observations: Sequence[Observation]) -> Coded:
    """The observations as arrays, each id replaced by its place among the sorted ids."""
    need(len(observations), 1, "observations")
    if isinstance(observations, Observations):
        return _finite(observations.coded)
    y = np.fromiter((o.score for o in observations), dtype=np.float64, count=len(observations))
    _finite_scores(y)
    s_ids, s = _codes([o.station for o in observations])
    c_ids, c = _codes([o.candidate for o in observations])
    a_ids, a = _codes([o.assessor for o in observations])
    return Coded(y, s, c, a, s_ids, c_ids, a_ids)


def _finite(d: Coded) -> Coded:
    _finite_scores(d.y)
    return d


def _finite_scores(y: Floats) -> None:
    if not np.isfinite(y).all():
        at = int(np.flatnonzero(~np.isfinite(y))[0])
        raise NotEnoughData(f"observation {at + 1} has no score")


def _codes(values: list[str]) -> tuple[tuple[str, ...], Ints]:
    # A dict numbers the ids as they come (far quicker than sorting every value); the
    # few distinct ids are then sorted and the numbers mapped to their places.
    index: dict[str, int] = {}
    first = np.fromiter((index.setdefault(v, len(index)) for v in values), dtype=np.intp, count=len(values))
    ids = sorted(index)
    place = np.empty(len(ids), dtype=np.intp)
    place[[index[k] for k in ids]] = np.arange(len(ids))
    return tuple(ids), place[first]


@dataclass(frozen=True)
class _Solution:
    criterion: float  # −2 log L_R, constants left out
    gradient: Floats  # in log γ (candidate, assessor)
    b_r: Floats  # station means, then assessor BLUPs
    b_c: Floats  # candidate BLUPs
    s_inv: Floats  # the (stations, assessors) block of M⁻¹
    sigma2: float  # the residual variance at this γ


class _Equations:
    """Henderson's mixed model equations with the candidates absorbed.

    The unknowns are ordered [station means (p), assessors (q_a) | candidates (q_c)]; the
    first part is "R", the candidates "C". M_CC is diagonal, so for given variance ratios
    γ = σ²/σ²_e everything follows from the Schur complement S = M_RR − M_RC M_CC⁻¹ M_CR.
    """

    def __init__(self, d: Coded) -> None:
        self.n = d.y.size
        self.p, self.qa, self.qc = len(d.station_ids), len(d.assessor_ids), len(d.candidate_ids)
        # Scores are taken about their station's mean, which the fixed effects absorb; it
        # keeps r = y'y − b'W'y from losing its digits to cancellation.
        self.offset = np.bincount(d.station, d.y, minlength=self.p) / np.bincount(d.station, minlength=self.p)
        y = d.y - self.offset[d.station]
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
            [np.bincount(d.station, y, minlength=self.p), np.bincount(d.assessor, y, minlength=self.qa)]
        )
        self.t_c = np.bincount(d.candidate, y, minlength=self.qc)
        self.yy = float(y @ y)
        # D = n_c + 1/γ_c is the same for every candidate with as many observations, so
        # B D⁻¹ B' is a sum over the distinct counts of fixed products, made once here.
        self.counts = np.unique(self.n_c)
        self.blocks = []
        self.block_rhs = []
        for k in self.counts:
            part = self.b[:, np.flatnonzero(self.n_c == k)]
            self.blocks.append((part @ part.T).toarray())
            self.block_rhs.append(part @ self.t_c[self.n_c == k])
        self.per_count = np.array([np.count_nonzero(self.n_c == k) for k in self.counts], dtype=np.float64)

    def solve(self, log_gamma: Floats) -> _Solution:
        """The restricted likelihood, its gradient and the solution at γ = exp(log_gamma).

        With H = V/σ²_e and σ²_e profiled out, −2 log L_R = (n − p) log(r / (n − p)) +
        log|Γ| + log|M| up to a constant, r = y'y − b'W'y the REML residual sum of squares
        (Searle, Casella & McCulloch 1992, 6.8); ∂/∂log γ_k of it is
        q_k − tr(C_kk)/γ_k − (n − p)‖b_k‖²/(r γ_k), C = M⁻¹."""
        g_c, g_a = np.exp(log_gamma)
        p, qa, qc, n = self.p, self.qa, self.qc, self.n
        dinv = 1.0 / (self.n_c + 1.0 / g_c)
        dk = 1.0 / (self.counts + 1.0 / g_c)
        s = self.m_rr.copy()
        rhs = self.t_r.copy()
        for w, block, part in zip(dk, self.blocks, self.block_rhs, strict=True):
            s -= w * block
            rhs -= w * part
        s[p + np.arange(qa), p + np.arange(qa)] += 1.0 / g_a
        chol = np.linalg.cholesky(s)
        s_inv = linalg.cho_solve((chol, True), np.eye(s.shape[0]))
        b_r = s_inv @ rhs
        b_c = dinv * (self.t_c - self.b.T @ b_r)
        rss = self.yy - float(b_r @ self.t_r) - float(b_c @ self.t_c)
        dof = n - p
        logdet = float(self.per_count @ np.log(1.0 / dk)) + 2.0 * float(np.sum(np.log(np.diag(chol))))
        f = dof * np.log(rss / dof) + qc * np.log(g_c) + qa * np.log(g_a) + logdet
        u_a = b_r[p:]
        tr_aa = float(np.trace(s_inv[p:, p:]))
        # tr(C_cc) = Σ 1/D + tr(S⁻¹ B D⁻² B')
        tr_cc = float(self.per_count @ dk) + sum(
            w * w * float(np.sum(s_inv * block)) for w, block in zip(dk, self.blocks, strict=True)
        )
        grad = np.array(
            [
                qc - tr_cc / g_c - dof * float(b_c @ b_c) / (rss * g_c),
                qa - tr_aa / g_a - dof * float(u_a @ u_a) / (rss * g_a),
            ]
        )
        return _Solution(float(f), grad, b_r, b_c, s_inv, rss / dof)


def examiner_effects(observations: Sequence[Observation]) -> ExaminerEffects:
    # The dense systems are a few hundred wide: threaded BLAS spends more on waking its
    # threads than on the work, and on a loaded machine many times more, so it gets one.
    with one_blas_thread():
        return _examiner_effects(observations)


def _examiner_effects(observations: Sequence[Observation]) -> ExaminerEffects:
    d = coded(observations)
    need(len(d.assessor_ids), 2, "assessors")
    need(len(d.candidate_ids), 2, "candidates")
    spare = d.y.size - len(d.station_ids)
    if spare < 3:
        raise NotEnoughData(
            f"the model needs at least {len(d.station_ids) + 3} observations for "
            f"{len(d.station_ids)} station(s); there are {d.y.size}"
        )
    if np.bincount(d.candidate).max() < 2:
        raise NotEnoughData(
            "every candidate has one score only, so candidates cannot be told from chance; "
            "the model needs candidates scored more than once"
        )
    eq = _Equations(d)
    if eq.yy <= 1e-12 * max(1.0, float(d.y @ d.y)):
        raise NotEnoughData("every score equals its station's mean: there is no difference to explain")

    def fun(x: Floats) -> tuple[float, Floats]:
        sol = eq.solve(x)
        return sol.criterion, sol.gradient

    start = _start(d)
    best = optimize.minimize(
        fun,
        start,
        jac=True,
        method="L-BFGS-B",
        bounds=[_LOG_BOUNDS, _LOG_BOUNDS],
        options={"ftol": 1e-15, "gtol": 1e-9, "maxiter": 500},
    )
    x = _polished(eq, np.asarray(best.x, dtype=np.float64))
    sol = eq.solve(x)
    sigma2 = sol.sigma2
    g_c, g_a = np.exp(x)
    b_r, b_c, s_inv = sol.b_r, sol.b_c, sol.s_inv
    p = eq.p
    pev = sigma2 * np.diag(s_inv)[p:]
    counts = np.bincount(d.assessor, minlength=eq.qa)
    u_all = np.asarray(b_r[p:], dtype=np.float64)
    se_all = np.sqrt(np.maximum(pev, 0.0))
    adjusted = holm(_two_sided_p(u_all, se_all))
    effects = []
    for j, who in enumerate(d.assessor_ids):
        u, se = float(u_all[j]), float(se_all[j])
        low, high = u - Z95 * se, u + Z95 * se
        q = float(adjusted[j])
        effects.append(AssessorEffect(who, u, se, low, high, int(counts[j]), q < ALPHA, q))
    v = VarianceComponents(float(g_c * sigma2), float(g_a * sigma2), sigma2)
    return ExaminerEffects(
        tuple(effects),
        v,
        v.assessor / v.total if v.total > 0 else 0.0,
        dict(zip(d.station_ids, map(float, b_r[:p] + eq.offset), strict=True)),
        dict(zip(d.candidate_ids, map(float, b_c), strict=True)),
        int(d.y.size),
        sol.criterion,
    )


def _polished(eq: _Equations, x: Floats, steps: int = 8) -> Floats:
    """Newton steps on the exact gradient from where the quasi-Newton search stopped, its
    line search blunted near the optimum by rounding in the criterion; a step is taken
    only while it shrinks the gradient, and never across a bound (a component at zero)."""
    sol = eq.solve(x)
    for _ in range(steps):
        g = sol.gradient
        free = (x > _LOG_BOUNDS[0] + 1e-9) & (x < _LOG_BOUNDS[1] - 1e-9)
        if not free.any() or np.max(np.abs(g[free])) < 1e-10:
            break
        h = 1e-5
        hess = np.column_stack(
            [(eq.solve(x + h * e).gradient - eq.solve(x - h * e).gradient) / (2 * h) for e in np.eye(2)]
        )
        hess = (hess + hess.T) / 2
        step = np.zeros(2)
        idx = np.flatnonzero(free)
        try:
            step[idx] = np.linalg.solve(hess[np.ix_(idx, idx)], g[idx])
        except np.linalg.LinAlgError:
            break
        trial = np.clip(x - step, *_LOG_BOUNDS)
        after = eq.solve(trial)
        if np.max(np.abs(after.gradient[free])) >= np.max(np.abs(g[free])):
            break
        x, sol = trial, after
    return x


def _start(d: Coded) -> Floats:
    """Variance ratios to start from: the spread of candidates' and assessors' mean
    deviations from the station means, over what is left."""
    dev = d.y - (np.bincount(d.station, d.y) / np.bincount(d.station))[d.station]
    total = float(dev.var()) or 1.0

    def spread(codes: Ints) -> float:
        means = np.bincount(codes, dev) / np.bincount(codes)
        return float(means.var())

    c, a = spread(d.candidate), spread(d.assessor)
    e = max(total - c - a, total * 0.1)
    ratios = np.array([max(c, 1e-3 * total) / e, max(a, 1e-3 * total) / e])
    return np.asarray(np.log(np.clip(ratios, 1e-6, 1e6)), dtype=np.float64)


def outcomes_changed(
    effects: ExaminerEffects, observations: Sequence[Observation], cut: float, total: Total = "sum"
) -> ChangedOutcomes:
    """How many candidates' outcomes change when each score loses its assessor's effect."""
    if total not in ("sum", "mean"):
        raise NotEnoughData(f"a total is the sum or the mean of the station scores, not {total!r}")
    d = coded(observations)
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
            return np.asarray(summed, dtype=np.float64)
        stations = (seen > 0).reshape(nc, ns).sum(axis=1)
        return np.asarray(summed / stations, dtype=np.float64)

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


def _two_sided_p(effect: Floats, se: Floats) -> Floats:
    from scipy import stats

    z = np.divide(np.abs(effect), se, out=np.zeros_like(effect), where=se > 0)
    return np.asarray(2 * stats.norm.sf(z), dtype=np.float64)


def holm(p: Floats) -> Floats:
    """Holm's (1979) step-down adjustment: with 200 assessors each tested at 5%, about ten
    would be flagged by chance alone; the adjusted p keeps the chance of any false flag at
    5% (Holm, *Scandinavian Journal of Statistics* 6, 65-70)."""
    m = p.size
    if m == 0:
        return p
    order = np.argsort(p, kind="stable")
    stepped = np.maximum.accumulate((m - np.arange(m)) * p[order])
    out = np.empty_like(p)
    out[order] = np.minimum(stepped, 1.0)
    return out
