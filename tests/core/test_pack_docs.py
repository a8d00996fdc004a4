"""scenarios/README.md keeps step with the pack schema: every field and choice is described."""

from __future__ import annotations

import re
import typing
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from naas_centre.packs.loader import load_pack_text
from naas_centre.packs.schema import Pack

README = Path(__file__).resolve().parents[2] / "scenarios" / "README.md"


def _walk(tp: Any, models: dict[str, type[BaseModel]], choices: set[str]) -> None:
    """Collect every model reachable from ``tp`` and every enum or literal choice."""
    origin = typing.get_origin(tp)
    if origin is typing.Literal:
        choices.update(str(a) for a in typing.get_args(tp) if isinstance(a, str))
        return
    if origin is not None:
        for arg in typing.get_args(tp):
            _walk(arg, models, choices)
        return
    if isinstance(tp, type) and issubclass(tp, Enum):
        choices.update(str(member.value) for member in tp)
    elif isinstance(tp, type) and issubclass(tp, BaseModel) and tp.__name__ not in models:
        models[tp.__name__] = tp
        for field in tp.model_fields.values():
            _walk(field.annotation, models, choices)


def _schema() -> tuple[dict[str, type[BaseModel]], set[str]]:
    models: dict[str, type[BaseModel]] = {}
    choices: set[str] = set()
    _walk(Pack, models, choices)
    return models, choices


MODELS, CHOICES = _schema()
FIELDS = sorted({(name, field) for name, model in MODELS.items() for field in model.model_fields})


def test_the_walk_reaches_every_nested_model() -> None:
    expected = {"Pack", "KssArea", "LevelLabel", "Scenario", "Timing", "Rubric", "Criterion"}
    expected |= {"WrittenExercise", "ExamConditions", "OutcomeRule", "OverallRule", "CriticalCriterion"}
    assert expected <= set(MODELS)
    assert {"mean", "median", "minimum", "role_play", "reflective", "all", "leader"} <= CHOICES


@pytest.mark.parametrize(("model", "field"), FIELDS, ids=[f"{m}.{f}" for m, f in FIELDS])
def test_every_schema_field_is_documented(model: str, field: str) -> None:
    assert f"`{field}`" in README.read_text(encoding="utf-8"), (
        f"{model}.{field} is not described in scenarios/README.md"
    )


@pytest.mark.parametrize("choice", sorted(CHOICES))
def test_every_allowed_choice_is_documented(choice: str) -> None:
    assert f"`{choice}`" in README.read_text(encoding="utf-8"), f"the choice {choice!r} is not in the README"


def test_the_annotated_example_is_a_valid_pack() -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    assert len(blocks) == 1
    loaded = load_pack_text(blocks[0], "README example")
    assert loaded.ok, "\n".join(map(str, loaded.problems))
    assert loaded.pack is not None and loaded.pack.written_exercise is not None
