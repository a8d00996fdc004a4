"""The outcome rule: unit cases, then properties that must hold for any sheet."""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from naas_centre.core.outcome import (
    AreaResult,
    CriterionSpec,
    Outcome,
    OutcomeRuleSpec,
    combine,
    evaluate,
)
from naas_centre.packs.loader import builtin_packs, load_pack_file
from naas_centre.packs.outcome_adapter import area_ids, criteria_from_pack, evaluate_pack, rule_from_pack

CRITERIA = (
    CriterionSpec("hv-purpose", "p2", "Explaining the visit", "Home visit"),
    CriterionSpec("hv-risk", "p5", "Naming the risk of harm", "Home visit"),
    CriterionSpec("hv-rapport", "p1", "Building rapport", "Home visit"),
    CriterionSpec("tp-views", "p2", "Hearing the young person's views", "Young person"),
    CriterionSpec("tp-risk", "p5", "Responding to a disclosure", "Young person"),
)
TITLES = {"p1": "Relationships", "p2": "Communication", "p5": "Abuse and neglect of children"}
MEAN = OutcomeRuleSpec(combine="mean", area_pass_mark=2.5)
LABELS = ((1, "Not yet evident"), (2, "Developing"), (3, "Meets the standard"), (4, "Strong"))


def levels(**by_id: int | None) -> dict[str, int | None]:
    return {k.replace("_", "-"): v for k, v in by_id.items()}


ALL_THREE = levels(hv_purpose=3, hv_risk=3, hv_rapport=3, tp_views=3, tp_risk=3)


def run(scores: Mapping[str, int | None], rule: OutcomeRuleSpec = MEAN) -> Outcome:
    return evaluate(CRITERIA, scores, rule, area_titles=TITLES)


# --- unit cases ---------------------------------------------------------------------------


def test_all_areas_at_or_above_the_pass_mark_is_met() -> None:
    out = run(ALL_THREE)
    assert out == Outcome(
        complete=True,
        met=True,
        areas=(
            AreaResult("p2", 3.0, True, 2, 2, (), "Communication", True),
            AreaResult("p5", 3.0, True, 2, 2, (), "Abuse and neglect of children", True),
            AreaResult("p1", 3.0, True, 1, 1, (), "Relationships", True),
        ),
        missing=(),
        reasons=(),
        below_standard=(),
    )


def test_an_area_below_the_pass_mark_is_not_met_and_says_why_by_its_title() -> None:
    out = run({**ALL_THREE, "hv-risk": 2, "tp-risk": 2})
    assert out.complete and out.met is False
    assert out.reasons == (
        "“Abuse and neglect of children” is not met: its combined level, 2.0, is below the pass mark of 2.5.",
    )
    assert [a.met for a in out.areas] == [True, False, True]
    assert out.below_standard == ("hv-risk", "tp-risk")


def test_a_mean_exactly_at_the_pass_mark_is_met() -> None:
    out = run({**ALL_THREE, "hv-risk": 2})
    assert out.areas[1].combined == 2.5
    assert out.met is True


def test_a_figure_just_below_the_mark_is_never_shown_rounded_up_to_it() -> None:
    rule = OutcomeRuleSpec(combine="mean", area_pass_mark=2.67)
    crit = (CriterionSpec("a", "x"), CriterionSpec("b", "x"), CriterionSpec("c", "x"))
    out = evaluate(crit, {"a": 2, "b": 3, "c": 3}, rule, area_titles={"x": "Communication"})
    assert out.reasons == (
        "“Communication” is not met: its combined level, 2.667, is below the pass mark of 2.67.",
    )


def test_an_area_holding_a_failed_critical_criterion_is_not_met_and_says_which() -> None:
    rule = OutcomeRuleSpec(
        combine="mean", area_pass_mark=2.0, critical=(("hv-risk", 3),), level_labels=LABELS
    )
    out = run({**ALL_THREE, "hv-risk": 2}, rule)
    p2, p5, p1 = out.areas
    assert p5.combined == 2.5 and p5.reaches_mark is True  # the figure alone would meet it
    assert p5.met is False and p5.failed_critical == ("hv-risk",)
    assert p2.met and p1.met and p2.failed_critical == ()
    assert out.met is False
    assert out.reasons == (
        "“Naming the risk of harm” (Home visit) was scored at level 2 (Developing). It is a critical "
        "criterion that must reach at least level 3 (Meets the standard), so “Abuse and neglect of "
        "children” is not met and the standard is not met, whatever the other levels.",
    )


