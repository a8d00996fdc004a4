"""What the recorder reports: a small frozen value that a caller polls or is called with."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RecorderStatus:
    recording: bool
    paused: bool  # the phase is paused (marked in the index; recording goes on)
    camera_lost: bool  # the source stopped delivering; it is being retried
    disk_low: bool  # free space under the warning threshold
    frames_written: int
    frames_dropped: int  # taken from the source but not written (a full queue)
    duration: float  # seconds of recording time so far
    stopped_reason: str | None = None  # why recording stopped by itself ("disk nearly full")
    error: str | None = None  # the encoder failed; the recording stopped


IDLE = RecorderStatus(
    recording=False,
    paused=False,
    camera_lost=False,
    disk_low=False,
    frames_written=0,
    frames_dropped=0,
    duration=0.0,
)
