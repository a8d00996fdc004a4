"""Planning the day and reading it back: rooms, candidates, sittings and who is in them.

Assessors see only the sittings assigned to them; they never assess a candidate from
their own employer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import (
    AccountRow,
    ActorRow,
    CandidateRow,
    JudgementRow,
    PackRow,
    RoomRow,
    ScoreRow,
    SittingActorRow,
    SittingAssessorRow,
    SittingRow,
    VisitRow,
)
from naas_centre.errors import Conflict, NotFound, UserError
from naas_centre.packs.schema import Pack
from naas_centre.services import access, audit, capabilities, marking, packs
from naas_centre.services.accounts import require
from naas_centre.services.views import (
    Actor,
    CandidateView,
    DayOverview,
    Role,
    ScoreSheet,
    SittingDetail,
    SittingSummary,
    StationView,
)

PLANNERS = capabilities.RUN_CENTRE
OVERSEERS = capabilities.OVERSEE
STATUSES = ("planned", "checked_in", "in_progress", "complete", "withdrawn")


@dataclass(frozen=True)
class CandidateInput:
    full_name: str
    registration_number: str
    employer: str
    level: str
    extra_time_percent: int = 0
    extra_time_minutes: int = 0
    break_between_scenarios: bool = False
    adjustment_notes: str = ""
    training_footage_opt_out: bool = False


@dataclass(frozen=True)
class ObservedStation:
    """A station an assessor observes in one sitting, and when and where: its visit's
    time and room where the day is planned as a circuit, else the sitting's."""

    station_id: str
    title: str
    starts_at: datetime
    room: str


@dataclass(frozen=True)
class AssessorSitting(SittingSummary):
    """A row of an assessor's day: the sitting, and which of its stations are theirs.

    ``every_station``: the assessor observes the whole sitting (the same assessors in
    one room); else ``observed`` lists their stations, in sitting order.
    """

    observed: tuple[ObservedStation, ...] = ()
    every_station: bool = True

    @property
    def first_at(self) -> datetime:
        """When this assessor's part of the sitting starts."""
        return min((st.starts_at for st in self.observed), default=self.starts_at)


# Planning ------------------------------------------------------------------------


def add_room(db: Database, actor: Actor, name: str) -> str:
    require(actor, *PLANNERS)
    if not name.strip():
        raise UserError("A room needs a name.")
    with db.write() as s:
        if s.scalar(select(RoomRow.id).where(RoomRow.name == name.strip())):
            raise Conflict(f"There is already a room called {name.strip()!r}.")
        row = RoomRow(name=name.strip())
        s.add(row)
        s.flush()
        return row.id


def add_actor(db: Database, actor: Actor, full_name: str, video_consent: bool) -> str:
    require(actor, *PLANNERS)
    with db.write() as s:
        row = ActorRow(full_name=full_name.strip(), video_consent=video_consent)
        s.add(row)
        s.flush()
        return row.id


def add_candidate(db: Database, actor: Actor, data: CandidateInput) -> str:
    require(actor, *PLANNERS)
    if not data.full_name.strip() or not data.registration_number.strip() or not data.employer.strip():
        raise UserError("A candidate needs a name, a registration number and an employer.")
    if not 0 <= data.extra_time_percent <= 200 or not 0 <= data.extra_time_minutes <= 240:
        raise UserError("Extra time must be 0–200 % and 0–240 minutes.")
    with db.write() as s:
        row = CandidateRow(**{**data.__dict__, "full_name": data.full_name.strip()})
        s.add(row)
        audit.record(s, actor, "candidate.create", row, None)
        return row.id


def plan_sitting(
    db: Database,
    actor: Actor,
    candidate_id: str,
    pack: Pack,
    room_id: str,
    starts_at: datetime,
    *,
    day: date | None = None,
    attempt: int = 1,
) -> str:
    require(actor, *PLANNERS)
    with db.write() as s:
        candidate = s.get(CandidateRow, candidate_id)
        if candidate is None:
            raise NotFound("No such candidate.")
        if candidate.level != pack.level.value:
            raise UserError(
                f"{candidate.full_name} is a {candidate.level} candidate; the pack is for {pack.level.value}."
            )
        if s.get(RoomRow, room_id) is None:
            raise NotFound("No such room.")
        pack_row = packs.store(s, pack)
        row = SittingRow(
            candidate_id=candidate_id,
            pack_id=pack_row.id,
            room_id=room_id,
            day=day or starts_at.date(),
            starts_at=starts_at,
            attempt=attempt,
            marking_code=marking.new_marking_code(s),
        )
        s.add(row)
        audit.record(s, actor, "sitting.plan", row, None)
        return row.id


