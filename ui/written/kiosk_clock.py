"""The writing clock on the kiosk, recomputed from recorded instants on every tick.

``StationTiming`` says, as of the moment it was computed, how long the writing phase
has run (pauses excluded) and whether it is running; the time left now is that plus
the wall-clock time since, never a count of ticks. So a missed tick, a busy moment or
a restart cannot make the clock drift. Alert points are the pack's minutes remaining.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from naas_centre.core.timing import alerts_crossed
from naas_centre.services.timing import PhaseTiming, StationTiming


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
