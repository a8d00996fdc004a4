"""The station clock's arithmetic (no widgets): events read back from a recorded state give
that state again at any moment; provisional events; note stamps; the journal file; the chime."""

from __future__ import annotations

import io
import struct
import wave
from datetime import UTC, datetime, timedelta
from importlib.resources import files
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from naas_centre.clocks import StationClock, events_of
from naas_centre.core.timing import PhaseEvent, phase_state
from naas_centre.services.timing import PhasePlan, StationTiming
from naas_centre.writes.journal import Journal
from ui.scoring.alert_sound import FILE_NAME, chime_wav
from ui.scoring.phase_timer import alert_text, shown_clock

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@st.composite
def histories(draw: st.DrawFn) -> list[PhaseEvent]:
    """A possible history of one phase: start, pauses and resumes, perhaps an end."""
    gaps = draw(st.lists(st.integers(min_value=0, max_value=900_000), min_size=1, max_size=9))
    at = T0
    out = [PhaseEvent("start", at)]
    status = "running"
    for gap in gaps[1:]:
        at += timedelta(milliseconds=gap)
        if draw(st.booleans()) and len(out) > 1 and out[-1].kind != "end":
            out.append(PhaseEvent("end", at))
            break
        kind = "pause" if status == "running" else "resume"
        out.append(PhaseEvent(kind, at, "fire alarm" if kind == "pause" else None))  # type: ignore[arg-type]
        status = "paused" if kind == "pause" else "running"
    return out


@settings(max_examples=300, deadline=None)
@given(histories(), st.integers(min_value=0, max_value=7_200_000))
def test_events_of_a_state_give_the_same_state_at_any_later_moment(
    events: list[PhaseEvent], later_ms: int
) -> None:
    now = events[-1].at + timedelta(milliseconds=later_ms)
    state = phase_state(750_000, events, now)
    again = phase_state(750_000, events_of(state), now)
    assert again == state
    # Read at one moment, replayed at another: the clock moves on exactly as it should.
    later = now + timedelta(minutes=61)
    assert phase_state(750_000, events_of(state), later) == phase_state(750_000, events, later)


def _timing(events: dict[str, list[PhaseEvent]], now: datetime) -> StationTiming:
    from naas_centre.services.timing import PhaseTiming

    plans = [
        PhasePlan("reading", "Reading", 600_000, 750_000),
        PhasePlan("role_play", "Role-play", 1_500_000, 1_500_000),
    ]
    phases = tuple(PhaseTiming(p, phase_state(p.adjusted_ms, events.get(p.phase, []), now), 0) for p in plans)
    return StationTiming("s", "home-visit", phases, (300_000, 60_000, 0), now)


def test_provisional_events_run_the_clock_until_the_stored_ones_replace_them() -> None:
    clock = StationClock.from_timing(_timing({}, T0))
    assert clock.current(T0).plan.phase == "reading"  # type: ignore[union-attr]
    assert clock.allows("reading", "start", T0) and not clock.allows("reading", "pause", T0)
    clock.add_provisional(1, "reading", PhaseEvent("start", T0))
    now = T0 + timedelta(minutes=2)
    current = clock.current(now)
    assert current is not None and current.provisional and current.state.remaining_ms == 630_000
    assert clock.note_stamp(now) == ("reading", 120_000)
    assert not clock.allows("role_play", "start", now)  # the reading runs: end it first
    clock.stored(_timing({"reading": [PhaseEvent("start", T0)]}, now))
    assert clock.provisional == []
    current = clock.current(now)
    assert current is not None and not current.provisional and current.state.remaining_ms == 630_000


def test_clock_text_and_alert_words() -> None:
    assert shown_clock(750_000) == "12:30"
    assert shown_clock(-65_000) == "−01:05"
    assert shown_clock(400) == "00:01"  # a part-second left still shows as a second
    assert alert_text(300_000, "Role-play") == "5 minutes left: role-play"
    assert alert_text(60_000, "Reading") == "1 minute left: reading"
    assert alert_text(30_000, "Reading") == "30 s left: reading"
    assert alert_text(0, "Discussion") == "Time is up: discussion"


def test_the_journal_keeps_open_items_skips_a_torn_line_and_tidies_away(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "centre.db.pending.jsonl")
    journal.append([{"type": "item", "id": "a", "op": "x"}, {"type": "item", "id": "b", "op": "y"}])
    journal.append([{"type": "done", "id": "a", "outcome": "saved"}])
    with journal.path.open("a", encoding="utf-8") as f:
        f.write('{"v": 1, "type": "item", "id": "c"')  # killed mid-line
    assert [i["id"] for i in journal.open_items()] == ["b"]
    journal.rewrite(journal.open_items())
    assert [i["id"] for i in journal.open_items()] == ["b"]
    journal.rewrite([])
    assert not journal.path.exists() and journal.open_items() == []


def _samples(data: bytes) -> tuple[tuple[int, int, int], list[int]]:
    with wave.open(io.BytesIO(data)) as w:
        shape = (w.getnchannels(), w.getsampwidth(), w.getframerate())
        frames = w.readframes(w.getnframes())
    return shape, list(struct.unpack(f"<{len(frames) // 2}h", frames))


def test_the_shipped_chime_is_the_one_made_here() -> None:
    shipped = files("ui.common").joinpath("resources", FILE_NAME).read_bytes()
    shape, samples = _samples(shipped)
    made_shape, made = _samples(chime_wav())
    assert shape == made_shape == (1, 2, 22_050)
    assert len(samples) == len(made) > 10_000
    # The same tone: equal to the last bit, give or take a libm's rounding.
    assert max(abs(a - b) for a, b in zip(samples, made, strict=True)) <= 2
