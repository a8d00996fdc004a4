"""The circuit: built, checked over time, adjusted, and refused with names."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from naas_centre.core import rota
from naas_centre.core.rota import (
    WRITTEN,
    Break,
    Candidate,
    Grid,
    Person,
    Place,
    Plan,
    RotaInfeasible,
    Station,
    Visit,
    Written,
    build_rota,
    check_rota,
)

START = datetime(2027, 3, 8, 9, 0, tzinfo=UTC)
EMPLOYERS = (
    "Bury Council",
    "Leeds City Council",
    "Manchester City Council",
    "Oldham Council",
    "Wigan Council",
)


def _station(k: int, employers: tuple[str, str] = ("Stockport Council", "Salford City Council")) -> Station:
    return Station(
        id=f"s{k}",
        title=f"Scenario {k}",
        room=Place(f"r{k}", f"Room {k}"),
        assessors=(
            Person(f"a{k}x", f"Assessor {k}X", employers[0]),
            Person(f"a{k}y", f"Assessor {k}Y", employers[1]),
        ),
        actor=Person(f"act{k}", f"Actor {k}"),
        minutes=45,
        reading_minutes=10,
    )


def _plan(stations: int = 3, candidates: int = 6, **kw: object) -> Plan:
    cands = tuple(
        Candidate(f"c{i}", f"Candidate {i}", EMPLOYERS[i % len(EMPLOYERS)]) for i in range(candidates)
    )
    plan = Plan(
        stations=tuple(_station(k) for k in range(1, stations + 1)),
        candidates=cands,
        grid=Grid(START, 55, (Break(3, 45, "Lunch"),)),
        written=Written(Place("w", "Written room"), 3, 60),
    )
    return replace(plan, **kw)  # type: ignore[arg-type]


def test_every_candidate_visits_every_station_once_and_writes_once() -> None:
    plan = _plan()
    built = build_rota(plan)
    assert check_rota(plan, built) == []
    for c in plan.candidates:
        mine = built.of(c.id)
        assert sorted(v.station_id for v in mine) == ["s1", "s2", "s3", WRITTEN]
    # A Latin square: in each slot, each station holds a different candidate.
    for slot in range(1, built.last_slot + 1):
        here = built.in_slot(slot)
        assert len({v.station_id for v in here}) == len(here)
    # The first group rotates: candidate 0 goes s1, s2, s3 in slots 1-3.
    assert [(v.station_id, v.slot) for v in built.of("c0") if v.station_id != WRITTEN] == [
        ("s1", 1),
        ("s2", 2),
        ("s3", 3),
    ]


def test_lunch_moves_the_later_slots_on() -> None:
    plan = _plan()
    assert plan.grid.start(3) == START + timedelta(minutes=110)
    assert plan.grid.start(4) == START + timedelta(minutes=3 * 55 + 45)
    built = build_rota(plan)
    assert all(
        not (v.starts_at < plan.grid.end(3) + timedelta(minutes=45) and plan.grid.end(3) < v.ends_at)
        for v in built.visits
    )


def test_extra_time_lengthens_that_candidates_written_visit_only() -> None:
    plan = _plan()
    plan = replace(
        plan, candidates=(replace(plan.candidates[0], extra_time_percent=25), *plan.candidates[1:])
    )
    built = build_rota(plan)
    written = {v.candidate_id: v.ends_at - v.starts_at for v in built.visits if v.station_id == WRITTEN}
    assert written["c0"] == timedelta(minutes=75)
    assert {d for c, d in written.items() if c != "c0"} == {timedelta(minutes=60)}
    assert check_rota(plan, built) == []


def test_a_break_between_scenarios_leaves_that_candidate_a_free_slot() -> None:
    plan = _plan()
    plan = replace(
        plan,
        candidates=(
            *plan.candidates[:2],
            replace(plan.candidates[2], break_between_scenarios=True),
            *plan.candidates[3:],
        ),
    )
    built = build_rota(plan)
    assert check_rota(plan, built) == []
    slots = sorted(v.slot for v in built.of("c2") if v.station_id != WRITTEN)
    assert all(b - a >= 2 for a, b in itertools.pairwise(slots))
    # Without the gap the checker refuses, naming the candidate.
    squeezed = rota.Rota(
        tuple(
            v
            if v.candidate_id != "c2" or v.station_id == WRITTEN
            else replace(
                v,
                starts_at=plan.grid.start(10 + int(v.station_id[1])),
                ends_at=plan.grid.start(10 + int(v.station_id[1])) + timedelta(minutes=45),
            )
            for v in built.visits
        )
    )
    texts = [r.text for r in check_rota(plan, squeezed) if r.rule == rota.BREAK_BETWEEN]
    assert texts and all(t.startswith("Candidate 2 needs a break between scenarios") for t in texts)


def test_assessors_are_swapped_away_from_their_own_employers_candidates() -> None:
    # Station 1's first assessor works for Bury, as does candidate 0 who starts there.
    stations = (_station(1, ("Bury Council", "Salford City Council")), _station(2), _station(3))
    plan = _plan(stations=3, candidates=6)
    plan = replace(plan, stations=stations)
    built = build_rota(plan)
    assert check_rota(plan, built) == []
    for v in built.visits:
        if v.candidate_id in ("c0", "c5"):  # the Bury candidates
            assert "a1x" not in v.assessor_ids
    # Someone else stood in at station 1 for them, keeping two assessors there.
    first = next(v for v in built.of("c0") if v.station_id == "s1")
    assert len(first.assessor_ids) == 2


def test_a_declared_conflict_is_respected() -> None:
    plan = _plan(conflicts=frozenset({("a2y", "c1")}))
    built = build_rota(plan)
    assert check_rota(plan, built) == []
    assert all("a2y" not in v.assessor_ids for v in built.of("c1"))


def test_no_feasible_rota_says_why_and_for_whom() -> None:
    # Every assessor works for Kirklees: a Kirklees candidate cannot be assessed anywhere.
    kirklees = ("Kirklees Council", "Kirklees Council")
    plan = _plan(stations=2, candidates=2)
    plan = replace(
        plan,
        stations=(_station(1, kirklees), _station(2, kirklees)),
        candidates=(Candidate("k", "Asha Patel", "Kirklees Council"), plan.candidates[1]),
    )
    with pytest.raises(RotaInfeasible) as caught:
        build_rota(plan)
    text = str(caught.value)
    assert text.startswith(
        "Candidate Asha Patel (Kirklees Council): every station for slot 1 has an assessor"
    )
    assert "from Kirklees Council" in text
    assert caught.value.refusals[0].rule == rota.NO_PANEL
    assert "Asha Patel" in caught.value.refusals[0].people


def test_the_same_assessor_at_two_stations_is_refused_before_building() -> None:
    twice = Person("dup", "Helen Brady", "Stockport Council")
    s1, s2 = _station(1), _station(2)
    plan = _plan(stations=2)
    plan = replace(plan, stations=(replace(s1, assessors=(twice,)), replace(s2, assessors=(twice,))))
    with pytest.raises(
        RotaInfeasible, match="Helen Brady is at two stations that run at the same time: Room 1 and Room 2"
    ):
        build_rota(plan)


def test_a_station_without_an_assessor_is_refused() -> None:
    plan = _plan(stations=2)
    plan = replace(plan, stations=(replace(plan.stations[0], assessors=()), plan.stations[1]))
    with pytest.raises(RotaInfeasible, match="Scenario 1 in Room 1 has no assessor"):
        build_rota(plan)


def test_a_candidate_twice_on_the_day_is_refused() -> None:
    plan = _plan(candidates=2)
    plan = replace(plan, candidates=(plan.candidates[0], plan.candidates[0]))
    with pytest.raises(RotaInfeasible, match="Candidate 0 is on the day twice"):
        build_rota(plan)


def test_two_places_at_once_is_judged_over_time_and_names_both_places() -> None:
    plan = _plan()
    built = build_rota(plan)
    # Move candidate 0's second visit to overlap the first by 20 minutes (same slot number
    # would be too coarse a test: the check is on the clock).
    first = next(v for v in built.of("c0") if v.station_id == "s1")
    second = next(v for v in built.of("c0") if v.station_id == "s2")
    clash = replace(
        second,
        starts_at=first.starts_at + timedelta(minutes=30),
        ends_at=first.starts_at + timedelta(minutes=75),
    )
    bad = rota.Rota(tuple(clash if v is second else v for v in built.visits))
    texts = [r.text for r in check_rota(plan, bad) if r.rule == rota.TWO_PLACES]
    assert "Candidate 0 is in two places at once: Room 1 (09:00-09:45) and Room 2 (09:30-10:15)." in texts
    # The room and its people are double-booked too.
    assert any(t.startswith("Room 2 holds two visits at once") for t in texts)
    assert any(t.startswith("Actor 2 is in two places at once") for t in texts)


def test_own_employer_and_conflicts_are_refused_by_the_checker() -> None:
    plan = _plan(conflicts=frozenset({("a1x", "c1")}))
    built = build_rota(plan)
    v = next(v for v in built.of("c0") if v.station_id == "s2")
    stations = list(plan.stations)
    stations[1] = replace(
        stations[1], assessors=(Person("a2x", "Assessor 2X", "Bury Council"), stations[1].assessors[1])
    )
    retuned = replace(plan, stations=tuple(stations))
    texts = [r.text for r in check_rota(retuned, built)]
    assert any(
        t.startswith("Assessor 2X would assess Candidate 0 in Room 2 (") and "both work for Bury Council" in t
        for t in texts
    )
    forced = rota.Rota(
        tuple(replace(x, assessor_ids=("a1x", "a1y")) if x.candidate_id == "c1" else x for x in built.visits)
    )
    refusals = check_rota(plan, forced)
    assert any(
        r.rule == rota.DECLARED_CONFLICT and r.people == ("Assessor 1X", "Candidate 1") for r in refusals
    )
    assert v.assessor_ids


def test_the_written_room_holds_only_its_seats() -> None:
    plan = _plan(candidates=6)
    plan = replace(plan, written=Written(Place("w", "Written room"), 1, 60))
    built = build_rota(plan)
    assert check_rota(plan, built) == []
    written = sorted((v for v in built.visits if v.station_id == WRITTEN), key=lambda v: v.starts_at)
    assert all(b.starts_at >= a.ends_at for a, b in itertools.pairwise(written))
    crowded = rota.Rota(
        tuple(
            replace(v, starts_at=written[0].starts_at, ends_at=written[0].ends_at)
            if v.station_id == WRITTEN and v.candidate_id == written[1].candidate_id
            else v
            for v in built.visits
        )
    )
    texts = [r.text for r in check_rota(plan, crowded) if r.rule == rota.ROOM_FULL]
    assert texts and texts[0].startswith("Written room has 1 seats, but 2 candidates write there at")


def test_shortened_extra_time_is_refused() -> None:
    plan = _plan()
    plan = replace(
        plan, candidates=(replace(plan.candidates[0], extra_time_percent=25), *plan.candidates[1:])
    )
    built = build_rota(plan)
    short = rota.Rota(
        tuple(
            replace(v, ends_at=v.starts_at + timedelta(minutes=60))
            if v.candidate_id == "c0" and v.station_id == WRITTEN
            else v
            for v in built.visits
        )
    )
    (refusal,) = [r for r in check_rota(plan, short) if r.rule == rota.EXTRA_TIME]
    assert "shorter than the 75 minutes" in refusal.text and refusal.people == ("Candidate 0",)


def test_move_and_swap_are_rechecked() -> None:
    plan = _plan()
    built = build_rota(plan)
    # Moving candidate 0's first visit into a slot where station 1 is taken double-books Room 1.
    taken = next(v for v in built.visits if v.station_id == "s1" and v.candidate_id != "c0")
    moved = rota.move_visit(plan, built, "c0", "s1", taken.slot)
    assert any(r.rule == rota.TWO_PLACES for r in check_rota(plan, moved))
    # Moving it to a free slot well after the day is fine.
    later = rota.move_visit(plan, built, "c0", "s1", built.last_slot + 3)
    assert check_rota(plan, later) == []
    # Swapping two candidates' timetables keeps the day feasible (no adjustments here).
    swapped = rota.swap_candidates(plan, built, "c0", "c1")
    assert check_rota(plan, swapped) == []
    assert [v.slot for v in swapped.of("c0")] == [v.slot for v in built.of("c1")]
    with pytest.raises(rota.UserError):
        rota.swap_candidates(plan, built, "c0", "c0")
    with pytest.raises(rota.UserError):
        rota.move_visit(plan, built, "nobody", "s1", 2)


def test_48_candidates_across_8_stations_build_and_check() -> None:
    employers = ("Stockport Council", "Salford City Council")
    stations = tuple(
        replace(
            _station(k, employers),
            assessors=(
                Person(f"a{k}x", f"A{k}X", "Bury Council"),
                Person(f"a{k}y", f"A{k}Y", "Trafford Council"),
            ),
        )
        for k in range(1, 9)
    )
    cands = tuple(
        Candidate(
            f"c{i}",
            f"Candidate {i}",
            EMPLOYERS[i % len(EMPLOYERS)],
            extra_time_percent=25 if i % 7 == 0 else 0,
            break_between_scenarios=i % 11 == 0,
        )
        for i in range(48)
    )
    plan = Plan(
        stations,
        cands,
        Grid(START, 55, (Break(4, 45, "Lunch"),)),
        Written(Place("w", "Written room"), 16, 60),
    )
    built = build_rota(plan)  # how fast: tests/bench/centre.py (rota_build_s)
    assert check_rota(plan, built) == []
    assert len([v for v in built.visits if v.station_id != WRITTEN]) == 48 * 8


def test_visits_belong_to_known_candidates() -> None:
    plan = _plan(candidates=2)
    built = build_rota(plan)
    stray = Visit(
        "ghost", "s1", "r1", 40, plan.grid.start(40), plan.grid.start(40) + timedelta(minutes=45), ("a1x",)
    )
    texts = [r.text for r in check_rota(plan, rota.Rota((*built.visits, stray)))]
    assert "A visit in Room 1 is for a candidate not on the day." in texts
