"""Stand-ins for a camera and a microphone, and ffprobe's view of what was written.

The test video is a moving pattern with its frame number drawn on it and a white flash
every ``FLASH_EVERY`` seconds; the test sound is a quiet tone with a loud click at the
very instant of each flash. Measuring flash against click in a recording measures sync.
``ScaledClock`` runs faster than real time, so a recording of seconds takes less.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
import wave
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

FPS = 25
FLASH_EVERY = 1.0
FLASH_AT = 0.4  # the first flash, seconds; then every FLASH_EVERY
RATE = 48000


def flash_frames(seconds: float, fps: int = FPS) -> list[int]:
    return [
        round((FLASH_AT + k * FLASH_EVERY) * fps) for k in range(int((seconds - FLASH_AT) / FLASH_EVERY) + 1)
    ]


def make_video(path: Path, seconds: float, size: tuple[int, int] = (320, 240), fps: int = FPS) -> Path:
    width, height = size
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), fps, size)
    flashes = set(flash_frames(seconds, fps))
    ys, xs = np.mgrid[0:height, 0:width]
    for n in range(round(seconds * fps)):
        if n in flashes:
            image = np.full((height, width, 3), 255, np.uint8)
        else:
            band = ((xs + 4 * n) // 16 + ys // 16) % 2
            image = np.dstack([band * 60, band * 40 + 20, np.full_like(band, 50)]).astype(np.uint8)
            cv2.putText(image, str(n), (10, height - 20), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (200, 200, 200), 2)
        writer.write(image)
    writer.release()
    return path


def make_sound(path: Path, seconds: float, rate: int = RATE) -> Path:
    t = np.arange(round(seconds * rate)) / rate
    samples = 0.05 * np.sin(2 * np.pi * 440 * t)
    click = int(0.005 * rate)
    for frame in flash_frames(seconds):
        at = round(frame / FPS * rate)
        samples[at : at + click] = 0.9
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((samples * 32767).astype("<i2").tobytes())
    return path


class ScaledClock:
    """A clock that runs ``factor`` times faster than the real one."""

    def __init__(self, factor: float) -> None:
        self.factor = factor
        self._origin = time.monotonic()

    def now(self) -> float:
        return (time.monotonic() - self._origin) * self.factor

    def wait_until(self, instant: float, stop: threading.Event) -> bool:
        delay = (instant - self.now()) / self.factor
        if delay > 0:
            return not stop.wait(delay)
        return not stop.is_set()


@dataclass(frozen=True)
class Probed:
    codecs: dict[str, str]  # codec_type -> codec_name
    duration: float
    video_frames: int
    audio_start: float
    video_start: float


def probe(path: Path) -> Probed:
    run = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-count_frames",
            "-show_streams",
            "-show_format",
            "-of",
            "json",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(run.stdout)
    streams = {s["codec_type"]: s for s in data["streams"]}
    return Probed(
        codecs={kind: s["codec_name"] for kind, s in streams.items()},
        duration=float(data["format"]["duration"]),
        video_frames=int(streams["video"]["nb_read_frames"]),
        audio_start=float(streams["audio"].get("start_time", 0)) if "audio" in streams else 0.0,
        video_start=float(streams["video"].get("start_time", 0)),
    )


def flash_times(path: Path) -> list[float]:
    """When the picture turns white, from the decoded frames and their own times."""
    times = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-select_streams",
            "v",
            "-show_entries",
            "frame=pts_time",
            "-of",
            "csv=p=0",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    raw = subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-i",
            str(path),
            "-map",
            "0:v",
            "-fps_mode",
            "passthrough",
            "-vf",
            "scale=8:8,format=gray",
            "-f",
            "rawvideo",
            "-",
        ],
        capture_output=True,
        check=True,
    ).stdout
    brightness = np.frombuffer(raw, np.uint8).reshape(-1, 64).mean(axis=1)
    assert len(brightness) == len(times), (len(brightness), len(times))
    found = []
    for n in range(1, len(brightness)):
        if brightness[n] > 200 and brightness[n - 1] < 150:
            found.append(float(times[n]))
    return found


def click_times(path: Path) -> list[float]:
    """When the sound jumps to a click, on the audio stream's own time line."""
    raw = subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-i",
            str(path),
            "-map",
            "0:a",
            "-ac",
            "1",
            "-ar",
            str(RATE),
            "-f",
            "s16le",
            "-",
        ],
        capture_output=True,
        check=True,
    ).stdout
    start = probe(path).audio_start
    loud = np.flatnonzero(np.abs(np.frombuffer(raw, "<i2").astype(np.int32)) > 16000)
    found: list[float] = []
    last = -RATE
    for at in loud:
        if at - last > RATE // 4:
            found.append(start + at / RATE)
        last = at
    return found


def sync_errors(path: Path) -> list[float]:
    """Flash minus nearest click, seconds, for every flash in the recording."""
    clicks = click_times(path)
    assert clicks, "no click in the recording"
    return [min((flash - click for click in clicks), key=abs) for flash in flash_times(path)]
