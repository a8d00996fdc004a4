"""From a pack to the plain specs that ``naas_centre.core.outcome`` evaluates.

Kept out of ``core`` so the rule stays independent of the pack schema. The specs carry
the titles people read (criteria, stations, areas, level labels), so the rule's reasons
never show an internal id.
"""

from __future__ import annotations

from collections.abc import Mapping

from naas_centre.core.outcome import (
    Combine,
    CriterionSpec,
    KnowledgeMark,
    Outcome,
    OutcomeRuleSpec,
    StationPassMark,
    evaluate,
)
from naas_centre.packs.schema import CombineRule, Pack

_COMBINE: Mapping[CombineRule, Combine] = {
    CombineRule.MEAN: "mean",
    CombineRule.MEDIAN: "median",
    CombineRule.MINIMUM: "minimum",
}


def station_titles(pack: Pack) -> dict[str, str]:
    """Station id → title, the written exercise included."""
    out = {s.id: s.title for s in pack.scenarios}
    if pack.written_exercise is not None:
        out[pack.written_exercise.id] = pack.written_exercise.title
    return out


def criteria_from_pack(pack: Pack) -> tuple[CriterionSpec, ...]:
    """Every criterion of every station, in sitting order, with its KSS area and titles."""
    stations = station_titles(pack)
    return tuple(
        CriterionSpec(id=c.id, area=c.kss, title=c.heading(), station=stations[station])
        for station, c in pack.criteria()
    )


def area_ids(pack: Pack) -> tuple[str, ...]:
    """The pack's KSS area ids, in the pack's order (the order feedback is given in)."""
    return tuple(a.id for a in pack.kss_areas)


def area_titles(pack: Pack) -> dict[str, str]:
    return {a.id: a.title for a in pack.kss_areas}


def station_pass_marks(pack: Pack, marks: Mapping[str, float]) -> tuple[StationPassMark, ...]:
    """The rule's station pass marks from ``marks`` (station id → pass mark in force), in
    sitting order; a station the pack does not have is left out."""
    stations = station_titles(pack)
    return tuple(
        StationPassMark(stations[station], tuple(c.id for c in rubric.criteria), float(marks[station]))
        for station, rubric in pack.rubrics()
        if station in marks
    )


def rule_from_pack(pack: Pack, pass_marks: Mapping[str, float] | None = None) -> OutcomeRuleSpec:
    """The pack's rule; ``pass_marks`` (station id → pass mark) are the station pass
    marks in force on the sitting's day, none by default."""
    rule = pack.outcome
    return OutcomeRuleSpec(
        combine=_COMBINE[rule.area_combine],
        area_pass_mark=rule.area_pass_mark,
        areas_met=rule.overall.areas_met,
        floor_level=rule.overall.floor_level,
        critical=tuple((c.criterion, c.min_level) for c in rule.overall.critical),
        standard_level=rule.standard(),
        max_below_standard=rule.overall.max_below_standard,
        level_labels=tuple((lv.value, lv.label) for lv in pack.levels),
        station_pass_marks=station_pass_marks(pack, pass_marks or {}),
    )


def evaluate_pack(
    pack: Pack,
    levels: Mapping[str, int | None],
    pass_marks: Mapping[str, float] | None = None,
    knowledge: Mapping[str, KnowledgeMark | None] | None = None,
) -> Outcome:
    """Apply the pack's outcome rule to levels keyed by criterion id.

    The pack must be valid (no ``reference_problems``); areas come out in pack order,
    with their titles. ``pass_marks`` are the station pass marks in force that day.
    ``knowledge`` is the candidate's knowledge-test marks by form id, None for a form not
    yet submitted (``services.knowledge.outcome_marks``); every form of the pack's test
    must then be given. A pack without a knowledge test takes none.
    """
    if knowledge is not None:
        forms = [] if pack.knowledge_test is None else [f.id for f in pack.knowledge_test.forms]
        if sorted(knowledge) != sorted(forms):
            raise ValueError(
                f"knowledge marks given for forms {sorted(knowledge)}, but the pack has {sorted(forms)}"
            )
    return evaluate(
        criteria_from_pack(pack),
        levels,
        rule_from_pack(pack, pass_marks),
        areas=area_ids(pack),
        area_titles=area_titles(pack),
        knowledge=knowledge,
    )
