"""A day planned as a circuit: its plan and stations, the candidates on it, the rota built
and adjusted, and the rota read back for run-sheets and the live board.

The rules of a feasible day are ``naas_centre.core.rota``; this module reads the facts
(rooms, assessors and their employers, actors, declared conflicts, candidates and their
adjustments) and writes what the rota says: each candidate's sitting, a visit per pack
station plus one for the written exercise, the assessors with the stations they observe
and the actor at each station, in one audited transaction. Adjusting the rota (moving
one visit, swapping two candidates) is checked again and refused, changing nothing,
when it breaks a rule.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import (
    AccountRow,
    ActorRow,
    CandidateRow,
    ConflictRow,
    DayPlanRow,
    JudgementRow,
    PackRow,
    PhaseEventRow,
    PlanStationRow,
    RoomRow,
    ScoreRow,
    SittingActorRow,
    SittingAssessorRow,
    SittingRow,
    VisitRow,
)
from naas_centre.core import rota
from naas_centre.core.rota import WRITTEN, Refusal
from naas_centre.errors import Conflict, NotFound, UserError
from naas_centre.packs.schema import Pack
from naas_centre.services import audit, booking, capabilities, marking, packs
from naas_centre.services.accounts import require
from naas_centre.services.views import Actor, Role

PLANNERS = capabilities.RUN_CENTRE
CHANGEOVER_MINUTES = 10  # between two visits to a station: the room reset, the next brief


class RotaRefused(UserError):
    """A change to the rota that would break a rule; nothing was changed."""

    def __init__(self, refusals: Sequence[Refusal]) -> None:
        self.refusals = tuple(refusals)
        more = f" (and {len(self.refusals) - 1} more)" if len(self.refusals) > 1 else ""
        super().__init__(f"{self.refusals[0].text}{more} Nothing was changed.")


# Views -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BreakSpec:
    after_slot: int
    minutes: int
    label: str = "Break"


@dataclass(frozen=True)
class StationSpec:
    """One station as the manager sets it: a room, a pack station, its people."""

    room_id: str
    station_id: str
    assessor_ids: tuple[str, ...]
    actor_id: str | None = None


@dataclass(frozen=True)
class PlanStationView:
    room_id: str
    room: str
    station_id: str
    station_title: str
    assessor_ids: tuple[str, ...]
    assessors: tuple[str, ...]
    actor_id: str | None
    actor: str | None


@dataclass(frozen=True)
class PlannedCandidate:
    candidate_id: str
    sitting_id: str
    name: str
    employer: str
    attempt: int
    adjustments: str  # in words, "" for none


@dataclass(frozen=True)
class DayPlanView:
    id: str
    day: date
    pack_id: str
    pack_title: str
    pack_stations: tuple[tuple[str, str], ...]  # (id, title) of the pack's role-play and discussion stations
    first_slot_at: datetime
    slot_minutes: int
    breaks: tuple[BreakSpec, ...]
    written_room_id: str | None
    written_room: str | None
    written_seats: int
    written_minutes: int
    stations: tuple[PlanStationView, ...]
    candidates: tuple[PlannedCandidate, ...]


@dataclass(frozen=True)
class SlotView:
    number: int
    starts_at: datetime
    ends_at: datetime
    break_after: str | None  # the label of a break that follows this slot


@dataclass(frozen=True)
class VisitView:
    sitting_id: str
    candidate_id: str
    candidate: str
    employer: str
    station_id: str  # a pack station, or "written"
    station_title: str
    room_id: str
    room: str
    slot: int
    starts_at: datetime
    ends_at: datetime
    assessor_ids: tuple[str, ...]
    assessors: tuple[str, ...]
    actor_id: str | None
    actor: str | None


@dataclass(frozen=True)
class RoomView:
    id: str
    name: str
    kind: str  # role_play or written
    station_id: str | None
    station_title: str | None


@dataclass(frozen=True)
class DayRota:
    """The day's rota as the run-sheets and the live board read it."""

    day: date
    pack_title: str
    rooms: tuple[RoomView, ...]
    slots: tuple[SlotView, ...]
    visits: tuple[VisitView, ...]

    def for_room(self, room_id: str) -> list[VisitView]:
        return [v for v in self.visits if v.room_id == room_id]

    def for_candidate(self, candidate_id: str) -> list[VisitView]:
        return [v for v in self.visits if v.candidate_id == candidate_id]

    def for_actor(self, actor_id: str) -> list[VisitView]:
        return [v for v in self.visits if v.actor_id == actor_id]

    def at(self, slot: int, room_id: str) -> VisitView | None:
        return next(
            (v for v in self.visits if v.slot == slot and v.room_id == room_id and v.station_id != WRITTEN),
            None,
        )


