"""The levels of the demo day: two assessors' sheets that give the intended outcome.

Drawn at random from a seeded generator, then raised where the pack's outcome rule
needs it, so that each sheet, and what moderation agrees, meets the standard for
every candidate but those who struggle (``content/day.yaml``). A station's judgement
follows its levels, in the words of ``content/judgements.yaml``.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from naas_centre.demo import data
from naas_centre.packs.outcome_adapter import evaluate_pack
from naas_centre.packs.schema import Criterion, Pack, Rubric


@dataclass(frozen=True)
class Scale:
    low: int  # the lowest level
    weak: int  # the level just below the standard
    meets: int  # the level that meets the standard
    strong: int  # the top level
    floor: int  # no criterion may be below this without failing


def scale_of(pack: Pack, rubric: Rubric) -> Scale:
    values = sorted(lv.value for lv in pack.levels_for(rubric))
    standard = pack.outcome.standard()
    meets = next((v for v in values if v >= standard), values[-1])
    weak = max((v for v in values if v < meets), default=meets)
    floor = pack.outcome.overall.floor_level
    return Scale(values[0], weak, meets, values[-1], values[0] if floor is None else floor)


def _critical(pack: Pack) -> dict[str, int]:
    return {c.criterion: c.min_level for c in pack.outcome.overall.critical}


def _station_of(pack: Pack) -> dict[str, tuple[str, Rubric]]:
    return {c.id: (station, rubric) for station, rubric in pack.rubrics() for c in rubric.criteria}


def _label(pack: Pack, level: int) -> str:
    names = {lv.value: lv.label for lv in pack.levels}
    words = data.judgements().station
    return (
        words.level.format(level=level, label=names[level])
        if level in names
        else (words.level_unnamed.format(level=level))
    )


def station_met(pack: Pack, rubric: Rubric, levels: Mapping[str, int]) -> tuple[bool, str]:
    """A station's judgement from its levels, with its reasons in words.

    Met when its criteria together reach the pass mark, none is below the floor and any
    critical criterion reaches its minimum: the pack's rule, applied to one station.
    """
    scale = scale_of(pack, rubric)
    critical = _critical(pack)
    words = data.judgements().station
    mine = [levels[c.id] for c in rubric.criteria]
    problems = [
        words.below_critical.format(
            title=c.heading(), level=_label(pack, levels[c.id]), minimum=_label(pack, critical[c.id])
        )
        for c in rubric.criteria
        if c.id in critical and levels[c.id] < critical[c.id]
    ]
    problems += [
        words.below_floor.format(title=c.heading(), level=_label(pack, levels[c.id]))
        for c in rubric.criteria
        if levels[c.id] < scale.floor and c.id not in critical
    ]
    developing = [c for c in rubric.criteria if levels[c.id] < scale.meets]
    still = words.developing.format(titles=_titles(developing)) if developing else ""
    mean = statistics.fmean(mine)
    mark = pack.outcome.area_pass_mark
    figure = words.figure.format(mean=mean, mark=mark)
    if mean < mark and not problems:
        problems.append(figure + still)
    if problems:
        return False, words.not_met.format(problems="; ".join(problems))
    strong = sum(1 for v in mine if v >= scale.strong)
    return True, words.met.format(
        figure=figure,
        at_standard=len(mine) - len(developing),
        total=len(mine),
        strong=words.strong.format(count=strong) if strong else "",
        developing=still,
    )


def _titles(criteria: Sequence[Criterion]) -> str:
    return ", ".join(f"“{c.heading()}”" for c in criteria)


def _repair(
    pack: Pack, levels: dict[str, int], *, keep: AbstractSet[str] = frozenset(), stations: bool = True
) -> None:
    """Raises the lowest levels, one step at a time, until every area (but those whose
    criteria are all in ``keep``), the bound on levels below the standard and, with
    ``stations``, every station's judgement are satisfied."""
    critical = _critical(pack)
    where = _station_of(pack)
    bound = pack.outcome.overall.max_below_standard
    for cid, (_station, rubric) in where.items():
        if cid in keep:
            continue
        scale = scale_of(pack, rubric)
        levels[cid] = max(levels[cid], scale.floor, critical.get(cid, scale.low))
    for _ in range(300):
        outcome = evaluate_pack(pack, levels)
        failing = {a.area for a in outcome.areas if a.met is False}
        candidates: list[Criterion] = [
            c for _s, c in pack.criteria() if c.kss in failing and c.id not in keep
        ]
        if not candidates and bound is not None and len(outcome.below_standard) > bound:
            below = set(outcome.below_standard)
            candidates = [c for _s, c in pack.criteria() if c.id in below and c.id not in keep]
        if stations and not candidates:
            for _station, rubric in pack.rubrics():
                if not station_met(pack, rubric, levels)[0]:
                    candidates += [c for c in rubric.criteria if c.id not in keep]
        candidates = [c for c in candidates if levels[c.id] < scale_of(pack, where[c.id][1]).strong]
        if not candidates:
            return
        lowest = min(candidates, key=lambda c: levels[c.id])
        levels[lowest.id] += 1
    raise RuntimeError("could not make the demo levels meet the standard")


def intended_levels(
    pack: Pack, rng: random.Random, struggle: Mapping[str, int] | None
) -> tuple[dict[str, int], dict[str, int]]:
    """Two assessors' levels: mostly in agreement, a level apart on a few criteria.

    The written exercise's levels, and a struggling candidate's levels where they
    struggled, are fixed (both assessors give them); the rest are drawn, then raised
    where needed so that each sheet, and the lower of the two levels wherever the
    assessors differ (what moderation agrees), give the intended outcome.
    """
    critical = _critical(pack)
    where = _station_of(pack)
    fixed = {**data.day().written_levels.get(pack.level.value, {}), **(struggle or {})}
    fixed = {cid: lv for cid, lv in fixed.items() if cid in where}
    p_strong, p_weak = (0.08, 0.2) if struggle else (0.24, 0.1)
    first: dict[str, int] = {}
    for cid, (_station, rubric) in where.items():
        sc = scale_of(pack, rubric)
        r = rng.random()
        level = sc.strong if r < p_strong else sc.weak if r > 1 - p_weak else sc.meets
        first[cid] = max(level, critical.get(cid, sc.low))
    first.update(fixed)
    stations = struggle is None
    _repair(pack, first, keep=set(fixed), stations=stations)

    # The second assessor differs by a level on a few criteria, always on the same side of
    # the standard ("meets" against "strong"): both watched the same conversation, so one
    # cannot have seen the behaviour missing where the other noted it done. Where the
    # candidate fell short, both saw it and both give the lower level, each with a reason.
    second = dict(first)
    pool = sorted(c for c in first if c not in fixed and first[c] >= scale_of(pack, where[c][1]).meets)
    for cid in rng.sample(pool, k=min(len(pool), rng.randint(2, 4))):
        sc = scale_of(pack, where[cid][1])
        if sc.strong > sc.meets:
            second[cid] = sc.meets if second[cid] >= sc.strong else second[cid] + 1
    _repair(pack, second, keep=set(fixed), stations=stations)
    agreed = {cid: min(first[cid], second[cid]) for cid in first}
    _repair(pack, agreed, keep=set(fixed), stations=stations)
    for cid, level in agreed.items():  # where moderation's level had to rise, both rise
        first[cid], second[cid] = max(first[cid], level), max(second[cid], level)

    agreed = {cid: min(first[cid], second[cid]) for cid in first}
    for levels in (first, second, agreed):
        if evaluate_pack(pack, levels).met != (struggle is None):
            raise RuntimeError("the demo levels do not give the intended outcome")
    return first, second
