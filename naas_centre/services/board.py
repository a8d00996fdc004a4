"""The live board of a day planned as a circuit: each station by each slot, with who is
there and how far their visit has got.

A cell says which candidate is at the station in that slot, which phases are done
(from the phase events), how many scores and judgements are still missing, what waits
for moderation and how many reports are signed. What is missing is the same rule as
everywhere else (``naas_centre.core.completeness``), fed from facts read in bulk: a
handful of queries for the whole day, never one per cell, so a full day refreshes in
well under the 200 ms a manager would notice.

``data_version`` is the cheap question a screen asks every few seconds: it changes
whenever any workstation writes something the board shows, so the board re-reads only
then.

Who may look: a centre manager, an administrator, the quality-assurance lead.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import (
    AccountRow,
    ActorRow,
    AuditEntryRow,
    CandidateRow,
    DayPlanRow,
    DocumentSignatureRow,
    JudgementRow,
    ModerationRow,
    PhaseEventRow,
    PlanStationRow,
    RoomRow,
    ScoreRow,
    ScriptRow,
    SignedDocumentRow,
    SittingAssessorRow,
    SittingRow,
    VisitRow,
)
from naas_centre.core.completeness import (
    JUDGEMENT,
    ON_THE_SHEET,
    CriterionFacts,
    Missing,
    MissingKind,
    ScriptFacts,
    SheetFacts,
    SittingFacts,
    StationFacts,
)
from naas_centre.core.completeness import missing as missing_from_facts
from naas_centre.packs.schema import Pack
from naas_centre.services import access, capabilities, packs
from naas_centre.services.accounts import require
from naas_centre.services.timing import PHASE_TITLES
from naas_centre.services.views import Actor

__all__ = [
    "WRITTEN",
    "BoardCard",
    "BoardSlot",
    "BoardStation",
    "CardState",
    "DayBoard",
    "data_version",
    "day_board",
]

VIEWERS = capabilities.OVERSEE
WRITTEN = "written"  # a visit's station id for the written exercise
_MAIN_PHASE = {"role_play": "role_play", "reflective": "role_play", "written": "writing"}
_GONE = ("withdrawn", "absent")


class CardState(StrEnum):
    """Where one candidate's visit to one station stands, in order."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    SCORING = "scoring"
    MODERATION = "moderation"
    READY = "ready"
    SIGNED = "signed"
    WITHDRAWN = "withdrawn"

    @property
    def words(self) -> str:
        return {
            CardState.NOT_STARTED: "Not started",
            CardState.IN_PROGRESS: "In progress",
            CardState.SCORING: "Scores missing",
            CardState.MODERATION: "Waiting for moderation",
            CardState.READY: "Ready to sign",
            CardState.SIGNED: "Signed",
            CardState.WITHDRAWN: "Withdrawn",
        }[self]


@dataclass(frozen=True)
class BoardStation:
    """A column of the board: one station of the circuit, or the written-exercise room."""

    key: str  # the room's id: a room holds one station for the day
    room: str
    station_id: str  # the pack's station, or WRITTEN
    title: str
    assessors: tuple[str, ...]
    actor: str | None


@dataclass(frozen=True)
class BoardSlot:
    number: int
    starts_at: datetime
    ends_at: datetime
    break_after: str = ""  # "Lunch, 45 minutes" when a break follows this slot


@dataclass(frozen=True)
class BoardCard:
    """One candidate at one station in one slot."""

    sitting_id: str
    candidate: str
    employer: str
    starts_at: datetime
    ends_at: datetime
    state: CardState
    phases: tuple[str, ...]  # the station's phases, as titles, in order
    phases_done: tuple[str, ...]
    running: str | None  # the phase under way now, if any
    scores_missing: int  # levels, judgements and reasons still to give at this station
    to_moderate: int  # differences at this station waiting for moderation
    not_submitted: int  # of the sitting's assessors, how many have not submitted
    reports_signed: int  # signed reports of this station (and, for the last, the outcome)

    @property
    def words(self) -> str:
        """The card's state and counts in words: never colour alone."""
        parts = [self.state.words]
        if self.state in (CardState.NOT_STARTED, CardState.WITHDRAWN):
            return parts[0]
        if self.state == CardState.IN_PROGRESS and self.running:
            parts = [f"{self.running} under way"]
        if self.phases:
            parts.append(f"{len(self.phases_done)} of {len(self.phases)} phases done")
        if self.scores_missing:
            parts.append(f"{self.scores_missing} score{'s' if self.scores_missing != 1 else ''} missing")
        if self.to_moderate:
            parts.append(f"{self.to_moderate} to moderate")
        if self.reports_signed:
            parts.append(f"{self.reports_signed} signed")
        return " · ".join(parts)


