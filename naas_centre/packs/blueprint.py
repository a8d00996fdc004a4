"""A pack's knowledge test: its bank, how multiple-answer items are marked, and its forms.

A blueprint (one per form) says how many items of each KSS area × item type a form
holds, the time allowed, the pass mark (a share of the marks or a number of marks) and
how often a candidate may replay a video item. ``knowledge_problems`` checks it against
the bank: a cell the bank cannot fill is named, with how many items it is short.
``form_plan`` turns it into the plain data ``core/test_form.py`` assembles and marks.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Annotated

from pydantic import Field, StrictInt

from naas_centre.core import test_form
from naas_centre.packs.question_bank import (
    Id,
    ItemType,
    MultipleMarking,
    QuestionBank,
    StrictModel,
    Text,
    area_type_counts,
    bank_problems,
)

Problem = tuple[str, str]
BANK_PATH = "knowledge_test.bank"


class PassMark(StrictModel):
    share: Annotated[float, Field(gt=0, le=1, strict=True, allow_inf_nan=False)] | None = Field(
        default=None, description="A share of the form's marks, e.g. 0.7."
    )
    count: Annotated[StrictInt, Field(ge=1)] | None = Field(default=None, description="A number of marks.")


class Cell(StrictModel):
    kss: Id
    type: ItemType
    count: Annotated[StrictInt, Field(ge=1)]


class Blueprint(StrictModel):
    id: Id
    title: Text
    minutes: Annotated[float, Field(gt=0, le=600, strict=True, allow_inf_nan=False)]
    pass_mark: PassMark
    video_replays: Annotated[StrictInt, Field(ge=0)] = Field(
        default=1, description="How many times a candidate may replay a video item's clip."
    )
    cells: list[Cell] = Field(min_length=1)

    def size(self) -> int:
        return sum(c.count for c in self.cells)


class KnowledgeTest(StrictModel):
    bank: QuestionBank = Field(description="In the pack file: the bank file's path, relative to the pack.")
    multiple_marking: MultipleMarking = MultipleMarking.ALL_OR_NOTHING
    forms: list[Blueprint] = Field(min_length=1)


def knowledge_problems(test: KnowledgeTest, areas: dict[str, str], station_ids: set[str]) -> list[Problem]:
    """The bank's own problems, then each blueprint's against the pack and the bank."""
    problems = bank_problems(test.bank, areas, BANK_PATH)
    counts = area_type_counts(test.bank.items)
    seen_forms: set[str] = set()
    for f, form in enumerate(test.forms):
        at = f"knowledge_test.forms[{f}]"
        if form.id in seen_forms or form.id in station_ids:
            problems.append((f"{at}.id", f"duplicate station or form id {form.id!r}"))
        seen_forms.add(form.id)
        seen_cells: set[tuple[str, ItemType]] = set()
        for c, cell in enumerate(form.cells):
            where = f"{at}.cells[{c}]"
            if cell.kss not in areas:
                problems.append((f"{where}.kss", f"unknown KSS area {cell.kss!r}"))
                continue
            if (cell.kss, cell.type) in seen_cells:
                problems.append(
                    (where, f"{cell.kss} × {cell.type.value} is given twice; give each area × type once")
                )
            seen_cells.add((cell.kss, cell.type))
            have = counts.get((cell.kss, cell.type), 0)
            if have < cell.count:
                problems.append(
                    (
                        f"{where}.count",
                        f"the bank cannot fill {cell.kss} ({areas[cell.kss]}) × {cell.type.value}: it has "
                        f"{have} such item(s), {cell.count - have} short of the {cell.count} asked for",
                    )
                )
        mark = form.pass_mark
        if (mark.share is None) == (mark.count is None):
            problems.append(
                (f"{at}.pass_mark", "give the pass mark as a share or as a count, not both or neither")
            )
        elif mark.count is not None and mark.count > form.size():
            problems.append(
                (
                    f"{at}.pass_mark.count",
                    f"{mark.count} marks cannot be reached on a form of {form.size()} items",
                )
            )
    return problems


# ---------------------------------------------------------------------------------------
# Into plain data for core/test_form.py


@dataclass(frozen=True)
class FormPlan:
    cells: tuple[test_form.Cell, ...]
    rule: test_form.MarkingRule


def bank_entries(bank: QuestionBank) -> list[test_form.BankEntry]:
    return [
        test_form.BankEntry(
            id=item.id,
            version=item.version,
            kss=item.kss,
            type=item.type.value,
            answer_type=item.answer_type.value,
            options=item.option_ids(),
            keys=item.key_ids(),
            choose=item.choose,
        )
        for item in bank.items
    ]


def form_plan(test: KnowledgeTest, form: Blueprint) -> FormPlan:
    mark = form.pass_mark
    rule = test_form.MarkingRule(
        multiple=test.multiple_marking.value,
        # str() first: 0.7 is Fraction(7, 10), not the binary float's 0.6999…
        pass_share=Fraction(str(mark.share)) if mark.share is not None else None,
        pass_count=Fraction(mark.count) if mark.count is not None else None,
    )
    return FormPlan(tuple(test_form.Cell(c.kss, c.type.value, c.count) for c in form.cells), rule)
