"""The clocks as the screens run them: recorded instants in, the state at any moment out.

A station's clock (``StationClock``, the scoring station) and the writing clock on the
kiosk (``WritingClock``), and the work the station's clocks ask of the database
(``read_clocks``, ``open_clocks``, ``heartbeat``). No Qt here.

A station's events are read once (``station_timing``), kept, and replayed with
``core.timing.phase_state`` on every tick, so the time shown is always computed from
the recorded instants and never counted: a tick that comes late or not at all changes
nothing but when the screen catches up.

Events the assessor has asked for but that are not on disk yet are held apart as
*provisional*: the clock runs from the instant of the click at once, and the event is
stored with that same instant, so the clock does not jump when the commit comes back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from db.engine import Database, StorageError
from naas_centre.core.timing import (
    PhaseEvent,
    PhaseState,
    TimingError,
    alerts_crossed,
    check_next,
    phase_state,
)
from naas_centre.services import timing
from naas_centre.services.timing import PhasePlan, PhaseTiming, StationTiming
from naas_centre.services.views import Actor


def events_of(state: PhaseState) -> list[PhaseEvent]:
    """The events that give ``state`` back through ``phase_state`` (its exact inverse).

    A state carries the events it was computed from; one built by hand without them
    (an older caller) is inverted from its pauses and instants.
    """
    if state.events:
        return list(state.events)
    if state.started_at is None:
        return []
    out = [PhaseEvent("start", state.started_at)]
    for i, pause in enumerate(state.pauses):
        out.append(PhaseEvent("pause", pause.start, pause.reason))
        ended_paused = i == len(state.pauses) - 1 and state.status == "ended" and pause.end == state.ended_at
        if pause.end is not None and not ended_paused:
            out.append(PhaseEvent("resume", pause.end))
    if state.status == "ended":
        assert state.ended_at is not None
        out.append(PhaseEvent("end", state.ended_at))
    return out


@dataclass(frozen=True)
class PhaseNow:
    """One phase at one moment."""

    plan: PhasePlan
    state: PhaseState
    downtime_ms: int
    provisional: bool  # shows an event that is not on disk yet


@dataclass
class StationClock:
    station_id: str
    plans: list[PhasePlan]
    lengths: dict[str, int]  # the adjusted length that counts (fixed when the phase started)
    events: dict[str, list[PhaseEvent]]
    downtime: dict[str, int]
    alert_points_ms: tuple[int, ...]
    provisional: list[tuple[int, str, PhaseEvent]] = field(default_factory=list)  # (token, phase, event)

    @classmethod
    def from_timing(cls, timing: StationTiming) -> StationClock:
        return cls(
            station_id=timing.station_id,
            plans=[p.plan for p in timing.phases],
            lengths={p.plan.phase: p.state.length_ms for p in timing.phases},
            events={p.plan.phase: events_of(p.state) for p in timing.phases},
            downtime={p.plan.phase: p.downtime_ms for p in timing.phases},
            alert_points_ms=timing.alert_points_ms,
        )

    def stored(self, timing: StationTiming) -> None:
        """The database's events replace the held ones; provisional events stay on top."""
        fresh = StationClock.from_timing(timing)
        self.plans, self.lengths, self.events = fresh.plans, fresh.lengths, fresh.events
        self.downtime, self.alert_points_ms = fresh.downtime, fresh.alert_points_ms
        # A provisional event now on disk is no longer provisional.
        self.provisional = [
            (token, phase, ev)
            for token, phase, ev in self.provisional
            if not any(e.kind == ev.kind and e.at == ev.at for e in self.events.get(phase, []))
        ]

    def _events(self, phase: str) -> list[PhaseEvent]:
        return [*self.events.get(phase, []), *(ev for _t, p, ev in self.provisional if p == phase)]

    def phases(self, now: datetime) -> list[PhaseNow]:
        out = []
        for plan in self.plans:
            try:
                state = phase_state(self.lengths[plan.phase], self._events(plan.phase), now)
            except TimingError:  # cannot happen with checked events; show what is stored
                state = phase_state(self.lengths[plan.phase], self.events.get(plan.phase, []), now)
            pending = any(p == plan.phase for _t, p, _e in self.provisional)
            out.append(PhaseNow(plan, state, self.downtime.get(plan.phase, 0), pending))
        return out

    def current(self, now: datetime) -> PhaseNow | None:
        """The phase running or paused, else the next to start, else None (all ended)."""
        phases = self.phases(now)
        for p in phases:
            if p.state.status in ("running", "paused"):
                return p
        for p in phases:
            if p.state.status == "not_started":
                return p
        return None

    def last_ended(self, now: datetime) -> PhaseNow | None:
        ended = [p for p in self.phases(now) if p.state.status == "ended"]
        return ended[-1] if ended else None

    def allows(self, phase: str, kind: str, at: datetime) -> bool:
        """Whether ``kind`` can follow this phase's events (stored and provisional) at ``at``."""
        if phase not in self.lengths:
            return False
        order = [p.phase for p in self.plans]
        if kind == "start":
            for earlier in order[: order.index(phase)]:
                state = phase_state(self.lengths[earlier], self._events(earlier), at)
                if state.status in ("running", "paused"):
                    return False
        if kind == "reopen":  # only until the next phase has started
            for later in order[order.index(phase) + 1 :]:
                if any(e.kind == "start" for e in self._events(later)):
                    return False
        try:
            check_next(self.lengths[phase], self._events(phase), PhaseEvent(kind, at))  # type: ignore[arg-type]
        except TimingError:
            return False
        return True

    def reopenable(self, now: datetime) -> PhaseNow | None:
        """The phase that was ended last, if it can still be reopened (nothing after it started)."""
        ended = self.last_ended(now)
        if ended is None or not self.allows(ended.plan.phase, "reopen", now):
            return None
        return ended

    def running(self, now: datetime) -> bool:
        """Whether a phase of this station is running now (its clock is being watched)."""
        return any(p.state.status == "running" for p in self.phases(now))

    def set_pause_reason(self, phase: str, paused_at: datetime, reason: str) -> None:
        """The reason given after the pause, shown at once (held or stored, whichever has it)."""

        def given(ev: PhaseEvent) -> PhaseEvent:
            return PhaseEvent(ev.kind, ev.at, reason) if ev.kind == "pause" and ev.at == paused_at else ev

        self.events[phase] = [given(ev) for ev in self.events.get(phase, [])]
        self.provisional = [(t, p, given(ev) if p == phase else ev) for t, p, ev in self.provisional]

    def add_provisional(self, token: int, phase: str, event: PhaseEvent) -> None:
        self.provisional.append((token, phase, event))

    def drop_provisional(self, token: int) -> None:
        self.provisional = [item for item in self.provisional if item[0] != token]

    def note_stamp(self, now: datetime) -> tuple[str | None, int | None]:
        """(phase, ms into it) for an evidence note written now; (None, None) between phases."""
        current = self.current(now)
        if current is None or current.state.status not in ("running", "paused"):
            return None, None
        return current.plan.phase, current.state.elapsed_ms