@dataclass(frozen=True)
class DayBoard:
    day: date
    planned: bool  # False: the day has no circuit plan (the board is empty)
    stations: tuple[BoardStation, ...]
    slots: tuple[BoardSlot, ...]
    cells: dict[tuple[str, int], tuple[BoardCard, ...]]  # (station key, slot) → cards

    def cards(self) -> Iterable[BoardCard]:
        for cards in self.cells.values():
            yield from cards


def day_board(db: Database, actor: Actor, day: date) -> DayBoard:
    """The day's circuit by station and slot; ``planned`` False when it has no plan."""
    require(actor, *VIEWERS)
    with db.read() as s:
        plan = s.scalar(select(DayPlanRow).where(DayPlanRow.day == day))
        if plan is None:
            return DayBoard(day, False, (), (), {})
        return _read(s, plan)


def data_version(db: Database) -> str:
    """A value that changes whenever any workstation writes what the board shows.

    The audit chain's head covers every audited change (scores, judgements, moderation,
    sittings, assessors); phase events, scripts, signatures and the plan's own tables
    are counted and stamped besides, since not all of them are audited, and a count
    catches a deletion that a newest stamp would not. One round trip, on SQLite and
    PostgreSQL alike.
    """

    def head(table: Any, stamp: Any) -> list[Any]:
        return [
            select(func.count()).select_from(table).scalar_subquery(),
            select(func.max(stamp)).scalar_subquery(),
        ]

    columns = [
        select(func.max(AuditEntryRow.seq)).scalar_subquery(),
        *head(PhaseEventRow, PhaseEventRow.created_at),
        *head(SignedDocumentRow, SignedDocumentRow.updated_at),
        *head(DocumentSignatureRow, DocumentSignatureRow.created_at),
        select(func.count(ScriptRow.submitted_at)).scalar_subquery(),
        *head(DayPlanRow, DayPlanRow.updated_at),
        *head(PlanStationRow, PlanStationRow.updated_at),
        *head(VisitRow, VisitRow.updated_at),
        *head(SittingRow, SittingRow.updated_at),
    ]
    with db.read() as s:
        row = s.execute(select(*columns)).one()
    return "|".join("" if v is None else str(v) for v in row)


# -- reading ---------------------------------------------------------------------------


def _read(s: Session, plan: DayPlanRow) -> DayBoard:
    pack = packs.pack_by_id(s, plan.pack_id)
    rooms = dict(s.execute(select(RoomRow.id, RoomRow.name)).all())
    names = dict(s.execute(select(AccountRow.id, AccountRow.display_name)).all())
    actors = dict(s.execute(select(ActorRow.id, ActorRow.full_name)).all())
    titles = {sc.id: sc.title for sc in pack.scenarios}
    order = [sc.id for sc in pack.scenarios]

    plan_stations = s.scalars(select(PlanStationRow).where(PlanStationRow.plan_id == plan.id)).all()
    stations = [
        BoardStation(
            p.room_id,
            rooms.get(p.room_id, "?"),
            p.station_id,
            titles.get(p.station_id, p.station_id),
            tuple(names.get(a, "?") for a in json.loads(p.assessor_ids or "[]")),
            actors.get(p.actor_id) if p.actor_id else None,
        )
        for p in plan_stations
    ]
    stations.sort(key=lambda st: (order.index(st.station_id) if st.station_id in order else 99, st.room))

    visits = s.execute(
        select(VisitRow, SittingRow, CandidateRow)
        .join(SittingRow, SittingRow.id == VisitRow.sitting_id)
        .join(CandidateRow, CandidateRow.id == SittingRow.candidate_id)
        .where(SittingRow.day == plan.day)
        .order_by(VisitRow.starts_at)
    ).all()
    written = pack.written_exercise
    if written is not None and (plan.written_room_id or any(v.station_id == WRITTEN for v, _s, _c in visits)):
        room_id = plan.written_room_id or next(v.room_id for v, _s, _c in visits if v.station_id == WRITTEN)
        stations.append(BoardStation(room_id, rooms.get(room_id, "?"), WRITTEN, written.title, (), None))

    sittings = {sit.id: sit for _v, sit, _c in visits}
    facts = _facts(s, list(sittings.values()), pack)
    signed = _signed(s, list(sittings))
    keys = {(st.station_id, st.key) for st in stations}
    by_station = {st.station_id: st.key for st in stations}

    cells: dict[tuple[str, int], list[BoardCard]] = defaultdict(list)
    slot_times: dict[int, tuple[datetime, datetime]] = {}
    for visit, sitting, candidate in visits:
        key = visit.room_id if (visit.station_id, visit.room_id) in keys else by_station.get(visit.station_id)
        if key is None:
            continue
        pack_station = written.id if visit.station_id == WRITTEN and written is not None else visit.station_id
        cells[(key, visit.slot)].append(
            _card(visit, sitting, candidate, pack, pack_station, facts[sitting.id], signed)
        )
        if visit.station_id != WRITTEN or visit.slot not in slot_times:
            start, end = slot_times.get(visit.slot, (visit.starts_at, visit.ends_at))
            slot_times[visit.slot] = (min(start, visit.starts_at), max(end, visit.ends_at))

    breaks = {int(b.get("after_slot", -1)): b for b in json.loads(plan.breaks or "[]")}
    slots = tuple(
        BoardSlot(n, start, end, _break_words(breaks.get(n)))
        for n, (start, end) in sorted(slot_times.items())
    )
    return DayBoard(
        plan.day,
        True,
        tuple(stations),
        slots,
        {k: tuple(v) for k, v in cells.items()},
    )


