"""A day as a circuit: candidates rotating through the stations in slots, and the checks
that say whether such a day could really happen.

Pure: plain data in, plain data out. ``build_rota`` places every candidate at every
station (a Latin square: candidate ``p`` of a group starts at station ``p`` and moves on
one station a slot), gives each station's visit its assessors (swapping assessors
between stations where one would otherwise see a candidate from their own employer or
one they declared a conflict with), then seats each candidate's written exercise where
they are free. ``check_rota`` judges any rota, built or adjusted by hand, over time
(intervals, not slot numbers), and returns what it breaks as ``Refusal`` values that
name the rule and the people.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from naas_centre.errors import UserError

WRITTEN = "written"  # the station id of a written-exercise visit

# Refusal rules
TWO_PLACES = "two_places"
OWN_EMPLOYER = "own_employer"
DECLARED_CONFLICT = "declared_conflict"
ONCE_A_DAY = "once_a_day"
MISSING_VISIT = "missing_visit"
EXTRA_TIME = "extra_time"
BREAK_BETWEEN = "break_between_scenarios"
ROOM_FULL = "room_full"
DURING_BREAK = "during_break"
NO_ASSESSOR = "no_assessor"
NO_PANEL = "no_panel"

_SEARCH_LIMIT = 20_000  # assessor arrangements tried per slot before giving up


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    employer: str | None = None


@dataclass(frozen=True)
class Place:
    id: str
    name: str


@dataclass(frozen=True)
class Station:
    """One station of the circuit: a room, one station of the pack, its people."""

    id: str  # the pack's station id
    title: str
    room: Place
    assessors: tuple[Person, ...]
    actor: Person | None
    minutes: int  # the whole visit: reading, role-play and discussion
    reading_minutes: int = 0  # the part a candidate's extra time lengthens


@dataclass(frozen=True)
class Candidate:
    id: str
    name: str
    employer: str
    extra_time_percent: int = 0
    extra_time_minutes: int = 0
    break_between_scenarios: bool = False

    def extended(self, minutes: float) -> int:
        """``minutes`` with this candidate's extra time, in whole minutes."""
        return math.ceil(minutes * (1 + self.extra_time_percent / 100) + self.extra_time_minutes - 1e-9)

    @property
    def label(self) -> str:
        return f"{self.name} ({self.employer})"


@dataclass(frozen=True)
class Break:
    after_slot: int
    minutes: int
    label: str = "Break"


@dataclass(frozen=True)
class Grid:
    """The day's slots: numbered from 1, each ``slot_minutes`` long (a visit and the
    changeover), with breaks after given slots."""

    first_start: datetime
    slot_minutes: int
    breaks: tuple[Break, ...] = ()

    def start(self, slot: int) -> datetime:
        before = sum(b.minutes for b in self.breaks if b.after_slot < slot)
        return self.first_start + timedelta(minutes=self.slot_minutes * (slot - 1) + before)

    def end(self, slot: int) -> datetime:
        return self.start(slot) + timedelta(minutes=self.slot_minutes)

    def break_times(self) -> list[tuple[Break, datetime, datetime]]:
        out = []
        for b in sorted(self.breaks, key=lambda b: b.after_slot):
            at = self.end(b.after_slot)
            out.append((b, at, at + timedelta(minutes=b.minutes)))
        return out


@dataclass(frozen=True)
class Written:
    room: Place
    seats: int
    minutes: int


@dataclass(frozen=True)
class Plan:
    stations: tuple[Station, ...]
    candidates: tuple[Candidate, ...]
    grid: Grid
    written: Written | None = None
    # (assessor id, candidate id): declared conflicts of interest
    conflicts: frozenset[tuple[str, str]] = frozenset()

    def station(self, station_id: str) -> Station:
        return next(st for st in self.stations if st.id == station_id)


@dataclass(frozen=True)
class Visit:
    candidate_id: str
    station_id: str  # a pack station, or WRITTEN
    room_id: str
    slot: int
    starts_at: datetime
    ends_at: datetime
    assessor_ids: tuple[str, ...] = ()
    actor_id: str | None = None


@dataclass(frozen=True)
class Rota:
    visits: tuple[Visit, ...]

    def of(self, candidate_id: str) -> list[Visit]:
        return sorted((v for v in self.visits if v.candidate_id == candidate_id), key=lambda v: v.starts_at)

    def in_slot(self, slot: int) -> list[Visit]:
        return [v for v in self.visits if v.slot == slot and v.station_id != WRITTEN]

    @property
    def last_slot(self) -> int:
        return max((v.slot for v in self.visits), default=0)


