"""A small day planned as a circuit, for the board and the run-sheets: built through the
public services, with the plan's rows (day plan, stations, visits) written directly, as
the planner would write them.

Three candidates rotate through three rooms: the home visit (an actor, two assessors),
the reflective conversation (the assessors only) and the written exercise. One
candidate has an Arabic name, one a very long name with extra time and a break between
scenarios; a break follows the second slot.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from db.engine import Database
from db.models import DayPlanRow, PlanStationRow, SittingRow, VisitRow
from naas_centre.services import accounts, sittings
from naas_centre.services import candidates as candidates_service
from naas_centre.services.views import Actor, Role
from tests.services.small_centre import PACK, PASSWORD

DAY = date(2026, 12, 1)
FIRST = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SLOT_MINUTES = 50
BREAK_MINUTES = 30
LONG_NAME = "Bartholomew Alexander Fitzwilliam-Montgomery-Smythe of Lower Wensleydale"
ARABIC_NAME = "فاطمة الزهراء عبد الرحمن"
ACTOR_SECRET = "You are tired and wary; open up only if your rights are explained."
# Candidate, registration, employer, extra time %, break between scenarios, notes.
CANDIDATES = (
    ("Aisha Rahman", "SW100001", "Leeds City Council", 0, False, ""),
    (ARABIC_NAME, "SW100002", "Manchester City Council", 0, False, ""),
    (LONG_NAME, "SW100003", "Oldham Council", 25, True, "Sits near the door; a chair with arms."),
)


@dataclass
class Circuit:
    db: Database
    day: date
    admin: Actor
    manager: Actor
    qa: Actor
    a1: Actor
    a2: Actor
    sitting_ids: list[str]  # in candidate order
    plan_id: str
    rooms: dict[str, str]  # name → id
    actor_name: str


def _account(db: Database, username: str, name: str, role: Role, employer: str | None = None) -> Actor:
    accounts.create_account(db, None, username, name, role, PASSWORD, employer)
    return accounts.authenticate(db, username, PASSWORD)


def slot_start(slot: int) -> datetime:
    """A slot's start: slots follow one another, with the break after the second."""
    return FIRST + timedelta(minutes=SLOT_MINUTES * slot + (BREAK_MINUTES if slot >= 2 else 0))


def make_circuit(
    db: Database, candidates: tuple[tuple[str, str, str, int, bool, str], ...] = CANDIDATES
) -> Circuit:
    admin = _account(db, "admin", "Sam Okafor", Role.ADMINISTRATOR)
    manager = _account(db, "manager", "Helen Brooks", Role.CENTRE_MANAGER)
    qa = _account(db, "qa", "Dev Patel", Role.QA_LEAD)
    a1 = _account(db, "priya", "Priya Shah", Role.ASSESSOR, "Bury Council")
    a2 = _account(db, "gareth", "Gareth Hughes", Role.ASSESSOR, "Wigan Council")
    rooms = {name: sittings.add_room(db, manager, name) for name in ("Room 1", "Room 2", "Library")}
    actor_name = "Joanne Whitfield"
    actor_id = sittings.add_actor(db, manager, actor_name, True)

    ids: list[str] = []
    for name, reg, employer, extra, pause, notes in candidates:
        cid = sittings.add_candidate(
            db,
            manager,
            sittings.CandidateInput(
                full_name=name,
                registration_number=reg,
                employer=employer,
                level="practitioner",
                extra_time_percent=extra,
                break_between_scenarios=pause,
                adjustment_notes=notes,
            ),
        )
        # Booking needs the employer's endorsement of the candidate's practice.
        candidates_service.record_endorsement(
            db, manager, cid, "practitioner", "Jo Patel, head of service", date(2026, 11, 2)
        )
        sid = sittings.plan_sitting(db, manager, cid, PACK, rooms["Room 1"], FIRST, day=DAY)
        for who in (a1, a2):
            sittings.assign_assessor(db, manager, sid, who.account_id)
        sittings.assign_actor(db, manager, sid, "home-visit", actor_id)
        sittings.set_status(db, manager, sid, "checked_in")
        ids.append(sid)

    circuit = [("home-visit", "Room 1"), ("reflection", "Room 2"), ("written", "Library")]
    with db.write() as s:
        pack_id = s.scalar(select(SittingRow.pack_id).where(SittingRow.id == ids[0]))
        assert pack_id is not None
        plan = DayPlanRow(
            day=DAY,
            pack_id=pack_id,
            first_slot_at=FIRST,
            slot_minutes=SLOT_MINUTES,
            breaks=json.dumps([{"after_slot": 1, "minutes": BREAK_MINUTES, "label": "Lunch"}]),
            written_room_id=rooms["Library"],
            written_seats=len(candidates),
        )
        s.add(plan)
        s.flush()
        for station, room in circuit[:2]:
            s.add(
                PlanStationRow(
                    plan_id=plan.id,
                    room_id=rooms[room],
                    station_id=station,
                    assessor_ids=json.dumps([a1.account_id, a2.account_id]),
                    actor_id=actor_id if station == "home-visit" else None,
                )
            )
        for i, sid in enumerate(ids):
            for k, (station, room) in enumerate(circuit):
                slot = (i + k) % len(circuit)
                start = slot_start(slot)
                extra = candidates[i][3] if station == "written" else 0
                minutes = (45 if station == "written" else SLOT_MINUTES - 10) * (100 + extra) // 100
                s.add(
                    VisitRow(
                        sitting_id=sid,
                        station_id=station,
                        room_id=rooms[room],
                        starts_at=start,
                        ends_at=start + timedelta(minutes=minutes),
                        slot=slot,
                    )
                )
        plan_id = plan.id
    return Circuit(db, DAY, admin, manager, qa, a1, a2, ids, plan_id, rooms, actor_name)
