"""The question bank of a pack: knowledge-test items, as a pydantic schema, and its checks.

An item is one question with its key, the KSS area it evidences, its topic, its
difficulty band and the statute or guidance it rests on. The bank lives in a file of
its own beside the pack (``scenarios/README.md`` says why); the loader reads it in, so
a loaded pack holds every item and the content hash covers them. Media files are
checked and hashed by the loader too (``media_digests``): the hash then covers them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt, StringConstraints
from pydantic_core import PydanticCustomError

# The same id and text rules as the rest of the pack (schema.py); declared here because
# schema.py hangs the bank on the pack and so cannot be imported from this module. A
# test holds the two patterns equal.
Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]

YES_NO = ("yes", "no")  # the fixed choices of a yes/no item, in the order always shown
SINGLE_OPTIONS = 4
# Bank files and media are read whole for their hash; past this size a file is the wrong one.
MAX_MEDIA_BYTES = 200 * 1024 * 1024


def is_relative_path(value: str) -> bool:
    """A path inside the pack's folder, written the same way on every system."""
    parts = value.split("/")
    return not (
        not value
        or value.startswith("/")
        or "\\" in value
        or ":" in value
        or any(p in ("", ".", "..") for p in parts)
    )


def _relative_path(value: str) -> str:
    if not is_relative_path(value):
        raise PydanticCustomError(
            "relative_path",
            "must be a path inside the pack's folder, with '/' between folders and no '..' "
            "(for example knowledge/cases/case-01.md), not '{value}'",
            {"value": value},
        )
    return value


RelativePath = Annotated[str, AfterValidator(_relative_path)]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ItemType(StrEnum):
    SINGLE = "single"  # one key among exactly four options
    MULTIPLE = "multiple"  # ``choose`` keys among the options
    YES_NO = "yes_no"  # the key is yes or no; the item has no options of its own
    VIDEO = "video"  # a clip or case file, then a decision question of ``decision`` type