# Reading the facts ---------------------------------------------------------------------------


def _plan_row(s: Session, day: date) -> DayPlanRow:
    row = s.scalar(select(DayPlanRow).where(DayPlanRow.day == day))
    if row is None:
        raise NotFound(f"There is no plan for {booking.long_date(day)}; make one first.")
    return row


def _breaks(row: DayPlanRow) -> tuple[BreakSpec, ...]:
    return tuple(
        BreakSpec(int(b["after_slot"]), int(b["minutes"]), str(b.get("label", "Break")))
        for b in json.loads(row.breaks or "[]")
    )


def _sittings(s: Session, plan: DayPlanRow) -> list[SittingRow]:
    return list(
        s.scalars(
            select(SittingRow)
            .where(
                SittingRow.day == plan.day,
                SittingRow.pack_id == plan.pack_id,
                SittingRow.status != "withdrawn",
            )
            .order_by(SittingRow.created_at, SittingRow.id)
        )
    )


def _stations(s: Session, plan: DayPlanRow) -> list[PlanStationRow]:
    rows = list(s.scalars(select(PlanStationRow).where(PlanStationRow.plan_id == plan.id)))
    order = {sc.id: k for k, sc in enumerate(packs.pack_by_id(s, plan.pack_id).scenarios)}
    return sorted(rows, key=lambda r: order.get(r.station_id, 99))


def _adjustments(c: CandidateRow) -> str:
    out = []
    if c.extra_time_percent:
        out.append(f"{c.extra_time_percent}% extra time")
    if c.extra_time_minutes:
        out.append(f"{c.extra_time_minutes} minutes extra")
    if c.break_between_scenarios:
        out.append("a break between scenarios")
    return ", ".join(out)


def _core_plan(s: Session, plan: DayPlanRow) -> tuple[rota.Plan, dict[str, SittingRow]]:
    """The plan as the pure rules see it, and candidate id -> their sitting."""
    pack = packs.pack_by_id(s, plan.pack_id)
    scenarios = {sc.id: sc for sc in pack.scenarios}
    rooms = {r.id: r for r in s.scalars(select(RoomRow))}
    accounts = {a.id: a for a in s.scalars(select(AccountRow).where(AccountRow.role == Role.ASSESSOR))}
    actors = {a.id: a for a in s.scalars(select(ActorRow))}
    stations = []
    for st in _stations(s, plan):
        sc = scenarios.get(st.station_id)
        if sc is None:
            raise UserError(f"{rooms[st.room_id].name} runs {st.station_id!r}, which the pack does not have.")
        ids = json.loads(st.assessor_ids or "[]")
        people = tuple(
            rota.Person(a, accounts[a].display_name, accounts[a].employer) for a in ids if a in accounts
        )
        actor = actors.get(st.actor_id) if st.actor_id else None
        minutes = sc.timing.reading + sc.timing.role_play + (sc.timing.discussion or 0)
        stations.append(
            rota.Station(
                sc.id,
                sc.title,
                rota.Place(st.room_id, rooms[st.room_id].name),
                people,
                rota.Person(actor.id, actor.full_name) if actor else None,
                round(minutes),
                round(sc.timing.reading),
            )
        )
    sittings = _sittings(s, plan)
    cands = {
        c.id: c
        for c in s.scalars(
            select(CandidateRow).where(CandidateRow.id.in_([x.candidate_id for x in sittings]))
        )
    }
    candidates = tuple(
        rota.Candidate(
            c.id,
            c.full_name,
            c.employer,
            c.extra_time_percent,
            c.extra_time_minutes,
            c.break_between_scenarios,
        )
        for c in (cands[x.candidate_id] for x in sittings)
    )
    written = None
    we = pack.written_exercise
    if we is not None and plan.written_room_id:
        room = rooms[plan.written_room_id]
        written = rota.Written(rota.Place(room.id, room.name), plan.written_seats, round(we.minutes))
    conflicts = frozenset(
        (a, c)
        for a, c in s.execute(
            select(ConflictRow.assessor_id, ConflictRow.candidate_id).where(
                ConflictRow.candidate_id.in_(list(cands))
            )
        )
    )
    grid = rota.Grid(
        plan.first_slot_at.astimezone(),
        plan.slot_minutes,
        tuple(rota.Break(b.after_slot, b.minutes, b.label) for b in _breaks(plan)),
    )
    return rota.Plan(tuple(stations), candidates, grid, written, conflicts), {
        x.candidate_id: x for x in sittings
    }


