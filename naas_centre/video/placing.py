"""Where each sample of sound goes on the recording's clock.

Samples are placed one after another, so that sample n plays n / rate after the first,
as long as the microphone gives every sample at its own steady rate: a device's latency
and the bursts it delivers in change nothing. Three things do, and are corrected here:

- a microphone that starts after the pictures: its first samples go where they were
  heard, which is when they arrived less the source's ``latency`` (and what it gave from
  before the first picture is left out);
- a stall (the device lost samples, or the queue was full): silence fills the hole, and
  a backlog that arrives after it (a network stream catching up) is left out;
- a microphone clock a little slower or faster than the recording's: the lag behind the
  clock, smoothed over about a second so that bursts do not count, is held to what it
  was over the first seconds, in 10 ms steps of silence or of dropped samples, which no
  one hears.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from naas_centre.video.sound import Samples

STALL = 0.3  # seconds behind the clock at once: samples were lost
BURST = 0.1  # seconds ahead of the clock at once: a stream back after a stall sends its backlog
DRIFT = 0.03  # seconds of smoothed lag (or lead) that is corrected
STEP = 0.01  # seconds corrected at a time
SMOOTHING = 0.02  # weight of each tick's lag in the smoothed lag (ticks of 20 ms: about a second)
SETTLING = 2.0  # seconds after the first samples over which the usual lag is learnt


class SoundPlacer:
    def __init__(self, sample_rate: int, latency: float = 0.0) -> None:
        self.rate = sample_rate
        self.latency = latency
        self.placed = 0  # samples placed so far
        self.padded = 0  # samples of silence put in
        self.dropped = 0  # samples left out
        self._started_at: float | None = None
        self._lag = 0.0
        self._usual: float | None = None  # the smoothed lag once settled

    def place(self, samples: Samples, media_time: float) -> tuple[int, Samples]:
        """The position of ``samples`` (taken at ``media_time``) and the samples to write there."""
        import numpy as np

        due = int(media_time * self.rate)
        lag = (due - self.placed - samples.size) / self.rate
        pad = 0
        if self._started_at is None:
            if samples.size:
                self._started_at = media_time
                heard = due - int(self.latency * self.rate)
                samples = samples[max(0, samples.size - heard) :]  # heard before the first picture
                pad = max(0, heard - samples.size)  # a late start
                self._lag = self.latency
        elif lag > STALL:
            pad = int((lag - (self._usual or 0.0)) * self.rate)
        elif lag < -BURST:  # more than the time allows: the oldest were heard during a stall
            excess = int(-lag * self.rate)
            samples = samples[excess:]
            self.dropped += excess
        else:
            self._lag += SMOOTHING * (lag - self._lag)
            if self._usual is None:
                if media_time - self._started_at >= SETTLING:
                    self._usual = self._lag
            else:
                step = int(STEP * self.rate)
                if self._lag - self._usual > DRIFT:
                    pad, self._lag = step, self._lag - STEP
                elif self._lag - self._usual < -DRIFT and samples.size >= step:
                    samples, self._lag = samples[step:], self._lag + STEP
                    self.dropped += step
        if pad:
            samples = np.concatenate([np.zeros(pad, dtype=np.int16), samples])
            self.padded += pad
        first = self.placed
        self.placed += samples.size
        return first, samples

    def unplace(self, first: int, samples: Samples) -> None:
        """The samples just placed could not be queued: the next call sees the hole."""
        if first + samples.size == self.placed:
            self.placed = first