# -- the kiosk's writing clock ----------------------------------------------------------
#
# ``StationTiming`` says, as of the moment it was computed, how long the writing phase
# has run (pauses excluded) and whether it is running; the time left now is that plus
# the wall-clock time since, never a count of ticks. So a missed tick, a busy moment or
# a restart cannot make the clock drift. Alert points are the pack's minutes remaining.


@dataclass(frozen=True)
class ClockReading:
    status: str  # not_started, running, paused, ended
    remaining_ms: int
    length_ms: int
    planned_ms: int
    pause_reason: str | None


class WritingClock:
    def __init__(self, timing: StationTiming) -> None:
        self.timing = timing
        self._last_remaining: int | None = None

    @property
    def phase(self) -> PhaseTiming:
        return self.timing.phases[0]

    def update(self, timing: StationTiming) -> None:
        self.timing = timing

    def read(self, now: datetime | None = None) -> ClockReading:
        now = now or datetime.now(UTC)
        state = self.phase.state
        elapsed = state.elapsed_ms
        if state.status == "running":
            elapsed += max(0, int((now - self.timing.computed_at).total_seconds() * 1000))
        reason = state.pauses[-1].reason if state.status == "paused" and state.pauses else None
        return ClockReading(
            state.status,
            state.length_ms - elapsed,
            state.length_ms,
            self.phase.plan.planned_ms,
            reason,
        )

    def alerts(self, reading: ClockReading) -> list[int]:
        """Alert points (ms remaining) crossed since the last call; none on the first."""
        before = self._last_remaining
        self._last_remaining = reading.remaining_ms
        if before is None or reading.status != "running":
            return []
        return alerts_crossed(before, reading.remaining_ms, self.timing.alert_points_ms)


# -- what the station's clocks ask of the database (run on the task manager's workers) ---


def read_clocks(db: Database, actor: Actor, sitting_id: str, stations: list[str]) -> dict[str, StationTiming]:
    """Runs in a worker: each station's recorded timing."""
    return {sid: timing.station_timing(db, actor, sitting_id, sid) for sid in stations}


def open_clocks(
    db: Database, actor: Actor, sitting_id: str, stations: list[str], now: datetime | None = None
) -> tuple[dict[str, StationTiming], StorageError | None]:
    """Runs on the write worker when an assessor opens a sitting: records the gap if a phase
    ran while the app was down, says this workstation is here again, and reads the clocks.
    Disk trouble does not keep the clocks from showing."""
    clocks = read_clocks(db, actor, sitting_id, stations)
    trouble = None
    try:
        for sid, station in clocks.items():
            current = station.current
            if current is not None and current.state.status == "running":
                timing.reopen(db, actor, sitting_id, sid, now=now)
        timing.heartbeat(db, actor, sitting_id, now=now)
    except StorageError as exc:
        trouble = exc
    return read_clocks(db, actor, sitting_id, stations), trouble


def heartbeat(db: Database, actor: Actor, sitting_id: str, now: datetime | None = None) -> None:
    """Runs on the write worker: "this workstation is here", then a checkpoint (SQLite)."""
    timing.heartbeat(db, actor, sitting_id, now=now)
    if db.is_sqlite:
        checkpoint(db)


def checkpoint(db: Database) -> None:
    """Folds SQLite's write-ahead log into the database now, between clicks.

    Otherwise SQLite does it itself inside whichever commit takes the log past 1000
    pages: that one click would wait for the whole database file to be synced. Best
    effort: a checkpoint that cannot run now (a reader, a full disk) runs next time.
    """
    db.checkpoint()
