"""The knowledge test in the outcome rule: open until submitted, a failed form its own reason."""

from __future__ import annotations

import pytest

from naas_centre.core.outcome import CriterionSpec, KnowledgeMark, OutcomeRuleSpec, evaluate
from naas_centre.packs.loader import builtin_packs
from naas_centre.packs.outcome_adapter import evaluate_pack

CRITERIA = (CriterionSpec("c1", "a1", "Listens"), CriterionSpec("c2", "a1", "Explains"))
RULE = OutcomeRuleSpec(combine="mean", area_pass_mark=2.5)
PASSING = {"c1": 3, "c2": 3}


def test_without_knowledge_the_rule_is_as_before() -> None:
    before = evaluate(CRITERIA, PASSING, RULE)
    assert before.met is True and before.missing_knowledge == ()
    assert evaluate(CRITERIA, PASSING, RULE, knowledge={}) == before


def test_a_form_not_yet_submitted_leaves_the_outcome_open() -> None:
    out = evaluate(CRITERIA, PASSING, RULE, knowledge={"knowledge": None})
    assert out.met is None and not out.complete
    assert out.missing == () and out.missing_knowledge == ("knowledge",)


def test_a_form_below_its_pass_mark_fails_with_totals_only() -> None:
    low = KnowledgeMark("Knowledge test", 41.5, 60, 42.0, False)
    out = evaluate(CRITERIA, PASSING, RULE, knowledge={"knowledge": low})
    assert out.met is False
    assert out.reasons == (
        "The knowledge test “Knowledge test” scored 41.5 of 60 marks, below its pass mark of 42.",
    )
    high = KnowledgeMark("Knowledge test", 42.0, 60, 42.0, True)
    assert evaluate(CRITERIA, PASSING, RULE, knowledge={"knowledge": high}).met is True
    # A passed knowledge test does not make up for a failed area: both are needed.
    assert evaluate(CRITERIA, {"c1": 2, "c2": 2}, RULE, knowledge={"knowledge": high}).met is False


def test_the_adapter_asks_for_every_form_of_the_pack() -> None:
    pack = next(lp.pack for lp in builtin_packs() if lp.pack is not None and lp.pack.knowledge_test)
    assert pack is not None and pack.knowledge_test is not None
    levels = {c.id: 3 for _, c in pack.criteria()}
    assert evaluate_pack(pack, levels).missing_knowledge == ()
    forms = {f.id: None for f in pack.knowledge_test.forms}
    assert evaluate_pack(pack, levels, knowledge=forms).met is None
    with pytest.raises(ValueError, match="knowledge marks given"):
        evaluate_pack(pack, levels, knowledge={"other": None})
    bare = pack.model_copy(update={"knowledge_test": None})
    assert evaluate_pack(bare, levels, knowledge={}).met == evaluate_pack(bare, levels).met
