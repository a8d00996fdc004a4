"""What a report is drawn from: plain frozen data, no database and no ReportLab.

``gather`` builds these from the database; ``render`` draws them. When a report is
signed, its data is stored as JSON beside it (``to_json``), so the signed version can
always be shown again exactly as it was, and a later change can be compared with it.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeVar

DEFAULT_TIMEZONE = "Europe/London"  # times are shown in the centre's zone; stored in UTC
LANGUAGE = "en-GB"


class ReportKind(StrEnum):
    OBSERVATION = "observation"
    WRITTEN = "written"
    OUTCOME = "outcome"
    DAY_SUMMARY = "day_summary"

    @property
    def label(self) -> str:
        return {
            ReportKind.OBSERVATION: "Observation report",
            ReportKind.WRITTEN: "Written-exercise report",
            ReportKind.OUTCOME: "Candidate outcome and feedback",
            ReportKind.DAY_SUMMARY: "Day summary",
        }[self]


@dataclass(frozen=True)
class SignatureSlot:
    """A place reserved on the last page for one visible signature."""

    role: str  # "assessor" or "countersign"
    label: str  # printed above the box
    account_id: str | None = None  # the assessor expected here; None: any centre manager


@dataclass(frozen=True)
class ReportHeader:
    """Who and what a candidate's report is about; repeated in every page's footer."""

    kind: ReportKind
    title: str
    centre_name: str
    candidate_name: str
    registration_number: str
    employer: str
    level: str
    attempt: int
    adjustments: str
    sitting_id: str
    day: date
    room: str
    pack_name: str
    pack_version: str
    pack_title: str
    pack_hash: str
    assessors: tuple[str, ...]
    slots: tuple[SignatureSlot, ...]
    timezone: str = DEFAULT_TIMEZONE
    language: str = LANGUAGE


@dataclass(frozen=True)
class Pause:
    start: datetime
    end: datetime | None
    reason: str


@dataclass(frozen=True)
class PhaseTiming:
    """One phase of a station as it ran: planned and adjusted length, pauses, overrun."""

    phase: str  # shown as is: "Reading", "Role-play", …
    planned_minutes: float
    adjusted_minutes: float
    started_at: datetime | None
    ended_at: datetime | None
    pauses: tuple[Pause, ...]
    overrun_seconds: int
    downtime_seconds: int = 0


@dataclass(frozen=True)
class LevelName:
    value: int
    label: str


@dataclass(frozen=True)
class CriterionScore:
    """One assessor's level for one criterion, with the descriptor of that level."""

    assessor: str
    level: int | None
    level_label: str
    descriptor: str


@dataclass(frozen=True)
class RubricRow:
    criterion_id: str
    criterion_text: str
    kss_id: str
    kss_title: str
    scores: tuple[CriterionScore, ...]

    @property
    def agreed(self) -> bool:
        levels = {s.level for s in self.scores}
        return len(levels) == 1 and None not in levels


@dataclass(frozen=True)
class EvidenceNote:
    assessor: str
    written_at: datetime
    clock: str | None  # the phase clock when written, mm:ss
    phase: str | None
    criterion: str | None  # the criterion's text, when the note is tied to one
    text: str


@dataclass(frozen=True)
class Judgement:
    assessor: str
    judgement: str | None  # "met", "not_met"; None: not given
    rationale: str


@dataclass(frozen=True)
class ObservationReportData:
    header: ReportHeader
    station_id: str
    station_title: str
    station_kind: str
    setting: str | None
    actor_name: str | None
    scale: tuple[LevelName, ...]
    timings: tuple[PhaseTiming, ...]
    rubric: tuple[RubricRow, ...]
    notes: tuple[EvidenceNote, ...]
    judgements: tuple[Judgement, ...]


@dataclass(frozen=True)
class WrittenReportData:
    header: ReportHeader
    station_id: str
    title: str
    prompt: str
    script_text: str
    word_count: int
    submitted_at: datetime | None
    submitted_how: str | None
    scale: tuple[LevelName, ...]
    timings: tuple[PhaseTiming, ...]
    rubric: tuple[RubricRow, ...]
    notes: tuple[EvidenceNote, ...]
    judgements: tuple[Judgement, ...]


@dataclass(frozen=True)
class AreaProfile:
    """One KSS area: its combined level against the pass mark, and feedback if not met."""

    area_id: str
    title: str
    combined: float
    pass_mark: float
    met: bool
    development_feedback: str | None


@dataclass(frozen=True)
class OutcomeReportData:
    header: ReportHeader
    met: bool
    areas: tuple[AreaProfile, ...]
    reasons: tuple[str, ...]  # plain sentences: why the standard was not met
    rule: tuple[str, ...]  # the outcome rule, in words
    scale: tuple[LevelName, ...]
    station_judgements: tuple[tuple[str, str, str], ...]  # (station, assessor, judgement)


@dataclass(frozen=True)
class DayRow:
    starts_at: datetime
    room: str
    candidate_name: str
    employer: str
    level: str
    attempt: int
    pack: str
    assessors: tuple[str, ...]
    status: str
    scored: str  # "76 of 76"
    outcome: str  # "met", "not met", "pending …"
    reports_signed: str  # "3 of 5"


@dataclass(frozen=True)
class DaySummaryData:
    centre_name: str
    day: date
    rows: tuple[DayRow, ...]
    slots: tuple[SignatureSlot, ...]
    timezone: str = DEFAULT_TIMEZONE
    language: str = LANGUAGE

    @property
    def title(self) -> str:
        return f"Day summary: {self.day:%A %d %B %Y}"


ReportData = ObservationReportData | WrittenReportData | OutcomeReportData | DaySummaryData
DATA_TYPES: dict[ReportKind, type[Any]] = {
    ReportKind.OBSERVATION: ObservationReportData,
    ReportKind.WRITTEN: WrittenReportData,
    ReportKind.OUTCOME: OutcomeReportData,
    ReportKind.DAY_SUMMARY: DaySummaryData,
}


def kind_of(data: ReportData) -> ReportKind:
    if isinstance(data, DaySummaryData):
        return ReportKind.DAY_SUMMARY
    return data.header.kind


# JSON: the frozen snapshot stored with a signed report ------------------------------

T = TypeVar("T")


def to_json(data: ReportData) -> str:
    """Canonical JSON (sorted keys, no spaces): equal data gives equal text."""
    return json.dumps(_plain(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def from_json(cls: type[T], text: str) -> T:
    value: T = _build(cls, json.loads(text))
    return value


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def _build(tp: Any, value: Any) -> Any:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(tp) if a is not type(None)]
        if value is None:
            return None
        return _build(options[0], value)
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_build(args[0], v) for v in value)
        return tuple(_build(a, v) for a, v in zip(args, value, strict=True))
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        return tp(**{f.name: _build(hints[f.name], value[f.name]) for f in dataclasses.fields(tp)})
    if tp is datetime:
        return datetime.fromisoformat(value)
    if tp is date:
        return date.fromisoformat(value)
    if isinstance(tp, type) and issubclass(tp, StrEnum):
        return tp(value)
    if tp is float:
        return float(value)
    return value
