"""The outcome rule: from criterion levels to *met* or *not met*, area by area.

Pure functions over plain frozen dataclasses, so the rule can be tested, replayed and
explained without a pack file, a database or Qt. ``naas_centre.packs.outcome_adapter``
builds these specs from a pack, with the titles people read.

A missing score is explicit: a sheet with any criterion unscored has no outcome
(``met is None``), never a silent zero. The partial figures per area are still given, so
a screen can show progress.

The candidate meets the standard exactly when all of these hold:

1. enough KSS areas are met (``areas_met``: all, or a count), where an area is met when
   the combined level of its criteria reaches ``area_pass_mark`` **and** none of its
   critical criteria is below its minimum;
2. no criterion is below ``floor_level`` (if set);
3. every critical criterion reaches its own minimum level;
4. no more than ``max_below_standard`` criteria (if set) are below ``standard_level``;
5. each station with a pass mark in force (``station_pass_marks``) reaches it: the sum
   of its criteria's levels is at least the mark (the conjunctive rule of OSCEs, where
   a strong station does not make up for a weak one);
6. where the pack has a knowledge test and ``evaluate`` is given its forms
   (``knowledge``), each form is submitted and reaches its pass mark. A form not yet
   submitted leaves the outcome open, as a missing score does (``missing_knowledge``).

Each way of failing gives its own sentence in ``Outcome.reasons``, naming criteria and
areas by their titles, never by their ids.
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
    """One rubric row as the rule sees it.

    ``id`` and ``area`` (the KSS area id) are what the rule computes with; ``title``
    (a short name for the criterion) and ``station`` (the station's title) are what its
    sentences say. Without a title, a sentence falls back to the id.
    """

    id: str
    area: str
    title: str = ""
    station: str = ""

    def named(self) -> str:
        """The criterion as a sentence names it: “Title” (Station)."""
        name = f"“{self.title or self.id}”"
        return f"{name} ({self.station})" if self.station else name


@dataclass(frozen=True)
class StationPassMark:
    """A pass mark adopted for one station: the sum of ``criteria``'s levels must reach it.

    ``station`` is the station's title, for the rule's sentence; ``criteria`` are the ids
    of the station's criteria.
    """

    station: str
    criteria: tuple[str, ...]
    pass_mark: float

    def __post_init__(self) -> None:
        if isinstance(self.pass_mark, bool) or not math.isfinite(self.pass_mark) or self.pass_mark < 0:
            raise ValueError(f"a station pass mark must be a number of 0 or more, not {self.pass_mark!r}")
        if not self.criteria:
            raise ValueError(f"the pass mark of {self.station!r} names no criteria to add up")


@dataclass(frozen=True)
class KnowledgeMark:
    """A submitted knowledge-test form's marks against its pass mark (no item in sight)."""

    title: str
    marks: float
    available: int
    needed: float
    passed: bool


@dataclass(frozen=True)
class OutcomeRuleSpec:
    """How levels become an outcome (see the module docstring for the four conditions).

    ``standard_level`` is the level that meets the standard; ``max_below_standard``
    bounds how many criteria a pass may hold below it (None: no bound).
    ``level_labels`` maps level values to their names, for sentences only.
    """

    combine: Combine
    area_pass_mark: float
    areas_met: Literal["all"] | int = "all"
    floor_level: int | None = None
    critical: tuple[tuple[str, int], ...] = ()
    standard_level: int | None = None
    max_below_standard: int | None = None
    level_labels: tuple[tuple[int, str], ...] = ()
    station_pass_marks: tuple[StationPassMark, ...] = ()

    def __post_init__(self) -> None:
        if self.combine not in COMBINERS:
            raise ValueError(f"unknown combine rule {self.combine!r}; expected one of {sorted(COMBINERS)}")
        if (
            isinstance(self.area_pass_mark, bool)
            or not math.isfinite(self.area_pass_mark)
            or self.area_pass_mark <= 0
        ):
            raise ValueError(f"area_pass_mark must be a positive number, not {self.area_pass_mark!r}")
        if self.areas_met != "all" and (
            isinstance(self.areas_met, bool) or not isinstance(self.areas_met, int) or self.areas_met < 1
        ):
            raise ValueError(
                f"areas_met must be 'all' or a whole number of at least 1, not {self.areas_met!r}"
            )
        if self.max_below_standard is not None:
            if isinstance(self.max_below_standard, bool) or self.max_below_standard < 0:
                raise ValueError(f"max_below_standard must be 0 or more, not {self.max_below_standard!r}")
            if self.standard_level is None:
                raise ValueError("max_below_standard needs a standard_level to count against")

    def standard(self) -> int:
        """The level that meets the standard: ``standard_level``, or the pass mark rounded up."""
        if self.standard_level is not None:
            return self.standard_level
        return math.ceil(self.area_pass_mark - _TOLERANCE)

    def level_name(self, level: int) -> str:
        """``level 2 (Developing)`` when the label is known, else ``level 2``."""
        label = dict(self.level_labels).get(level)
        return f"level {level} ({label})" if label else f"level {level}"


@dataclass(frozen=True)
class AreaResult:
    """One KSS area: its combined level so far and whether it is met.

    ``combined`` is None when no criterion of the area is scored yet; ``met`` is None
    until every criterion of the area is scored. An area is met when ``combined``
    reaches the pass mark and ``failed_critical`` is empty: that tuple holds the ids of
    the area's critical criteria scored below their minimum, in rubric order.
    ``title`` is the area's title (its id when the rule was given none);
    ``reaches_mark`` says whether the combined level alone reaches the pass mark (None
    until the area is complete), so a screen can tell the two ways of not meeting it.
    """

    area: str
    combined: float | None
    met: bool | None
    scored: int
    total: int
    failed_critical: tuple[str, ...] = ()
    title: str = ""
    reaches_mark: bool | None = None

    @property
    def complete(self) -> bool:
        return self.scored == self.total


@dataclass(frozen=True)
class Outcome:
    """The result of applying the rule to one candidate's levels.

    ``met`` is None while the sheet is incomplete; ``missing`` lists the unscored
    criterion ids in rubric order. ``reasons`` are plain sentences saying why the
    standard was not met (empty when met or incomplete). ``below_standard`` lists the
    criteria scored below the rule's standard level, in rubric order (empty while
    incomplete).
    """

    complete: bool
    met: bool | None
    areas: tuple[AreaResult, ...]
    missing: tuple[str, ...]
    reasons: tuple[str, ...]
    below_standard: tuple[str, ...] = ()
    missing_knowledge: tuple[str, ...] = ()  # knowledge-test forms not yet submitted, by id


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
    area_titles: Mapping[str, str] | None = None,
    knowledge: Mapping[str, KnowledgeMark | None] | None = None,
) -> Outcome:
    """Apply ``rule`` to the ``levels`` given per criterion id.

    A criterion absent from ``levels`` or mapped to None is unscored. ``areas`` fixes the
    order (and the full list) of areas; by default it is the order in which the criteria
    first name them. ``area_titles`` gives each area's title for sentences. ``knowledge``
    maps each knowledge-test form the candidate must pass (by id) to its marks, None
    while it is not submitted; None (the default) leaves knowledge out. Inconsistent
    input (duplicate criterion ids, levels or critical criteria for unknown ids, an area
    without criteria) is a bug and raises ValueError.
    """
    ids = [c.id for c in criteria]
    if len(set(ids)) != len(ids):
        dups = sorted({i for i in ids if ids.count(i) > 1})
        raise ValueError(f"duplicate criterion ids: {', '.join(dups)}")
    by_id = {c.id: c for c in criteria}
    unknown = sorted(set(levels) - set(by_id))
    if unknown:
        raise ValueError(f"levels given for unknown criteria: {', '.join(unknown)}")
    for crit_id, _ in rule.critical:
        if crit_id not in by_id:
            raise ValueError(f"the rule names an unknown critical criterion {crit_id!r}")
    for mark in rule.station_pass_marks:
        strange = sorted(set(mark.criteria) - set(by_id))
        if strange:
            raise ValueError(
                f"the pass mark of {mark.station!r} names unknown criteria: {', '.join(strange)}"
            )
    titles = dict(area_titles or {})

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

    minimum = _minimums(rule)
    failed_critical = [
        c.id
        for c in criteria
        if c.id in minimum and (lv := levels.get(c.id)) is not None and lv < minimum[c.id]
    ]

    results: list[AreaResult] = []
    for area, cs in by_area.items():
        scored = [lv for c in cs if (lv := levels.get(c.id)) is not None]
        combined = combine(rule.combine, scored) if scored else None
        failed = tuple(c.id for c in cs if c.id in failed_critical)
        met = mark_ok = None
        if combined is not None and len(scored) == len(cs):
            mark_ok = reaches(combined, rule.area_pass_mark)
            met = mark_ok and not failed
        results.append(
            AreaResult(area, combined, met, len(scored), len(cs), failed, titles.get(area, area), mark_ok)
        )

    missing = tuple(c.id for c in criteria if levels.get(c.id) is None)
    forms = dict(knowledge or {})
    unsubmitted = tuple(f for f, mark in forms.items() if mark is None)
    if missing or unsubmitted:
        return Outcome(
            complete=False,
            met=None,
            areas=tuple(results),
            missing=missing,
            reasons=(),
            missing_knowledge=unsubmitted,
        )

    standard = rule.standard()
    below = tuple(c.id for c in criteria if _level(levels, c.id) < standard)
    reasons = _reasons(criteria, levels, rule, results, required, failed_critical, below)
    reasons += [knowledge_reason(mark) for mark in forms.values() if mark is not None and not mark.passed]
    return Outcome(
        complete=True,
        met=not reasons,
        areas=tuple(results),
        missing=(),
        reasons=tuple(reasons),
        below_standard=below,
    )


