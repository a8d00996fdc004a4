"""Placing sound on the recording's clock, tick by tick, with the microphones a room may have."""

from __future__ import annotations

import numpy as np
import pytest

from naas_centre.video.placing import SoundPlacer

RATE = 48000
TICK = 0.02


def run(
    placer: SoundPlacer, seconds: float, delivered: float, stall: tuple[float, float] | None = None
) -> float:
    """Feed ``placer`` a microphone that gives ``delivered`` seconds of sound per second;
    the worst distance between where a sample was placed and where it was heard."""
    heard = 0  # samples the microphone has given
    worst = 0.0
    for n in range(1, int(seconds / TICK) + 1):
        now = n * TICK
        lost = stall is not None and stall[0] <= now < stall[1]
        upto = max(heard, int((now - placer.latency) * RATE * delivered))
        count = upto - heard
        heard = upto
        if lost:
            continue  # those samples never arrive
        first, samples = placer.place(np.ones(count, np.int16), now)
        if count:
            # The newest sample was heard at (upto / delivered) / RATE; where was it put?
            placed_at = (first + samples.size) / RATE
            heard_at = upto / delivered / RATE
            if now > 3:
                worst = max(worst, abs(placed_at - heard_at))
    return worst


def test_a_steady_microphone_is_placed_sample_after_sample() -> None:
    placer = SoundPlacer(RATE, latency=0.03)
    assert run(placer, 60, 1.0) < 0.005
    assert placer.padded == 0 and placer.dropped == 0


def test_a_microphone_whose_clock_runs_slow_or_fast_is_held_within_40_ms() -> None:
    for rate in (0.997, 1.003):  # 3.6 s in 20 minutes if nothing were done
        placer = SoundPlacer(RATE, latency=0.02)
        assert run(placer, 1200, rate) <= 0.040
        assert placer.padded > 0 if rate < 1 else placer.dropped > 0


def test_a_stall_is_filled_with_silence_and_what_follows_is_in_place() -> None:
    placer = SoundPlacer(RATE)
    assert run(placer, 20, 1.0, stall=(8.0, 9.0)) < 0.005
    assert placer.padded >= RATE * 0.95


def test_a_backlog_after_a_stall_is_left_out_rather_than_pushing_the_sound_late() -> None:
    placer = SoundPlacer(RATE)
    for n in range(1, 101):  # two seconds of a steady stream
        placer.place(np.ones(int(TICK * RATE), np.int16), n * TICK)
    for n in range(101, 151):  # a second of nothing: silence
        placer.place(np.zeros(0, np.int16), n * TICK)
    first, samples = placer.place(np.ones(RATE, np.int16), 151 * TICK)  # the backlog at once
    assert (first + samples.size) / RATE == pytest.approx(151 * TICK, abs=0.005)
