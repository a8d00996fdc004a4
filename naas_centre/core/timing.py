"""Phase timing from recorded instants: never by counting ticks.

A phase's state at any moment is a pure function of its plan and its events (start,
pause, resume, end, and reopen for a phase ended by mistake), so after a crash and
restart the clock is exactly right, and it cannot drift however long the phase runs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

EventKind = Literal["start", "pause", "resume", "end", "reopen"]
Status = Literal["not_started", "running", "paused", "ended"]
PAUSE_REASONS = ("fire alarm", "candidate unwell", "actor issue", "other")
# The reason stored when the assessor closes the reason dialog without choosing: the
# clock stopped at the press either way, and the pause is kept.
REASON_NOT_GIVEN = "not given"


@dataclass(frozen=True)
class Adjustment:
    """A candidate's extra time: a percentage, whole minutes, or both."""

    percent: int = 0
    minutes: int = 0


def adjusted_ms(planned_minutes: float, adjustment: Adjustment) -> int:
    planned = planned_minutes * 60_000
    return round(planned * (1 + adjustment.percent / 100) + adjustment.minutes * 60_000)


@dataclass(frozen=True)
class PhaseEvent:
    kind: EventKind
    at: datetime
    reason: str | None = None


@dataclass(frozen=True)
class Pause:
    start: datetime
    end: datetime | None
    reason: str | None

    def length_ms(self, now: datetime) -> int:
        return _ms((self.end or now) - self.start)


@dataclass(frozen=True)
class Reopen:
    """A phase ended (by mistake) and reopened: the clock went on from where it ended."""

    ended_at: datetime
    reopened_at: datetime
    reason: str | None

    @property
    def gap_ms(self) -> int:
        """The time between the end and the reopening, which does not count as running."""
        return _ms(self.reopened_at - self.ended_at)


@dataclass(frozen=True)
class PhaseState:
    status: Status
    length_ms: int  # the adjusted length
    elapsed_ms: int  # time running, pauses excluded
    started_at: datetime | None
    ended_at: datetime | None
    pauses: tuple[Pause, ...]
    reopens: tuple[Reopen, ...] = ()
    events: tuple[PhaseEvent, ...] = ()  # what it was computed from, in order

    @property
    def remaining_ms(self) -> int:
        """Negative once the phase runs over."""
        return self.length_ms - self.elapsed_ms

    @property
    def overrun_ms(self) -> int:
        return max(0, -self.remaining_ms)


class TimingError(ValueError):
    """An event that makes no sense in the phase's current state."""


def _ms(delta: timedelta) -> int:
    return delta // timedelta(milliseconds=1)


def phase_state(length_ms: int, events: Iterable[PhaseEvent], now: datetime) -> PhaseState:
    """Replays the events in order. Raises TimingError on an impossible sequence."""
    status: Status = "not_started"
    elapsed = 0
    run_from: datetime | None = None
    started = ended = None
    pauses: list[Pause] = []
    reopens: list[Reopen] = []
    ordered = sorted(events, key=lambda e: e.at)
    for ev in ordered:
        if ev.kind == "start":
            if status != "not_started":
                raise TimingError("the phase has already started")
            status, started, run_from = "running", ev.at, ev.at
        elif ev.kind == "pause":
            if status != "running":
                raise TimingError("only a running phase can be paused")
            assert run_from is not None
            elapsed += _ms(ev.at - run_from)
            status, run_from = "paused", None
            pauses.append(Pause(ev.at, None, ev.reason))
        elif ev.kind == "resume":
            if status != "paused":
                raise TimingError("only a paused phase can be resumed")
            last = pauses[-1]
            pauses[-1] = Pause(last.start, ev.at, last.reason)
            status, run_from = "running", ev.at
        elif ev.kind == "end":
            if status not in ("running", "paused"):
                raise TimingError("only a started phase can be ended")
            if status == "running":
                assert run_from is not None
                elapsed += _ms(ev.at - run_from)
            else:
                last = pauses[-1]
                pauses[-1] = Pause(last.start, ev.at, last.reason)
            status, ended, run_from = "ended", ev.at, None
        elif ev.kind == "reopen":
            if status != "ended":
                raise TimingError("only an ended phase can be reopened")
            assert ended is not None
            reopens.append(Reopen(ended, ev.at, ev.reason))
            # The clock goes on from where it ended; the gap is not running time.
            status, ended, run_from = "running", None, ev.at
        else:
            raise TimingError(f"unknown event {ev.kind!r}")
    if status == "running":
        assert run_from is not None
        elapsed += max(0, _ms(now - run_from))
    return PhaseState(
        status, length_ms, elapsed, started, ended, tuple(pauses), tuple(reopens), tuple(ordered)
    )


def check_next(length_ms: int, events: Sequence[PhaseEvent], new: PhaseEvent) -> None:
    """Raises TimingError if ``new`` cannot follow ``events``."""
    if events and new.at < max(e.at for e in events):
        raise TimingError("an event cannot come before the phase's last event")
    phase_state(length_ms, [*events, new], new.at)


def alerts_crossed(before_ms: int, now_ms: int, points_ms: Iterable[int]) -> list[int]:
    """Alert points (remaining ms) passed between two readings of the remaining time."""
    return sorted((p for p in points_ms if now_ms <= p < before_ms), reverse=True)


def clock(ms: int) -> str:
    """mm:ss for a phase clock, with a minus sign once over time (e.g. -01:05)."""
    # Counting down, a part-second still shows as a whole one (00:01, not 00:00).
    total = math.ceil(ms / 1000) if ms > 0 else abs(ms) // 1000
    sign = "-" if ms < 0 and total else ""
    minutes, seconds = divmod(int(total), 60)
    return f"{sign}{minutes:02d}:{seconds:02d}"
