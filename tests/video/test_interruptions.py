"""A camera that goes away and comes back; a disk that fills up."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import cv2
import pytest

from naas_centre.video.errors import RecordingRefused
from naas_centre.video.index import read_index
from naas_centre.video.reader import RecordingReader
from naas_centre.video.recorder import Recorder
from naas_centre.video.sound import WavSamples
from naas_centre.video.sources import FileFrames, Image
from naas_centre.video.status import RecorderStatus
from tests.video.media import FPS, ScaledClock, probe, sync_errors

MB = 1024**2


class VanishingCamera:
    """The generated camera, unplugged from ``gone`` to ``back`` seconds of recording time.

    While it is gone it delivers nothing and cannot be reopened, as a USB camera pulled out
    of its socket; the pictures are the real file's.
    """

    def __init__(self, path: Path, gone: float, back: float) -> None:
        self._file = FileFrames(path)
        self.fps, self.size, self.description = self._file.fps, self._file.size, "vanishing camera"
        self._gone, self._back = gone, back
        self.now: Callable[[], float] = lambda: 0.0  # the recording's time, once it runs
        self.reopened = 0

    def frame_at(self, media_time: float) -> Image | None:
        if self._gone <= media_time < self._back:
            return None
        return self._file.frame_at(media_time)

    def reopen(self) -> bool:
        self.reopened += 1
        return not self._gone <= self.now() < self._back

    def close(self) -> None:
        self._file.close()


def test_a_camera_that_vanishes_is_retried_and_the_recording_resumes_with_the_gap_marked(
    tmp_path: Path, camera_file: Path, microphone_file: Path
) -> None:
    clock = ScaledClock(2.0)
    camera = VanishingCamera(camera_file, gone=1.5, back=3.0)
    seen: list[RecorderStatus] = []
    recorder = Recorder(tmp_path, camera, WavSamples(microphone_file), clock=clock, on_status=seen.append)
    camera.now = recorder.recording_time
    recorder.start()
    clock.wait_until(clock.now() + 5.0 - recorder.recording_time(), threading.Event())
    final = recorder.stop()

    assert [s.camera_lost for s in seen].count(True) >= 1
    assert not final.camera_lost
    assert camera.reopened >= 2  # retried while gone, then found back
    ((lost, back),) = read_index(tmp_path).gaps()
    assert lost == pytest.approx(1.5, abs=0.1)
    assert back is not None
    assert 3.0 <= back <= 3.0 + 1.0 + 0.1  # retried once a second
    facts = probe(tmp_path / "recording.mp4")
    assert facts.codecs == {"video": "h264", "audio": "aac"}
    assert facts.duration == pytest.approx(final.duration, abs=0.2)
    missing = (back - lost) * FPS
    assert facts.video_frames == pytest.approx(final.duration * FPS - missing, abs=3)
    with RecordingReader(tmp_path) as reader:
        assert reader.seek(back + 0.5).at == pytest.approx(back + 0.5, abs=1 / FPS)
        assert reader.seek((lost + back) / 2).at < lost  # the last picture before the gap
    # The sound went on through the gap, and on the same clock as the pictures after it.
    assert max(abs(e) for e in sync_errors(tmp_path / "recording.mp4")) <= 0.040


class FillingDisk:
    """Free space that falls as the recording goes on, as a disk filling up would."""

    def __init__(self, recorder_time: list[Recorder]) -> None:
        self._recorder = recorder_time

    def __call__(self, folder: Path) -> int:
        elapsed = self._recorder[0].recording_time() if self._recorder else 0.0
        if elapsed < 1.5:
            return 5000 * MB
        if elapsed < 3.0:
            return 800 * MB
        return 100 * MB


def test_a_disk_that_fills_up_warns_then_stops_the_recording_cleanly(
    tmp_path: Path, camera_file: Path, microphone_file: Path
) -> None:
    holder: list[Recorder] = []
    clock = ScaledClock(2.0)
    seen: list[RecorderStatus] = []
    recorder = Recorder(
        tmp_path,
        FileFrames(camera_file),
        WavSamples(microphone_file),
        clock=clock,
        free_bytes=FillingDisk(holder),
        warn_bytes=1000 * MB,
        stop_bytes=200 * MB,
        on_status=seen.append,
    )
    holder.append(recorder)
    recorder.start()
    assert recorder.wait(timeout=30), "the recorder did not stop by itself"
    final = recorder.stop()

    assert any(s.disk_low and s.recording for s in seen)
    assert final.disk_low and not final.recording
    assert final.stopped_reason is not None and "disk nearly full" in final.stopped_reason
    assert 3.0 <= final.duration <= 4.2  # the disk is checked once a second
    index = read_index(tmp_path)
    assert index.finished
    assert [m.kind for m in index.marks] == ["disk_low", "stopped"]
    facts = probe(tmp_path / "recording.mp4")
    assert facts.duration == pytest.approx(final.duration, abs=0.2)


def test_too_little_space_refuses_to_start_and_writes_nothing(tmp_path: Path, camera_file: Path) -> None:
    recorder = Recorder(tmp_path, FileFrames(camera_file), free_bytes=lambda folder: 10 * MB)
    with pytest.raises(RecordingRefused, match="too little to record"):
        recorder.start()
    assert list(tmp_path.iterdir()) == []


def test_space_already_low_at_the_start_is_marked_at_the_start_once(
    tmp_path: Path, camera_file: Path
) -> None:
    seen: list[RecorderStatus] = []
    clock = ScaledClock(4.0)
    recorder = Recorder(
        tmp_path,
        FileFrames(camera_file),
        clock=clock,
        free_bytes=lambda folder: 500 * MB,
        warn_bytes=1000 * MB,
        stop_bytes=200 * MB,
        on_status=seen.append,
    )
    recorder.start()
    clock.wait_until(2.5, threading.Event())  # long enough for the disk to be checked again
    final = recorder.stop()
    assert seen[0].disk_low and final.disk_low and final.stopped_reason is None
    marks = read_index(tmp_path).marks
    assert [(m.kind, m.at, m.note) for m in marks if m.kind == "disk_low"] == [
        ("disk_low", 0.0, "500 MB free at the start")
    ]


def test_a_folder_that_holds_a_recording_is_refused(tmp_path: Path, camera_file: Path) -> None:
    first = Recorder(tmp_path, FileFrames(camera_file), clock=ScaledClock(4.0))
    first.start()
    first.stop()
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(RecordingRefused, match="already holds a recording"):
        Recorder(tmp_path, FileFrames(camera_file)).start()
    assert sorted(p.name for p in tmp_path.iterdir()) == before


class CameraBackAtAnotherSize(VanishingCamera):
    """Comes back from the gap at twice the size, as a camera reset to its default mode."""

    def frame_at(self, media_time: float) -> Image | None:
        image = super().frame_at(media_time)
        if image is None or media_time < self._back:
            return image
        return cv2.resize(image, (image.shape[1] * 2, image.shape[0] * 2))


def test_a_camera_back_at_another_size_is_scaled_to_the_recording(tmp_path: Path, camera_file: Path) -> None:
    clock = ScaledClock(2.0)
    camera = CameraBackAtAnotherSize(camera_file, gone=1.0, back=1.5)
    recorder = Recorder(tmp_path, camera, clock=clock)
    camera.now = recorder.recording_time
    recorder.start()
    clock.wait_until(clock.now() + 3.5 - recorder.recording_time(), threading.Event())
    preview = recorder.latest()
    final = recorder.stop()
    assert preview is not None and preview.image.shape == (240, 320, 3)
    assert len(read_index(tmp_path).gaps()) == 1
    facts = probe(tmp_path / "recording.mp4")
    assert facts.video_frames == final.frames_written
    with RecordingReader(tmp_path) as reader:
        assert reader.seek(3.0).image.shape == (240, 320, 3)


class CameraGoneGrey(VanishingCamera):
    """From ``gone`` on, gives one-channel pictures the encoder cannot take."""

    def frame_at(self, media_time: float) -> Image | None:
        image = self._file.frame_at(media_time)
        if image is None or media_time < self._gone:
            return image
        return image[:, :, 0]


def test_an_encoder_that_fails_stops_the_recording_with_what_came_before_kept(
    tmp_path: Path, camera_file: Path, microphone_file: Path
) -> None:
    clock = ScaledClock(2.0)
    recorder = Recorder(
        tmp_path, CameraGoneGrey(camera_file, gone=2.0, back=99), WavSamples(microphone_file), clock=clock
    )
    recorder.start()
    assert recorder.wait(timeout=30), "the recorder did not stop by itself"
    final = recorder.stop()
    assert not final.recording
    assert final.error is not None and final.error.startswith("recording stopped:")
    index = read_index(tmp_path)
    assert index.finished
    assert index.marks[-1].kind == "stopped" and index.marks[-1].note == final.error
    facts = probe(tmp_path / "recording.mp4")
    assert facts.video_frames == pytest.approx(2.0 * FPS, abs=3)
