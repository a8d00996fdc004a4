"""Recording from a network camera that is unplugged midway and plugged in again."""

from __future__ import annotations

import threading
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest

from naas_centre.video.errors import SourceUnavailable
from naas_centre.video.index import read_index
from naas_centre.video.recorder import Recorder
from naas_centre.video.sound import open_own_sound
from naas_centre.video.sources import FileFrames, SourceSpec, open_frame_source
from naas_centre.video.status import RecorderStatus
from tests.video.media import click_times, probe
from tests.video.network_camera import NetworkCamera, NetworkMicrophone

pytestmark = pytest.mark.slow


@pytest.fixture
def camera() -> Iterator[NetworkCamera]:
    camera = NetworkCamera()
    camera.start()
    yield camera
    camera.stop()


def test_a_network_camera_lost_midway_is_retried_and_the_recording_resumes(
    tmp_path: Path, camera: NetworkCamera
) -> None:
    lost, back = threading.Event(), threading.Event()

    def watch(status: RecorderStatus) -> None:
        if status.camera_lost:
            lost.set()
        elif lost.is_set():
            back.set()

    def wait_for_frames(count: int) -> None:
        progress = threading.Event()
        for _ in range(200):  # at most 10 s
            if recorder.status().frames_written >= count:
                return
            progress.wait(0.05)
        raise AssertionError(f"fewer than {count} pictures were written")

    source = open_frame_source(SourceSpec.parse(camera.url))
    assert source.size == (320, 240)
    recorder = Recorder(tmp_path, source, on_status=watch)
    recorder.start()
    try:
        wait_for_frames(25)  # a second of pictures first
        camera.stop()
        assert lost.wait(10), "the lost camera was never noticed"
        assert not back.is_set()
        camera.start()  # plugged in again, on the same address
        assert back.wait(10), "the camera was never found again"
        wait_for_frames(recorder.status().frames_written + 25)
    finally:
        final = recorder.stop()
        source.close()

    ((gone, returned),) = read_index(tmp_path).gaps()
    assert returned is not None and gone < returned
    assert not final.camera_lost
    facts = probe(tmp_path / "recording.mp4")
    assert facts.codecs == {"video": "h264"}
    assert facts.video_frames == final.frames_written
    assert facts.duration == pytest.approx(final.duration, abs=0.2)


def test_an_unplugged_network_camera_is_refused_in_plain_words(camera: NetworkCamera) -> None:
    url = camera.url
    camera.stop()
    with pytest.raises(SourceUnavailable, match="unreachable"):
        open_frame_source(SourceSpec.parse(url))


def test_a_network_microphone_lost_midway_is_silence_until_it_is_back(
    tmp_path: Path, camera_file: Path, microphone_file: Path
) -> None:
    with wave.open(str(microphone_file), "rb") as wav:
        microphone = NetworkMicrophone(wav.readframes(wav.getnframes()), wav.getframerate())
    microphone.start()
    sound = open_own_sound(microphone.url, live=True)
    assert sound is not None
    recorder = Recorder(tmp_path, FileFrames(camera_file), sound)
    progress = threading.Event()
    try:
        recorder.start()
        progress.wait(1.5)  # the room's sound, then the microphone unplugged for a second
        microphone.stop()
        progress.wait(1.0)
        microphone.start()
        progress.wait(2.5)
    finally:
        final = recorder.stop()
        sound.close()
        microphone.stop()

    facts = probe(tmp_path / "recording.mp4")
    assert facts.codecs == {"video": "h264", "audio": "aac"}
    assert facts.duration == pytest.approx(final.duration, abs=0.2)
    clicks = click_times(tmp_path / "recording.mp4")
    # Clicks come once a second while the microphone is on; none while it is unplugged.
    assert any(c < 1.5 for c in clicks)
    assert any(c > 3.0 for c in clicks), clicks
    assert not any(1.6 < c < 2.4 for c in clicks), clicks