def test_a_failed_critical_criterion_fails_even_when_enough_areas_are_met() -> None:
    rule = OutcomeRuleSpec(combine="mean", area_pass_mark=2.0, areas_met=2, critical=(("hv-risk", 3),))
    out = run({**ALL_THREE, "hv-risk": 2}, rule)
    assert sum(1 for a in out.areas if a.met) == 2
    assert out.met is False
    assert len(out.reasons) == 1 and "critical" in out.reasons[0]


def test_a_criterion_below_the_floor_fails() -> None:
    rule = OutcomeRuleSpec(combine="mean", area_pass_mark=2.0, floor_level=2)
    out = run({**ALL_THREE, "tp-views": 1, "hv-purpose": 4}, rule)
    assert all(a.met for a in out.areas)
    assert out.met is False
    assert out.reasons == (
        "“Hearing the young person's views” (Young person) was scored at level 1, below the lowest "
        "level any criterion may have, level 2.",
    )


def test_a_pass_may_hold_only_so_many_criteria_below_the_standard() -> None:
    rule = OutcomeRuleSpec(
        combine="mean", area_pass_mark=2.5, standard_level=3, max_below_standard=1, level_labels=LABELS
    )
    one = {**ALL_THREE, "hv-risk": 2}
    assert run(one, rule).met is True
    two = {**one, "tp-views": 2, "hv-purpose": 4}
    out = run(two, rule)
    assert all(a.met for a in out.areas)
    assert out.met is False
    assert out.below_standard == ("hv-risk", "tp-views")
    assert out.reasons == (
        "2 criteria were scored below level 3 (Meets the standard), the level that meets the standard, "
        "and a pass may hold at most 1: “Naming the risk of harm” (Home visit); “Hearing the young "
        "person's views” (Young person).",
    )
    none = OutcomeRuleSpec(combine="mean", area_pass_mark=2.5, standard_level=3, max_below_standard=0)
    assert "none may be" in run(one, none).reasons[0]


def test_the_standard_is_the_pass_mark_rounded_up_unless_stated() -> None:
    assert OutcomeRuleSpec(combine="mean", area_pass_mark=2.5).standard() == 3
    assert OutcomeRuleSpec(combine="mean", area_pass_mark=3).standard() == 3
    assert OutcomeRuleSpec(combine="mean", area_pass_mark=2.5, standard_level=2).standard() == 2


def test_a_missing_score_means_no_outcome_never_a_zero() -> None:
    partial = {**ALL_THREE, "tp-risk": None}
    del partial["hv-rapport"]
    out = evaluate(CRITERIA, partial, MEAN)
    assert out.complete is False
    assert out.met is None
    assert out.reasons == ()
    assert out.missing == ("hv-rapport", "tp-risk")
    p2, p5, p1 = out.areas
    assert p2 == AreaResult("p2", 3.0, True, 2, 2, (), "p2", True)
    assert p5 == AreaResult("p5", 3.0, None, 1, 2, (), "p5")  # partial figure, no verdict
    assert p1 == AreaResult("p1", None, None, 0, 1, (), "p1")
    assert not p5.complete


def test_an_empty_sheet_is_incomplete() -> None:
    out = evaluate(CRITERIA, {}, MEAN)
    assert out.missing == tuple(c.id for c in CRITERIA)
    assert all(a.combined is None and a.met is None for a in out.areas)


def test_areas_met_as_a_count() -> None:
    rule = OutcomeRuleSpec(combine="mean", area_pass_mark=2.5, areas_met=2)
    one_down = {**ALL_THREE, "hv-rapport": 1}
    assert run(one_down, rule).met is True
    two_down = {**one_down, "hv-risk": 1, "tp-risk": 1}
    out = run(two_down, rule)
    assert out.met is False
    assert out.reasons == (
        "1 of 3 KSS areas were met; at least 2 must be met.",
        "“Abuse and neglect of children” is not met: its combined level, 1.0, is below the pass mark of 2.5.",
        "“Relationships” is not met: its combined level, 1.0, is below the pass mark of 2.5.",
    )