def _current(s: Session, plan: DayPlanRow, sittings: dict[str, SittingRow]) -> rota.Rota:
    by_sitting = {x.id: x.candidate_id for x in sittings.values()}
    visits = s.scalars(select(VisitRow).where(VisitRow.sitting_id.in_(list(by_sitting)))).all()
    links = s.scalars(
        select(SittingAssessorRow).where(SittingAssessorRow.sitting_id.in_(list(by_sitting)))
    ).all()
    observes: dict[tuple[str, str], list[str]] = defaultdict(list)
    for link in links:
        for station in filter(None, link.stations.split(",")):
            observes[(link.sitting_id, station)].append(link.assessor_id)
    actors = dict(
        ((a.sitting_id, a.station_id), a.actor_id)
        for a in s.scalars(select(SittingActorRow).where(SittingActorRow.sitting_id.in_(list(by_sitting))))
    )
    return rota.Rota(
        tuple(
            rota.Visit(
                by_sitting[v.sitting_id],
                v.station_id,
                v.room_id,
                v.slot,
                v.starts_at.astimezone(),
                v.ends_at.astimezone(),
                tuple(observes.get((v.sitting_id, v.station_id), ())),
                actors.get((v.sitting_id, v.station_id)),
            )
            for v in sorted(visits, key=lambda v: v.starts_at)
        )
    )


# Making the plan -------------------------------------------------------------------------------


def default_slot_minutes(pack: Pack) -> int:
    """The longest station of the pack, and a changeover."""
    longest = max(
        sc.timing.reading + sc.timing.role_play + (sc.timing.discussion or 0) for sc in pack.scenarios
    )
    return round(longest) + CHANGEOVER_MINUTES