def assign_assessor(db: Database, actor: Actor, sitting_id: str, assessor_id: str) -> None:
    require(actor, *PLANNERS)
    with db.write() as s:
        sitting = _sitting(s, sitting_id)
        assessor = s.get(AccountRow, assessor_id)
        if assessor is None or assessor.role != Role.ASSESSOR:
            raise UserError("Only assessor accounts can be assigned to a sitting.")
        candidate = s.get(CandidateRow, sitting.candidate_id)
        assert candidate is not None
        if assessor.employer and assessor.employer.casefold() == candidate.employer.casefold():
            raise Conflict(
                f"{assessor.display_name} works for {assessor.employer}, as does {candidate.full_name}: "
                "a conflict of interest. Assign another assessor."
            )
        count = s.scalar(
            select(func.count())
            .select_from(SittingAssessorRow)
            .where(SittingAssessorRow.sitting_id == sitting_id)
        )
        if count and count >= 2:
            raise Conflict("A sitting has at most two assessors.")
        if s.scalar(
            select(SittingAssessorRow.id).where(
                SittingAssessorRow.sitting_id == sitting_id, SittingAssessorRow.assessor_id == assessor_id
            )
        ):
            return
        row = SittingAssessorRow(sitting_id=sitting_id, assessor_id=assessor_id)
        s.add(row)
        audit.record(s, actor, "sitting.assign_assessor", row, None)


def assign_actor(db: Database, actor: Actor, sitting_id: str, station_id: str, actor_id: str) -> None:
    require(actor, *PLANNERS)
    with db.write() as s:
        sitting = _sitting(s, sitting_id)
        pack_row = s.get(PackRow, sitting.pack_id)
        assert pack_row is not None
        if station_id not in {sc.id for sc in packs.pack_of_row(pack_row).scenarios}:
            raise UserError(f"The pack has no scenario {station_id!r}.")
        existing = s.scalar(
            select(SittingActorRow).where(
                SittingActorRow.sitting_id == sitting_id, SittingActorRow.station_id == station_id
            )
        )
        if existing:
            existing.actor_id = actor_id
        else:
            s.add(SittingActorRow(sitting_id=sitting_id, station_id=station_id, actor_id=actor_id))


def set_status(db: Database, actor: Actor, sitting_id: str, status: str) -> None:
    require(actor, *PLANNERS, Role.ASSESSOR)
    if status not in STATUSES:
        raise UserError(f"Unknown status {status!r}; one of: {', '.join(STATUSES)}.")
    with db.write() as s:
        row = access.open_sitting(s, actor, sitting_id, PLANNERS, "change a sitting's status")
        before = audit.snapshot(row)
        row.status = status
        audit.record(s, actor, "sitting.status", row, before)


# Reading ---------------------------------------------------------------------------


def days_with_sittings(db: Database, actor: Actor) -> list[date]:
    with db.read() as s:
        q = select(SittingRow.day).distinct().order_by(SittingRow.day)
        return list(s.scalars(access.only_reachable(q, actor, OVERSEERS, "see the day")))


def list_for_assessor(db: Database, actor: Actor, day: date) -> list[SittingSummary]:
    require(actor, Role.ASSESSOR)
    with db.read() as s:
        ids = s.scalars(
            select(SittingRow.id)
            .join(SittingAssessorRow, SittingAssessorRow.sitting_id == SittingRow.id)
            .where(SittingRow.day == day, SittingAssessorRow.assessor_id == actor.account_id)
        ).all()
        mine = _summaries(s, ids, only_assessor=actor.account_id)
        # In a circuit an assessor's day runs by their own stations' times.
        return sorted(
            mine, key=lambda row: row.first_at if isinstance(row, AssessorSitting) else row.starts_at
        )


