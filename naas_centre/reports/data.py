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
    KNOWLEDGE = "knowledge"
    DAY_SUMMARY = "day_summary"

    @property
    def label(self) -> str:
        return {
            ReportKind.OBSERVATION: "Observation report",
            ReportKind.WRITTEN: "Written-exercise report",
            ReportKind.OUTCOME: "Candidate outcome and feedback",
            ReportKind.KNOWLEDGE: "Knowledge-test report",
            ReportKind.DAY_SUMMARY: "Day summary",
        }[self]


@dataclass(frozen=True)
class SignatureSlot:
    """A place reserved on the last page for one visible signature.

    ``declaration`` is printed beside the box: what the signer states by signing.
    ``registration_number`` is the signer's professional registration, when known.
    """

    role: str  # "assessor" or "countersign"
    label: str  # printed above the box
    account_id: str | None = None  # the assessor expected here; None: any centre manager
    registration_number: str | None = None
    declaration: str = ""


@dataclass(frozen=True)
class Supersession:
    """A signed version that replaces an earlier one: which, when signed, and why.

    Set by the signing service when it plans a new version (``superseding``); a report
    gathered fresh from the database has none.
    """

    version: int
    previous_version: int
    previous_signed_at: datetime | None
    reason: str


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
    supersedes: Supersession | None = None


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
    """One assessor's level for one criterion: the rubric's descriptor of that level, and
    the assessor's own evidence (their reason, and their notes tagged to the criterion)."""

    assessor: str
    level: int | None
    level_label: str
    descriptor: str
    reason: str = ""
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class Moderated:
    """What moderation agreed where the assessors differed: a level, or a judgement."""

    moderator: str
    reason: str
    level: int | None = None
    level_label: str = ""
    descriptor: str = ""
    judgement: str | None = None  # "met" or "not_met", for a station's overall judgement


@dataclass(frozen=True)
class RubricRow:
    criterion_id: str
    criterion_text: str
    kss_id: str
    kss_title: str
    scores: tuple[CriterionScore, ...]
    criterion_title: str = ""  # a short name for sentences; the text when the pack has none
    moderation: Moderated | None = None

    @property
    def agreed(self) -> bool:
        levels = {s.level for s in self.scores}
        return len(levels) == 1 and None not in levels

    @property
    def final_level(self) -> int | None:
        """The level the outcome uses: the one both gave, or the moderated one."""
        if self.moderation is not None:
            return self.moderation.level
        return self.scores[0].level if self.agreed else None


@dataclass(frozen=True)
class EvidenceNote:
    assessor: str
    written_at: datetime
    clock: str | None  # the phase clock when written, mm:ss
    phase: str | None
    criterion: str | None  # the criterion's text, when the note is tied to one
    text: str
    recording_ms: int | None = None  # when it was written, in the station's recording


@dataclass(frozen=True)
class Judgement:
    assessor: str
    judgement: str | None  # "met", "not_met"; None: not given
    rationale: str
    borderline: bool = False  # "only just" met or not met


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
    judgement_moderation: Moderated | None = None


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
    judgement_moderation: Moderated | None = None
    summary: tuple[str, ...] = ()  # the marking in sentences: where the script was strong, where short


@dataclass(frozen=True)
class AreaCriterion:
    """One criterion that evidences an area, as the outcome used it."""

    title: str
    station: str
    level: int
    level_label: str
    critical_min: int | None = None  # the level a critical criterion must reach


@dataclass(frozen=True)
class AreaProfile:
    """One KSS area: its combined level against the pass mark, and the feedback for it.

    ``met`` is False when the combined level is below the pass mark *or* a critical
    criterion of the area is below its level (``failed_critical`` names them).
    ``strengths`` and ``next_steps`` are written for every candidate, met or not;
    ``development_feedback`` is the pack's guidance for an area not met.
    """

    area_id: str
    title: str
    combined: float
    pass_mark: float
    met: bool
    development_feedback: str | None
    failed_critical: tuple[str, ...] = ()
    criteria: tuple[AreaCriterion, ...] = ()
    strengths: str = ""
    next_steps: str = ""
    # the pack's development feedback applies: the area is not met, or the standard was
    # not met and this area holds a level below the standard
    needs_development: bool = False


@dataclass(frozen=True)
class StationJudgement:
    """One station's overall judgements: each assessor's, and the agreed one if they differed."""

    station: str
    judgements: tuple[tuple[str, str | None], ...]  # (assessor, "met" / "not_met" / None)
    moderation: Moderated | None = None
    borderline: tuple[str, ...] = ()  # the assessors who marked their judgement borderline


