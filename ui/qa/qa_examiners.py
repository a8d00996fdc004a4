"""Examiner stringency and drift, from the statistics' results to what the dashboard
draws: each assessor's effect by name, the slot trends, the pooled trend, in words.

The analysis carries these results as ``object`` (``QaAnalysis.examiners``, ``.drift``)
so that importing it costs no numeric library; they are checked against their types
here (imported only when a result is there, since the analysis has already loaded them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ui.qa.qa_charts import DriftLine, EffectPoint
from ui.qa.qa_words import plural

if TYPE_CHECKING:
    from naas_centre.qa.calibration import CalibrationOffset
    from naas_centre.qa.drift import Drift, Trend
    from naas_centre.qa.stringency import ChangedOutcomes, ExaminerEffects, PersonalSheet


def _effects(examiners: object | None) -> ExaminerEffects | None:
    if examiners is None:
        return None
    from naas_centre.qa.stringency import ExaminerEffects

    return examiners if isinstance(examiners, ExaminerEffects) else None


def _drift(drift: object | None) -> Drift | None:
    if drift is None:
        return None
    from naas_centre.qa.drift import Drift

    return drift if isinstance(drift, Drift) else None


def effect_points(examiners: object | None, names: dict[str, str]) -> list[EffectPoint]:
    effects = _effects(examiners)
    if effects is None:
        return []
    return [
        EffectPoint(names.get(a.assessor, a.assessor), a.effect, a.ci_low, a.ci_high, a.flagged)
        for a in effects.assessors
    ]


def assessor_share(examiners: object | None) -> float | None:
    effects = _effects(examiners)
    return None if effects is None else effects.assessor_share


def changed_words(changed: object | None) -> str:
    """How many outcomes adjusting for stringency would change, in words."""
    if changed is None:
        return ""
    from naas_centre.qa.stringency import ChangedOutcomes

    if not isinstance(changed, ChangedOutcomes):
        return ""
    c: ChangedOutcomes = changed
    if not c.changed:
        return f"no outcome of {c.candidates} would change."
    return (
        f"{plural(c.changed, 'outcome')} of {c.candidates} would change: {c.met_to_not_met} from met to "
        f"not met, {c.not_met_to_met} from not met to met."
    )


@dataclass(frozen=True)
class SlotTrend:
    name: str
    points: tuple[tuple[float, float], ...]  # (slot from 0, mean deviation)
    slope: float
    intercept: float
    p: float  # Holm-adjusted over the assessors (the pooled trend: as it came)
    flagged: bool

    @property
    def p_words(self) -> str:
        return "< 0.001" if self.p < 0.001 else f"= {self.p:.3f}"


def _trend(t: Trend, name: str) -> SlotTrend:
    return SlotTrend(name, t.points, t.slope, t.intercept, t.p_adjusted, t.flagged)


def slot_trends(drift: object | None, names: dict[str, str]) -> list[SlotTrend]:
    d = _drift(drift)
    if d is None:
        return []
    return [_trend(a.slot, names.get(a.assessor, a.assessor)) for a in d.assessors if a.slot is not None]


def pooled_slot(drift: object | None) -> SlotTrend | None:
    d = _drift(drift)
    return None if d is None or d.pooled_slot is None else _trend(d.pooled_slot, "all assessors")


def day_words(drift: object | None) -> list[str]:
    """The pooled trend across days of assessing (each assessor's flags are in the findings)."""
    d = _drift(drift)
    if d is None or d.pooled_day is None:
        return []
    t = d.pooled_day
    return [
        f"Over all assessors, scores move by {t.slope:+.3f} points a day of assessing (95% "
        f"{t.ci_low:+.3f} to {t.ci_high:+.3f})"
        + (": a significant trend." if t.flagged else ", not a significant trend.")
    ]


def personal_words(mine: object | None) -> list[str]:
    """An assessor's own effect, drift and percentile, in words (``stringency.PersonalSheet``)."""
    if mine is None:
        return []
    from naas_centre.qa.stringency import PersonalSheet

    if not isinstance(mine, PersonalSheet):
        return []
    sheet: PersonalSheet = mine
    e = sheet.effect
    lean = "more lenient" if e.effect > 0 else "more stringent"
    out = [
        f"Your effect: {e.effect:+.2f} score points (95% interval {e.ci_low:+.2f} to {e.ci_high:+.2f}), "
        f"over {plural(e.n, 'station score')}, with candidates and stations taken into account; above "
        "zero is more lenient."
        + (
            f" Flag: the interval excludes zero: you score {lean} than the assessors as a whole."
            if e.flagged
            else " The interval includes zero: no sign that you score differently from the rest."
        ),
        f"You score more leniently than {sheet.percentile:.0f}% of the centre's {sheet.among} assessors.",
    ]
    for trend, per in ((sheet.slot, "slot of a day"), (sheet.day, "day of assessing")):
        if trend is not None:
            out.append(
                f"Your scores move by {trend.slope:+.2f} points a {per}"
                + (": flag, a significant trend." if trend.flagged else ", not a significant trend.")
            )
    return out


def personal_slot_line(mine: object | None) -> DriftLine | None:
    """The assessor's own mean deviation slot by slot, with their trend (no one else's)."""
    if mine is None:
        return None
    from naas_centre.qa.stringency import PersonalSheet

    if not isinstance(mine, PersonalSheet) or mine.slot is None or not mine.slot.points:
        return None
    t = mine.slot
    return DriftLine("my scores", t.points, t.slope, t.intercept)


def calibration_words(offsets: Sequence[CalibrationOffset], names: dict[str, str]) -> list[str]:
    """What the calibration exercises say of each assessor, beside the stringency model:
    a second, independent look (the panel's agreed levels, not the other observer's)."""
    flagged = sorted((o for o in offsets if o.flagged), key=lambda o: -abs(o.offset))
    lines = [
        f"{plural(len(offsets), 'assessor')} scored calibration recordings against the levels a "
        f"panel agreed. Across all of them, {_share(offsets)} of the levels given were the agreed one."
    ]
    if not flagged:
        lines.append("No assessor differs from the panel consistently (every interval includes zero).")
    for o in flagged:
        way = "more leniently" if o.offset > 0 else "more strictly"
        lines.append(
            f"{names.get(o.assessor, 'An assessor')} scores {way} than the panel: {o.offset:+.1f} points a "
            f"station on average over {plural(o.exercises, 'exercise')} "
            f"(95% interval {o.ci_low:+.1f} to {o.ci_high:+.1f})."
        )
    return lines


def _share(offsets: Sequence[CalibrationOffset]) -> str:
    levels = sum(o.levels for o in offsets)
    exact = sum(o.exact * o.levels for o in offsets)
    return f"{exact / levels:.0%}" if levels else "none"