def save_plan(
    db: Database,
    actor: Actor,
    day: date,
    pack: Pack,
    first_slot_at: datetime,
    *,
    slot_minutes: int | None = None,
    breaks: Sequence[BreakSpec] = (),
    written_room_id: str | None = None,
    written_seats: int = 0,
) -> DayPlanView:
    """Makes or changes the plan for ``day``: the pack, the slot grid, the written room."""
    require(actor, *PLANNERS)
    if first_slot_at.tzinfo is None:
        raise UserError("The first slot's time needs its time zone.")
    minutes = slot_minutes if slot_minutes is not None else default_slot_minutes(pack)
    shortest = default_slot_minutes(pack) - CHANGEOVER_MINUTES
    if minutes < shortest:
        raise UserError(
            f"A slot of {minutes} minutes is shorter than the pack's longest station ({shortest} minutes)."
        )
    for b in breaks:
        if b.after_slot < 1 or b.minutes < 1:
            raise UserError(
                f"The break {b.label!r} needs a slot it follows (from 1) and a length in minutes."
            )
    if written_seats < 0:
        raise UserError("The written room cannot have fewer than no seats.")
    with db.write() as s:
        if written_room_id is not None:
            room = s.get(RoomRow, written_room_id)
            if room is None:
                raise NotFound("No such room for the written exercise.")
            if pack.written_exercise is not None and written_seats < 1:
                raise UserError(f"{room.name} needs at least one seat for the written exercise.")
        pack_row = packs.store(s, pack)
        row = s.scalar(select(DayPlanRow).where(DayPlanRow.day == day))
        before = audit.snapshot(row) if row is not None else None
        if row is None:
            row = DayPlanRow(day=day, pack_id=pack_row.id, first_slot_at=first_slot_at, slot_minutes=minutes)
            s.add(row)
        elif row.pack_id != pack_row.id and _sittings(s, row):
            raise Conflict(
                f"The plan for {booking.long_date(day)} has candidates on {row.pack_id and 'its pack'}; "
                "take them off before changing the pack."
            )
        row.pack_id = pack_row.id
        row.first_slot_at = first_slot_at
        row.slot_minutes = minutes
        row.breaks = json.dumps([b.__dict__ for b in breaks])
        row.written_room_id = written_room_id
        row.written_seats = written_seats
        audit.record(s, actor, "day_plan.save" if before else "day_plan.create", row, before)
        return _plan_view(s, row)


def set_stations(db: Database, actor: Actor, day: date, stations: Sequence[StationSpec]) -> DayPlanView:
    """The day's stations, one per room, one per pack station; replaces the earlier set."""
    require(actor, *PLANNERS)
    with db.write() as s:
        plan = _plan_row(s, day)
        pack = packs.pack_by_id(s, plan.pack_id)
        titles = {sc.id: sc.title for sc in pack.scenarios}
        seen_rooms: set[str] = set()
        seen_stations: set[str] = set()
        for spec in stations:
            room = s.get(RoomRow, spec.room_id)
            if room is None:
                raise NotFound("No such room.")
            if spec.station_id not in titles:
                raise UserError(f"{room.name}: the pack has no station {spec.station_id!r}.")
            if spec.room_id in seen_rooms:
                raise UserError(f"{room.name} is given two stations; a room holds one.")
            if spec.station_id in seen_stations:
                raise UserError(f"{titles[spec.station_id]} is given two rooms; each station runs in one.")
            if spec.room_id == plan.written_room_id:
                raise UserError(f"{room.name} is the written-exercise room.")
            if not 1 <= len(spec.assessor_ids) <= 2:
                raise UserError(f"{room.name} ({titles[spec.station_id]}) needs one or two assessors.")
            for aid in spec.assessor_ids:
                acc = s.get(AccountRow, aid)
                if acc is None or acc.role != Role.ASSESSOR or not acc.active:
                    raise UserError(f"{room.name}: only active assessor accounts can observe a station.")
            if spec.actor_id is not None:
                act = s.get(ActorRow, spec.actor_id)
                if act is None or not act.active:
                    raise UserError(f"{room.name}: no such actor.")
            seen_rooms.add(spec.room_id)
            seen_stations.add(spec.station_id)
        for old in s.scalars(select(PlanStationRow).where(PlanStationRow.plan_id == plan.id)):
            before = audit.snapshot(old)
            s.delete(old)  # then its own entry, which the flush's own does not repeat
            audit.record(s, actor, "day_plan.station_remove", old, before, deleted=True)
        s.flush()
        for spec in stations:
            row = PlanStationRow(
                plan_id=plan.id,
                room_id=spec.room_id,
                station_id=spec.station_id,
                assessor_ids=json.dumps(list(spec.assessor_ids)),
                actor_id=spec.actor_id,
            )
            s.add(row)
            audit.record(s, actor, "day_plan.station_set", row, None)
        return _plan_view(s, plan)


