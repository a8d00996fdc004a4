"""Planning a day as a circuit through the service: the plan, its stations, candidates
booked by the booking rules, the rota written in one audited transaction, adjusted with
refusals that change nothing, and read back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.engine import Database
from db.models import (
    AuditEntryRow,
    CentreRow,
    ConflictRow,
    PlanStationRow,
    SittingActorRow,
    SittingAssessorRow,
    SittingRow,
    VisitRow,
)
from naas_centre.core import rota
from naas_centre.errors import Conflict, PermissionDenied, UserError
from naas_centre.services import accounts, audit, candidates, planning, sittings, timing
from naas_centre.services.views import Actor, Role
from tests.services.conftest import Demo
from tests.services.small_centre import PACK, PASSWORD

DAY = date(2027, 3, 8)
START = datetime(2027, 3, 8, 9, 0, tzinfo=UTC)


@dataclass
class Day:
    db: Database
    manager: Actor
    assessors: dict[str, str]  # name -> id
    actors: list[str]
    rooms: dict[str, str]
    candidates: dict[str, str]  # name -> id

    def stations(self, *, swap_bury: bool = False) -> list[planning.StationSpec]:
        a = self.assessors
        first = (
            (a["Priya Shah"], a["Gareth Hughes"]) if not swap_bury else (a["Ruth Ellis"], a["Gareth Hughes"])
        )
        second = (a["Ruth Ellis"], a["Owen Price"]) if not swap_bury else (a["Priya Shah"], a["Owen Price"])
        return [
            planning.StationSpec(self.rooms["Room 1"], "home-visit", first, self.actors[0]),
            planning.StationSpec(self.rooms["Room 2"], "reflection", second, self.actors[1]),
        ]


PEOPLE = [
    ("Aisha Rahman", "Leeds City Council"),
    ("Tom Hale", "Bury Council"),
    ("Nia Jones", "Wigan Council"),
    ("Sam Ward", "Oldham Council"),
]


@pytest.fixture
def day(sqlite_db: Database) -> Day:
    db = sqlite_db
    with db.write() as s:
        s.add(CentreRow(name="Northern Assessment Centre"))
    accounts.create_account(db, None, "manager", "Helen Brooks", Role.CENTRE_MANAGER, PASSWORD)
    manager = accounts.authenticate(db, "manager", PASSWORD)
    assessors = {}
    for username, name, employer in (
        ("priya", "Priya Shah", "Bury Council"),
        ("gareth", "Gareth Hughes", "Kirklees Council"),
        ("ruth", "Ruth Ellis", "Stockport Council"),
        ("owen", "Owen Price", "Salford City Council"),
    ):
        assessors[name] = accounts.create_account(
            db, None, username, name, Role.ASSESSOR, PASSWORD, employer
        ).id
    rooms = {name: sittings.add_room(db, manager, name) for name in ("Room 1", "Room 2", "Written room")}
    actors = [sittings.add_actor(db, manager, name, True) for name in ("Kirsty Lowe", "Joe Whitworth")]
    cands = {}
    for k, (name, employer) in enumerate(PEOPLE):
        cid = sittings.add_candidate(
            db,
            manager,
            sittings.CandidateInput(
                name, f"SW10000{k}", employer, "practitioner", extra_time_percent=25 if k == 0 else 0
            ),
        )
        cands[name] = cid
        candidates.record_endorsement(
            db, manager, cid, "practitioner", "Jo Bell, team manager", date(2026, 1, 5)
        )
    return Day(db, manager, assessors, actors, rooms, cands)


def _planned(d: Day, *, swap_bury: bool = False) -> planning.DayRota:
    planning.save_plan(
        d.db,
        d.manager,
        DAY,
        PACK,
        START,
        breaks=[planning.BreakSpec(2, 30, "Lunch")],
        written_room_id=d.rooms["Written room"],
        written_seats=2,
    )
    planning.set_stations(d.db, d.manager, DAY, d.stations(swap_bury=swap_bury))
    planning.add_candidates(d.db, d.manager, DAY, list(d.candidates.values()))
    return planning.build(d.db, d.manager, DAY)


def test_the_slot_length_defaults_to_the_longest_station_and_a_changeover(day: Day) -> None:
    view = planning.save_plan(day.db, day.manager, DAY, PACK, START)
    assert view.slot_minutes == 10 + 25 + 10  # home visit: reading 10, role-play 25; then the changeover
    assert view.pack_stations == (("home-visit", "Home visit"), ("reflection", "Reflective conversation"))
    with pytest.raises(UserError, match="shorter than the pack's longest station"):
        planning.save_plan(day.db, day.manager, DAY, PACK, START, slot_minutes=20)
    with pytest.raises(UserError, match="time zone"):
        planning.save_plan(day.db, day.manager, DAY, PACK, START.replace(tzinfo=None))


def test_the_rota_is_written_with_visits_assessors_by_station_and_actors(day: Day) -> None:
    built = _planned(day)
    assert {r.kind for r in built.rooms} == {"role_play", "written"}
    with day.db.read() as s:
        sittings_ = s.scalars(select(SittingRow).where(SittingRow.day == DAY)).all()
        assert len(sittings_) == 4
        visits = s.scalars(select(VisitRow)).all()
        assert len(visits) == 4 * 3
        links = s.scalars(select(SittingAssessorRow)).all()
        actors = s.scalars(select(SittingActorRow)).all()
        assert len(actors) == 4 * 2
        for sitting in sittings_:
            mine = sorted((v for v in visits if v.sitting_id == sitting.id), key=lambda v: v.starts_at)
            assert sitting.room_id == mine[0].room_id
            assert sitting.starts_at == mine[0].starts_at
            stations = [set(link.stations.split(",")) for link in links if link.sitting_id == sitting.id]
            # Each station's assessors observe that station only.
            assert all(st <= {"home-visit", "reflection", "case-record"} for st in stations)
            assert set().union(*stations) == {"home-visit", "reflection", "case-record"}
    assert planning.check(day.db, day.manager, DAY) == []
    # Extra time: Aisha's written visit is 25% longer than the pack's 45 minutes.
    aisha = [v for v in built.for_candidate(day.candidates["Aisha Rahman"]) if v.station_id == "written"]
    assert aisha[0].ends_at - aisha[0].starts_at == timedelta(minutes=57)
    assert built.slots[0].starts_at == START
    assert built.slots[1].break_after == "Lunch"
    # Read back per room, per actor, per candidate.
    room1 = built.for_room(day.rooms["Room 1"])
    assert {v.actor for v in room1} == {"Kirsty Lowe"}
    assert len(built.for_actor(day.actors[1])) == 4
    first = built.at(1, day.rooms["Room 1"])
    assert first is not None and first.candidate in dict(PEOPLE)


def test_the_assessor_from_the_candidates_employer_is_swapped_out(day: Day) -> None:
    built = _planned(day)
    priya = day.assessors["Priya Shah"]
    tom = day.candidates["Tom Hale"]  # Bury, as is Priya
    assert all(priya not in v.assessor_ids for v in built.for_candidate(tom))
    assert all(len(v.assessor_ids) == 2 for v in built.visits if v.station_id != "written")


def test_a_declared_conflict_is_read_and_respected(day: Day) -> None:
    with day.db.write() as s:
        s.add(
            ConflictRow(
                assessor_id=day.assessors["Ruth Ellis"],
                candidate_id=day.candidates["Nia Jones"],
                kind="knows",
            )
        )
    built = _planned(day)
    assert all(
        day.assessors["Ruth Ellis"] not in v.assessor_ids
        for v in built.for_candidate(day.candidates["Nia Jones"])
    )


def test_a_candidate_not_endorsed_is_not_booked_and_nothing_changes(day: Day) -> None:
    planning.save_plan(
        day.db, day.manager, DAY, PACK, START, written_room_id=day.rooms["Written room"], written_seats=2
    )
    planning.set_stations(day.db, day.manager, DAY, day.stations())
    stranger = sittings.add_candidate(
        day.db, day.manager, sittings.CandidateInput("Lee Grant", "SW200000", "Wigan Council", "practitioner")
    )
    with pytest.raises(UserError, match="has not endorsed"):
        planning.add_candidates(day.db, day.manager, DAY, [day.candidates["Aisha Rahman"], stranger])
    with day.db.read() as s:
        assert s.scalar(select(func.count()).select_from(SittingRow)) == 0
    planning.add_candidates(day.db, day.manager, DAY, [day.candidates["Aisha Rahman"]])
    with pytest.raises(UserError, match="once a day"):
        planning.add_candidates(day.db, day.manager, DAY, [day.candidates["Aisha Rahman"]])


def test_bad_stations_are_refused_plainly(day: Day) -> None:
    planning.save_plan(
        day.db, day.manager, DAY, PACK, START, written_room_id=day.rooms["Written room"], written_seats=2
    )
    good = day.stations()
    with pytest.raises(UserError, match="Room 1 is given two stations"):
        planning.set_stations(
            day.db,
            day.manager,
            DAY,
            [good[0], good[1].__class__(good[0].room_id, "reflection", good[1].assessor_ids)],
        )
    with pytest.raises(UserError, match="the pack has no station 'nowhere'"):
        planning.set_stations(
            day.db,
            day.manager,
            DAY,
            [planning.StationSpec(day.rooms["Room 1"], "nowhere", good[0].assessor_ids)],
        )
    with pytest.raises(UserError, match="needs one or two assessors"):
        planning.set_stations(
            day.db, day.manager, DAY, [planning.StationSpec(day.rooms["Room 1"], "home-visit", ())]
        )
    with pytest.raises(UserError, match="written-exercise room"):
        planning.set_stations(
            day.db,
            day.manager,
            DAY,
            [planning.StationSpec(day.rooms["Written room"], "home-visit", good[0].assessor_ids)],
        )
    planning.set_stations(day.db, day.manager, DAY, good[:1])
    planning.add_candidates(day.db, day.manager, DAY, [day.candidates["Nia Jones"]])
    with pytest.raises(UserError, match="No room runs Reflective conversation"):
        planning.build(day.db, day.manager, DAY)


def test_an_impossible_day_is_refused_naming_the_candidate(day: Day) -> None:
    # Every assessor works for Bury: Tom Hale (Bury) cannot be assessed.
    with day.db.write() as s:
        from db.models import AccountRow

        for row in s.scalars(select(AccountRow).where(AccountRow.role == Role.ASSESSOR)):
            row.employer = "Bury Council"
    with pytest.raises(
        rota.RotaInfeasible, match=r"Candidate Tom Hale \(Bury Council\): every station for slot"
    ):
        _planned(day)
    with day.db.read() as s:
        assert s.scalar(select(func.count()).select_from(VisitRow)) == 0


def test_a_move_that_breaks_a_rule_is_refused_and_changes_nothing(day: Day) -> None:
    built = _planned(day)
    aisha = day.candidates["Aisha Rahman"]
    mine = next(v for v in built.for_candidate(aisha) if v.station_id == "home-visit")
    other = next(v for v in built.visits if v.station_id == "home-visit" and v.candidate_id != aisha)
    entries = audit.entry_count(day.db)
    with pytest.raises(planning.RotaRefused) as caught:
        planning.move(day.db, day.manager, DAY, aisha, "home-visit", other.slot)
    assert caught.value.refusals[0].rule == rota.TWO_PLACES
    assert "Room 1 holds two visits at once" in str(caught.value) or "two places at once" in str(caught.value)
    assert str(caught.value).endswith("Nothing was changed.")
    assert audit.entry_count(day.db) == entries
    assert planning.day_rota(day.db, day.manager, DAY) == built
    # A free slot later in the day is fine, and audited.
    later = planning.move(day.db, day.manager, DAY, aisha, "home-visit", built.slots[-1].number + 2)
    moved = next(v for v in later.for_candidate(aisha) if v.station_id == "home-visit")
    assert moved.slot == built.slots[-1].number + 2 and moved.slot != mine.slot
    assert audit.entry_count(day.db) > entries
    assert planning.check(day.db, day.manager, DAY) == []


def test_swapping_two_candidates_is_rechecked(day: Day) -> None:
    built = _planned(day)
    nia, sam, tom = day.candidates["Nia Jones"], day.candidates["Sam Ward"], day.candidates["Tom Hale"]
    swapped = planning.swap(day.db, day.manager, DAY, nia, sam)
    assert [v.slot for v in swapped.for_candidate(nia)] == [v.slot for v in built.for_candidate(sam)]
    # Tom (Bury) into a visit Priya (Bury) observes is refused, naming both.
    priya = day.assessors["Priya Shah"]
    victim = next(v for v in swapped.visits if priya in v.assessor_ids and v.candidate_id != tom)
    with pytest.raises(planning.RotaRefused) as caught:
        planning.swap(day.db, day.manager, DAY, tom, victim.candidate_id)
    assert any(r.rule == rota.OWN_EMPLOYER and "Priya Shah" in r.people for r in caught.value.refusals)
    assert planning.day_rota(day.db, day.manager, DAY) == swapped


def test_a_started_sitting_cannot_be_rebuilt(day: Day) -> None:
    built = _planned(day)
    first = next(v for v in built.visits if v.station_id != "written")
    timing.record_event(day.db, day.manager, first.sitting_id, first.station_id, "reading", "start")
    with pytest.raises(Conflict, match="has begun"):
        planning.build(day.db, day.manager, DAY)


def test_only_planners_plan(day: Day) -> None:
    assessor = accounts.authenticate(day.db, "priya", PASSWORD)
    with pytest.raises(PermissionDenied):
        planning.save_plan(day.db, assessor, DAY, PACK, START)
    _planned(day)
    for call in (
        lambda: planning.build(day.db, assessor, DAY),
        lambda: planning.day_rota(day.db, assessor, DAY),
        lambda: planning.check(day.db, assessor, DAY),
        lambda: planning.swap(day.db, assessor, DAY, *list(day.candidates.values())[:2]),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_no_plan_is_a_plain_answer(day: Day) -> None:
    with pytest.raises(UserError, match="There is no plan for"):
        planning.day_rota(day.db, day.manager, DAY)
    assert planning.day_plan(day.db, day.manager, DAY) is None


def test_the_audit_trail_holds_after_a_build_and_a_move(day: Day) -> None:
    built = _planned(day)
    aisha = day.candidates["Aisha Rahman"]
    planning.move(day.db, day.manager, DAY, aisha, "home-visit", built.slots[-1].number + 2)
    assert audit.verify(day.db).ok
    with day.db.read() as s:
        actions = set(s.scalars(select(AuditEntryRow.action)))
    assert {
        "day_plan.create",
        "day_plan.station_set",
        "sitting.plan",
        "day_plan.build",
        "day_plan.move",
    } <= actions


def test_stations_set_again_are_each_entered_once_as_they_go(day: Day) -> None:
    _planned(day)
    with day.db.read() as s:
        first = set(s.scalars(select(PlanStationRow.id)))
    planning.set_stations(day.db, day.manager, DAY, day.stations(swap_bury=True))
    with day.db.read() as s:
        for sid in first:
            actions = s.scalars(select(AuditEntryRow.action).where(AuditEntryRow.entity_id == sid)).all()
            # Its own entry when set, and its own when removed: the session repeats neither.
            assert actions[-1] == "day_plan.station_remove" and "plan_stations.delete" not in actions
    assert audit.verify(day.db).ok


def test_plan_check_on_the_command_line(
    demo: Demo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import argparse

    from naas_centre import cli_plan

    parser = argparse.ArgumentParser(prog="naas-centre")
    sub = parser.add_subparsers(dest="command")

    def add_db(p: argparse.ArgumentParser) -> None:
        p.add_argument("--db")
        p.add_argument("--data-dir", type=Path)

    cli_plan.add_parsers(sub, argparse.ArgumentParser, add_db)
    db_path = str(tmp_path / "demo.db")
    args = parser.parse_args(["plan", "check", "--day", demo.day.isoformat(), "--db", db_path])
    assert args.run(args) == cli_plan.EXIT_OK
    assert "keeps every rule" in capsys.readouterr().out
    # A visit moved behind the service's back: the check names the rule and the people.
    with demo.db.write() as s:
        visits = s.scalars(
            select(VisitRow).where(VisitRow.station_id != "written").order_by(VisitRow.starts_at)
        ).all()
        visits[1].starts_at, visits[1].ends_at = visits[0].starts_at, visits[0].ends_at
        visits[1].room_id = visits[0].room_id
    assert args.run(args) == cli_plan.EXIT_FAIL
    out = capsys.readouterr().out
    assert "holds two visits at once" in out or "in two places at once" in out
    with pytest.raises(SystemExit) as bad:
        parser.parse_args(["plan", "check", "--day", "tomorrow"])
    assert bad.value.code == 2
    with pytest.raises(UserError, match="There is no plan for"):
        other = parser.parse_args(["plan", "check", "--day", "1999-01-01", "--db", db_path])
        other.run(other)