class DecisionType(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    YES_NO = "yes_no"


class Difficulty(StrEnum):
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


class MultipleMarking(StrEnum):
    ALL_OR_NOTHING = "all_or_nothing"
    PER_OPTION = "per_option"


class Option(StrictModel):
    id: Id
    text: Text


class Media(StrictModel):
    path: RelativePath = Field(description="A clip or case file, relative to the pack's folder.")
    captions: RelativePath | None = Field(default=None, description="Captions for a clip (WebVTT).")
    sha256: Sha256 | None = Field(default=None, description="Filled in by the loader from the file.")
    captions_sha256: Sha256 | None = Field(default=None, description="Filled in by the loader.")


class Item(StrictModel):
    id: Id
    version: Annotated[StrictInt, Field(ge=1)]
    type: ItemType
    decision: DecisionType | None = Field(default=None, description="A video item's question type.")
    stem: Text
    options: list[Option] = Field(default_factory=list)
    key: Id | None = Field(default=None, description="The key of a single or yes/no item.")
    keys: list[Id] = Field(default_factory=list, description="The keys of a multiple item.")
    choose: Annotated[StrictInt, Field(ge=2)] | None = Field(
        default=None, description="How many options a multiple item asks for (stated to the candidate)."
    )
    kss: Id
    topic: Text
    difficulty: Difficulty
    source: Text = Field(description="The statute section or guidance paragraph the key rests on.")
    media: list[Media] = Field(default_factory=list)
    rationale: Text | None = Field(default=None, description="For reviewers; never shown to candidates.")
    retired: bool = Field(
        default=False,
        # Left out of the canonical JSON unless set, so a bank keeps its hash.
        exclude_if=lambda value: not value,
        description="A retired item is never drawn into a new form; past forms keep it.",
    )

    @property
    def answer_type(self) -> DecisionType:
        """How the item is answered: its own type, or a video item's decision type."""
        if self.type is ItemType.VIDEO:
            return self.decision if self.decision is not None else DecisionType.SINGLE
        return DecisionType(self.type.value)

    def option_ids(self) -> tuple[str, ...]:
        if self.answer_type is DecisionType.YES_NO:
            return YES_NO
        return tuple(o.id for o in self.options)

    def key_ids(self) -> frozenset[str]:
        if self.answer_type is DecisionType.MULTIPLE:
            return frozenset(self.keys)
        return frozenset() if self.key is None else frozenset({self.key})


class QuestionBank(StrictModel):
    description: Text | None = None
    items: list[Item] = Field(min_length=1)


Problem = tuple[str, str]  # (field path, message)


def bank_problems(bank: QuestionBank, areas: dict[str, str], at: str) -> list[Problem]:
    """What is wrong across an item's fields, and across items; ``at`` is the bank's path.

    ``areas`` maps the pack's KSS area ids to their titles.
    """
    problems: list[Problem] = []
    first: dict[str, int] = {}
    for i, item in enumerate(bank.items):
        where = f"{at}.items[{i}]"
        if item.id in first:
            problems.append(
                (f"{where}.id", f"duplicate item id {item.id!r} (also at items[{first[item.id]}])")
            )
        else:
            first[item.id] = i
        if item.kss not in areas:
            known = ", ".join(areas)
            problems.append((f"{where}.kss", f"unknown KSS area {item.kss!r}; the pack's areas are {known}"))
        problems += _item_problems(item, where)
    return problems


def _item_problems(item: Item, where: str) -> list[Problem]:
    problems: list[Problem] = []
    if item.type is ItemType.VIDEO and item.decision is None:
        problems.append(
            (
                f"{where}.decision",
                "a video item needs its decision question's type: single, multiple or yes_no",
            )
        )
    if item.type is not ItemType.VIDEO and item.decision is not None:
        problems.append(
            (f"{where}.decision", f"only a video item has a decision type; this is a {item.type.value} item")
        )
    kind = item.answer_type
    ids = [o.id for o in item.options]
    for label, values in (
        ("option id", ids),
        ("option text", [" ".join(o.text.split()) for o in item.options]),
    ):
        seen: set[str] = set()
        for j, value in enumerate(values):
            if value in seen:
                problems.append((f"{where}.options[{j}]", f"duplicate {label} {value!r}"))
            seen.add(value)

    if kind is DecisionType.YES_NO:
        if item.options:
            problems.append(
                (
                    f"{where}.options",
                    "a yes/no item has no options of its own: its choices are always yes and no",
                )
            )
        if item.key is None:
            problems.append((f"{where}.key", "required field missing: the key, yes or no"))
        elif item.key not in YES_NO:
            problems.append((f"{where}.key", f"the key of a yes/no item is yes or no, not {item.key!r}"))
    elif kind is DecisionType.SINGLE:
        if len(item.options) != SINGLE_OPTIONS:
            problems.append(
                (
                    f"{where}.options",
                    f"a single-answer item has exactly {SINGLE_OPTIONS} options; "
                    f"this one has {len(item.options)}",
                )
            )
        if item.key is None:
            problems.append((f"{where}.key", "required field missing: the id of the one correct option"))
        elif item.key not in ids:
            problems.append(
                (f"{where}.key", f"the key {item.key!r} is not one of the options ({', '.join(ids)})")
            )
    else:
        problems += _multiple_problems(item, ids, where)
    if kind is not DecisionType.MULTIPLE:
        if item.keys:
            problems.append(
                (f"{where}.keys", f"only a multiple-answer item has keys; a {kind.value} item has one key")
            )
        if item.choose is not None:
            problems.append(
                (
                    f"{where}.choose",
                    f"only a multiple-answer item says how many to choose; this is {kind.value}",
                )
            )
    return problems


def _multiple_problems(item: Item, ids: list[str], where: str) -> list[Problem]:
    problems: list[Problem] = []
    if item.key is not None:
        problems.append((f"{where}.key", "a multiple-answer item lists its keys under 'keys', not 'key'"))
    if item.choose is None:
        problems.append((f"{where}.choose", "required field missing: how many options the candidate chooses"))
    elif len(item.keys) != item.choose:
        problems.append(
            (
                f"{where}.keys",
                f"the item asks for {item.choose} (choose: {item.choose}) but lists {len(item.keys)} key(s)",
            )
        )
    if item.choose is not None and len(item.options) <= item.choose:
        problems.append(
            (
                f"{where}.options",
                f"choosing {item.choose} needs more than {item.choose} options; "
                f"this item has {len(item.options)}",
            )
        )
    seen: set[str] = set()
    for j, k in enumerate(item.keys):
        if k not in ids:
            problems.append(
                (f"{where}.keys[{j}]", f"the key {k!r} is not one of the options ({', '.join(ids)})")
            )
        if k in seen:
            problems.append((f"{where}.keys[{j}]", f"the key {k!r} is listed twice"))
        seen.add(k)
    return problems


# ---------------------------------------------------------------------------------------
# Media: read through the loader, hashed into the pack


class UnreadableFile(Exception):
    """A bank or media file that exists but cannot be read; the message says why, in plain words."""


def media_digests(
    bank: QuestionBank, at: str, read: Callable[[str], bytes]
) -> tuple[list[Problem], dict[tuple[int, int, str], str]]:
    """Problems with the bank's media files, and the sha256 of each file that was read.

    ``read`` gives a file's bytes by its path relative to the pack, raising
    ``FileNotFoundError`` or ``UnreadableFile``. Digests are keyed by (item index,
    media index, field). A digest written in the bank must match the file.
    """
    problems: list[Problem] = []
    digests: dict[tuple[int, int, str], str] = {}
    for i, item in enumerate(bank.items):
        for j, media in enumerate(item.media):
            where = f"{at}.items[{i}].media[{j}]"
            for field, path, written in (
                ("path", media.path, media.sha256),
                ("captions", media.captions, media.captions_sha256),
            ):
                if path is None:
                    continue
                try:
                    data = read(path)
                except FileNotFoundError:
                    problems.append((f"{where}.{field}", f"no such file {path!r} beside the pack"))
                    continue
                except UnreadableFile as e:
                    problems.append((f"{where}.{field}", f"cannot read {path!r}: {e}"))
                    continue
                problem = _content_problem(path, data)
                if problem:
                    problems.append((f"{where}.{field}", problem))
                    continue
                digest = hashlib.sha256(data).hexdigest()
                if written is not None and written != digest:
                    problems.append(
                        (
                            f"{where}.{field}",
                            f"{path!r} has changed since its sha256 was written: it is now {digest}",
                        )
                    )
                digests[(i, j, field)] = digest
    return problems, digests


_TEXT_SUFFIXES = (".md", ".txt", ".vtt")


def _content_problem(path: str, data: bytes) -> str | None:
    """A case file or captions file the kiosk could not show: empty, or not UTF-8 text."""
    if not data:
        return f"{path!r} is empty"
    if path.lower().endswith(_TEXT_SUFFIXES):
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            return f"cannot read {path!r}: not UTF-8 text (byte 0x{data[e.start]:02x}); save it as UTF-8"
    return None


def with_digests(bank_data: dict[str, object], digests: dict[tuple[int, int, str], str]) -> None:
    """Write the digests into the bank's data (as read from YAML), before it is validated again."""
    items = bank_data.get("items")
    assert isinstance(items, list)
    for (i, j, field), digest in digests.items():
        media = items[i]["media"][j]
        media["sha256" if field == "path" else "captions_sha256"] = digest


def area_type_counts(items: Sequence[Item]) -> dict[tuple[str, ItemType], int]:
    """How many items the bank holds in each KSS area × item type."""
    counts: dict[tuple[str, ItemType], int] = {}
    for item in items:
        counts[(item.kss, item.type)] = counts.get((item.kss, item.type), 0) + 1
    return counts