def add_candidates(db: Database, actor: Actor, day: date, candidate_ids: Sequence[str]) -> DayPlanView:
    """Books candidates onto the day (each by the booking rules: endorsement, re-sits,
    once a day); all or none."""
    require(actor, *PLANNERS)
    with db.write() as s:
        plan = _plan_row(s, day)
        pack = packs.pack_by_id(s, plan.pack_id)
        room_id = plan.written_room_id or next(iter(r.room_id for r in _stations(s, plan)), None)
        if room_id is None:
            raise UserError("Set the day's stations or its written room before adding candidates.")
        for cid in candidate_ids:
            candidate = s.get(CandidateRow, cid)
            if candidate is None:
                raise NotFound("No such candidate.")
            if candidate.level != pack.level.value:
                raise UserError(
                    f"{candidate.full_name} is a {candidate.level} candidate; "
                    f"the day's pack is for {pack.level.value}."
                )
            attempt = booking.check_bookable(s, cid, pack.level.value, day)
            row = SittingRow(
                candidate_id=cid,
                pack_id=plan.pack_id,
                room_id=room_id,
                day=day,
                starts_at=plan.first_slot_at,
                attempt=attempt,
                marking_code=marking.new_marking_code(s),
            )
            s.add(row)
            audit.record(s, actor, "sitting.plan", row, None)
            s.flush()  # the next candidate's once-a-day check sees this booking
        return _plan_view(s, plan)


def remove_candidate(db: Database, actor: Actor, day: date, candidate_id: str) -> DayPlanView:
    """Withdraws a candidate from the day, before anything of theirs is recorded."""
    require(actor, *PLANNERS)
    with db.write() as s:
        plan = _plan_row(s, day)
        sitting = next((x for x in _sittings(s, plan) if x.candidate_id == candidate_id), None)
        if sitting is None:
            raise NotFound("That candidate is not on the day.")
        _refuse_if_started(s, [sitting])
        _clear(s, actor, [sitting])
        before = audit.snapshot(sitting)
        sitting.status = "withdrawn"
        audit.record(s, actor, "sitting.status", sitting, before)
        return _plan_view(s, plan)


def day_plan(db: Database, actor: Actor, day: date) -> DayPlanView | None:
    require(actor, *PLANNERS)
    with db.read() as s:
        row = s.scalar(select(DayPlanRow).where(DayPlanRow.day == day))
        return _plan_view(s, row) if row is not None else None


def _plan_view(s: Session, row: DayPlanRow) -> DayPlanView:
    s.flush()
    pack = packs.pack_by_id(s, row.pack_id)
    pack_row = s.get(PackRow, row.pack_id)
    assert pack_row is not None
    rooms = {r.id: r.name for r in s.scalars(select(RoomRow))}
    names = {a.id: a.display_name for a in s.scalars(select(AccountRow))}
    actors = {a.id: a.full_name for a in s.scalars(select(ActorRow))}
    titles = {sc.id: sc.title for sc in pack.scenarios}
    stations = tuple(
        PlanStationView(
            st.room_id,
            rooms.get(st.room_id, "?"),
            st.station_id,
            titles.get(st.station_id, st.station_id),
            tuple(json.loads(st.assessor_ids or "[]")),
            tuple(names.get(a, "?") for a in json.loads(st.assessor_ids or "[]")),
            st.actor_id,
            actors.get(st.actor_id) if st.actor_id else None,
        )
        for st in _stations(s, row)
    )
    candidates = []
    for x in _sittings(s, row):
        c = s.get(CandidateRow, x.candidate_id)
        assert c is not None
        candidates.append(PlannedCandidate(c.id, x.id, c.full_name, c.employer, x.attempt, _adjustments(c)))
    return DayPlanView(
        row.id,
        row.day,
        row.pack_id,
        pack_row.title,
        tuple((sc.id, sc.title) for sc in pack.scenarios),
        row.first_slot_at,
        row.slot_minutes,
        _breaks(row),
        row.written_room_id,
        rooms.get(row.written_room_id) if row.written_room_id else None,
        row.written_seats,
        round(pack.written_exercise.minutes) if pack.written_exercise else 0,
        stations,
        tuple(candidates),
    )


