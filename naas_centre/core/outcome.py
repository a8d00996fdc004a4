"""The outcome rule: from criterion levels to *met* or *not met*, area by area.

Pure functions over plain frozen dataclasses, so the rule can be tested, replayed and
explained without a pack file, a database or Qt. ``naas_centre.packs.outcome_adapter``
builds these specs from a pack.

A missing score is explicit: a sheet with any criterion unscored has no outcome
(``met is None``), never a silent zero. The partial figures per area are still given, so
a screen can show progress.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

Combine = Literal["mean", "median", "minimum"]

# A combined area level this close below the pass mark counts as reaching it: floating
# point must never turn a mathematically equal mean into a fail.
_TOLERANCE = 1e-9


def _median(levels: Sequence[int]) -> float:
    return float(statistics.median(levels))


def _minimum(levels: Sequence[int]) -> float:
    return float(min(levels))


COMBINERS: Mapping[str, Callable[[Sequence[int]], float]] = {
    "mean": statistics.fmean,
    "median": _median,
    "minimum": _minimum,
}


@dataclass(frozen=True)
class CriterionSpec:
    """One rubric row as the rule sees it: its id and the KSS area it evidences."""

    id: str
    area: str


@dataclass(frozen=True)
class OutcomeRuleSpec:
    """How levels become an outcome.

    ``combine`` turns the levels of an area's criteria into one figure; the area is met
    when that figure reaches ``area_pass_mark``. The candidate meets the standard when
    enough areas are met (``areas_met``: ``"all"`` or a count), no criterion is below
    ``floor_level`` and every ``critical`` criterion reaches its own minimum level.
    """

    combine: Combine
    area_pass_mark: float
    areas_met: Literal["all"] | int = "all"
    floor_level: int | None = None
    critical: tuple[tuple[str, int], ...] = ()

    def __post_init__(self) -> None:
        if self.combine not in COMBINERS:
            raise ValueError(f"unknown combine rule {self.combine!r}; expected one of {sorted(COMBINERS)}")
        if not math.isfinite(self.area_pass_mark) or self.area_pass_mark <= 0:
            raise ValueError(f"area_pass_mark must be a positive number, not {self.area_pass_mark!r}")
        if self.areas_met != "all" and (
            isinstance(self.areas_met, bool) or not isinstance(self.areas_met, int) or self.areas_met < 1
        ):
            raise ValueError(
                f"areas_met must be 'all' or a whole number of at least 1, not {self.areas_met!r}"
            )


@dataclass(frozen=True)
class AreaResult:
    """One KSS area: its combined level so far and whether it is met.

    ``combined`` is None when no criterion of the area is scored yet; ``met`` is None
    until every criterion of the area is scored.
    """

    area: str
    combined: float | None
    met: bool | None
    scored: int
    total: int

    @property
    def complete(self) -> bool:
        return self.scored == self.total


@dataclass(frozen=True)
class Outcome:
    """The result of applying the rule to one candidate's levels.

    ``met`` is None while the sheet is incomplete; ``missing`` lists the unscored
    criterion ids in rubric order. ``reasons`` are plain sentences saying why the
    standard was not met (empty when met or incomplete).
    """

    complete: bool
    met: bool | None
    areas: tuple[AreaResult, ...]
    missing: tuple[str, ...]
    reasons: tuple[str, ...]


def combine(method: Combine, levels: Sequence[int]) -> float:
    """Combine the levels of one area; ``levels`` must not be empty."""
    if not levels:
        raise ValueError("cannot combine an empty list of levels")
    return COMBINERS[method](levels)


def reaches(value: float, mark: float) -> bool:
    """Whether a combined level reaches a pass mark (with a floating-point tolerance)."""
    return value >= mark - _TOLERANCE


def evaluate(
    criteria: Sequence[CriterionSpec],
    levels: Mapping[str, int | None],
    rule: OutcomeRuleSpec,
    areas: Sequence[str] | None = None,
) -> Outcome:
    """Apply ``rule`` to the ``levels`` given per criterion id.

    A criterion absent from ``levels`` or mapped to None is unscored. ``areas`` fixes the
    order (and the full list) of areas; by default it is the order in which the criteria
    first name them. Inconsistent input (duplicate criterion ids, levels or critical
    criteria for unknown ids, an area without criteria) is a bug and raises ValueError.
    """
    ids = [c.id for c in criteria]
    if len(set(ids)) != len(ids):
        dups = sorted({i for i in ids if ids.count(i) > 1})
        raise ValueError(f"duplicate criterion ids: {', '.join(dups)}")
    known = set(ids)
    unknown = sorted(set(levels) - known)
    if unknown:
        raise ValueError(f"levels given for unknown criteria: {', '.join(unknown)}")
    for crit_id, _ in rule.critical:
        if crit_id not in known:
            raise ValueError(f"the rule names an unknown critical criterion {crit_id!r}")

    by_area: dict[str, list[CriterionSpec]] = {}
    if areas is not None:
        by_area = {a: [] for a in areas}
    for c in criteria:
        if areas is not None and c.area not in by_area:
            raise ValueError(f"criterion {c.id!r} names area {c.area!r}, which is not in the list of areas")
        by_area.setdefault(c.area, []).append(c)
    empty = [a for a, cs in by_area.items() if not cs]
    if empty:
        raise ValueError(f"no criterion assesses area(s): {', '.join(empty)}")

    required = len(by_area) if rule.areas_met == "all" else rule.areas_met
    if required > len(by_area):
        raise ValueError(f"the rule needs {required} areas met but there are only {len(by_area)}")

    results: list[AreaResult] = []
    for area, cs in by_area.items():
        scored = [lv for c in cs if (lv := levels.get(c.id)) is not None]
        combined = combine(rule.combine, scored) if scored else None
        met = None
        if combined is not None and len(scored) == len(cs):
            met = reaches(combined, rule.area_pass_mark)
        results.append(AreaResult(area, combined, met, len(scored), len(cs)))

    missing = tuple(c.id for c in criteria if levels.get(c.id) is None)
    if missing:
        return Outcome(complete=False, met=None, areas=tuple(results), missing=missing, reasons=())

    reasons: list[str] = []
    met_count = sum(1 for r in results if r.met)
    if met_count < required:
        if rule.areas_met != "all":
            reasons.append(f"{met_count} of {len(results)} areas met; {required} needed")
        for r in results:
            if not r.met and r.combined is not None:
                reasons.append(
                    f"Area {r.area} combined {_number(r.combined, under=rule.area_pass_mark)}, "
                    f"below the pass mark {_number(rule.area_pass_mark)}"
                )
    for crit_id, min_level in rule.critical:
        level = levels[crit_id]
        if level is not None and level < min_level:
            reasons.append(f"Criterion {crit_id} at level {level}, below the required {min_level}")
    if rule.floor_level is not None:
        for c in criteria:
            level = levels[c.id]
            if level is not None and level < rule.floor_level:
                reasons.append(f"Criterion {c.id} at level {level}, below the floor {rule.floor_level}")
    return Outcome(complete=True, met=not reasons, areas=tuple(results), missing=(), reasons=tuple(reasons))


def _number(x: float, under: float | None = None) -> str:
    """A figure for a sentence: 2.0, 2.5, 2.67; never rounded up to a mark it is below."""
    text = f"{x:.1f}"
    for places in range(1, 7):
        text = f"{x:.{places}f}"
        if float(text) == x or (places >= 2 and (under is None or float(text) < under)):
            break
    return text