@dataclass(frozen=True)
class Refusal:
    rule: str
    people: tuple[str, ...]  # names
    text: str


class RotaInfeasible(UserError):
    """No rota keeps every rule; ``refusals`` say which and for whom."""

    def __init__(self, refusals: Sequence[Refusal]) -> None:
        self.refusals = tuple(refusals)
        more = len(self.refusals) - 1
        tail = f" (and {more} more)" if more > 0 else ""
        super().__init__((self.refusals[0].text if self.refusals else "No feasible rota.") + tail)


def hhmm(at: datetime) -> str:
    return f"{at:%H:%M}"


def span(a: datetime, b: datetime) -> str:
    return f"{hhmm(a)}-{hhmm(b)}"


# Building ---------------------------------------------------------------------------------


def _barred(plan: Plan, assessor: Person, candidate: Candidate) -> str | None:
    """Why ``assessor`` may not observe ``candidate``, or None."""
    if assessor.employer and assessor.employer.casefold() == candidate.employer.casefold():
        return OWN_EMPLOYER
    if (assessor.id, candidate.id) in plan.conflicts:
        return DECLARED_CONFLICT
    return None


def _check_inputs(plan: Plan) -> list[Refusal]:
    out: list[Refusal] = []
    seen: dict[str, Station] = {}
    for st in plan.stations:
        if not st.assessors:
            out.append(Refusal(NO_ASSESSOR, (), f"{st.title} in {st.room.name} has no assessor."))
        for person in st.assessors + ((st.actor,) if st.actor else ()):
            other = seen.get(person.id)
            if other is not None and other is not st:
                out.append(
                    Refusal(
                        TWO_PLACES,
                        (person.name,),
                        f"{person.name} is at two stations that run at the same time: "
                        f"{other.room.name} and {st.room.name}.",
                    )
                )
            seen[person.id] = st
    rooms = [st.room.id for st in plan.stations]
    for st in plan.stations:
        if rooms.count(st.room.id) > 1 and st is next(x for x in plan.stations if x.room.id == st.room.id):
            out.append(Refusal(TWO_PLACES, (), f"{st.room.name} holds two stations at once."))
    ids = [c.id for c in plan.candidates]
    for c in plan.candidates:
        if ids.count(c.id) > 1 and c is next(x for x in plan.candidates if x.id == c.id):
            out.append(
                Refusal(ONCE_A_DAY, (c.name,), f"{c.name} is on the day twice; a candidate sits once a day.")
            )
    if plan.written is not None and plan.written.seats < 1:
        out.append(Refusal(ROOM_FULL, (), f"{plan.written.room.name} has no seats for the written exercise."))
    return out


def _place_stations(plan: Plan) -> dict[tuple[str, str], int]:
    """(candidate id, station id) -> slot: the Latin square, with a free slot between
    station visits for a candidate who needs a break between scenarios."""
    n = len(plan.stations)
    taken: set[tuple[str, int]] = set()  # (station id, slot)
    placed: dict[tuple[str, str], int] = {}
    busy: set[tuple[str, int]] = set()  # (candidate id, slot)
    for i, c in enumerate(plan.candidates):
        gap = 2 if c.break_between_scenarios else 1
        first = True
        prev = 0
        for k in range(n):
            st = plan.stations[(i + k) % n]
            slot = 1 if first else prev + gap
            while (st.id, slot) in taken or (c.id, slot) in busy:
                slot += 1
            placed[(c.id, st.id)] = slot
            taken.add((st.id, slot))
            busy.add((c.id, slot))
            prev, first = slot, False
    return placed


