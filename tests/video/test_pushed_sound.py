"""Sound handed over in chunks, as the app hands over the microphone's PCM from Qt."""

from __future__ import annotations

import threading
import wave
from pathlib import Path

import numpy as np
import pytest

from naas_centre.video.recorder import Recorder
from naas_centre.video.sound import PushedSamples
from naas_centre.video.sources import FileFrames
from tests.video.media import ScaledClock, probe, sync_errors


def test_pushed_pcm_in_uneven_chunks_comes_out_whole_and_in_mono() -> None:
    stereo = np.arange(-500, 500, dtype="<i2")  # 500 frames, left and right
    pushed = PushedSamples(sample_rate=48000, channels=2)
    data = stereo.tobytes()
    for start in range(0, len(data), 333):  # cuts through samples and frames
        pushed.push(data[start : start + 333])
    taken = pushed.take(1.0)
    expected = stereo.reshape(-1, 2).astype(np.int32).mean(axis=1).astype(np.int16)
    assert np.array_equal(taken, expected)
    assert pushed.take(2.0).size == 0


def test_a_microphone_pushing_late_chunks_stays_in_sync_with_the_pictures(
    tmp_path: Path, camera_file: Path, microphone_file: Path
) -> None:
    with wave.open(str(microphone_file), "rb") as wav:
        pcm = wav.readframes(wav.getnframes())
    clock = ScaledClock(2.0)
    microphone = PushedSamples(48000, 1, latency=0.03)
    recorder = Recorder(tmp_path, FileFrames(camera_file), microphone, clock=clock)
    stop = threading.Event()
    chunk = 48000 * 2 * 30 // 1000  # 30 ms of 16-bit mono, as an audio device's period

    def feed() -> None:
        # Each period reaches the app one period after it was heard (a device's latency).
        pushed = 0
        while clock.wait_until(recorder_start + (pushed + chunk) / 96000 + 0.03, stop):
            microphone.push(pcm[pushed : pushed + chunk])
            pushed += chunk

    recorder.start()
    recorder_start = clock.now() - recorder.recording_time()
    feeder = threading.Thread(target=feed)
    feeder.start()
    clock.wait_until(recorder_start + 5.0, threading.Event())
    final = recorder.stop()
    stop.set()
    feeder.join()

    facts = probe(tmp_path / "recording.mp4")
    assert facts.codecs == {"video": "h264", "audio": "aac"}
    assert facts.duration == pytest.approx(final.duration, abs=0.2)
    errors = sync_errors(tmp_path / "recording.mp4")
    assert len(errors) >= 4
    assert max(abs(e) for e in errors) <= 0.040, errors