# The rota ----------------------------------------------------------------------------------------


def _refuse_if_started(s: Session, sittings: Sequence[SittingRow]) -> None:
    ids = [x.id for x in sittings]
    started = [x for x in sittings if x.status not in ("planned",)]
    for model in (ScoreRow, JudgementRow, PhaseEventRow):
        hit = s.scalar(select(model.sitting_id).where(model.sitting_id.in_(ids)).limit(1))
        if hit:
            started += [x for x in sittings if x.id == hit]
    if started:
        c = s.get(CandidateRow, started[0].candidate_id)
        raise Conflict(
            f"{c.full_name if c else 'A candidate'}'s sitting has begun; "
            "the rota can no longer be rebuilt or changed for it."
        )


def _clear(s: Session, actor: Actor, sittings: Sequence[SittingRow]) -> None:
    ids = [x.id for x in sittings]
    for link in s.scalars(select(SittingAssessorRow).where(SittingAssessorRow.sitting_id.in_(ids))):
        audit.record(s, actor, "sitting.unassign_assessor", link, audit.snapshot(link), deleted=True)
        s.delete(link)
    s.execute(delete(VisitRow).where(VisitRow.sitting_id.in_(ids)))
    s.execute(delete(SittingActorRow).where(SittingActorRow.sitting_id.in_(ids)))
    s.flush()


def _write(
    s: Session,
    actor: Actor,
    plan: rota.Plan,
    built: rota.Rota,
    sittings: dict[str, SittingRow],
    written_id: str | None,
) -> None:
    """Replaces the day's visits and links with ``built``, audited. The written exercise
    (pack station ``written_id``) is marked by the assessors of the candidate's first
    station, who are already clear of any conflict with them."""
    _clear(s, actor, list(sittings.values()))
    observes: dict[tuple[str, str], list[str]] = defaultdict(list)  # (sitting, assessor) -> stations
    order = {st.id: k for k, st in enumerate(plan.stations)}
    for cid, sitting in sittings.items():
        mine = built.of(cid)
        if mine:
            before = audit.snapshot(sitting)
            sitting.room_id, sitting.starts_at = mine[0].room_id, mine[0].starts_at
            if audit.snapshot(sitting) != before:
                audit.record(s, actor, "sitting.reschedule", sitting, before)
        for v in mine:
            s.add(
                VisitRow(
                    sitting_id=sitting.id,
                    station_id=v.station_id,
                    room_id=v.room_id,
                    starts_at=v.starts_at,
                    ends_at=v.ends_at,
                    slot=v.slot,
                )
            )
            for a in v.assessor_ids:
                observes[(sitting.id, a)].append(v.station_id)
            if v.actor_id:
                s.add(SittingActorRow(sitting_id=sitting.id, station_id=v.station_id, actor_id=v.actor_id))
        first = next((v for v in mine if v.station_id != WRITTEN), None)
        if written_id is not None and first is not None:
            for a in first.assessor_ids:
                observes[(sitting.id, a)].append(written_id)
    for (sid, aid), stations in observes.items():
        link = SittingAssessorRow(
            sitting_id=sid,
            assessor_id=aid,
            stations=",".join(sorted(stations, key=lambda x: order.get(x, len(order)))),
        )
        s.add(link)
        audit.record(s, actor, "sitting.assign_assessor", link, None)
    s.flush()


def _written_id(s: Session, row: DayPlanRow) -> str | None:
    we = packs.pack_by_id(s, row.pack_id).written_exercise
    return we.id if we is not None else None


