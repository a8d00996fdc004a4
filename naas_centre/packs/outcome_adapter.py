"""From a pack to the plain specs that ``naas_centre.core.outcome`` evaluates.

Kept out of ``core`` so the rule stays independent of the pack schema.
"""

from __future__ import annotations

from collections.abc import Mapping

from naas_centre.core.outcome import Combine, CriterionSpec, Outcome, OutcomeRuleSpec, evaluate
from naas_centre.packs.schema import CombineRule, Pack

_COMBINE: Mapping[CombineRule, Combine] = {
    CombineRule.MEAN: "mean",
    CombineRule.MEDIAN: "median",
    CombineRule.MINIMUM: "minimum",
}


def criteria_from_pack(pack: Pack) -> tuple[CriterionSpec, ...]:
    """Every criterion of every station, in sitting order, with its KSS area."""
    return tuple(CriterionSpec(id=c.id, area=c.kss) for _station, c in pack.criteria())


def area_ids(pack: Pack) -> tuple[str, ...]:
    """The pack's KSS area ids, in the pack's order (the order feedback is given in)."""
    return tuple(a.id for a in pack.kss_areas)


def rule_from_pack(pack: Pack) -> OutcomeRuleSpec:
    rule = pack.outcome
    return OutcomeRuleSpec(
        combine=_COMBINE[rule.area_combine],
        area_pass_mark=rule.area_pass_mark,
        areas_met=rule.overall.areas_met,
        floor_level=rule.overall.floor_level,
        critical=tuple((c.criterion, c.min_level) for c in rule.overall.critical),
    )


def evaluate_pack(pack: Pack, levels: Mapping[str, int | None]) -> Outcome:
    """Apply the pack's outcome rule to levels keyed by criterion id.

    The pack must be valid (no ``reference_problems``); areas come out in pack order.
    """
    return evaluate(criteria_from_pack(pack), levels, rule_from_pack(pack), areas=area_ids(pack))