def test_median_and_minimum() -> None:
    crit = tuple(CriterionSpec(c, "x") for c in "abcd")
    scores = {"a": 1, "b": 3, "c": 3, "d": 4}
    median = evaluate(crit, scores, OutcomeRuleSpec(combine="median", area_pass_mark=3))
    assert median.areas[0].combined == 3.0 and median.met is True
    minimum = evaluate(crit, scores, OutcomeRuleSpec(combine="minimum", area_pass_mark=2))
    assert minimum.areas[0].combined == 1.0 and minimum.met is False


def test_areas_follow_the_given_order() -> None:
    out = evaluate(CRITERIA, ALL_THREE, MEAN, areas=["p1", "p2", "p5"])
    assert [a.area for a in out.areas] == ["p1", "p2", "p5"]


@pytest.mark.parametrize(
    ("criteria", "scores", "rule", "areas", "error"),
    [
        ((*CRITERIA, CriterionSpec("hv-risk", "p1")), {}, MEAN, None, "duplicate criterion ids: hv-risk"),
        (CRITERIA, {"nope": 2}, MEAN, None, "levels given for unknown criteria: nope"),
        (
            CRITERIA,
            {},
            OutcomeRuleSpec(combine="mean", area_pass_mark=2, critical=(("nope", 2),)),
            None,
            "unknown critical criterion 'nope'",
        ),
        (CRITERIA, {}, OutcomeRuleSpec(combine="mean", area_pass_mark=2, areas_met=4), None, "only 3"),
        (CRITERIA, {}, MEAN, ["p1", "p2"], "area 'p5', which is not in the list"),
        (CRITERIA, {}, MEAN, ["p1", "p2", "p5", "p9"], "no criterion assesses area(s): p9"),
    ],
)
def test_inconsistent_input_is_a_bug(
    criteria: tuple[CriterionSpec, ...],
    scores: Mapping[str, int | None],
    rule: OutcomeRuleSpec,
    areas: list[str] | None,
    error: str,
) -> None:
    with pytest.raises(ValueError) as info:
        evaluate(criteria, scores, rule, areas=areas)
    assert error in str(info.value)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"combine": "mode", "area_pass_mark": 2},
        {"combine": "mean", "area_pass_mark": 0},
        {"combine": "mean", "area_pass_mark": float("nan")},
        {"combine": "mean", "area_pass_mark": float("inf")},
        {"combine": "mean", "area_pass_mark": True},
        {"combine": "mean", "area_pass_mark": 2, "areas_met": 0},
        {"combine": "mean", "area_pass_mark": 2, "areas_met": True},
        {"combine": "mean", "area_pass_mark": 2, "areas_met": "most"},
        {"combine": "mean", "area_pass_mark": 2, "max_below_standard": 2},  # no standard to count
        {"combine": "mean", "area_pass_mark": 2, "standard_level": 3, "max_below_standard": -1},
    ],
)
def test_a_bad_rule_is_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        OutcomeRuleSpec(**kwargs)  # type: ignore[arg-type]


def test_combine_refuses_nothing_to_combine() -> None:
    with pytest.raises(ValueError):
        combine("mean", [])


def test_the_adapter_reads_a_packs_rule_and_criteria_with_titles() -> None:
    loaded = load_pack_file(Path(__file__).parent / "packs" / "minimal.yaml")
    assert loaded.pack is not None, loaded.problems
    pack = loaded.pack
    assert [(c.id, c.area, c.station) for c in criteria_from_pack(pack)] == [
        ("hv-purpose", "p2", "A home visit"),
        ("hv-rapport", "p1", "A home visit"),
        ("tp-views", "p2", "A talk with a teenager"),
        ("tp-rapport", "p1", "A talk with a teenager"),
    ]
    assert criteria_from_pack(pack)[0].title == "Explaining the visit"
    assert criteria_from_pack(pack)[1].title == "Builds rapport while staying focused on the child."
    assert rule_from_pack(pack) == OutcomeRuleSpec(
        combine="mean",
        area_pass_mark=2.0,
        standard_level=2,
        level_labels=((1, "Not yet"), (2, "Met")),
    )
    assert area_ids(pack) == ("p1", "p2")
    out = evaluate_pack(pack, {"hv-purpose": 2, "hv-rapport": 1, "tp-views": 2, "tp-rapport": 1})
    assert [a.area for a in out.areas] == ["p1", "p2"]
    assert out.met is False
    assert out.reasons == (
        "“Relationships and effective direct work” is not met: its combined level, 1.0, is below the "
        "pass mark of 2.0.",
    )


