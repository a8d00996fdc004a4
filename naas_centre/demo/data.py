"""The demo's content, read from the data files in ``content/`` (package data).

``centre.yaml`` holds the people (accounts, candidates, actors) and the casting;
``day.yaml`` how the scored day is played (the seed, who struggles, the written levels,
the pause, the scripts' variants); ``judgements.yaml`` the words of the judgements;
``notes/SCENARIO.yaml`` the evidence notes and the reasons for low levels at each
scenario; ``scripts/LEVEL.txt`` the written exercise a candidate at each level writes.

Each file is checked against its shape here as it is read, so a slip in the content
fails loudly, naming the file, rather than playing a different day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any, Literal, NamedTuple, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from naas_centre.services import equality
from naas_centre.services.views import Role

Phase = Literal["role_play", "discussion"]
_M = TypeVar("_M", bound="BaseModel")


def _content() -> Traversable:
    return resources.files("naas_centre.demo") / "content"


def _yaml(file: Traversable) -> Any:
    try:
        return yaml.safe_load(file.read_text("utf-8"))
    except yaml.YAMLError as exc:
        raise RuntimeError(f"The demo's {file.name} is not valid YAML: {exc}") from exc


def read_model(model: type[_M], file: Traversable) -> _M:
    """One content file, checked against its shape; a slip is refused naming the file."""
    try:
        return model.model_validate(_yaml(file))
    except ValidationError as exc:
        raise RuntimeError(f"The demo's {file.name} does not have the expected shape: {exc}") from exc


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# The people -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: Role
    display_name: str
    employer: str | None = None
    registration_number: str | None = None


class Candidate(NamedTuple):
    name: str
    registration: str
    employer: str
    level: str
    extra_time_percent: int
    break_between_scenarios: bool
    adjustment_notes: str
    monitoring: equality.Monitoring


class Actor(NamedTuple):
    name: str
    consent: bool  # to being filmed for training
    parts: tuple[str, ...] = ()  # "pack/station" they can play


@dataclass(frozen=True)
class Station:
    room: str
    station: str  # the pack's station id
    assessors: tuple[str, ...]  # usernames
    actor: str  # an actor's name


@dataclass(frozen=True)
class Conflict:
    assessor: str  # username
    candidate: str  # name
    kind: str
    note: str


@dataclass(frozen=True)
class CentreContent:
    name: str
    accounts: tuple[DemoAccount, ...]
    employers: tuple[str, ...]
    pack_level: str
    stations: tuple[Station, ...]
    written_room: str
    written_seats: int
    first_slot: time
    lunch_after_slot: int
    lunch_minutes: int
    conflicts: tuple[Conflict, ...]
    candidates: tuple[Candidate, ...]
    actors: tuple[Actor, ...]


class _AccountFile(_Strict):
    username: str
    password: str
    role: Role
    display_name: str
    employer: str | None = None
    registration: str | None = None


class _MonitoringFile(_Strict):
    age_band: str | None
    ethnicity: str | None
    disability: str | None
    sex: str | None


class _CandidateFile(_Strict):
    name: str
    registration: str
    employer: str
    level: str
    extra_time_percent: int = 0
    break_between_scenarios: bool = False
    adjustment_notes: str = ""
    monitoring: _MonitoringFile


class _StationFile(_Strict):
    room: str
    station: str
    assessors: list[str] = Field(min_length=1, max_length=2)
    actor: str


class _WrittenRoomFile(_Strict):
    name: str
    seats: int = Field(gt=0)


class _LunchFile(_Strict):
    after_slot: int = Field(gt=0)
    minutes: int = Field(gt=0)


class _ConflictFile(_Strict):
    assessor: str
    candidate: str
    kind: str
    note: str = ""


class _ActorFile(_Strict):
    name: str
    consent: bool
    parts: list[str] = []


class _CentreFile(_Strict):
    name: str
    accounts: list[_AccountFile]
    employers: list[str]
    pack_level: str
    stations: list[_StationFile]
    written_room: _WrittenRoomFile
    first_slot: time
    lunch: _LunchFile
    conflicts: list[_ConflictFile] = []
    candidates: list[_CandidateFile]
    actors: list[_ActorFile]


@cache
def centre() -> CentreContent:
    """The demo centre's people and casting (``content/centre.yaml``)."""
    f = read_model(_CentreFile, _content() / "centre.yaml")
    accounts = tuple(
        DemoAccount(a.username, a.password, a.role, a.display_name, a.employer, a.registration)
        for a in f.accounts
    )
    usernames = {a.username for a in accounts}
    actors = tuple(Actor(a.name, a.consent, tuple(a.parts)) for a in f.actors)
    names = {a.name for a in actors}
    people = {c.name for c in f.candidates}
    employers = set(f.employers)
    problems = [f"an unknown assessor {u!r}" for st in f.stations for u in st.assessors if u not in usernames]
    problems += [f"an unknown actor {st.actor!r}" for st in f.stations if st.actor not in names]
    problems += [f"an unknown employer {c.employer!r}" for c in f.candidates if c.employer not in employers]
    problems += [
        f"a conflict with an unknown candidate {c.candidate!r}"
        for c in f.conflicts
        if c.candidate not in people
    ]
    problems += [
        f"{c.name!r} is not a {f.pack_level} candidate" for c in f.candidates if c.level != f.pack_level
    ]
    if problems or not accounts or accounts[0].role != Role.ADMINISTRATOR:
        raise RuntimeError(
            "The demo's centre.yaml is inconsistent: "
            + ("; ".join(problems) or "the administrator comes first")
        )
    return CentreContent(
        name=f.name,
        accounts=accounts,
        employers=tuple(f.employers),
        pack_level=f.pack_level,
        stations=tuple(Station(st.room, st.station, tuple(st.assessors), st.actor) for st in f.stations),
        written_room=f.written_room.name,
        written_seats=f.written_room.seats,
        first_slot=f.first_slot,
        lunch_after_slot=f.lunch.after_slot,
        lunch_minutes=f.lunch.minutes,
        conflicts=tuple(Conflict(c.assessor, c.candidate, c.kind, c.note) for c in f.conflicts),
        candidates=tuple(
            Candidate(
                c.name,
                c.registration,
                c.employer,
                c.level,
                c.extra_time_percent,
                c.break_between_scenarios,
                c.adjustment_notes,
                equality.Monitoring(**c.monitoring.model_dump()),
            )
            for c in f.candidates
        ),
        actors=actors,
    )


