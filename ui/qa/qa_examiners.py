"""Examiner stringency and drift, from the statistics' results to what the dashboard
draws: each assessor's effect by name, the slot trends, the pooled trend, in words.

The analysis carries these results as ``object`` (``QaAnalysis.examiners``, ``.drift``)
so that importing it costs no numeric library; they are read here by their fields.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ui.qa.qa_charts import EffectPoint
from ui.qa.qa_words import plural


def _get(obj: Any, *names: str, default: Any = None) -> Any:
    for name in names:
        if obj is not None and hasattr(obj, name):
            return getattr(obj, name)
    return default


def _float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def effect_points(examiners: object | None, names: dict[str, str]) -> list[EffectPoint]:
    out = []
    for a in _get(examiners, "assessors", default=()) or ():
        who = str(_get(a, "assessor", "assessor_id", "name", default=""))
        estimate = _float(_get(a, "effect", "estimate"))
        low, high = _float(_get(a, "ci_low", "low")), _float(_get(a, "ci_high", "high"))
        interval = _get(a, "interval")
        if interval is not None:
            low, high = (
                _float(_get(interval, "low", default=low)),
                _float(_get(interval, "high", default=high)),
            )
        flagged = bool(_get(a, "flagged", "flag", default=not (low <= 0.0 <= high)))
        out.append(EffectPoint(names.get(who, who), estimate, low, high, flagged))
    return out


def assessor_share(examiners: object | None) -> float | None:
    value = _get(examiners, "assessor_share")
    return None if value is None else _float(value)


def changed_words(changed: object | None) -> str:
    """How many outcomes adjusting for stringency would change, in words."""
    if changed is None:
        return ""
    down = int(_get(changed, "met_to_not_met", "to_not_met", default=0) or 0)
    up = int(_get(changed, "not_met_to_met", "to_met", default=0) or 0)
    of = _get(changed, "candidates", "n", "total")
    total = f" of {of}" if of is not None else ""
    if not down and not up:
        return f"no outcome{total} would change."
    return (
        f"{plural(down + up, 'outcome')}{total} would change: {down} from met to not met, "
        f"{up} from not met to met."
    )


@dataclass(frozen=True)
class SlotTrend:
    name: str
    points: tuple[tuple[float, float], ...]  # (slot from 0, mean deviation)
    slope: float
    intercept: float
    p: float
    flagged: bool

    @property
    def p_words(self) -> str:
        return "< 0.001" if self.p < 0.001 else f"= {self.p:.3f}"


def _trend(t: Any, name: str) -> SlotTrend:
    points = tuple((float(x), float(y)) for x, y in (_get(t, "points", "means", default=()) or ()))
    slope = _float(_get(t, "slope"))
    intercept = _float(_get(t, "intercept", default=0.0))
    p = _float(_get(t, "p", "p_value", default=math.nan))
    return SlotTrend(name, points, slope, intercept, p, bool(_get(t, "flagged", default=False)))


def slot_trends(drift: object | None, names: dict[str, str]) -> list[SlotTrend]:
    out = []
    for a in _get(drift, "assessors", default=()) or ():
        who = str(_get(a, "assessor", "assessor_id", default=""))
        t = _get(a, "slot", "by_slot")
        if t is not None:
            out.append(_trend(t, names.get(who, who)))
    return out


def pooled_slot(drift: object | None) -> SlotTrend | None:
    t = _get(drift, "pooled_slot", "slot", "pooled")
    return None if t is None else _trend(t, "all assessors")


def day_words(drift: object | None, names: dict[str, str]) -> list[str]:
    out = []
    for a in _get(drift, "assessors", default=()) or ():
        who = str(_get(a, "assessor", "assessor_id", default=""))
        t = _get(a, "day", "by_day")
        if t is not None and bool(_get(t, "flagged", default=False)):
            out.append(
                f"Flag: {names.get(who, who)} moves by {_float(_get(t, 'slope')):+.2f} points a day of "
                "assessment (a significant trend)."
            )
    return out


def personal_words(mine: object | None) -> list[str]:
    """An assessor's own effect, drift and percentile, in words."""
    if mine is None:
        return []
    out = []
    own = _get(mine, "effect")
    own = own if hasattr(own, "effect") else mine  # stringency.PersonalSheet holds an AssessorEffect
    effect = _float(_get(own, "effect", "estimate"))
    low, high = _float(_get(own, "ci_low", "low")), _float(_get(own, "ci_high", "high"))
    if not math.isnan(effect):
        lean = "more lenient" if effect > 0 else "more stringent"
        text = (
            f"Your effect: {effect:+.2f} score points (95% interval {low:+.2f} to {high:+.2f}), with "
            "candidates and stations taken into account; above zero is more lenient."
        )
        excludes = bool(_get(own, "flagged", default=not (low <= 0.0 <= high)))
        text += (
            f" Flag: the interval excludes zero: you score {lean} than the assessors as a whole."
            if excludes
            else " The interval includes zero: no sign that you score differently from the rest."
        )
        out.append(text)
    percentile = _get(mine, "percentile")
    if percentile is not None:
        among = _get(mine, "among")
        of = f" ({among} assessors)" if among is not None else ""
        out.append(f"You score more leniently than {_float(percentile):.0f}% of the centre's assessors{of}.")
    slot = _get(mine, "slot")
    slope = _float(_get(slot, "slope"))
    if not math.isnan(slope):
        flagged = bool(_get(slot, "flagged", default=False))
        out.append(
            f"Across the slots of a day your scores move by {slope:+.2f} points a slot"
            + (": flag, a significant trend." if flagged else ", not a significant trend.")
        )
    return out
