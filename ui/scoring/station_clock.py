"""A station's clock as the screen runs it: recorded instants in, the state at any moment out.

No Qt here. The events are read once (``station_timing``), kept, and replayed with
``core.timing.phase_state`` on every tick, so the time shown is always computed from
the recorded instants and never counted: a tick that comes late or not at all changes
nothing but when the screen catches up.

Events the assessor has asked for but that are not on disk yet are held apart as
*provisional*: the clock runs from the instant of the click at once, and the event is
stored with that same instant, so the clock does not jump when the commit comes back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from naas_centre.core.timing import PhaseEvent, PhaseState, TimingError, check_next, phase_state
from naas_centre.services.timing import PhasePlan, StationTiming


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