# The day ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pause:
    sitting: int  # in start order, from 0
    scenario: int  # from 0
    at_ms: int  # the role-play clock when it is paused
    length_s: int
    reason: str


@dataclass(frozen=True)
class DayContent:
    seed: str
    struggles: dict[str, dict[str, int]]  # candidate → criterion → level
    written_levels: dict[str, dict[str, int]]  # level → criterion → level
    pause: Pause
    script_variants: dict[str, tuple[tuple[str, str], ...]]


class _PauseFile(_Strict):
    sitting: int = Field(ge=0)
    scenario: int = Field(ge=0)
    at_ms: int = Field(gt=0)
    length_s: int = Field(gt=0)
    reason: str


class DayFile(_Strict):
    seed: str
    struggles: dict[str, dict[str, int]]
    written_levels: dict[str, dict[str, int]]
    pause: _PauseFile
    script_variants: dict[str, list[tuple[str, str]]]


@cache
def day() -> DayContent:
    """How the scored day is played (``content/day.yaml``)."""
    f = read_model(DayFile, _content() / "day.yaml")
    return DayContent(
        seed=f.seed,
        struggles=f.struggles,
        written_levels=f.written_levels,
        pause=Pause(**f.pause.model_dump()),
        script_variants={level: tuple(pairs) for level, pairs in f.script_variants.items()},
    )


# Words ------------------------------------------------------------------------------------


class StationWords(_Strict):
    met: str
    not_met: str
    figure: str
    strong: str
    developing: str
    below_critical: str
    below_floor: str
    level: str
    level_unnamed: str


class ModerationWords(_Strict):
    level: str
    met: str
    not_met: str


class Judgements(_Strict):
    station: StationWords
    moderation: ModerationWords


@cache
def judgements() -> Judgements:
    """The words of the judgements (``content/judgements.yaml``)."""
    return read_model(Judgements, _content() / "judgements.yaml")


@dataclass
class Bank:
    """What the assessors can write at one scenario."""

    general: list[tuple[Phase, str]] = field(default_factory=list)  # notes tagged to no criterion
    seen: dict[str, list[tuple[Phase, str]]] = field(default_factory=dict)  # criterion → notes
    missing: dict[str, list[tuple[Phase, str]]] = field(default_factory=dict)
    reasons: dict[str, list[str]] = field(default_factory=dict)  # criterion → two wordings


class _ByPhase(_Strict):
    role_play: list[str] = []
    discussion: list[str] = []

    def notes(self) -> list[tuple[Phase, str]]:
        return [("role_play", t) for t in self.role_play] + [("discussion", t) for t in self.discussion]


class _CriterionNotes(_Strict):
    seen: _ByPhase | None = None
    missing: _ByPhase | None = None
    reasons: list[str] = []


class _NotesFile(_Strict):
    general: _ByPhase
    criteria: dict[str, _CriterionNotes]


@cache
def banks() -> dict[str, Bank]:
    """Scenario id → its notes and reasons (``content/notes/SCENARIO.yaml``)."""
    out: dict[str, Bank] = {}
    for file in sorted((_content() / "notes").iterdir(), key=lambda f: f.name):
        if not file.name.endswith(".yaml"):
            continue
        f = read_model(_NotesFile, file)
        bank = Bank(general=f.general.notes())
        for cid, c in f.criteria.items():
            if c.seen is not None:
                bank.seen[cid] = c.seen.notes()
            if c.missing is not None:
                bank.missing[cid] = c.missing.notes()
            if c.reasons:
                bank.reasons[cid] = list(c.reasons)
        out[file.name.removesuffix(".yaml")] = bank
    return out


def script(level: str) -> str:
    """The written-exercise script a demo candidate at ``level`` writes."""
    return (_content() / "scripts" / f"{level}.txt").read_text("utf-8")