def _panels(
    plan: Plan, slot: int, at: Sequence[tuple[Station, Candidate]]
) -> dict[str, tuple[str, ...]] | Refusal:
    """Station id -> assessor ids for the visits of one slot: each station's own assessors
    where they may observe its candidate, otherwise swapped with another station's."""
    busy = {st.id for st, _ in at}
    pool: list[Person] = []
    for st in plan.stations:
        pool += [a for a in st.assessors if a not in pool]
    owner = {a.id: st.id for st in plan.stations for a in st.assessors}
    seats: list[tuple[Station, Candidate, list[Person]]] = []
    for st, c in at:
        allowed = [a for a in pool if _barred(plan, a, c) is None]
        # Own assessors first, then those whose station is idle, then the rest.
        allowed.sort(key=lambda a: 0 if owner[a.id] == st.id else 1 if owner[a.id] not in busy else 2)
        if len(allowed) < len(st.assessors):
            employer = [a.name for a in pool if _barred(plan, a, c) == OWN_EMPLOYER]
            declared = [a.name for a in pool if _barred(plan, a, c) == DECLARED_CONFLICT]
            why = []
            if employer:
                why.append(f"from {c.employer} ({', '.join(employer)})")
            if declared:
                why.append(f"with a declared conflict ({', '.join(declared)})")
            return Refusal(
                NO_PANEL,
                (c.name, *employer, *declared),
                f"Candidate {c.label}: every station for slot {slot} has an assessor "
                f"{' or '.join(why)}, and no swap leaves {st.title} the {len(st.assessors)} it needs.",
            )
        seats += [(st, c, allowed)] * len(st.assessors)
    order = sorted(range(len(seats)), key=lambda i: len(seats[i][2]))
    chosen: dict[int, Person] = {}
    used: set[str] = set()
    tries = 0

    def fill(k: int) -> bool:
        nonlocal tries
        if k == len(order):
            return True
        i = order[k]
        for a in seats[i][2]:
            tries += 1
            if tries > _SEARCH_LIMIT:
                return False
            if a.id in used:
                continue
            chosen[i] = a
            used.add(a.id)
            if fill(k + 1):
                return True
            used.discard(a.id)
            del chosen[i]
        return False

    if not fill(0):
        names = tuple(c.name for _, c in at)
        return Refusal(
            NO_PANEL,
            names,
            f"Slot {slot}: no arrangement of the assessors keeps every one of them from candidates "
            f"of their own employer and declared conflicts ({', '.join(c.label for _, c in at)}).",
        )
    out: dict[str, list[str]] = defaultdict(list)
    for i, (st, _c, _allowed) in enumerate(seats):
        out[st.id].append(chosen[i].id)
    return {sid: tuple(ids) for sid, ids in out.items()}


def _station_visit(plan: Plan, st: Station, c: Candidate, slot: int, assessors: tuple[str, ...]) -> Visit:
    start = plan.grid.start(slot)
    length = st.minutes + c.extended(st.reading_minutes) - st.reading_minutes
    return Visit(
        c.id,
        st.id,
        st.room.id,
        slot,
        start,
        start + timedelta(minutes=length),
        assessors,
        st.actor.id if st.actor else None,
    )


def written_minutes(plan: Plan, c: Candidate) -> int:
    assert plan.written is not None
    return c.extended(plan.written.minutes)


def _overlaps(a0: datetime, a1: datetime, b0: datetime, b1: datetime) -> bool:
    return a0 < b1 and b0 < a1


def _seat_written(plan: Plan, visits: list[Visit]) -> list[Visit]:
    """Each candidate's written exercise at the first slot start where they are free for
    its whole (adjusted) length, a seat is free, and no break falls inside it."""
    assert plan.written is not None
    w = plan.written
    breaks = [(b0, b1) for _b, b0, b1 in plan.grid.break_times()]
    by_candidate: dict[str, list[Visit]] = defaultdict(list)
    for v in visits:
        by_candidate[v.candidate_id].append(v)
    seated: list[Visit] = []
    last = max((v.slot for v in visits), default=0)
    for c in plan.candidates:
        length = timedelta(minutes=written_minutes(plan, c))
        for slot in range(1, last + 2 + len(plan.candidates)):
            start = plan.grid.start(slot)
            end = start + length
            if any(_overlaps(start, end, v.starts_at, v.ends_at) for v in by_candidate[c.id]):
                continue
            if any(_overlaps(start, end, b0, b1) for b0, b1 in breaks):
                continue
            if _peak(seated, start, end) >= w.seats:
                continue
            seated.append(Visit(c.id, WRITTEN, w.room.id, slot, start, end))
            break
    return seated


def _peak(visits: Iterable[Visit], start: datetime, end: datetime) -> int:
    """The most of ``visits`` in progress at once within [start, end)."""
    points: list[tuple[datetime, int]] = []
    for v in visits:
        if _overlaps(start, end, v.starts_at, v.ends_at):
            points += [(max(v.starts_at, start), 1), (min(v.ends_at, end), -1)]
    peak = now = 0
    for _at, step in sorted(points, key=lambda p: (p[0], p[1])):
        now += step
        peak = max(peak, now)
    return peak


