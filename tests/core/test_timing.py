from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from naas_centre.core.timing import (
    Adjustment,
    PhaseEvent,
    TimingError,
    adjusted_ms,
    alerts_crossed,
    check_next,
    clock,
    phase_state,
)

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
MIN = 60_000


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_adjustments() -> None:
    assert adjusted_ms(20, Adjustment()) == 20 * MIN
    assert adjusted_ms(20, Adjustment(percent=25)) == 25 * MIN
    assert adjusted_ms(20, Adjustment(minutes=5)) == 25 * MIN
    assert adjusted_ms(10, Adjustment(percent=50, minutes=1)) == 16 * MIN


def test_running_paused_resumed_ended() -> None:
    events = [
        PhaseEvent("start", at(0)),
        PhaseEvent("pause", at(60), "fire alarm"),
        PhaseEvent("resume", at(660)),
    ]
    state = phase_state(20 * MIN, events, at(720))
    assert state.status == "running"
    assert state.elapsed_ms == 120_000  # the ten-minute alarm does not count
    assert state.remaining_ms == 18 * MIN
    assert state.pauses[0].reason == "fire alarm" and state.pauses[0].length_ms(at(720)) == 600_000
    ended = phase_state(20 * MIN, [*events, PhaseEvent("end", at(660 + 20 * 60))], at(99999))
    assert ended.status == "ended" and ended.overrun_ms == 60_000


def test_time_passes_while_the_app_is_down() -> None:
    """The state depends on instants only: reopening later shows the true remaining time."""
    events = [PhaseEvent("start", at(0))]
    assert phase_state(20 * MIN, events, at(300)).remaining_ms == 15 * MIN
    assert phase_state(20 * MIN, events, at(1500)).remaining_ms == -5 * MIN


def test_no_drift_over_an_hour() -> None:
    events = [PhaseEvent("start", at(0))]
    # 36,000 readings a tenth of a second apart, as a ticking display would make.
    last = 0
    for i in range(36_001):
        last = phase_state(60 * MIN, events, at(i / 10)).remaining_ms
    assert last == 0


@pytest.mark.parametrize(
    "events",
    [
        [PhaseEvent("pause", at(0))],
        [PhaseEvent("start", at(0)), PhaseEvent("start", at(1))],
        [PhaseEvent("start", at(0)), PhaseEvent("resume", at(1))],
        [PhaseEvent("end", at(0))],
        [PhaseEvent("start", at(0)), PhaseEvent("reopen", at(1), "by mistake")],
        [PhaseEvent("start", at(0)), PhaseEvent("end", at(1)), PhaseEvent("pause", at(2))],
    ],
)
def test_impossible_sequences_are_refused(events: list[PhaseEvent]) -> None:
    with pytest.raises(TimingError):
        phase_state(MIN, events, at(10))


def test_an_event_cannot_go_back_in_time() -> None:
    with pytest.raises(TimingError):
        check_next(MIN, [PhaseEvent("start", at(10))], PhaseEvent("pause", at(5)))


def test_alerts_fire_once_when_crossed() -> None:
    points = [5 * MIN, 1 * MIN, 0]
    assert alerts_crossed(5 * MIN + 100, 5 * MIN - 100, points) == [5 * MIN]
    assert alerts_crossed(5 * MIN - 100, 5 * MIN - 200, points) == []
    # After a restart far past both points, every point crossed since is reported.
    assert alerts_crossed(6 * MIN, -10, points) == [5 * MIN, MIN, 0]


def test_clock() -> None:
    assert clock(5 * MIN) == "05:00"
    assert clock(299_001) == "05:00"
    assert clock(0) == "00:00"
    assert clock(-999) == "00:00"
    assert clock(-65_000) == "-01:05"


@given(st.lists(st.integers(min_value=1, max_value=600_000), min_size=1, max_size=12))
def test_elapsed_never_exceeds_wall_time(gaps: list[int]) -> None:
    """Alternate start/pause/resume with random gaps: elapsed ≤ wall time, ≥ 0."""
    t = T0
    events = [PhaseEvent("start", t)]
    kinds = ["pause", "resume"]
    for i, gap in enumerate(gaps):
        t += timedelta(milliseconds=gap)
        events.append(PhaseEvent(kinds[i % 2], t, "other" if i % 2 == 0 else None))  # type: ignore[arg-type]
    state = phase_state(30 * MIN, events, t + timedelta(seconds=1))
    wall = (t + timedelta(seconds=1) - T0) // timedelta(milliseconds=1)
    assert 0 <= state.elapsed_ms <= wall
    paused = sum(p.length_ms(t + timedelta(seconds=1)) for p in state.pauses)
    assert state.elapsed_ms + paused == wall


def test_a_reopened_phase_runs_on_from_where_it_ended_and_keeps_the_gap() -> None:
    events = [
        PhaseEvent("start", at(0)),
        PhaseEvent("end", at(120)),  # ended by mistake after two minutes
        PhaseEvent("reopen", at(200), "ended by mistake"),
    ]
    state = phase_state(10 * MIN, events, at(260))
    assert state.status == "running" and state.ended_at is None
    assert state.elapsed_ms == 180_000  # 2 minutes before, 1 after; the 80 s gap not counted
    (reopen,) = state.reopens
    assert (reopen.ended_at, reopen.reopened_at, reopen.gap_ms) == (at(120), at(200), 80_000)
    assert reopen.reason == "ended by mistake"
    again = phase_state(10 * MIN, [*events, PhaseEvent("end", at(300))], at(999))
    assert again.status == "ended" and again.elapsed_ms == 220_000 and again.ended_at == at(300)
    assert again.events[-1].kind == "end"  # a state carries the events it came from


def test_a_phase_ended_while_paused_reopens_running() -> None:
    events = [
        PhaseEvent("start", at(0)),
        PhaseEvent("pause", at(60), "fire alarm"),
        PhaseEvent("end", at(90)),
        PhaseEvent("reopen", at(100), "the alarm was a test"),
    ]
    state = phase_state(10 * MIN, events, at(130))
    assert state.status == "running" and state.elapsed_ms == 90_000
    assert state.pauses[0].end == at(90)


@given(st.lists(st.integers(min_value=1, max_value=600_000), min_size=2, max_size=10))
def test_ending_and_reopening_never_counts_the_gaps(gaps: list[int]) -> None:
    """Alternate end/reopen with random gaps: elapsed is the wall time less the gaps."""
    t = T0
    events = [PhaseEvent("start", t)]
    gap_total = 0
    for i, gap in enumerate(gaps):
        t += timedelta(milliseconds=gap)
        kind = "end" if i % 2 == 0 else "reopen"
        if kind == "reopen":
            gap_total += gap
        events.append(PhaseEvent(kind, t, "by mistake" if kind == "reopen" else None))  # type: ignore[arg-type]
    state = phase_state(30 * MIN, events, t)
    wall = (t - T0) // timedelta(milliseconds=1)
    assert state.elapsed_ms == wall - gap_total
    assert sum(r.gap_ms for r in state.reopens) == gap_total