def _ids_of(pack_criteria: tuple[CriterionSpec, ...], areas: tuple[str, ...]) -> set[str]:
    return {c.id for c in pack_criteria} | set(areas)


@pytest.mark.parametrize("loaded", builtin_packs(), ids=lambda lp: lp.display_name)
def test_the_shipped_packs_give_reasons_in_titles_never_ids(loaded: object) -> None:
    """Every way of failing a shipped pack, at once: no sentence names an internal id."""
    from naas_centre.packs.loader import LoadedPack

    assert isinstance(loaded, LoadedPack) and loaded.pack is not None
    pack = loaded.pack
    lowest = min(lv.value for lv in pack.levels)
    out = evaluate_pack(pack, {c.id: lowest for _s, c in pack.criteria()})
    assert out.met is False and out.reasons
    ids = _ids_of(criteria_from_pack(pack), area_ids(pack))
    for reason in out.reasons:
        words = set(reason.replace("“", " ").replace("”", " ").replace(",", " ").replace(".", " ").split())
        assert not words & ids, (reason, words & ids)


# --- properties ---------------------------------------------------------------------------

TOP = 4


@st.composite
def sheets(draw: st.DrawFn) -> tuple[tuple[CriterionSpec, ...], dict[str, int], OutcomeRuleSpec]:
    """A random rubric, a complete sheet of levels 0..TOP and a random rule."""
    n_areas = draw(st.integers(1, 4))
    criteria: list[CriterionSpec] = []
    for a in range(n_areas):
        criteria += [
            CriterionSpec(f"c{a}-{i}", f"a{a}", f"Criterion {a}.{i}", f"Station {i}")
            for i in range(draw(st.integers(1, 4)))
        ]
    scores = {c.id: draw(st.integers(0, TOP)) for c in criteria}
    ids = [c.id for c in criteria]
    critical = draw(st.lists(st.tuples(st.sampled_from(ids), st.integers(0, TOP)), max_size=3))
    standard = draw(st.one_of(st.none(), st.integers(0, TOP)))
    rule = OutcomeRuleSpec(
        combine=draw(st.sampled_from(["mean", "median", "minimum"])),
        area_pass_mark=draw(st.sampled_from([0.5, 1, 1.5, 2, 2.25, 2.5, 3, 3.5, 4])),
        areas_met=draw(st.one_of(st.just("all"), st.integers(1, n_areas))),
        floor_level=draw(st.one_of(st.none(), st.integers(0, TOP))),
        critical=tuple(critical),
        standard_level=standard,
        max_below_standard=None if standard is None else draw(st.one_of(st.none(), st.integers(0, 6))),
    )
    return tuple(criteria), scores, rule


def _critical_ok(rule: OutcomeRuleSpec, scores: Mapping[str, int], crit_id: str) -> bool:
    return all(scores[crit_id] >= level for c, level in rule.critical if c == crit_id)


@settings(deadline=None)
@given(sheets(), st.data())
def test_raising_a_level_never_turns_met_into_not_met(
    sheet: tuple[tuple[CriterionSpec, ...], dict[str, int], OutcomeRuleSpec], data: st.DataObject
) -> None:
    criteria, scores, rule = sheet
    before = evaluate(criteria, scores, rule)
    which = data.draw(st.sampled_from(sorted(scores)))
    assume(scores[which] < TOP)
    raised = {**scores, which: data.draw(st.integers(scores[which] + 1, TOP))}
    after = evaluate(criteria, raised, rule)
    assert before.complete and after.complete
    if before.met:
        assert after.met
    for b, a in zip(before.areas, after.areas, strict=True):
        assert b.combined is not None and a.combined is not None
        assert a.combined >= b.combined
        assert a.met or not b.met