def build_rota(plan: Plan) -> Rota:
    """The day as a circuit, or ``RotaInfeasible`` saying plainly why there is none."""
    problems = _check_inputs(plan)
    if problems:
        raise RotaInfeasible(problems)
    if not plan.stations or not plan.candidates:
        return Rota(())
    placed = _place_stations(plan)
    candidates = {c.id: c for c in plan.candidates}
    by_slot: dict[int, list[tuple[Station, Candidate]]] = defaultdict(list)
    for (cid, sid), slot in placed.items():
        by_slot[slot].append((plan.station(sid), candidates[cid]))
    visits: list[Visit] = []
    refusals: list[Refusal] = []
    for slot in sorted(by_slot):
        at = sorted(by_slot[slot], key=lambda p: plan.stations.index(p[0]))
        panels = _panels(plan, slot, at)
        if isinstance(panels, Refusal):
            refusals.append(panels)
            continue
        visits += [_station_visit(plan, st, c, slot, panels[st.id]) for st, c in at]
    if refusals:
        raise RotaInfeasible(refusals)
    if plan.written is not None:
        visits += _seat_written(plan, visits)
    rota = Rota(tuple(sorted(visits, key=lambda v: (v.starts_at, v.room_id, v.candidate_id))))
    refusals = check_rota(plan, rota)
    if refusals:  # pragma: no cover - the builder keeps every rule it checks
        raise RotaInfeasible(refusals)
    return rota


# Adjusting --------------------------------------------------------------------------------


def move_visit(plan: Plan, rota: Rota, candidate_id: str, station_id: str, slot: int) -> Rota:
    """``rota`` with one candidate's visit to one station moved to ``slot``; its
    assessors are arranged afresh for that slot. Check the result with ``check_rota``."""
    if slot < 1:
        raise UserError(f"There is no slot {slot}; slots are numbered from 1.")
    candidates = {c.id: c for c in plan.candidates}
    c = candidates.get(candidate_id)
    old = next(
        (v for v in rota.visits if v.candidate_id == candidate_id and v.station_id == station_id), None
    )
    if c is None or old is None:
        raise UserError("That candidate has no such visit on this day.")
    rest = [v for v in rota.visits if v is not old]
    if station_id == WRITTEN:
        start = plan.grid.start(slot)
        moved = replace(old, slot=slot, starts_at=start, ends_at=start + (old.ends_at - old.starts_at))
        return Rota(tuple(sorted([*rest, moved], key=lambda v: v.starts_at)))
    st = plan.station(station_id)
    at = [
        (plan.station(v.station_id), candidates[v.candidate_id])
        for v in rest
        if v.slot == slot and v.station_id != WRITTEN and v.candidate_id in candidates
    ]
    at.append((st, c))
    panels = _panels(plan, slot, at)
    if isinstance(panels, Refusal):
        moved = _station_visit(plan, st, c, slot, tuple(a.id for a in st.assessors))
        return Rota(tuple(sorted([*rest, moved], key=lambda v: v.starts_at)))
    out = [
        replace(v, assessor_ids=panels[v.station_id])
        if v.slot == slot and v.station_id in panels and v.station_id != WRITTEN
        else v
        for v in rest
    ]
    out.append(_station_visit(plan, st, c, slot, panels[st.id]))
    return Rota(tuple(sorted(out, key=lambda v: v.starts_at)))


def swap_candidates(plan: Plan, rota: Rota, first_id: str, second_id: str) -> Rota:
    """``rota`` with two candidates' timetables exchanged (each written visit keeps the
    length its candidate's own adjustments give). Check the result with ``check_rota``."""
    candidates = {c.id: c for c in plan.candidates}
    if first_id not in candidates or second_id not in candidates or first_id == second_id:
        raise UserError("Choose two different candidates on this day to swap.")
    out = []
    for v in rota.visits:
        if v.candidate_id not in (first_id, second_id):
            out.append(v)
            continue
        other = second_id if v.candidate_id == first_id else first_id
        c = candidates[other]
        if v.station_id == WRITTEN:
            length = timedelta(minutes=written_minutes(plan, c))
        else:
            st = plan.station(v.station_id)
            length = timedelta(minutes=st.minutes + c.extended(st.reading_minutes) - st.reading_minutes)
        out.append(replace(v, candidate_id=other, ends_at=v.starts_at + length))
    return Rota(tuple(sorted(out, key=lambda v: v.starts_at)))


