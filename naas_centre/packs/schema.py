"""The scenario pack format (version 1), as a pydantic schema.

A pack is data: the stations, their briefs and rubrics, and the outcome rule all come
from here, never from code. ``scenarios/README.md`` documents the same format for
authors; a test keeps the two in step.
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints

from naas_centre.packs.blueprint import KnowledgeTest, knowledge_problems

# Version 1 throughout: every field added since the first release is optional, so a
# pack written for the first release still loads (scenarios/README.md says which).
FORMAT_VERSION = 1

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
# Numbers are strict: YAML's ``true`` is not 1, and ``.inf`` or ``.nan`` is no time.
Minutes = Annotated[float, Field(gt=0, le=600, strict=True, allow_inf_nan=False)]
# A level value (0-9): a whole number, never true/false (YAML would otherwise pass
# ``true`` as 1).
LevelValue = Annotated[StrictInt, Field(ge=0, le=9)]


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
    strengths: Text | None = Field(
        default=None,
        description="What the candidate showed, in plain words, for an area they met: given for "
        "every area met, whether or not the candidate met the standard overall.",
    )
    next_steps: Text | None = Field(
        default=None,
        description="How any candidate can develop this area further after the assessment, "
        "in plain words, whether or not they met it.",
    )


class LevelLabel(_Strict):
    value: LevelValue
    label: Text
    meaning: Text | None = None


class Criterion(_Strict):
    id: Id
    kss: Id
    title: Text | None = Field(
        default=None,
        description="A short name for the criterion, used where a person reads about it "
        "(reasons, reports); the text is used when there is none.",
    )
    text: Text = Field(description="Observable behaviour, as an assessor would see it.")
    descriptors: dict[int, Text] = Field(description="Level value → what is observed.")
    evidence_examples: list[Text] = Field(default_factory=list)

    def heading(self) -> str:
        """The criterion as a person reads it in a sentence: its title, else its text."""
        return self.title if self.title is not None else " ".join(self.text.split())


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
    min_level: LevelValue


class OverallRule(_Strict):
    areas_met: Literal["all"] | Annotated[StrictInt, Field(ge=1)] = "all"
    floor_level: LevelValue | None = Field(
        default=None, description="No single criterion may fall below this."
    )
    critical: list[CriticalCriterion] = Field(default_factory=list)
    max_below_standard: Annotated[StrictInt, Field(ge=0)] | None = Field(
        default=None,
        description="At most this many criteria, across the pack, may be below the standard "
        "level in a pass (none: no bound).",
    )


class OutcomeRule(_Strict):
    area_combine: CombineRule = CombineRule.MEAN
    area_pass_mark: Annotated[float, Field(gt=0, strict=True, allow_inf_nan=False)] = Field(
        description="An area is met when its combined level reaches this."
    )
    standard_level: LevelValue | None = Field(
        default=None,
        description="The level that meets the standard; by default the pass mark rounded up.",
    )
    rationale: Text | None = Field(
        default=None,
        description="Why this rule, written for a candidate and an employer: what is critical "
        "and why, and how much below the standard a pass may hold.",
    )
    overall: OverallRule = OverallRule()

    def standard(self) -> int:
        """The level that meets the standard: ``standard_level``, or the pass mark rounded up."""
        if self.standard_level is not None:
            return self.standard_level
        return math.ceil(self.area_pass_mark - 1e-9)


class Pack(_Strict):
    format: Literal[1]
    name: Id
    version: Annotated[str, StringConstraints(pattern=r"^\d+(\.\d+){0,2}$")]
    title: Text
    level: Level
    description: Text | None = None
    kss_areas: list[KssArea] = Field(min_length=1)
    levels: list[LevelLabel] = Field(min_length=2)
    timing_alerts: list[Annotated[float, Field(ge=0, strict=True, allow_inf_nan=False)]] = Field(
        default_factory=lambda: [5.0, 1.0, 0.0],
        description="Minutes remaining at which a phase timer alerts.",
    )
    scenarios: list[Scenario] = Field(min_length=1)
    written_exercise: WrittenExercise | None = None
    outcome: OutcomeRule
    knowledge_test: KnowledgeTest | None = Field(
        default=None,
        # Left out of the canonical JSON when absent, so a pack without one keeps the
        # content hash it had before knowledge tests existed (stored sittings check it).
        exclude_if=lambda value: value is None,
        description="The question bank and the blueprint of each knowledge-test form.",
    )

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

    problems += _rule_problems(pack, seen_criteria)
    areas_met = pack.outcome.overall.areas_met
    if isinstance(areas_met, int) and areas_met > len(pack.kss_areas):
        problems.append(
            (
                "outcome.overall.areas_met",
                f"needs {areas_met} areas met but the pack has {len(pack.kss_areas)}",
            )
        )
    stations_of: dict[str, list[str]] = {}
    for station, c in pack.criteria():
        stations_of.setdefault(c.kss, []).append(station)
    for i, area in enumerate(pack.kss_areas):
        assessed_in = stations_of.get(area.id, [])
        if not assessed_in:
            problems.append((f"kss_areas[{i}]", f"KSS area {area.id!r} is assessed by no criterion"))
        elif len(set(assessed_in)) < 2:
            problems.append(
                (
                    f"kss_areas[{i}]",
                    f"KSS area {area.id!r} is assessed only in station {assessed_in[0]!r}; give it at least "
                    "two criteria in different stations, so that one conversation cannot decide it",
                )
            )
    if pack.knowledge_test is not None:
        areas = {a.id: a.title for a in pack.kss_areas}
        problems += knowledge_problems(pack.knowledge_test, areas, {sid for _, sid, _ in stations})
    return problems


def _rule_problems(pack: Pack, criteria_at: dict[str, str]) -> list[Problem]:
    """The outcome rule against the pack: named criteria exist, levels are on the scale."""
    problems: list[Problem] = []
    rule = pack.outcome
    scales: list[tuple[str, set[int]]] = [("the pack's levels", {lv.value for lv in pack.levels})]
    scale_of: dict[str, set[int]] = {}
    for station, rubric in pack.rubrics():
        values = {lv.value for lv in pack.levels_for(rubric)}
        if rubric.levels is not None:
            scales.append((f"the levels of station {station!r}", values))
        for c in rubric.criteria:
            scale_of[c.id] = values

    mark = rule.area_pass_mark
    for name, values in scales:
        if not min(values) <= mark <= max(values):
            problems.append(
                (
                    "outcome.area_pass_mark",
                    f"{mark:g} is not on the level scale: {name} run from {min(values)} to {max(values)}",
                )
            )
    if rule.standard_level is not None:
        for name, values in scales:
            if rule.standard_level not in values:
                problems.append(
                    ("outcome.standard_level", f"level {rule.standard_level} is not one of {name}")
                )
    floor = rule.overall.floor_level
    if floor is not None:
        for name, values in scales:
            if not min(values) <= floor <= max(values):
                problems.append(
                    (
                        "outcome.overall.floor_level",
                        f"level {floor} is not on the level scale: {name} run from {min(values)} "
                        f"to {max(values)}",
                    )
                )
    problems += _duplicates(
        "outcome.overall.critical", [c.criterion for c in rule.overall.critical], label="critical criterion"
    )
    for k, crit in enumerate(rule.overall.critical):
        if crit.criterion not in criteria_at:
            problems.append(
                (f"outcome.overall.critical[{k}].criterion", f"names missing criterion {crit.criterion!r}")
            )
        elif crit.min_level not in scale_of[crit.criterion]:
            on_scale = sorted(scale_of[crit.criterion])
            problems.append(
                (
                    f"outcome.overall.critical[{k}].min_level",
                    f"level {crit.min_level} is not on the scale of criterion {crit.criterion!r} "
                    f"({', '.join(map(str, on_scale))})",
                )
            )
    return problems


def _duplicates(path: str, ids: list[str], label: str = "id") -> list[Problem]:
    seen: set[str] = set()
    dups: list[str] = []
    for i in ids:
        if i in seen and i not in dups:
            dups.append(i)
        seen.add(i)
    return [(path, f"duplicate {label} {d!r}") for d in dups]