def _minimums(rule: OutcomeRuleSpec) -> dict[str, int]:
    """Each critical criterion's minimum; a criterion named twice keeps the higher one."""
    out: dict[str, int] = {}
    for crit_id, level in rule.critical:
        out[crit_id] = max(level, out.get(crit_id, level))
    return out


def _level(levels: Mapping[str, int | None], crit_id: str) -> int:
    level = levels.get(crit_id)
    if level is None:  # pragma: no cover - evaluate returns before this when a level is missing
        raise ValueError(f"criterion {crit_id!r} is not scored")
    return level


def _reasons(
    criteria: Sequence[CriterionSpec],
    levels: Mapping[str, int | None],
    rule: OutcomeRuleSpec,
    results: Sequence[AreaResult],
    required: int,
    failed_critical: Sequence[str],
    below: Sequence[str],
) -> list[str]:
    """One sentence for each way the candidate failed, in the order the rule lists them."""
    by_id = {c.id: c for c in criteria}
    area_title = {r.area: r.title or r.area for r in results}
    minimum = _minimums(rule)
    reasons: list[str] = []

    met_count = sum(1 for r in results if r.met)
    if met_count < required:
        if rule.areas_met != "all":
            reasons.append(
                f"{met_count} of {len(results)} KSS areas were met; at least {required} must be met."
            )
        for r in results:
            if r.combined is not None and r.reaches_mark is False:
                reasons.append(
                    f"“{area_title[r.area]}” is not met: its combined level, "
                    f"{_number(r.combined, under=rule.area_pass_mark)}, is below the pass mark of "
                    f"{_number(rule.area_pass_mark)}."
                )
    for crit_id in failed_critical:
        c = by_id[crit_id]
        reasons.append(
            f"{c.named()} was scored at {rule.level_name(_level(levels, crit_id))}. It is a critical "
            f"criterion that must reach at least {rule.level_name(minimum[crit_id])}, so "
            f"“{area_title[c.area]}” is not met and the standard is not met, whatever the other levels."
        )
    if rule.floor_level is not None:
        for c in criteria:
            level = _level(levels, c.id)
            if level < rule.floor_level:
                reasons.append(
                    f"{c.named()} was scored at {rule.level_name(level)}, below the lowest level any "
                    f"criterion may have, {rule.level_name(rule.floor_level)}."
                )
    if rule.max_below_standard is not None and len(below) > rule.max_below_standard:
        allowed = rule.max_below_standard
        names = "; ".join(by_id[i].named() for i in below)
        limit = "none may be" if allowed == 0 else f"a pass may hold at most {allowed}"
        reasons.append(
            f"{len(below)} criteria were scored below {rule.level_name(rule.standard())}, the level "
            f"that meets the standard, and {limit}: {names}."
        )
    for mark in rule.station_pass_marks:
        score = station_score(mark, levels)
        if not reaches(score, mark.pass_mark):
            reasons.append(
                f"“{mark.station}” scored {score:g} in all, below its pass mark of "
                f"{_mark(mark.pass_mark)}: every station must reach its own pass mark."
            )
    return reasons


def knowledge_reason(mark: KnowledgeMark) -> str:
    """The sentence for a knowledge-test form below its pass mark: totals only."""
    return (
        f"The knowledge test “{mark.title}” scored {_mark(mark.marks)} of {mark.available} marks, "
        f"below its pass mark of {_mark(mark.needed)}."
    )


def station_score(mark: StationPassMark, levels: Mapping[str, int | None]) -> float:
    """The station's score: the sum of its criteria's levels (all must be scored)."""
    return float(sum(_level(levels, c) for c in mark.criteria))


def _mark(x: float) -> str:
    """A station pass mark for a sentence: 6, 5.5, 5.42 (never rounded to a score below it)."""
    return f"{x:.0f}" if float(x).is_integer() else _number(x)


def _number(x: float, under: float | None = None) -> str:
    """A figure for a sentence: 2.0, 2.5, 2.67; never rounded up to a mark it is below."""
    text = f"{x:.1f}"
    for places in range(1, 7):
        text = f"{x:.{places}f}"
        if float(text) == x or (places >= 2 and (under is None or float(text) < under)):
            break
    return text