def _break_words(b: dict[str, object] | None) -> str:
    if not b:
        return ""
    label = str(b.get("label") or "Break")
    minutes = b.get("minutes")
    return f"{label}, {minutes} minutes" if minutes else label


@dataclass(frozen=True)
class _Facts:
    """One sitting's facts, as the completeness rule takes them, and its phase events."""

    sitting: SittingFacts
    phases: dict[str, dict[str, str]]  # station → phase → "running", "paused" or "done"
    items: tuple[Missing, ...]  # what the sitting still lacks, worked out once


def _facts(s: Session, rows: list[SittingRow], pack: Pack) -> dict[str, _Facts]:
    ids = [r.id for r in rows]
    if not ids:
        return {}
    phases: dict[str, dict[str, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
    for sid, station, phase, kind in s.execute(
        select(PhaseEventRow.sitting_id, PhaseEventRow.station_id, PhaseEventRow.phase, PhaseEventRow.kind)
        .where(PhaseEventRow.sitting_id.in_(ids))
        .order_by(PhaseEventRow.at, PhaseEventRow.created_at)
    ):
        if kind in ("start", "resume", "reopen"):
            phases[sid][station][phase] = "running"
        elif kind == "end":
            phases[sid][station][phase] = "done"
        elif kind == "pause":
            phases[sid][station][phase] = "paused"

    levels: dict[tuple[str, str], dict[tuple[str, str], int | None]] = defaultdict(dict)
    reasons: dict[tuple[str, str], dict[tuple[str, str], str]] = defaultdict(dict)
    for sid, aid, station, crit, level, reason in s.execute(
        select(
            ScoreRow.sitting_id,
            ScoreRow.assessor_id,
            ScoreRow.station_id,
            ScoreRow.criterion_id,
            ScoreRow.level,
            ScoreRow.reason,
        ).where(ScoreRow.sitting_id.in_(ids))
    ):
        levels[(sid, aid)][(station, crit)] = level
        reasons[(sid, aid)][(station, crit)] = reason or ""
    verdicts: dict[tuple[str, str], dict[str, str | None]] = defaultdict(dict)
    for sid, aid, station, judgement in s.execute(
        select(
            JudgementRow.sitting_id, JudgementRow.assessor_id, JudgementRow.station_id, JudgementRow.judgement
        ).where(JudgementRow.sitting_id.in_(ids))
    ):
        verdicts[(sid, aid)][station] = judgement
    sheets: dict[str, list[SheetFacts]] = defaultdict(list)
    for sid, aid, submitted, observed, name in s.execute(
        select(
            SittingAssessorRow.sitting_id,
            SittingAssessorRow.assessor_id,
            SittingAssessorRow.submitted_at,
            SittingAssessorRow.stations,
            AccountRow.display_name,
        )
        .join(AccountRow, AccountRow.id == SittingAssessorRow.assessor_id)
        .where(SittingAssessorRow.sitting_id.in_(ids))
        .order_by(SittingAssessorRow.created_at, SittingAssessorRow.id)
    ):
        sheets[sid].append(
            SheetFacts(
                aid,
                name,
                levels[(sid, aid)],
                reasons[(sid, aid)],
                verdicts[(sid, aid)],
                submitted is not None,
                frozenset(access.stations_in(observed or "", pack)),  # each sheet over its own stations
            )
        )
    scripts = {
        sid: ScriptFacts(bool(text.strip()), submitted is not None)
        for sid, text, submitted in s.execute(
            select(ScriptRow.sitting_id, ScriptRow.text, ScriptRow.submitted_at).where(
                ScriptRow.sitting_id.in_(ids)
            )
        )
    }
    moderated: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for sid, station, crit, level, judgement in s.execute(
        select(
            ModerationRow.sitting_id,
            ModerationRow.station_id,
            ModerationRow.criterion_id,
            ModerationRow.level,
            ModerationRow.judgement,
        ).where(ModerationRow.sitting_id.in_(ids))
    ):
        if (judgement if crit == JUDGEMENT else level) is not None:
            moderated[sid].add((station, crit))

    pack_stations = [(sc.id, sc.title, sc.kind, sc.rubric) for sc in pack.scenarios] + (
        []
        if pack.written_exercise is None
        else [
            (pack.written_exercise.id, pack.written_exercise.title, "written", pack.written_exercise.rubric)
        ]
    )
    standard = pack.outcome.standard()
    out: dict[str, _Facts] = {}
    for sid in ids:
        started = {(st, ph) for st, by_phase in phases[sid].items() for ph in by_phase}
        stations = tuple(
            StationFacts(
                st_id,
                title,
                kind,
                tuple(CriterionFacts(c.id, c.title or c.text) for c in rubric.criteria),
                (st_id, _MAIN_PHASE[kind]) in started,
            )
            for st_id, title, kind, rubric in pack_stations
        )
        facts = SittingFacts(
            stations=stations,
            sheets=tuple(sheets[sid]),
            script=scripts.get(sid),
            moderated=frozenset(moderated[sid]),
            standard=standard,
        )
        out[sid] = _Facts(facts, {st: dict(p) for st, p in phases[sid].items()}, missing_from_facts(facts))
    return out


def _signed(s: Session, ids: list[str]) -> dict[tuple[str, str | None], int]:
    """(sitting, station or None for the outcome) → reports with a signed version."""
    if not ids:
        return {}
    rows = s.execute(
        select(
            SignedDocumentRow.sitting_id,
            SignedDocumentRow.station_id,
            func.count(func.distinct(SignedDocumentRow.report_key)),
        )
        .where(SignedDocumentRow.sitting_id.in_(ids))
        .group_by(SignedDocumentRow.sitting_id, SignedDocumentRow.station_id)
    ).all()
    return {(str(sid), station or None): int(n) for sid, station, n in rows}


def _phases_of(pack: Pack, station_id: str) -> list[str]:
    for sc in pack.scenarios:
        if sc.id == station_id:
            return ["reading", "role_play"] + (["discussion"] if sc.timing.discussion else [])
    return ["writing"]


def _card(
    visit: VisitRow,
    sitting: SittingRow,
    candidate: CandidateRow,
    pack: Pack,
    station_id: str,
    facts: _Facts,
    signed: dict[tuple[str, str | None], int],
) -> BoardCard:
    phases = _phases_of(pack, station_id)
    states = facts.phases.get(station_id, {})
    done = [p for p in phases if states.get(p) == "done"]
    running = next((p for p in phases if states.get(p) in ("running", "paused")), None)
    here = [m for m in facts.items if m.station_id == station_id]
    scores_missing = sum(1 for m in here if m.kind in ON_THE_SHEET)
    to_moderate = sum(1 for m in here if m.kind == MissingKind.MODERATION_OUTSTANDING)
    not_submitted = sum(1 for sh in facts.sitting.sheets if not sh.submitted)
    reports = signed.get((sitting.id, station_id), 0)

    if sitting.status in _GONE:
        state = CardState.WITHDRAWN
    elif not states:
        state = CardState.NOT_STARTED
    elif len(done) < len(phases):
        state = CardState.IN_PROGRESS
    elif to_moderate:
        state = CardState.MODERATION
    elif scores_missing or not_submitted or here:
        state = CardState.SCORING
    elif reports:
        state = CardState.SIGNED
    else:
        state = CardState.READY
    return BoardCard(
        sitting_id=sitting.id,
        candidate=candidate.full_name,
        employer=candidate.employer,
        starts_at=visit.starts_at,
        ends_at=visit.ends_at,
        state=state,
        phases=tuple(PHASE_TITLES[p] for p in phases),
        phases_done=tuple(PHASE_TITLES[p] for p in done),
        running=PHASE_TITLES[running] if running else None,
        scores_missing=scores_missing,
        to_moderate=to_moderate,
        not_submitted=not_submitted,
        reports_signed=reports,
    )
