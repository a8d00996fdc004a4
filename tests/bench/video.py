"""Recording speed: 1280x720 at 25 fps with sound, while a preview reads the newest picture.

The camera is a generated file (a moving pattern with sensor-like noise, a white flash
every two seconds) and the microphone a generated WAV (a tone with a click at each
flash), both played on the real clock as a room's devices would be. A preview thread
takes the recorder's newest picture 25 times a second and scales it as a preview would;
a stand-in event loop thread ticks every 16 ms and notes how late each tick comes.
That loop is not the GUI's: the GUI's own stall is measured with the preview in place.

Prints progress, then one JSON object on its last line:

* ``dropped_pct``: pictures taken but not written, of all taken
* ``mb_per_min``: the recording's size per minute
* ``cpu_pct``: this process's CPU time over the wall time (100 = one core of the machine's)
* ``av_sync_ms``: the worst flash-to-click distance in the recording, measured from the file
* ``stall_p99_ms`` (``stall_is``: a stand-in event loop): 99th percentile of a tick's lateness

* ``sealed``: whether the recording was sealed as an encrypted centre's is (``--sealed``)
* ``probe_s``: reading the whole recording back (streams, frames, sync), decrypting if sealed

    python tests/bench/video.py [--seconds 300] [--sealed]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import wave
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from naas_centre.video.probe import describe  # noqa: E402
from naas_centre.video.recorder import Recorder  # noqa: E402
from naas_centre.video.sound import WavSamples  # noqa: E402
from naas_centre.video.sources import FileFrames  # noqa: E402

FPS, WIDTH, HEIGHT, RATE = 25, 1280, 720, 48000
LOOP_SECONDS = 10  # the generated camera plays this loop again and again
FLASH_EVERY = 2


def make_camera(path: Path) -> None:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), FPS, (WIDTH, HEIGHT))
    rng = np.random.default_rng(1)
    ys, xs = np.mgrid[0:HEIGHT, 0:WIDTH]
    for n in range(LOOP_SECONDS * FPS):
        if n % (FLASH_EVERY * FPS) == FPS // 2:
            image = np.full((HEIGHT, WIDTH, 3), 255, np.uint8)
        else:
            band = (((xs + 6 * n) // 40 + ys // 40) % 2 * 90 + 40).astype(np.int16)
            noise = rng.normal(0, 4, (HEIGHT, WIDTH)).astype(np.int16)
            grey = np.clip(band + noise, 0, 255).astype(np.uint8)
            image = np.dstack([grey, grey, grey])
            cv2.putText(image, f"{n:04d}", (40, HEIGHT - 60), cv2.FONT_HERSHEY_SIMPLEX, 3, (255, 255, 255), 6)
        writer.write(image)
    writer.release()


def make_microphone(path: Path) -> None:
    t = np.arange(LOOP_SECONDS * RATE) / RATE
    samples = 0.05 * np.sin(2 * np.pi * 440 * t) + np.random.default_rng(2).normal(0, 0.005, t.size)
    for k in range(LOOP_SECONDS // FLASH_EVERY):
        at = int((k * FLASH_EVERY + (FPS // 2) / FPS) * RATE)
        samples[at : at + RATE // 200] = 0.9
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())


def preview(recorder: Recorder, stop: threading.Event, shown: list[int]) -> None:
    while not stop.wait(1 / FPS):
        latest = recorder.latest()
        if latest is not None:
            cv2.resize(latest.image, (640, 360), interpolation=cv2.INTER_AREA)
            shown.append(1)


def event_loop(stop: threading.Event, lateness: list[float]) -> None:
    period = 0.016
    due = time.perf_counter() + period
    while not stop.is_set():
        time.sleep(max(0.0, due - time.perf_counter()))
        lateness.append(max(0.0, time.perf_counter() - due))
        due += period
        sum(range(200))  # a little work, as a tick of a GUI would do


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument(
        "--sealed", action="store_true", help="seal the recording as an encrypted centre's is"
    )
    args = parser.parse_args()
    passphrase = "bench passphrase" if args.sealed else None
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        camera, microphone = folder / "camera.avi", folder / "microphone.wav"
        make_camera(camera)
        make_microphone(microphone)
        out = folder / "recording"
        out.mkdir()
        recorder = Recorder(out, FileFrames(camera), WavSamples(microphone), seal=passphrase)
        stop = threading.Event()
        shown: list[int] = []
        lateness: list[float] = []
        helpers = [
            threading.Thread(target=preview, args=(recorder, stop, shown)),
            threading.Thread(target=event_loop, args=(stop, lateness)),
        ]
        cpu_before, wall_before = os.times(), time.perf_counter()
        recorder.start()
        for helper in helpers:
            helper.start()
        next_report = 10.0
        while not stop.wait(0.5) and recorder.recording_time() < args.seconds:
            if recorder.recording_time() >= next_report:
                status = recorder.status()
                written, dropped = status.frames_written, status.frames_dropped
                print(f"{status.duration:6.1f} s  {written} written  {dropped} dropped", flush=True)
                next_report += 10.0
        final = recorder.stop()
        stop.set()
        for helper in helpers:
            helper.join()
        cpu_after, wall = os.times(), time.perf_counter() - wall_before
        cpu = (cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system)
        probe_start = time.perf_counter()
        facts = describe(out, passphrase=passphrase)
        probe_s = time.perf_counter() - probe_start
        taken = final.frames_written + final.frames_dropped
        result = {
            "seconds": round(final.duration, 2),
            "frames_written": final.frames_written,
            "dropped_pct": round(100 * final.frames_dropped / max(1, taken), 3),
            "mb_per_min": round(facts.size_bytes / 1e6 / (final.duration / 60), 2),
            "cpu_pct": round(100 * cpu / wall, 1),
            "cores": os.cpu_count(),
            "av_sync_ms": max((abs(d) for d in facts.flash_click_ms), default=None),
            "sync_pairs": len(facts.flash_click_ms),
            "stall_p99_ms": round(1000 * float(np.percentile(lateness, 99)), 2),
            "stall_median_ms": round(1000 * statistics.median(lateness), 2),
            "stall_is": "a stand-in event loop thread in this process, not the GUI's",
            "previews_shown": len(shown),
            "size": f"{WIDTH}x{HEIGHT}",
            "fps": FPS,
            "sealed": args.sealed,
            "probe_s": round(probe_s, 2),
            "load_avg": [round(v, 2) for v in os.getloadavg()],
        }
        print(json.dumps(result))


if __name__ == "__main__":
    main()