def build(db: Database, actor: Actor, day: date) -> DayRota:
    """Builds the day's rota from its stations and candidates and writes it, replacing any
    before; ``rota.RotaInfeasible`` (a ``UserError``) when no rota keeps every rule."""
    require(actor, *PLANNERS)
    with db.write() as s:
        row = _plan_row(s, day)
        plan, sittings = _core_plan(s, row)
        if not plan.stations:
            raise UserError(f"The plan for {booking.long_date(day)} has no stations yet.")
        if not sittings:
            raise UserError(f"There are no candidates on {booking.long_date(day)} yet.")
        missing = {sc.id for sc in packs.pack_by_id(s, row.pack_id).scenarios} - {
            st.id for st in plan.stations
        }
        if missing:
            titles = {sc.id: sc.title for sc in packs.pack_by_id(s, row.pack_id).scenarios}
            raise UserError(
                "No room runs "
                + ", ".join(titles[m] for m in sorted(missing))
                + ": give each pack station a room."
            )
        if plan.written is None and packs.pack_by_id(s, row.pack_id).written_exercise is not None:
            raise UserError("Choose the written-exercise room and its seats before building the rota.")
        _refuse_if_started(s, list(sittings.values()))
        built = rota.build_rota(plan)
        _write(s, actor, plan, built, sittings, _written_id(s, row))
        audit.note(s, actor, "day_plan.build", "day_plans", row.id, {"visits": len(built.visits)})
        return _day_rota(s, row)


def check(db: Database, actor: Actor, day: date) -> list[Refusal]:
    """Every rule the day's rota, as it stands, breaks (read-only)."""
    require(actor, *PLANNERS)
    with db.read() as s:
        row = _plan_row(s, day)
        plan, sittings = _core_plan(s, row)
        current = _current(s, row, sittings)
        return rota.check_rota(plan, current)


def _adjust(db: Database, actor: Actor, day: date, change: str, how: object) -> DayRota:
    with db.write() as s:
        row = _plan_row(s, day)
        plan, sittings = _core_plan(s, row)
        current = _current(s, row, sittings)
        if not current.visits:
            raise UserError(f"The rota for {booking.long_date(day)} has not been built yet.")
        assert callable(how)
        changed: rota.Rota = how(plan, current)
        refusals = rota.check_rota(plan, changed)
        if refusals:
            raise RotaRefused(refusals)
        touched = {v.candidate_id for v in set(changed.visits) ^ set(current.visits)}
        _refuse_if_started(s, [sittings[c] for c in touched if c in sittings])
        _write(s, actor, plan, changed, sittings, _written_id(s, row))
        audit.note(s, actor, f"day_plan.{change}", "day_plans", row.id, {"candidates": sorted(touched)})
        return _day_rota(s, row)


def move(db: Database, actor: Actor, day: date, candidate_id: str, station_id: str, slot: int) -> DayRota:
    """Moves one candidate's visit to ``station_id`` (or the written exercise) to ``slot``;
    ``RotaRefused`` naming the rule and the people when that breaks one."""
    require(actor, *PLANNERS)
    return _adjust(db, actor, day, "move", lambda p, r: rota.move_visit(p, r, candidate_id, station_id, slot))


def swap(db: Database, actor: Actor, day: date, first_id: str, second_id: str) -> DayRota:
    """Exchanges two candidates' timetables, re-checked like a move."""
    require(actor, *PLANNERS)
    return _adjust(db, actor, day, "swap", lambda p, r: rota.swap_candidates(p, r, first_id, second_id))


def day_rota(db: Database, actor: Actor, day: date) -> DayRota:
    """The day's rota: rooms, slots with times, visits with candidates, assessors, actor."""
    require(actor, *PLANNERS, Role.QA_LEAD)
    with db.read() as s:
        return _day_rota(s, _plan_row(s, day))