# Checking ---------------------------------------------------------------------------------


@dataclass
class _Where:
    visit: Visit
    place: str

    def say(self) -> str:
        return f"{self.place} ({span(self.visit.starts_at, self.visit.ends_at)})"


@dataclass
class _Names:
    people: dict[str, Person] = field(default_factory=dict)
    rooms: dict[str, str] = field(default_factory=dict)

    def name(self, pid: str) -> str:
        p = self.people.get(pid)
        return p.name if p else pid


def _two_places(who: str, spots: list[_Where], doing: str = "is in two places at once") -> list[Refusal]:
    out = []
    spots = sorted(spots, key=lambda w: w.visit.starts_at)
    latest: _Where | None = None
    for w in spots:
        if latest is not None and w.visit.starts_at < latest.visit.ends_at:
            out.append(Refusal(TWO_PLACES, (who,), f"{who} {doing}: {latest.say()} and {w.say()}."))
        if latest is None or w.visit.ends_at > latest.visit.ends_at:
            latest = w
    return out


def check_rota(plan: Plan, rota: Rota) -> list[Refusal]:
    """Every rule ``rota`` breaks, judged over time; an empty list for a feasible day."""
    names = _Names()
    for st in plan.stations:
        names.rooms[st.room.id] = st.room.name
        for p in st.assessors + ((st.actor,) if st.actor else ()):
            names.people[p.id] = p
    if plan.written is not None:
        names.rooms[plan.written.room.id] = plan.written.room.name
    candidates = {c.id: c for c in plan.candidates}
    out: list[Refusal] = []
    ids = [c.id for c in plan.candidates]
    for cid in sorted(set(ids), key=ids.index):
        if ids.count(cid) > 1:
            c = candidates[cid]
            out.append(
                Refusal(ONCE_A_DAY, (c.name,), f"{c.name} is on the day twice; a candidate sits once a day.")
            )

    def place(v: Visit) -> str:
        return names.rooms.get(v.room_id, v.room_id)

    by_candidate: dict[str, list[_Where]] = defaultdict(list)
    by_assessor: dict[str, list[_Where]] = defaultdict(list)
    by_actor: dict[str, list[_Where]] = defaultdict(list)
    by_room: dict[str, list[_Where]] = defaultdict(list)
    written: list[Visit] = []
    for v in rota.visits:
        w = _Where(v, place(v))
        by_candidate[v.candidate_id].append(w)
        if v.station_id == WRITTEN:
            written.append(v)
            continue
        by_room[v.room_id].append(w)
        for a in v.assessor_ids:
            by_assessor[a].append(w)
        if v.actor_id:
            by_actor[v.actor_id].append(w)
    for cid, spots in by_candidate.items():
        known = candidates.get(cid)
        out += _two_places(known.name if known else cid, spots)
    for pid, spots in (*by_assessor.items(), *by_actor.items()):
        out += _two_places(names.name(pid), spots)
    for rid, spots in by_room.items():
        out += _two_places(names.rooms.get(rid, rid), spots, "holds two visits at once")

    out += _pairings(plan, rota, candidates, names)
    out += _adjustments(plan, by_candidate, names)
    out += _written_room(plan, written, candidates)
    out += _breaks(plan, rota, candidates, names)
    return out


def _pairings(plan: Plan, rota: Rota, candidates: dict[str, Candidate], names: _Names) -> list[Refusal]:
    out: list[Refusal] = []

    def place(v: Visit) -> str:
        return names.rooms.get(v.room_id, v.room_id)

    for v in rota.visits:
        c = candidates.get(v.candidate_id)
        if c is None:
            out.append(
                Refusal(MISSING_VISIT, (), f"A visit in {place(v)} is for a candidate not on the day.")
            )
            continue
        for a in v.assessor_ids:
            person = names.people.get(a, Person(a, a))
            why = _barred(plan, person, c)
            if why == OWN_EMPLOYER:
                out.append(
                    Refusal(
                        OWN_EMPLOYER,
                        (person.name, c.name),
                        f"{person.name} would assess {c.name} in {place(v)} "
                        f"({span(v.starts_at, v.ends_at)}), "
                        f"and both work for {c.employer}.",
                    )
                )
            elif why == DECLARED_CONFLICT:
                out.append(
                    Refusal(
                        DECLARED_CONFLICT,
                        (person.name, c.name),
                        f"{person.name} would assess {c.name} in {place(v)} "
                        f"({span(v.starts_at, v.ends_at)}) "
                        "despite a declared conflict of interest.",
                    )
                )
        if v.station_id != WRITTEN and not v.assessor_ids:
            out.append(Refusal(NO_ASSESSOR, (c.name,), f"{c.name}'s visit to {place(v)} has no assessor."))
    return out


