"""Knowledge-test forms: assembled from a bank by a blueprint and a seed, and marked.

Pure and fast, over plain data (``packs/blueprint.py`` turns a pack into it). The same
bank, cells and seed always give the same form, on any machine and Python version:
the random choices come from SHA-256 of the seed, not from ``random``, whose
algorithms may change. Each choice is drawn from its own labelled stream (a cell's
picks, the item order, one item's options), so an item's option order depends only on
the seed and the item, and sorting each cell's pool by id makes the form independent
of the order the bank lists its items in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal, TypeVar

from naas_centre.errors import UserError

AnswerType = Literal["single", "multiple", "yes_no"]
MultipleMarking = Literal["all_or_nothing", "per_option"]
T = TypeVar("T")


class BlueprintUnfillable(UserError):
    """The bank holds fewer items of an area × type than the blueprint asks for."""


@dataclass(frozen=True)
class BankEntry:
    """One item as assembly and marking need it: no text, only ids."""

    id: str
    version: int
    kss: str
    type: str  # the blueprint's cell type: single, multiple, yes_no or video
    answer_type: AnswerType
    options: tuple[str, ...]  # as written; yes/no items have ("yes", "no")
    keys: frozenset[str]
    choose: int | None = None  # multiple: how many the candidate is asked for


@dataclass(frozen=True)
class Cell:
    kss: str
    type: str
    count: int


@dataclass(frozen=True)
class FormItem:
    """An item as one candidate sees it: its place is its index in ``Form.items``."""

    id: str
    version: int
    kss: str
    answer_type: AnswerType
    options: tuple[str, ...]  # in the order shown to this candidate


@dataclass(frozen=True)
class Form:
    seed: str
    items: tuple[FormItem, ...]


@dataclass(frozen=True)
class MarkingRule:
    multiple: MultipleMarking
    pass_share: Fraction | None = None  # a share of the marks available, or
    pass_count: Fraction | None = None  # a number of marks


@dataclass(frozen=True)
class AreaMarks:
    kss: str
    marks: Fraction
    available: int


@dataclass(frozen=True)
class FormResult:
    item_marks: tuple[tuple[str, Fraction], ...]  # in form order
    marks: Fraction
    available: int
    needed: Fraction
    passed: bool
    areas: tuple[AreaMarks, ...]  # in order of first appearance on the form


# ---------------------------------------------------------------------------------------
# Assembly


class _Stream:
    """Uniform whole numbers drawn from SHA-256(seed, label, counter)."""

    def __init__(self, seed: str, label: str) -> None:
        self._prefix = f"{len(seed)}:{seed}|{label}|".encode()
        self._counter = 0

    def below(self, n: int) -> int:
        """A number in [0, n), without bias (rejection sampling on 64-bit draws)."""
        limit = (1 << 64) - (1 << 64) % n
        while True:
            digest = hashlib.sha256(self._prefix + str(self._counter).encode()).digest()
            self._counter += 1
            value = int.from_bytes(digest[:8], "big")
            if value < limit:
                return value % n


def _shuffled(values: Sequence[T], stream: _Stream, take: int | None = None) -> list[T]:
    """Fisher–Yates, stopped after ``take`` places: a uniform sample in uniform order."""
    out = list(values)
    n = len(out)
    for i in range(n if take is None else min(take, n)):
        j = i + stream.below(n - i)
        out[i], out[j] = out[j], out[i]
    return out if take is None else out[:take]


def assemble_form(bank: Iterable[BankEntry], cells: Sequence[Cell], seed: str | int) -> Form:
    """Pick each cell's items, then shuffle the item order and each item's options.

    Yes/no items keep yes before no. Raises ``BlueprintUnfillable`` (naming the cell and
    the shortfall) if a cell asks for more items than the bank has; an item is never
    picked twice, since each item belongs to exactly one area × type.
    """
    key = str(seed)
    pools: dict[tuple[str, str], list[BankEntry]] = {}
    for entry in bank:
        pools.setdefault((entry.kss, entry.type), []).append(entry)
    picked: list[BankEntry] = []
    for cell in cells:
        pool = sorted(pools.get((cell.kss, cell.type), []), key=lambda e: (e.id, e.version))
        if len(pool) < cell.count:
            raise BlueprintUnfillable(
                f"the bank has {len(pool)} {cell.type} item(s) in KSS area {cell.kss}, "
                f"{cell.count - len(pool)} short of the {cell.count} the blueprint asks for"
            )
        picked += _shuffled(pool, _Stream(key, f"cell|{cell.kss}|{cell.type}"), take=cell.count)
    ordered = _shuffled(picked, _Stream(key, "order"))
    items = tuple(
        FormItem(
            e.id,
            e.version,
            e.kss,
            e.answer_type,
            e.options
            if e.answer_type == "yes_no"
            else tuple(_shuffled(e.options, _Stream(key, f"options|{e.id}"))),
        )
        for e in ordered
    )
    return Form(key, items)


# ---------------------------------------------------------------------------------------
# Marking


def item_marks(entry: BankEntry, chosen: Collection[str], multiple: MultipleMarking) -> Fraction:
    """The marks (0 to 1) for one answer: the option ids the candidate chose.

    Single and yes/no: 1 for the key alone, else 0. Multiple, all or nothing: 1 for
    exactly the keys. Multiple, per option: 1/choose for each key chosen, and 0 for
    the item if more options are chosen than the item asks for.
    """
    answer = frozenset(chosen)
    unknown = answer - set(entry.options)
    if unknown:
        raise ValueError(f"item {entry.id} v{entry.version} has no option {', '.join(sorted(unknown))}")
    if entry.answer_type != "multiple" or multiple == "all_or_nothing":
        return Fraction(1 if answer == entry.keys else 0)
    choose = entry.choose if entry.choose is not None else len(entry.keys)
    if len(answer) > choose:
        return Fraction(0)
    return Fraction(len(answer & entry.keys), choose)


def mark_form(
    form: Form,
    bank: Mapping[tuple[str, int], BankEntry],
    answers: Mapping[str, Collection[str]],
    rule: MarkingRule,
) -> FormResult:
    """Mark a form's answers (item id → chosen option ids; unanswered: absent or empty).

    ``bank`` is looked up by (id, version), so a form is marked on the version its
    candidate saw. Each item is worth one mark.
    """
    if (rule.pass_share is None) == (rule.pass_count is None):
        raise ValueError("a marking rule has a pass share or a pass count, not both or neither")
    per_item: list[tuple[str, Fraction]] = []
    areas: dict[str, list[Fraction]] = {}
    for item in form.items:
        entry = bank[(item.id, item.version)]
        marks = item_marks(entry, answers.get(item.id, ()), rule.multiple)
        per_item.append((item.id, marks))
        areas.setdefault(item.kss, []).append(marks)
    total = sum((m for _, m in per_item), Fraction(0))
    available = len(form.items)
    needed = rule.pass_count if rule.pass_count is not None else (rule.pass_share or Fraction(0)) * available
    return FormResult(
        tuple(per_item),
        total,
        available,
        needed,
        total >= needed,
        tuple(AreaMarks(k, sum(v, Fraction(0)), len(v)) for k, v in areas.items()),
    )
