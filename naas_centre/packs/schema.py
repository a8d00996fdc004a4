"""The scenario pack format (version 1), as a pydantic schema.

A pack is data: the stations, their briefs and rubrics, and the outcome rule all come
from here, never from code. ``scenarios/README.md`` documents the same format for
authors; a test keeps the two in step.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

FORMAT_VERSION = 1

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Minutes = Annotated[float, Field(gt=0, le=600)]


class Level(StrEnum):
    PRACTITIONER = "practitioner"
    SUPERVISOR = "supervisor"
    LEADER = "leader"


class _Strict(BaseModel):
    # Unknown keys are errors: a misspelt key in a pack must not vanish silently.
    model_config = ConfigDict(extra="forbid", frozen=True)


class KssArea(_Strict):
    id: Id
    title: Text
    development_feedback: Text | None = Field(
        default=None,
        description="Guidance given, for this area, to a candidate who has not met it.",
    )


class LevelLabel(_Strict):
    value: int = Field(ge=0, le=9)
    label: Text
    meaning: Text | None = None


class Criterion(_Strict):
    id: Id
    kss: Id
    text: Text = Field(description="Observable behaviour, as an assessor would see it.")
    descriptors: dict[int, Text] = Field(description="Level value → what is observed.")
    evidence_examples: list[Text] = Field(default_factory=list)


class Rubric(_Strict):
    levels: list[LevelLabel] | None = Field(
        default=None, min_length=2, description="Overrides the pack's level scale for this rubric."
    )
    criteria: list[Criterion] = Field(min_length=1)


class Timing(_Strict):
    reading: Minutes
    role_play: Minutes
    discussion: Minutes | None = None


class Scenario(_Strict):
    id: Id
    title: Text
    kind: Literal["role_play", "reflective"] = "role_play"
    setting: Text | None = None
    candidate_brief: Text
    actor_brief: Text = Field(description="Confidential: never shown to a candidate.")
    timing: Timing
    rubric: Rubric


class ExamConditions(_Strict):
    allow_paste: bool = False
    spell_check: bool = False
    anonymous_marking: bool = True


class WrittenExercise(_Strict):
    id: Id
    title: Text
    prompt: Text
    case_material: Text
    minutes: Minutes
    conditions: ExamConditions = ExamConditions()
    rubric: Rubric


class CombineRule(StrEnum):
    MEAN = "mean"
    MEDIAN = "median"
    MINIMUM = "minimum"


class CriticalCriterion(_Strict):
    criterion: Id
    min_level: int = Field(ge=0, le=9)


class OverallRule(_Strict):
    areas_met: Literal["all"] | Annotated[int, Field(ge=1)] = "all"
    floor_level: int | None = Field(
        default=None, ge=0, le=9, description="No single criterion may fall below this."
    )
    critical: list[CriticalCriterion] = Field(default_factory=list)


class OutcomeRule(_Strict):
    area_combine: CombineRule = CombineRule.MEAN
    area_pass_mark: float = Field(gt=0, description="An area is met when its combined level reaches this.")
    overall: OverallRule = OverallRule()


class Pack(_Strict):
    format: Literal[1]
    name: Id
    version: Annotated[str, StringConstraints(pattern=r"^\d+(\.\d+){0,2}$")]
    title: Text
    level: Level
    description: Text | None = None
    kss_areas: list[KssArea] = Field(min_length=1)
    levels: list[LevelLabel] = Field(min_length=2)
    timing_alerts: list[Annotated[float, Field(ge=0)]] = Field(
        default_factory=lambda: [5.0, 1.0, 0.0],
        description="Minutes remaining at which a phase timer alerts.",
    )
    scenarios: list[Scenario] = Field(min_length=1)
    written_exercise: WrittenExercise | None = None
    outcome: OutcomeRule

    def rubrics(self) -> list[tuple[str, Rubric]]:
        """Every rubric in the pack with the station id it belongs to, in sitting order."""
        out = [(s.id, s.rubric) for s in self.scenarios]
        if self.written_exercise is not None:
            out.append((self.written_exercise.id, self.written_exercise.rubric))
        return out

    def levels_for(self, rubric: Rubric) -> list[LevelLabel]:
        return rubric.levels if rubric.levels is not None else self.levels

    def criteria(self) -> list[tuple[str, Criterion]]:
        return [(station, c) for station, r in self.rubrics() for c in r.criteria]


Problem = tuple[str, str]  # (field path, message)


def reference_problems(pack: Pack) -> list[Problem]:
    """Problems that span fields: unknown areas, missing descriptors, duplicate ids.

    Collected, not raised one at a time, so an author sees every problem at once.
    """
    problems: list[Problem] = []
    problems += _duplicates("kss_areas", [a.id for a in pack.kss_areas])
    problems += _duplicates("levels", [str(lv.value) for lv in pack.levels])
    stations: list[tuple[str, str, Rubric]] = [
        (f"scenarios[{i}]", s.id, s.rubric) for i, s in enumerate(pack.scenarios)
    ]
    if pack.written_exercise is not None:
        stations.append(("written_exercise", pack.written_exercise.id, pack.written_exercise.rubric))
    problems += _duplicates("scenarios", [sid for _, sid, _ in stations], label="station id")

    known_areas = {a.id for a in pack.kss_areas}
    seen_criteria: dict[str, str] = {}
    for path, _sid, rubric in stations:
        scale = {lv.value for lv in pack.levels_for(rubric)}
        if rubric.levels is not None:
            problems += _duplicates(f"{path}.rubric.levels", [str(lv.value) for lv in rubric.levels])
        for j, c in enumerate(rubric.criteria):
            where = f"{path}.rubric.criteria[{j}]"
            if c.id in seen_criteria:
                problems.append(
                    (f"{where}.id", f"duplicate criterion id {c.id!r} (also at {seen_criteria[c.id]})")
                )
            else:
                seen_criteria[c.id] = where
            if c.kss not in known_areas:
                problems.append((f"{where}.kss", f"unknown KSS area {c.kss!r}"))
            missing = sorted(scale - set(c.descriptors))
            if missing:
                problems.append(
                    (f"{where}.descriptors", f"no descriptor for level {', '.join(map(str, missing))}")
                )
            extra = sorted(set(c.descriptors) - scale)
            if extra:
                problems.append(
                    (f"{where}.descriptors", f"level {', '.join(map(str, extra))} is not on the level scale")
                )

    for k, crit in enumerate(pack.outcome.overall.critical):
        if crit.criterion not in seen_criteria:
            problems.append(
                (f"outcome.overall.critical[{k}].criterion", f"names missing criterion {crit.criterion!r}")
            )
    areas_met = pack.outcome.overall.areas_met
    if isinstance(areas_met, int) and areas_met > len(pack.kss_areas):
        problems.append(
            (
                "outcome.overall.areas_met",
                f"needs {areas_met} areas met but the pack has {len(pack.kss_areas)}",
            )
        )
    scored = {c.kss for _, c in pack.criteria()}
    for i, area in enumerate(pack.kss_areas):
        if area.id not in scored:
            problems.append((f"kss_areas[{i}]", f"KSS area {area.id!r} is assessed by no criterion"))
    return problems


def _duplicates(path: str, ids: list[str], label: str = "id") -> list[Problem]:
    seen: set[str] = set()
    dups: list[str] = []
    for i in ids:
        if i in seen and i not in dups:
            dups.append(i)
        seen.add(i)
    return [(path, f"duplicate {label} {d!r}") for d in dups]
