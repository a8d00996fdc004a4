"""Recording from a network camera that is unplugged midway and plugged in again."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from naas_centre.video.errors import SourceUnavailable
from naas_centre.video.index import read_index
from naas_centre.video.recorder import Recorder
from naas_centre.video.sources import SourceSpec, open_frame_source
from naas_centre.video.status import RecorderStatus
from tests.video.media import probe
from tests.video.network_camera import NetworkCamera

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
