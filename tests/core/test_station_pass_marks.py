"""Station pass marks in the outcome rule (the conjunctive rule), and which adopted mark
is in force on a day."""

from __future__ import annotations

import random
from datetime import date

import pytest

from naas_centre.core.outcome import CriterionSpec, OutcomeRuleSpec, StationPassMark, evaluate
from naas_centre.core.pass_marks import AdoptedMark, in_force, marks_of, spread
from naas_centre.exports.score_sheets import FastRule

CRITERIA = (
    CriterionSpec("hv-purpose", "p2", "Explaining the visit", "Home visit"),
    CriterionSpec("hv-risk", "p5", "Naming the risk of harm", "Home visit"),
    CriterionSpec("tp-views", "p2", "Hearing the young person's views", "Young person"),
    CriterionSpec("tp-risk", "p5", "Responding to a disclosure", "Young person"),
)
HOME = StationPassMark("Home visit", ("hv-purpose", "hv-risk"), 6.5)
YOUNG = StationPassMark("Young person", ("tp-views", "tp-risk"), 5)
HOME_SHORT = (
    "“Home visit” scored 6 in all, below its pass mark of 6.5: every station must reach its own pass mark."
)
MEAN = OutcomeRuleSpec(combine="mean", area_pass_mark=2.5)
WITH_MARKS = OutcomeRuleSpec(combine="mean", area_pass_mark=2.5, station_pass_marks=(HOME, YOUNG))
# Areas: p2 (3 + 4) / 2 = 3.5, p5 (3 + 2) / 2 = 2.5: met by the areas. Home visit 6, young person 6.
SHEET = {"hv-purpose": 3, "hv-risk": 3, "tp-views": 4, "tp-risk": 2}


def test_a_sheet_met_by_its_areas_is_not_met_below_a_station_pass_mark() -> None:
    assert evaluate(CRITERIA, SHEET, MEAN).met is True
    out = evaluate(CRITERIA, SHEET, WITH_MARKS)
    assert out.met is False
    assert out.reasons == (HOME_SHORT,)
    assert all(a.met for a in out.areas)  # the areas themselves are still met


def test_reaching_every_station_mark_exactly_is_met() -> None:
    rule = OutcomeRuleSpec(
        combine="mean",
        area_pass_mark=2.5,
        station_pass_marks=(StationPassMark("Home visit", HOME.criteria, 6),),
    )
    assert evaluate(CRITERIA, SHEET, rule).met is True


def test_a_station_mark_adds_its_sentence_after_the_others() -> None:
    failing = dict(SHEET, **{"tp-risk": 1})  # p5 now (3 + 1) / 2 = 2; the young person 5, its mark
    out = evaluate(CRITERIA, failing, WITH_MARKS)
    assert out.reasons == (
        "“p5” is not met: its combined level, 2.0, is below the pass mark of 2.5.",
        HOME_SHORT,
    )


def test_an_incomplete_sheet_has_no_outcome_whatever_the_marks() -> None:
    out = evaluate(CRITERIA, dict(SHEET, **{"hv-risk": None}), WITH_MARKS)
    assert out.complete is False and out.met is None and out.reasons == ()


@pytest.mark.parametrize("mark", [-1, float("nan"), float("inf"), True])
def test_a_station_mark_must_be_a_number_of_zero_or_more(mark: float) -> None:
    with pytest.raises(ValueError, match="a station pass mark must be a number of 0 or more"):
        StationPassMark("Home visit", HOME.criteria, mark)


def test_a_station_mark_names_criteria_the_rule_knows() -> None:
    with pytest.raises(ValueError, match="names no criteria"):
        StationPassMark("Home visit", (), 3)
    rule = OutcomeRuleSpec(
        combine="mean", area_pass_mark=2.5, station_pass_marks=(StationPassMark("Garden", ("dig",), 1),)
    )
    with pytest.raises(ValueError, match="unknown criteria: dig"):
        evaluate(CRITERIA, SHEET, rule)


def test_the_fast_verdict_agrees_with_the_rule_with_station_marks() -> None:
    rnd = random.Random(14)
    crits = tuple(CriterionSpec(f"c{i}", f"a{i % 3}") for i in range(9))
    stations = ((0, 1, 2), (3, 4, 5), (6, 7, 8))
    for _ in range(500):
        marks = tuple(
            StationPassMark(f"S{k}", tuple(f"c{i}" for i in ids), rnd.choice([0, 4.5, 6, 7.25, 9, 12]))
            for k, ids in enumerate(stations)
            if rnd.random() < 0.6
        )
        rule = OutcomeRuleSpec(
            combine=rnd.choice(["mean", "median", "minimum"]),
            area_pass_mark=rnd.choice([1.5, 2, 2.5]),
            standard_level=3,
            station_pass_marks=marks,
        )
        fast = FastRule(crits, rule, ("a0", "a1", "a2"))
        levels = [rnd.randint(1, 4) for _ in crits]
        want = evaluate(crits, dict(zip(fast.ids, levels, strict=True)), rule, areas=("a0", "a1", "a2"))
        assert fast.verdict(levels) == (want.met, tuple(bool(a.met) for a in want.areas))


# Which mark is in force --------------------------------------------------------------------

V1 = AdoptedMark("home-visit", 6.0, date(2027, 3, 1), 1)
V2 = AdoptedMark("home-visit", 6.5, date(2027, 4, 1), 2)
V3 = AdoptedMark("home-visit", 5.5, date(2027, 3, 15), 3)  # a correction, effective earlier than v2
YP = AdoptedMark("young-person", 4.0, date(2027, 3, 1), 1)


def test_no_mark_is_in_force_before_its_day() -> None:
    assert in_force([V1, YP], date(2027, 2, 28)) == {}
    assert in_force([V1, YP], date(2027, 3, 1)) == {"home-visit": V1, "young-person": YP}


def test_the_newest_version_in_force_that_day_counts() -> None:
    adopted = [V1, V2, V3, YP]
    assert in_force(adopted, date(2027, 3, 10))["home-visit"] == V1
    assert in_force(adopted, date(2027, 3, 20))["home-visit"] == V3
    assert in_force(adopted, date(2027, 4, 2))["home-visit"] == V3  # v3 was adopted after v2
    assert in_force([V1, V2], date(2027, 4, 2))["home-visit"] == V2
    assert marks_of(in_force(adopted, date(2027, 4, 2))) == {"home-visit": 5.5, "young-person": 4.0}


def test_the_spread_is_the_spreadsheet_quartiles() -> None:
    # QUARTILE.INC of 4, 4, 5, 5, 5, 5, 6, 6, 7, 7, 8, 8 gives 5, 5.5 and 7.
    got = spread([8, 4, 5, 7, 5, 6, 4, 8, 5, 6, 7, 5])
    assert got is not None and (got.n, got.lower_quartile, got.median, got.upper_quartile) == (12, 5, 5.5, 7)
    assert spread([3.0]) is None