def day_overview(db: Database, actor: Actor, day: date) -> DayOverview:
    require(actor, *OVERSEERS)
    with db.read() as s:
        ids = s.scalars(select(SittingRow.id).where(SittingRow.day == day)).all()
        summaries = _summaries(s, ids, only_assessor=None)
        rooms = tuple(s.scalars(select(RoomRow.name).order_by(RoomRow.name)))
        actor_names = s.scalars(
            select(ActorRow.full_name)
            .join(SittingActorRow, SittingActorRow.actor_id == ActorRow.id)
            .join(SittingRow, SittingRow.id == SittingActorRow.sitting_id)
            .where(SittingRow.day == day)
            .distinct()
        )
        assessors = sorted({name for summary in summaries for name in summary.assessors})
        return DayOverview(day, rooms, tuple(summaries), tuple(assessors), tuple(sorted(actor_names)))


def sitting_detail(db: Database, actor: Actor, sitting_id: str) -> SittingDetail:
    with db.read() as s:
        sitting = access.open_sitting(s, actor, sitting_id, OVERSEERS, "open sittings")
        summary = _summaries(
            s, [sitting_id], only_assessor=actor.account_id if actor.role == Role.ASSESSOR else None
        )[0]
        candidate = s.get(CandidateRow, sitting.candidate_id)
        pack_row = s.get(PackRow, sitting.pack_id)
        assert candidate is not None and pack_row is not None
        pack = packs.pack_of_row(pack_row)
        actors = dict(
            s.execute(
                select(SittingActorRow.station_id, ActorRow.full_name)
                .join(ActorRow, ActorRow.id == SittingActorRow.actor_id)
                .where(SittingActorRow.sitting_id == sitting_id)
            ).all()
        )
        stations = [StationView(sc.id, sc.title, sc.kind, actors.get(sc.id)) for sc in pack.scenarios]
        if pack.written_exercise:
            stations.append(
                StationView(pack.written_exercise.id, pack.written_exercise.title, "written", None)
            )

        sheets = score_sheets(s, sitting_id, pack)
        mine = next((sh for sh in sheets if sh.assessor_id == actor.account_id), None)
        everyone_in = bool(sheets) and all(sh.submitted_at is not None for sh in sheets)
        if actor.role == Role.ASSESSOR:
            # Independence: another assessor's scores stay hidden until both have submitted.
            others = tuple(sh for sh in sheets if sh.assessor_id != actor.account_id) if everyone_in else ()
        else:
            others = tuple(sheets)
        return SittingDetail(
            summary=summary,
            candidate=_candidate_view(candidate),
            pack_id=pack_row.id,
            pack_hash=pack_row.content_hash,
            stations=tuple(stations),
            mine=mine,
            others=others,
        )


def score_sheets(s: Session, sitting_id: str, pack: Pack) -> list[ScoreSheet]:
    """Every assigned assessor's sheet, with every criterion present (None: not scored).

    A sheet holds the stations its assessor observes (``access.stations_in``), all of
    them where the same assessors see the whole sitting: ``sheet.levels`` keys are
    those stations, in sitting order.
    """
    assigned = s.execute(
        select(SittingAssessorRow, AccountRow.display_name)
        .join(AccountRow, AccountRow.id == SittingAssessorRow.assessor_id)
        .where(SittingAssessorRow.sitting_id == sitting_id)
        .order_by(SittingAssessorRow.created_at)
    ).all()
    scores = s.scalars(select(ScoreRow).where(ScoreRow.sitting_id == sitting_id)).all()
    judgements = s.scalars(select(JudgementRow).where(JudgementRow.sitting_id == sitting_id)).all()
    sheets = []
    rubrics = dict(pack.rubrics())
    for link, name in assigned:
        observed = access.stations_in(link.stations, pack)
        levels: dict[str, dict[str, int | None]] = {
            station: {c.id: None for c in rubrics[station].criteria} for station in observed
        }
        for sc in scores:
            if sc.assessor_id == link.assessor_id and sc.station_id in levels:
                levels[sc.station_id][sc.criterion_id] = sc.level
        verdicts: dict[str, str | None] = {station: None for station in observed}
        for j in judgements:
            if j.assessor_id == link.assessor_id and j.station_id in verdicts:
                verdicts[j.station_id] = j.judgement
        sheets.append(ScoreSheet(link.assessor_id, name, levels, verdicts, link.submitted_at))
    return sheets