@dataclass(frozen=True)
class StationStanding:
    """One station's score against its pass mark in force, beside the cohort's scores.

    The cohort is the candidates who sat the same pack that day (``cohort``, in words);
    its quartiles and median are given only for at least five of them, and name no one.
    """

    station: str
    score: int  # the sum of the station's agreed criterion levels
    most: int  # the highest score the station allows
    pass_mark: float | None  # None: no pass mark is in force for this station
    reaches: bool | None
    cohort: str
    cohort_n: int = 0
    lower_quartile: float | None = None
    median: float | None = None
    upper_quartile: float | None = None


@dataclass(frozen=True)
class KnowledgeArea:
    """A knowledge-test form's marks in one KSS area: totals only, never an item."""

    area_id: str
    title: str
    marks: float
    available: int


@dataclass(frozen=True)
class KnowledgeMarks:
    """A submitted knowledge-test form's marks against its pass mark, by KSS area."""

    form_id: str
    title: str
    marks: float
    available: int
    pass_mark: float  # the marks needed
    passed: bool
    areas: tuple[KnowledgeArea, ...]


@dataclass(frozen=True)
class OutcomeReportData:
    header: ReportHeader
    met: bool
    areas: tuple[AreaProfile, ...]
    reasons: tuple[str, ...]  # plain sentences: why the standard was not met
    rule: tuple[str, ...]  # the outcome rule, in words
    scale: tuple[LevelName, ...]
    station_judgements: tuple[tuple[str, str, str], ...]  # (station, assessor, judgement)
    rationale: str = ""  # the pack's reasons for its rule, for "How this outcome was decided"
    judgement_note: str = ""  # how the station judgements relate to the rule
    stations: tuple[StationJudgement, ...] = ()
    appeal: tuple[str, ...] = ()  # how to ask for a review of the outcome, in paragraphs
    # Each station against its pass mark, once a station pass mark is in force for the
    # sitting's day; empty before (and for a pack without any).
    station_scores: tuple[StationStanding, ...] = ()
    # The knowledge test's forms, each submitted (the outcome waits for them); empty for
    # a pack without a knowledge test.
    knowledge: tuple[KnowledgeMarks, ...] = ()


@dataclass(frozen=True)
class KnowledgeReportData:
    """One knowledge-test form as the candidate sat it: how, when and its marks.

    Never an item, a stem, a key or an answer: the marks per KSS area and in total."""

    header: ReportHeader
    form_id: str
    title: str
    items: int
    minutes: float  # the time the pack allows, before extra time
    allowed_minutes: float  # with the candidate's extra time
    started_at: datetime
    submitted_at: datetime
    submitted_how: str  # "candidate" or "time_up"
    pass_rule: str  # the pass mark in words: "70% of the marks"
    marking: str  # how a multiple-answer question is marked, in words
    result: KnowledgeMarks


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
    supersedes: Supersession | None = None

    @property
    def title(self) -> str:
        return f"Day summary: {self.day.day} {self.day:%B %Y}"


ReportData = (
    ObservationReportData | WrittenReportData | OutcomeReportData | KnowledgeReportData | DaySummaryData
)
DATA_TYPES: dict[ReportKind, type[Any]] = {
    ReportKind.OBSERVATION: ObservationReportData,
    ReportKind.WRITTEN: WrittenReportData,
    ReportKind.OUTCOME: OutcomeReportData,
    ReportKind.KNOWLEDGE: KnowledgeReportData,
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


def content_json(data: ReportData) -> str:
    """``to_json`` without the version note: equal when the report says the same thing.

    The signing service compares this, not ``to_json``, with a signed version's snapshot,
    so a version note added at signing never counts as a change of content.
    """
    if isinstance(data, DaySummaryData):
        return to_json(dataclasses.replace(data, supersedes=None))
    return to_json(dataclasses.replace(data, header=dataclasses.replace(data.header, supersedes=None)))


def superseding(data: ReportData, note: Supersession) -> ReportData:
    """The report as a new signed version that replaces an earlier one (drawn as such)."""
    if isinstance(data, DaySummaryData):
        return dataclasses.replace(data, supersedes=note)
    return dataclasses.replace(data, header=dataclasses.replace(data.header, supersedes=note))


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
        # A field added since a snapshot was stored takes its default.
        return tp(
            **{
                f.name: _build(hints[f.name], value[f.name])
                for f in dataclasses.fields(tp)
                if f.name in value
            }
        )
    if tp is datetime:
        return datetime.fromisoformat(value)
    if tp is date:
        return date.fromisoformat(value)
    if isinstance(tp, type) and issubclass(tp, StrEnum):
        return tp(value)
    if tp is float:
        return float(value)
    return value
