"""Knowledge-test forms: assembled reproducibly from a seed, and marked as by hand."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

import pytest

from naas_centre.core.test_form import (
    AreaMarks,
    BankEntry,
    BlueprintUnfillable,
    Cell,
    Form,
    FormItem,
    MarkingRule,
    assemble_form,
    item_marks,
    mark_form,
)


def entry(
    item_id: str, kss: str, kind: str = "single", keys: str = "a", choose: int | None = None
) -> BankEntry:
    answer = "single" if kind == "video" else kind
    options = ("yes", "no") if answer == "yes_no" else tuple("abcdefg"[: 7 if answer == "multiple" else 4])
    return BankEntry(item_id, 1, kss, kind, answer, options, frozenset(keys.split(",")), choose)  # type: ignore[arg-type]


def bank(per_cell: int = 10) -> list[BankEntry]:
    out: list[BankEntry] = []
    for area in ("p1", "p2", "p3"):
        for n in range(per_cell):
            out.append(entry(f"{area}-s{n:02}", area))
            out.append(entry(f"{area}-m{n:02}", area, "multiple", "a,c,e", 3))
            out.append(entry(f"{area}-y{n:02}", area, "yes_no", "yes"))
            out.append(entry(f"{area}-v{n:02}", area, "video", "b"))
    return out


CELLS = [
    Cell("p1", "single", 4),
    Cell("p1", "yes_no", 2),
    Cell("p2", "single", 3),
    Cell("p2", "multiple", 2),
    Cell("p3", "video", 1),
    Cell("p3", "single", 5),
]


# --- assembly -----------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_form_and_another_seed_another() -> None:
    first = assemble_form(bank(), CELLS, seed="sitting-42")
    assert assemble_form(bank(), CELLS, seed="sitting-42") == first
    other = assemble_form(bank(), CELLS, seed="sitting-43")
    assert [i.id for i in other.items] != [i.id for i in first.items]
    assert first.seed == "sitting-42" and assemble_form(bank(), CELLS, seed=42).seed == "42"


def test_the_form_does_not_depend_on_the_order_the_bank_lists_its_items() -> None:
    assert assemble_form(bank()[::-1], CELLS, seed=7) == assemble_form(bank(), CELLS, seed=7)


def test_every_cell_is_filled_and_no_item_is_picked_twice() -> None:
    for seed in range(50):
        form = assemble_form(bank(), CELLS, seed=seed)
        ids = [i.id for i in form.items]
        assert len(ids) == len(set(ids)) == sum(c.count for c in CELLS)
        by_cell = Counter((i.kss, i.id.split("-")[1][0]) for i in form.items)
        letter = {"single": "s", "multiple": "m", "yes_no": "y", "video": "v"}
        assert by_cell == Counter({(c.kss, letter[c.type]): c.count for c in CELLS})


def test_item_order_is_shuffled_across_cells() -> None:
    orders = {tuple(i.kss for i in assemble_form(bank(), CELLS, seed=s).items) for s in range(20)}
    assert len(orders) == 20  # not grouped by cell, and different for each candidate


def test_options_are_shuffled_but_yes_no_keeps_its_order() -> None:
    seen: Counter[tuple[str, ...]] = Counter()
    for seed in range(200):
        for item in assemble_form(bank(), CELLS, seed=seed).items:
            if item.answer_type == "yes_no":
                assert item.options == ("yes", "no")
            else:
                assert len(set(item.options)) == len(item.options)
                if item.id.startswith("p1-s"):
                    seen[item.options] += 1
    assert len(seen) == 24  # every order of four options turns up


def test_an_items_option_order_depends_only_on_the_seed_and_the_item() -> None:
    small = [Cell("p1", "single", 10)]
    a = {i.id: i.options for i in assemble_form(bank(), small, seed="x").items}
    b = {i.id: i.options for i in assemble_form(bank(), [*small, Cell("p2", "single", 2)], seed="x").items}
    assert all(b[k] == v for k, v in a.items())


def test_picks_are_uniform_over_a_cells_pool() -> None:
    pool = [entry(f"i{n}", "p1") for n in range(4)]
    counts = Counter(assemble_form(pool, [Cell("p1", "single", 1)], seed=s).items[0].id for s in range(4000))
    assert set(counts) == {"i0", "i1", "i2", "i3"}
    assert all(900 <= c <= 1100 for c in counts.values()), counts


def test_a_cell_the_bank_cannot_fill_is_refused_with_the_shortfall() -> None:
    with pytest.raises(BlueprintUnfillable) as caught:
        assemble_form(bank(per_cell=3), [Cell("p2", "multiple", 5)], seed=1)
    assert str(caught.value) == (
        "the bank has 3 multiple item(s) in KSS area p2, 2 short of the 5 the blueprint asks for"
    )


# --- marking, against a hand-worked form ----------------------------------------------------

HAND_BANK = {
    ("s1", 1): entry("s1", "p1", keys="b"),
    ("s2", 1): entry("s2", "p1", keys="a"),
    ("y1", 1): entry("y1", "p2", "yes_no", "no"),
    ("y2", 1): entry("y2", "p2", "yes_no", "yes"),
    ("m1", 1): entry("m1", "p2", "multiple", "a,c,e", 3),
    ("m2", 1): entry("m2", "p3", "multiple", "b,d,f", 3),
    ("m3", 1): entry("m3", "p3", "multiple", "a,b,c", 3),
    ("v1", 1): entry("v1", "p3", "video", "d"),
}
HAND_FORM = Form(
    "hand",
    tuple(FormItem(k[0], 1, e.kss, e.answer_type, e.options) for k, e in HAND_BANK.items()),
)
HAND_ANSWERS = {
    "s1": {"b"},  # right: 1
    "s2": {"c"},  # wrong: 0
    "y1": {"no"},  # right: 1
    # y2 unanswered: 0
    "m1": {"a", "c", "d"},  # two keys of three: 0 all or nothing, 2/3 per option
    "m2": {"b", "d", "f"},  # exactly the keys: 1 either way
    "m3": {"a", "b", "c", "d"},  # four chosen where three were asked: 0 either way
    "v1": {"d"},  # right: 1
}


def test_all_or_nothing_marks_the_hand_worked_form() -> None:
    rule = MarkingRule("all_or_nothing", pass_share=Fraction(11, 20))
    result = mark_form(HAND_FORM, HAND_BANK, HAND_ANSWERS, rule)
    assert [m for _, m in result.item_marks] == [1, 0, 1, 0, 0, 1, 0, 1]
    assert result.marks == 4 and result.available == 8
    assert result.needed == Fraction(22, 5) and not result.passed  # 4 < 55 % of 8 = 4.4
    assert result.areas == (
        AreaMarks("p1", Fraction(1), 2),
        AreaMarks("p2", Fraction(1), 3),
        AreaMarks("p3", Fraction(2), 3),
    )


def test_per_option_marks_the_hand_worked_form() -> None:
    rule = MarkingRule("per_option", pass_share=Fraction(11, 20))
    result = mark_form(HAND_FORM, HAND_BANK, HAND_ANSWERS, rule)
    assert [m for _, m in result.item_marks] == [1, 0, 1, 0, Fraction(2, 3), 1, 0, 1]
    assert result.marks == Fraction(14, 3) and result.passed  # 4.67 reaches 4.4
    assert result.areas[1] == AreaMarks("p2", Fraction(5, 3), 3)


def test_a_pass_mark_as_a_count() -> None:
    at_four = mark_form(
        HAND_FORM, HAND_BANK, HAND_ANSWERS, MarkingRule("all_or_nothing", pass_count=Fraction(4))
    )
    at_five = mark_form(
        HAND_FORM, HAND_BANK, HAND_ANSWERS, MarkingRule("all_or_nothing", pass_count=Fraction(5))
    )
    assert at_four.passed and not at_five.passed


def test_single_and_yes_no_items_score_the_key_alone() -> None:
    single = HAND_BANK[("s1", 1)]
    assert item_marks(single, {"b"}, "per_option") == 1
    assert item_marks(single, {"a", "b"}, "per_option") == 0
    assert item_marks(single, set(), "all_or_nothing") == 0
    assert item_marks(HAND_BANK[("y1", 1)], {"yes"}, "all_or_nothing") == 0


def test_per_option_never_rewards_choosing_everything_and_counts_each_key() -> None:
    multiple = HAND_BANK[("m1", 1)]
    assert item_marks(multiple, set("abcdefg"), "per_option") == 0
    assert item_marks(multiple, {"a"}, "per_option") == Fraction(1, 3)
    assert item_marks(multiple, {"b", "d", "f"}, "per_option") == 0
    assert item_marks(multiple, {"a", "c", "e"}, "all_or_nothing") == 1


def test_an_answer_naming_no_option_of_the_item_is_a_fault_not_a_mark() -> None:
    with pytest.raises(ValueError, match="item s1 v1 has no option z"):
        item_marks(HAND_BANK[("s1", 1)], {"z"}, "all_or_nothing")


def test_a_form_is_marked_on_the_version_its_candidate_saw() -> None:
    revised = {**HAND_BANK, ("s1", 2): entry("s1", "p1", keys="c")}
    seen_v1 = mark_form(
        HAND_FORM, revised, {"s1": {"b"}}, MarkingRule("all_or_nothing", pass_count=Fraction(1))
    )
    assert seen_v1.item_marks[0] == ("s1", Fraction(1))
