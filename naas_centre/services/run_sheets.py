"""The day's run-sheets, gathered from the circuit plan and written to a folder.

``gather`` reads the plan (stations, visits) into the plain data the sheets are drawn
from (``naas_centre.reports.run_sheets``); ``write`` draws them and writes each file
atomically (a temporary file beside it, flushed to the disk, then renamed), so a sheet
on the disk is always whole: a crash or a full disk leaves the previous file or none.

Who may: a centre manager or an administrator. The sheets name candidates and hold the
actors' confidential briefs, which go into each actor's own pack and nowhere else.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Callable
from contextlib import suppress
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from db.engine import Database
from db.models import (
    AccountRow,
    ActorRow,
    CandidateRow,
    CentreRow,
    DayPlanRow,
    PlanStationRow,
    RoomRow,
    SittingRow,
    VisitRow,
)
from naas_centre import paths
from naas_centre.errors import UserError
from naas_centre.packs.schema import Pack
from naas_centre.reports import run_sheets as sheets
from naas_centre.reports.data import DEFAULT_TIMEZONE
from naas_centre.reports.layout import long_day
from naas_centre.reports.run_sheets import (
    ActorPack,
    ActorStation,
    RoomRota,
    RotaRow,
    RunSheetDay,
    SignInRow,
    Timetable,
    TimetableEntry,
)
from naas_centre.services import capabilities, packs
from naas_centre.services.accounts import require
from naas_centre.services.views import Actor

__all__ = ["PRINTERS", "gather", "write"]

PRINTERS = capabilities.RUN_CENTRE
WRITTEN = "written"  # a visit's station id for the written exercise
ARRIVE_BEFORE = timedelta(minutes=15)
_LEFT_OUT = ("withdrawn", "absent")
Progress = Callable[[int, int, str], object]


def gather(db: Database, actor: Actor, day: date) -> RunSheetDay:
    """Everything the day's sheets show; a plain refusal for a day with no circuit plan."""
    require(actor, *PRINTERS)
    with db.read() as s:
        plan = s.scalar(select(DayPlanRow).where(DayPlanRow.day == day))
        if plan is None:
            raise UserError(
                f"There is no circuit plan for {long_day(day)}: plan the day before printing its run-sheets."
            )
        pack = packs.pack_by_id(s, plan.pack_id)
        centre = s.scalar(select(CentreRow.name).limit(1)) or "Assessment centre"
        rooms = dict(s.execute(select(RoomRow.id, RoomRow.name)).all())
        names = dict(s.execute(select(AccountRow.id, AccountRow.display_name)).all())
        actors = dict(s.execute(select(ActorRow.id, ActorRow.full_name)).all())
        stations = list(s.scalars(select(PlanStationRow).where(PlanStationRow.plan_id == plan.id)))
        visits = [
            (v, c)
            for v, sitting, c in s.execute(
                select(VisitRow, SittingRow, CandidateRow)
                .join(SittingRow, SittingRow.id == VisitRow.sitting_id)
                .join(CandidateRow, CandidateRow.id == SittingRow.candidate_id)
                .where(SittingRow.day == day)
                .order_by(VisitRow.starts_at, CandidateRow.full_name)
            )
            if sitting.status not in _LEFT_OUT
        ]
        breaks = _breaks(plan)
        written_room = plan.written_room_id
    order = [sc.id for sc in pack.scenarios]
    stations.sort(
        key=lambda p: (order.index(p.station_id) if p.station_id in order else 99, rooms.get(p.room_id, ""))
    )
    scenarios = {sc.id: sc for sc in pack.scenarios}

    def rows_at(station_id: str, room_id: str | None) -> tuple[RotaRow, ...]:
        return tuple(
            RotaRow(
                v.starts_at, v.ends_at, c.full_name, c.registration_number, _short_adjustments(c, station_id)
            )
            for v, c in visits
            if v.station_id == station_id and (room_id is None or v.room_id == room_id)
        )

    rotas = [
        RoomRota(
            rooms.get(st.room_id, "?"),
            scenarios[st.station_id].title if st.station_id in scenarios else st.station_id,
            scenarios[st.station_id].kind if st.station_id in scenarios else "role_play",
            tuple(names.get(a, "?") for a in json.loads(st.assessor_ids or "[]")),
            actors.get(st.actor_id) if st.actor_id else None,
            rows_at(st.station_id, st.room_id),
        )
        for st in stations
    ]
    we = pack.written_exercise
    if we is not None and (written_room or any(v.station_id == WRITTEN for v, _c in visits)):
        room = written_room or next(v.room_id for v, _c in visits if v.station_id == WRITTEN)
        rotas.append(RoomRota(rooms.get(room, "?"), we.title, "written", (), None, rows_at(WRITTEN, None)))

    by_actor: dict[str, list[ActorStation]] = defaultdict(list)
    for st in stations:
        sc = scenarios.get(st.station_id)
        if st.actor_id is None or sc is None:
            continue
        by_actor[st.actor_id].append(
            ActorStation(
                rooms.get(st.room_id, "?"),
                sc.title,
                sc.setting or "",
                sc.candidate_brief,
                sc.actor_brief,
                rows_at(st.station_id, st.room_id),
            )
        )
    actor_packs = sorted(
        (ActorPack(actors.get(aid, "?"), tuple(parts)) for aid, parts in by_actor.items()),
        key=lambda a: a.actor,
    )

    room_of_station = {st.station_id: rooms.get(st.room_id, "?") for st in stations}
    per_candidate: dict[str, list[tuple[VisitRow, CandidateRow]]] = defaultdict(list)
    for v, c in visits:
        per_candidate[c.id].append((v, c))
    timetables: list[Timetable] = []
    sign_in: list[SignInRow] = []
    for own in per_candidate.values():
        c = own[0][1]
        first, last = own[0][0], max(v.ends_at for v, _c in own)
        entries = [
            TimetableEntry(v.starts_at, v.ends_at, _what(pack, v.station_id, c), rooms.get(v.room_id, "?"))
            for v, _c in own
        ]
        entries += [
            TimetableEntry(start, end, label, "")
            for start, end, label in breaks
            if first.starts_at <= start and end <= last
        ]
        entries.sort(key=lambda e: e.starts_at)
        timetables.append(
            Timetable(
                c.full_name,
                c.registration_number,
                c.employer,
                first.starts_at - ARRIVE_BEFORE,
                _adjustments(c),
                tuple(entries),
            )
        )
        sign_in.append(
            SignInRow(
                first.starts_at,
                c.full_name,
                c.registration_number,
                c.employer,
                rooms.get(first.room_id, room_of_station.get(first.station_id, "?")),
            )
        )
    sign_in.sort(key=lambda r: (r.first_at, r.candidate.casefold()))
    timetables.sort(key=lambda t: (t.arrive_by, t.candidate.casefold()))
    return RunSheetDay(
        centre,
        day,
        DEFAULT_TIMEZONE,
        pack.title,
        tuple(rotas),
        tuple(actor_packs),
        tuple(timetables),
        tuple(sign_in),
    )


