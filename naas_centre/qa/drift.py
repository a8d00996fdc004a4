"""Assessor drift: how each assessor's deviation moves across the slots of a day and
across their days of assessing.

An observation's deviation, for each assessor's own trend, is its score less what the
mixed model of ``stringency`` expects of that candidate at that station with no assessor
at all: the station's mean plus the candidate's effect, estimated as the model does from
the candidate's scores less their assessors' effects (the BLUP Σ r / (n + σ²_e/σ²_c)),
but leaving out the scores of the assessor being judged. A plain residual from
candidate and station would let each candidate's estimate soak up part of their own
assessor's drift (with six scores a candidate, 0.9 a slot would show as about 0.75);
this way an assessor's trend is how they move against colleagues who scored the same
candidates. A deviation so holds the assessor's own level plus whatever moves with
time, and a trend's intercept is where they start.

The pooled trend asks instead whether the centre as a whole drifts, which colleagues
drifting together would hide from that comparison: it takes each score less its
station's mean only, and rests on the rota not sending abler candidates to later slots
(a circuit rotates every candidate through the slots).

Per assessor, the deviation is regressed by ordinary least squares on the slot (0, 1, 2,
… within the day) and, apart, on the day of assessing (0 for the assessor's first day
in the data, 1 for their next day, and so on, however far apart): the slope, its
standard error, a 95% interval and a two-sided p-value from t with n − 2 degrees of
freedom. Many assessors are tested at once, so the p-values are adjusted by Holm's
step-down method (Holm 1979, *Scandinavian Journal of Statistics* 6, 65–70), apart for
slots and for days, and a trend is flagged when its adjusted p-value is under 0.05. The
pooled slope is the within-assessor slope over everyone (one slope, an intercept per
assessor), so that who happens to work late slots cannot pass for drift; it is one
test, so it is not adjusted. It is the kind of figure studies of long clinical exams
report: ratings rose by 0.88 a time-slot (95% CI 0.38–1.38) over a ten-station OSCE in
McLaughlin, Ainslie, Coderre, Wright & Violato (2009), *Medical Education* 43, 989–992;
examiners were most lenient at the start of a two-day OSCE in Hope & Cameron (2015),
*Medical Teacher* 37, 81–85.
Either direction is drift; every test is two-sided.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats  # type: ignore[import-untyped]

from naas_centre.qa.stringency import ExaminerEffects, Observation, Observations, coded, examiner_effects
from naas_centre.qa.tables import Floats, NotEnoughData, need

ALPHA = 0.05
Ints = npt.NDArray[np.intp]


@dataclass(frozen=True)
class Trend:
    assessor: str | None  # None for the pooled trend
    slope: float  # deviation (score points) a slot, or a day of assessing
    se: float
    ci_low: float
    ci_high: float
    p_value: float  # two-sided, as it came
    p_adjusted: float  # Holm-adjusted over the assessors (the pooled trend: as it came)
    flagged: bool  # p_adjusted < 0.05
    n: int
    intercept: float  # the fitted deviation at slot 0 or day 0 (pooled: through the means)
    points: tuple[tuple[float, float], ...]  # (slot or day number, mean deviation there)


@dataclass(frozen=True)
class AssessorDrift:
    assessor: str
    slot: Trend | None  # None with too few observations or a single slot
    day: Trend | None  # None with too few observations or a single day


@dataclass(frozen=True)
class Drift:
    assessors: tuple[AssessorDrift, ...]  # in the order of their ids
    pooled_slot: Trend | None
    pooled_day: Trend | None

    @property
    def slot(self) -> tuple[Trend, ...]:
        return tuple(a.slot for a in self.assessors if a.slot is not None)

    @property
    def day(self) -> tuple[Trend, ...]:
        return tuple(a.day for a in self.assessors if a.day is not None)

    def slot_of(self, assessor: str) -> Trend | None:
        return next((a.slot for a in self.assessors if a.assessor == assessor), None)

    def day_of(self, assessor: str) -> Trend | None:
        return next((a.day for a in self.assessors if a.assessor == assessor), None)


def drift(observations: Sequence[Observation], effects: ExaminerEffects | None = None) -> Drift:
    """Each assessor's trend across slots and days, and the pooled trends; the mixed model is
    fitted here unless ``effects`` from the same observations is given."""
    need(len(observations), 1, "observations")
    fitted = effects if effects is not None else examiner_effects(observations)
    deviation, level, who, names = _deviations(observations, fitted)
    if isinstance(observations, Observations):
        slots = observations.slot.astype(np.float64)
    else:
        slots = np.fromiter((o.slot for o in observations), np.float64, len(observations))
    if (slots < 0).any():
        at = int(np.flatnonzero(slots < 0)[0])
        raise NotEnoughData(f"observation {at + 1} has a negative slot")
    days = _day_numbers(observations, who)
    by_slot = dict(_per_assessor(names, who, slots, deviation))
    by_day = dict(_per_assessor(names, who, days, deviation))
    return Drift(
        tuple(AssessorDrift(n, by_slot.get(n), by_day.get(n)) for n in names),
        _pooled(who, slots, level),
        _pooled(who, days, level),
    )


def _deviations(
    observations: Sequence[Observation], fitted: ExaminerEffects
) -> tuple[Floats, Floats, Ints, tuple[str, ...]]:
    """Each score less its station's mean and its candidate's effect from the other
    assessors (for each assessor's trend), and less its station's mean alone (pooled)."""
    d = coded(observations)
    y, who, cand, names = d.y, d.assessor, d.candidate, d.assessor_ids
    n = y.size
    known = {e.assessor: e.effect for e in fitted.assessors}
    unknown = [a for a in names if a not in known] or [s for s in d.station_ids if s not in fitted.stations]
    if unknown:
        raise NotEnoughData(
            f"the effects were fitted without {unknown[0]}; fit them on the same observations"
        )
    mean = np.array([fitted.stations[st] for st in d.station_ids])[d.station]
    r = y - mean - np.array([known[a] for a in names])[who]
    v = fitted.variance
    shrink = v.residual / v.candidate if v.candidate > 0 else np.inf
    _, pair = np.unique(cand * len(names) + who, return_inverse=True)
    pair = pair.ravel()
    others_r = np.bincount(cand, r)[cand] - np.bincount(pair, r)[pair]
    others_n = np.bincount(cand)[cand] - np.bincount(pair)[pair]
    candidate = others_r / (others_n + shrink) if np.isfinite(shrink) else np.zeros(n)
    return y - mean - candidate, y - mean, who, names


def _day_numbers(observations: Sequence[Observation], who: Ints) -> Floats:
    """0 for each assessor's first day in the data, 1 for their next, and so on."""
    if isinstance(observations, Observations):
        day = observations.day.astype(np.int64)
    else:
        day = np.fromiter((o.day.toordinal() for o in observations), np.int64, len(observations))
    pair = who.astype(np.int64) * (day.max() + 1) + day
    distinct = np.unique(pair)
    first_of_assessor = np.searchsorted(distinct // (day.max() + 1), who)
    return np.asarray(np.searchsorted(distinct, pair) - first_of_assessor, dtype=np.float64)


def _ols(x: Floats, y: Floats) -> tuple[float, float, float, float, int] | None:
    """Slope, its standard error, intercept, p-value and n; None when no line can be fitted."""
    n = int(x.size)
    sxx = float(np.sum((x - x.mean()) ** 2))
    if n < 3 or sxx == 0:
        return None
    slope = float(np.sum((x - x.mean()) * (y - y.mean())) / sxx)
    intercept = float(y.mean() - slope * x.mean())
    rss = float(np.sum((y - intercept - slope * x) ** 2))
    se = float(np.sqrt(rss / (n - 2) / sxx))
    p = float(2 * stats.t.sf(abs(slope / se), n - 2)) if se > 0 else (0.0 if slope else 1.0)
    return slope, se, intercept, p, n


def _points(x: Floats, y: Floats) -> tuple[tuple[float, float], ...]:
    at, inverse = np.unique(x, return_inverse=True)
    means = np.bincount(inverse, y) / np.bincount(inverse)
    return tuple((float(a), float(m)) for a, m in zip(at, means, strict=True))


def _per_assessor(names: tuple[str, ...], who: Ints, x: Floats, y: Floats) -> list[tuple[str, Trend]]:
    order = np.argsort(who, kind="stable")
    bounds = np.searchsorted(who[order], np.arange(len(names) + 1))
    fits = []
    for j, name in enumerate(names):
        rows = order[bounds[j] : bounds[j + 1]]
        fit = _ols(x[rows], y[rows])
        if fit is not None:
            fits.append((name, fit, _points(x[rows], y[rows])))
    adjusted = holm(np.array([f[3] for _, f, _ in fits]))
    out = []
    for (name, (slope, se, intercept, p, n), points), adj in zip(fits, adjusted, strict=True):
        t = float(stats.t.ppf(0.975, n - 2))
        out.append(
            (
                name,
                Trend(
                    name,
                    slope,
                    se,
                    slope - t * se,
                    slope + t * se,
                    p,
                    float(adj),
                    bool(adj < ALPHA),
                    n,
                    intercept,
                    points,
                ),
            )
        )
    return out


def _pooled(who: Ints, x: Floats, y: Floats) -> Trend | None:
    """One slope within assessors: x and y centred on each assessor's means, so the
    residual degrees of freedom are n − (assessors) − 1."""
    counts = np.bincount(who)
    groups = int(np.count_nonzero(counts))
    xc = x - (np.bincount(who, x) / np.maximum(counts, 1))[who]
    yc = y - (np.bincount(who, y) / np.maximum(counts, 1))[who]
    sxx = float(xc @ xc)
    dof = int(x.size) - groups - 1
    if sxx == 0 or dof < 1:
        return None
    slope = float(xc @ yc) / sxx
    rss = float(np.sum((yc - slope * xc) ** 2))
    se = float(np.sqrt(rss / dof / sxx))
    p = float(2 * stats.t.sf(abs(slope / se), dof)) if se > 0 else (0.0 if slope else 1.0)
    t = float(stats.t.ppf(0.975, dof))
    # The pooled line passes through the overall means, for drawing beside the others.
    intercept = float(y.mean() - slope * x.mean())
    return Trend(
        None,
        slope,
        se,
        slope - t * se,
        slope + t * se,
        p,
        p,
        bool(p < ALPHA),
        int(x.size),
        intercept,
        _points(x, y),
    )


def holm(p: Floats) -> Floats:
    """Holm's step-down adjusted p-values, in the order given."""
    m = p.size
    if m == 0:
        return p.copy()
    order = np.argsort(p, kind="stable")
    scaled = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    out = np.empty(m)
    out[order] = scaled
    return out