def _adjustments(plan: Plan, by_candidate: dict[str, list[_Where]], names: _Names) -> list[Refusal]:
    out: list[Refusal] = []

    def place(v: Visit) -> str:
        return names.rooms.get(v.room_id, v.room_id)

    for c in plan.candidates:
        mine = [w.visit for w in by_candidate.get(c.id, [])]
        for st in plan.stations:
            got = [v for v in mine if v.station_id == st.id]
            if not got:
                out.append(
                    Refusal(
                        MISSING_VISIT, (c.name,), f"{c.name} has no visit to {st.title} ({st.room.name})."
                    )
                )
            elif got[0].ends_at - got[0].starts_at < timedelta(
                minutes=st.minutes + c.extended(st.reading_minutes) - st.reading_minutes
            ):
                out.append(
                    Refusal(
                        EXTRA_TIME,
                        (c.name,),
                        f"{c.name}'s visit to {st.room.name} leaves out their extra time.",
                    )
                )
        if plan.written is not None:
            got = [v for v in mine if v.station_id == WRITTEN]
            need = written_minutes(plan, c)
            if not got:
                out.append(
                    Refusal(MISSING_VISIT, (c.name,), f"{c.name} has no place for the written exercise.")
                )
            elif got[0].ends_at - got[0].starts_at < timedelta(minutes=need):
                out.append(
                    Refusal(
                        EXTRA_TIME,
                        (c.name,),
                        f"{c.name}'s written exercise ({span(got[0].starts_at, got[0].ends_at)}) is shorter "
                        f"than the {need} minutes their adjustments give.",
                    )
                )
        if c.break_between_scenarios:
            stations = sorted((v for v in mine if v.station_id != WRITTEN), key=lambda v: v.starts_at)
            for a, b in itertools.pairwise(stations):
                if b.starts_at - a.ends_at < timedelta(minutes=plan.grid.slot_minutes):
                    out.append(
                        Refusal(
                            BREAK_BETWEEN,
                            (c.name,),
                            f"{c.name} needs a break between scenarios, but goes from {place(a)} "
                            f"({span(a.starts_at, a.ends_at)}) straight to {place(b)} "
                            f"({span(b.starts_at, b.ends_at)}).",
                        )
                    )

    return out


def _written_room(plan: Plan, written: list[Visit], candidates: dict[str, Candidate]) -> list[Refusal]:
    out: list[Refusal] = []
    if plan.written is not None and written:
        w = plan.written
        for v in written:
            if v.room_id != w.room.id:
                continue
            if _peak(written, v.starts_at, v.starts_at + timedelta(seconds=1)) > w.seats:
                now = v.starts_at + timedelta(seconds=1)
                who = [
                    candidates[x.candidate_id].name
                    for x in written
                    if x.candidate_id in candidates and _overlaps(x.starts_at, x.ends_at, v.starts_at, now)
                ]
                out.append(
                    Refusal(
                        ROOM_FULL,
                        tuple(who),
                        f"{w.room.name} has {w.seats} seats, but {len(who)} candidates write there at "
                        f"{hhmm(v.starts_at)}: {', '.join(who)}.",
                    )
                )
    return out


def _breaks(plan: Plan, rota: Rota, candidates: dict[str, Candidate], names: _Names) -> list[Refusal]:
    out: list[Refusal] = []
    for b, b0, b1 in plan.grid.break_times():
        for v in rota.visits:
            if _overlaps(v.starts_at, v.ends_at, b0, b1):
                c = candidates.get(v.candidate_id)
                who = c.name if c else v.candidate_id
                out.append(
                    Refusal(
                        DURING_BREAK,
                        (who,),
                        f"{who}'s visit to {names.rooms.get(v.room_id, v.room_id)} "
                        f"({span(v.starts_at, v.ends_at)}) runs into "
                        f"{b.label.lower()} ({span(b0, b1)}).",
                    )
                )
    return out