def _day_rota(s: Session, row: DayPlanRow) -> DayRota:
    s.flush()
    plan, sittings = _core_plan(s, row)
    current = _current(s, row, sittings)
    pack_row = s.get(PackRow, row.pack_id)
    assert pack_row is not None
    candidates = {c.id: c for c in plan.candidates}
    people = {
        p.id: p.name for st in plan.stations for p in (*st.assessors, *((st.actor,) if st.actor else ()))
    }
    people.update(
        {a.id: a.display_name for a in s.scalars(select(AccountRow).where(AccountRow.role == Role.ASSESSOR))}
    )
    people.update({a.id: a.full_name for a in s.scalars(select(ActorRow))})
    titles = {st.id: st.title for st in plan.stations}
    rooms = [RoomView(st.room.id, st.room.name, "role_play", st.id, st.title) for st in plan.stations]
    room_names = {r.id: r.name for r in rooms}
    pack = packs.pack_by_id(s, row.pack_id)
    if plan.written is not None:
        rooms.append(
            RoomView(
                plan.written.room.id,
                plan.written.room.name,
                "written",
                WRITTEN,
                pack.written_exercise.title if pack.written_exercise else "Written exercise",
            )
        )
        room_names[plan.written.room.id] = plan.written.room.name
        titles[WRITTEN] = rooms[-1].station_title or "Written exercise"
    last = max(current.last_slot, 1)
    labels = {b.after_slot: b.label for b in plan.grid.breaks}
    slots = tuple(
        SlotView(n, plan.grid.start(n), plan.grid.end(n), labels.get(n)) for n in range(1, last + 1)
    )
    visits = tuple(
        VisitView(
            sittings[v.candidate_id].id,
            v.candidate_id,
            candidates[v.candidate_id].name,
            candidates[v.candidate_id].employer,
            v.station_id,
            titles.get(v.station_id, v.station_id),
            v.room_id,
            room_names.get(v.room_id, "?"),
            v.slot,
            v.starts_at,
            v.ends_at,
            v.assessor_ids,
            tuple(people.get(a, "?") for a in v.assessor_ids),
            v.actor_id,
            people.get(v.actor_id) if v.actor_id else None,
        )
        for v in current.visits
        if v.candidate_id in candidates
    )
    return DayRota(row.day, pack_row.title, tuple(rooms), slots, visits)


def plan_days(db: Database, actor: Actor) -> list[date]:
    """The days that have a plan, in order."""
    require(actor, *PLANNERS)
    with db.read() as s:
        return list(s.scalars(select(DayPlanRow.day).order_by(DayPlanRow.day)))


def planning_options(db: Database, actor: Actor) -> PlanningOptions:
    """What a plan can be made of: rooms, assessors, actors, candidates, stored packs."""
    require(actor, *PLANNERS)
    with db.read() as s:
        return PlanningOptions(
            rooms=tuple(
                (r.id, r.name, r.kind)
                for r in s.scalars(select(RoomRow).where(RoomRow.active).order_by(RoomRow.name))
            ),
            assessors=tuple(
                (a.id, a.display_name, a.employer or "")
                for a in s.scalars(
                    select(AccountRow)
                    .where(AccountRow.role == Role.ASSESSOR, AccountRow.active)
                    .order_by(AccountRow.display_name)
                )
            ),
            actors=tuple(
                (a.id, a.full_name)
                for a in s.scalars(select(ActorRow).where(ActorRow.active).order_by(ActorRow.full_name))
            ),
            candidates=tuple(
                (c.id, c.full_name, c.employer, c.level)
                for c in s.scalars(select(CandidateRow).order_by(CandidateRow.full_name))
            ),
        )


@dataclass(frozen=True)
class PlanningOptions:
    rooms: tuple[tuple[str, str, str], ...]  # (id, name, kind)
    assessors: tuple[tuple[str, str, str], ...]  # (id, name, employer)
    actors: tuple[tuple[str, str], ...]  # (id, name)
    candidates: tuple[tuple[str, str, str, str], ...]  # (id, name, employer, level)