def write(
    db: Database,
    actor: Actor,
    day: date,
    out_dir: Path,
    *,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> tuple[Path, ...]:
    """Writes every sheet of the day into ``out_dir`` (made if need be); returns the files.

    ``progress(done, total, file name)`` after each file; ``cancelled`` is asked at the
    same point, and what was written by then stays written."""
    data = gather(db, actor, day)
    folder = paths.usable_folder(Path(out_dir), "The folder")
    stem = day.isoformat()
    jobs: list[tuple[str, Callable[[], bytes]]] = [
        (f"{stem}-rota.pdf", lambda: sheets.rota(data)),
        (f"{stem}-sign-in.pdf", lambda: sheets.sign_in(data)),
        (f"{stem}-timetables.pdf", lambda: sheets.timetables(data)),
    ]
    used: set[str] = set()
    for pack in data.actor_packs:
        name = _file_name(f"{stem}-actor-{pack.actor}", used)
        jobs.append((name, lambda pack=pack: sheets.actor_pack(data, pack)))  # type: ignore[misc]
    written: list[Path] = []
    for i, (name, draw) in enumerate(jobs):
        if cancelled is not None and cancelled():
            break
        target = folder / name
        _write_atomically(target, draw())
        written.append(target)
        if progress is not None:
            progress(i + 1, len(jobs), name)
    return tuple(written)


# -- helpers --------------------------------------------------------------------------


def _breaks(plan: DayPlanRow) -> list[tuple[datetime, datetime, str]]:
    """The day's breaks as instants: each after its slot, the slots pushed on by it."""
    out: list[tuple[datetime, datetime, str]] = []
    pushed = 0
    for b in sorted(json.loads(plan.breaks or "[]"), key=lambda b: int(b.get("after_slot", 0))):
        minutes = int(b.get("minutes", 0))
        start = plan.first_slot_at + timedelta(
            minutes=plan.slot_minutes * (int(b.get("after_slot", 0)) + 1) + pushed
        )
        out.append((start, start + timedelta(minutes=minutes), str(b.get("label") or "Break")))
        pushed += minutes
    return out


def _what(pack: Pack, station_id: str, c: CandidateRow) -> str:
    we = pack.written_exercise
    if station_id == WRITTEN and we is not None:
        extra = " (with your extra time)" if c.extra_time_percent or c.extra_time_minutes else ""
        return f"Written exercise: {we.title}, {we.minutes:g} minutes{extra}"
    for sc in pack.scenarios:
        if sc.id == station_id:
            if sc.kind == "role_play":
                return f"{sc.title}: reading time, then the role-play with an actor and assessors"
            return f"{sc.title}: reading time, then the conversation with the assessors"
    return station_id


def _adjustments(c: CandidateRow) -> tuple[str, ...]:
    """The candidate's reasonable adjustments, in words they can check on the day."""
    out: list[str] = []
    if c.extra_time_percent:
        out.append(f"{c.extra_time_percent}% extra time for reading each brief and for the written exercise.")
    if c.extra_time_minutes:
        out.append(
            f"{c.extra_time_minutes} minutes' extra time for reading each brief and for the written exercise."
        )
    if c.break_between_scenarios:
        out.append(
            "A break between scenarios, so that you are not called straight from one room to the next."
        )
    if c.adjustment_notes.strip():
        out.append(" ".join(c.adjustment_notes.split()))
    return tuple(out)


def _short_adjustments(c: CandidateRow, station_id: str) -> str:
    """What the people in one room need to know, in a few words: effects only.

    The manager's own notes stay off the sheets a room's staff and actors see (they may
    name a condition, as a report never does); the candidate's timetable has them."""
    out: list[str] = []
    extended = "writing" if station_id == WRITTEN else "reading"
    if c.extra_time_percent:
        out.append(f"+{c.extra_time_percent}% {extended} time")
    if c.extra_time_minutes:
        out.append(f"+{c.extra_time_minutes} min {extended} time")
    if c.break_between_scenarios and station_id != WRITTEN:
        out.append("break between scenarios")
    return "; ".join(out)


_UNSAFE = re.compile(r"[^\w]+")


def _file_name(stem: str, used: set[str]) -> str:
    """A file name from a person's name: letters of any script kept, the rest a hyphen."""
    base = _UNSAFE.sub("-", stem.casefold()).strip("-")[:90] or "sheet"
    name, n = f"{base}.pdf", 2
    while name in used:
        name, n = f"{base}-{n}.pdf", n + 1
    used.add(name)
    return name


def _write_atomically(target: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        with suppress(OSError):
            os.unlink(tmp)
        raise UserError(f"{target} could not be written: {exc.strerror or exc}.") from None
    if hasattr(os, "O_DIRECTORY"):  # the rename itself made durable (POSIX)
        dir_fd = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