@settings(deadline=None)
@given(sheets(), st.data())
def test_an_incomplete_sheet_never_has_an_outcome(
    sheet: tuple[tuple[CriterionSpec, ...], dict[str, int], OutcomeRuleSpec], data: st.DataObject
) -> None:
    criteria, scores, rule = sheet
    unscored = data.draw(st.sets(st.sampled_from(sorted(scores)), min_size=1))
    as_none = data.draw(st.booleans())
    partial: dict[str, int | None]
    if as_none:  # unscored as an explicit None, or left out altogether
        partial = {k: (None if k in unscored else v) for k, v in scores.items()}
    else:
        partial = {k: v for k, v in scores.items() if k not in unscored}
    out = evaluate(criteria, partial, rule)
    assert out.complete is False
    assert out.met is None
    assert out.reasons == ()
    assert set(out.missing) == unscored
    for area in out.areas:
        assert (area.met is None) == (area.scored < area.total)
        assert (area.combined is None) == (area.scored == 0)


@settings(deadline=None)
@given(sheets())
def test_all_levels_at_the_top_are_met_when_the_marks_are_reachable(
    sheet: tuple[tuple[CriterionSpec, ...], dict[str, int], OutcomeRuleSpec],
) -> None:
    criteria, _scores, rule = sheet
    assert rule.area_pass_mark <= TOP  # every drawn mark, floor and critical level is reachable
    out = evaluate(criteria, dict.fromkeys((c.id for c in criteria), TOP), rule)
    assert out.met is True
    assert out.reasons == ()


@settings(deadline=None)
@given(sheets())
def test_area_figures_agree_with_the_statistics_module(
    sheet: tuple[tuple[CriterionSpec, ...], dict[str, int], OutcomeRuleSpec],
) -> None:
    criteria, scores, rule = sheet
    reference = {"mean": statistics.fmean, "median": statistics.median, "minimum": min}[rule.combine]
    out = evaluate(criteria, scores, rule)
    for area in out.areas:
        mine = [c for c in criteria if c.area == area.area]
        values = [scores[c.id] for c in mine]
        figure_ok = float(reference(values)) >= rule.area_pass_mark - 1e-9
        failed = tuple(c.id for c in mine if not _critical_ok(rule, scores, c.id))
        assert area.combined == pytest.approx(float(reference(values)), abs=1e-12)
        assert area.reaches_mark == figure_ok
        assert area.failed_critical == failed
        assert area.met == (figure_ok and not failed)
        assert area.scored == area.total == len(values)


@settings(deadline=None)
@given(sheets())
def test_met_exactly_when_every_stated_condition_holds(
    sheet: tuple[tuple[CriterionSpec, ...], dict[str, int], OutcomeRuleSpec],
) -> None:
    """The rule as the pack documents it, restated from scratch, against ``evaluate``."""
    criteria, scores, rule = sheet
    out = evaluate(criteria, scores, rule)
    reference = {"mean": statistics.fmean, "median": statistics.median, "minimum": min}[rule.combine]
    areas = {c.area for c in criteria}
    met_areas = sum(
        1
        for a in areas
        if float(reference([scores[c.id] for c in criteria if c.area == a])) >= rule.area_pass_mark - 1e-9
        and all(_critical_ok(rule, scores, c.id) for c in criteria if c.area == a)
    )
    needed = len(areas) if rule.areas_met == "all" else rule.areas_met
    conditions = {
        "areas": met_areas >= needed,
        "floor": rule.floor_level is None or all(v >= rule.floor_level for v in scores.values()),
        "critical": all(scores[c] >= level for c, level in rule.critical),
        "below": rule.max_below_standard is None
        or sum(1 for v in scores.values() if v < rule.standard()) <= rule.max_below_standard,
    }
    assert out.met == all(conditions.values()), conditions
    assert out.met == (out.reasons == ())
    assert out.below_standard == tuple(c.id for c in criteria if scores[c.id] < rule.standard())
    # Each condition that fails gives at least one sentence of its own.
    text = " ".join(out.reasons)
    if not conditions["floor"]:
        assert "below the lowest level any criterion may have" in text
    if not conditions["critical"]:
        assert "It is a critical criterion" in text
    if not conditions["below"]:
        assert "the level that meets the standard" in text
    if not conditions["areas"]:
        assert "is not met" in text
    # Sentences name criteria by title, never by id.
    for c in criteria:
        assert f" {c.id} " not in f" {text} "