def _summaries(s: Session, ids: Iterable[str], only_assessor: str | None) -> list[SittingSummary]:
    ids = list(ids)
    if not ids:
        return []
    rows = s.execute(
        select(SittingRow, CandidateRow, RoomRow.name, PackRow)
        .join(CandidateRow, CandidateRow.id == SittingRow.candidate_id)
        .join(RoomRow, RoomRow.id == SittingRow.room_id)
        .join(PackRow, PackRow.id == SittingRow.pack_id)
        .where(SittingRow.id.in_(ids))
        .order_by(SittingRow.starts_at, RoomRow.name)
    ).all()
    assessors: dict[str, list[str]] = defaultdict(list)
    submitted: dict[str, int] = defaultdict(int)
    # sitting → (assessor id, their stations field), for what each sheet is expected to hold
    fields: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for sid, aid, name, sub, field in s.execute(
        select(
            SittingAssessorRow.sitting_id,
            SittingAssessorRow.assessor_id,
            AccountRow.display_name,
            SittingAssessorRow.submitted_at,
            SittingAssessorRow.stations,
        )
        .join(AccountRow, AccountRow.id == SittingAssessorRow.assessor_id)
        .where(SittingAssessorRow.sitting_id.in_(ids))
        .order_by(SittingAssessorRow.created_at)
    ):
        assessors[sid].append(name)
        submitted[sid] += sub is not None
        fields[sid].append((aid, field))
    visits: dict[tuple[str, str], tuple[datetime, str]] = {}
    if only_assessor:
        for sid, station, at, visit_room in s.execute(
            select(VisitRow.sitting_id, VisitRow.station_id, VisitRow.starts_at, RoomRow.name)
            .join(RoomRow, RoomRow.id == VisitRow.room_id)
            .where(VisitRow.sitting_id.in_(ids))
        ):
            visits[(sid, station)] = (at, visit_room)
    scored_q = (
        select(ScoreRow.sitting_id, func.count())
        .where(ScoreRow.sitting_id.in_(ids), ScoreRow.level.is_not(None))
        .group_by(ScoreRow.sitting_id)
    )
    if only_assessor:
        scored_q = scored_q.where(ScoreRow.assessor_id == only_assessor)
    scored = dict(s.execute(scored_q).all())
    out = []
    for sitting, candidate, room, pack_row in rows:
        pack = packs.pack_of_row(pack_row)
        per_station = {station: len(rubric.criteria) for station, rubric in pack.rubrics()}
        expected = {aid: access.stations_in(field, pack) for aid, field in fields[sitting.id]}
        if only_assessor:
            total = sum(per_station[st] for st in expected.get(only_assessor, ()))
        elif expected:
            total = sum(per_station[st] for stations in expected.values() for st in stations)
        else:
            total = len(pack.criteria())
        summary = SittingSummary(
            id=sitting.id,
            day=sitting.day,
            starts_at=sitting.starts_at,
            room=room,
            candidate_name=candidate.full_name,
            candidate_employer=candidate.employer,
            pack_title=pack_row.title,
            level=pack_row.level,
            attempt=sitting.attempt,
            status=sitting.status,
            assessors=tuple(assessors[sitting.id]),
            criteria_total=total,
            criteria_scored=scored.get(sitting.id, 0),
            submitted=submitted[sitting.id],
        )
        if only_assessor:
            field = dict(fields[sitting.id]).get(only_assessor, "")
            titles = _station_titles(pack)
            summary = AssessorSitting(
                **summary.__dict__,
                observed=tuple(
                    ObservedStation(st, titles[st], *visits.get((sitting.id, st), (sitting.starts_at, room)))
                    for st in expected.get(only_assessor, ())
                ),
                every_station=not field.strip(),
            )
        out.append(summary)
    return out


def _station_titles(pack: Pack) -> dict[str, str]:
    titles = {sc.id: sc.title for sc in pack.scenarios}
    if pack.written_exercise is not None:
        titles[pack.written_exercise.id] = pack.written_exercise.title
    return titles


def _candidate_view(c: CandidateRow) -> CandidateView:
    return CandidateView(
        c.id,
        c.full_name,
        c.registration_number,
        c.employer,
        c.level,
        c.extra_time_percent,
        c.extra_time_minutes,
        c.break_between_scenarios,
        c.adjustment_notes,
    )


def _sitting(s: Session, sitting_id: str) -> SittingRow:
    row = s.get(SittingRow, sitting_id)
    if row is None:
        raise NotFound("No such sitting.")
    return row
