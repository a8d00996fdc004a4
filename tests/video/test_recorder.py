"""Recording from a generated camera and microphone, checked with ffprobe and ffmpeg."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest

from naas_centre.video.index import read_index
from naas_centre.video.reader import RecordingReader
from naas_centre.video.recorder import PreviewFrame, Recorder
from naas_centre.video.sound import WavSamples
from naas_centre.video.sources import FileFrames
from naas_centre.video.status import RecorderStatus
from tests.video.media import FPS, ScaledClock, flash_frames, probe, sync_errors

SPEED = 2.0  # the clock runs twice as fast as real time
SECONDS = 6.0


@dataclass(frozen=True)
class Recorded:
    folder: Path
    final: RecorderStatus
    previews: list[PreviewFrame]


def run_for(
    recorder: Recorder, clock: ScaledClock, seconds: float, at: dict[float, str] | None = None
) -> None:
    """Let ``recorder`` run for ``seconds`` of recording time, marking pauses on the way."""
    never = threading.Event()
    for when, what in sorted((at or {}).items()):
        clock.wait_until(clock.now() + when - recorder.recording_time(), never)
        recorder.mark_pause() if what == "pause" else recorder.mark_resume()
    clock.wait_until(clock.now() + seconds - recorder.recording_time(), never)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory, camera_file: Path, microphone_file: Path) -> Recorded:
    folder = tmp_path_factory.mktemp("recording")
    clock = ScaledClock(SPEED)
    recorder = Recorder(folder, FileFrames(camera_file), WavSamples(microphone_file), clock=clock)
    previews: list[PreviewFrame] = []
    recorder.start()
    run_for(recorder, clock, 2.0)
    preview = recorder.latest()
    assert preview is not None
    previews.append(preview)
    run_for(recorder, clock, SECONDS, at={2.5: "pause", 3.5: "resume"})
    final = recorder.stop()
    return Recorded(folder, final, previews)


def test_both_streams_are_h264_and_aac_for_the_time_recorded(recorded: Recorded) -> None:
    facts = probe(recorded.folder / "recording.mp4")
    assert facts.codecs == {"video": "h264", "audio": "aac"}
    assert recorded.final.duration == pytest.approx(SECONDS, abs=0.1)
    assert facts.duration == pytest.approx(recorded.final.duration, abs=0.2)
    expected = recorded.final.duration * FPS
    assert abs(facts.video_frames - expected) <= 0.01 * expected
    assert recorded.final.frames_written == facts.video_frames
    assert recorded.final.frames_dropped == 0


def test_picture_and_sound_stay_within_40_ms_from_flash_to_click(recorded: Recorded) -> None:
    errors = sync_errors(recorded.folder / "recording.mp4")
    assert len(errors) == len(flash_frames(SECONDS - 0.2))
    assert max(abs(e) for e in errors) <= 0.040, errors


def test_the_index_says_finished_with_the_pause_marked(recorded: Recorded) -> None:
    index = read_index(recorded.folder)
    assert index.finished
    assert index.duration == pytest.approx(recorded.final.duration, abs=0.01)
    ((paused, resumed),) = index.pauses()
    assert paused == pytest.approx(2.5, abs=0.1)
    assert resumed == pytest.approx(3.5, abs=0.1)
    assert [m.kind for m in index.marks] == ["pause", "resume", "stopped"]


def test_the_preview_slot_holds_the_newest_picture(recorded: Recorded) -> None:
    (preview,) = recorded.previews
    assert preview.image.shape == (240, 320, 3)
    assert preview.at == pytest.approx(2.0, abs=0.2)


def test_the_reader_seeks_to_the_exact_frame_and_steps_both_ways(recorded: Recorded) -> None:
    flash = flash_frames(SECONDS)[1] / FPS
    with RecordingReader(recorded.folder) as reader:
        before = reader.seek(flash - 1 / FPS)
        assert before.at == pytest.approx(flash - 1 / FPS)
        assert before.image.mean() < 150
        on = reader.step()
        assert on is not None
        assert on.at == pytest.approx(flash)
        assert on.image.mean() > 200
        back = reader.step(-1)
        assert back is not None
        assert back.at == pytest.approx(flash - 1 / FPS)
        assert reader.seek(flash + 0.01).at == pytest.approx(flash)  # the frame on screen then
        still = cv2.imdecode(np.frombuffer(reader.still_png(flash), np.uint8), cv2.IMREAD_COLOR)
        assert still.shape == (240, 320, 3)
        assert still.mean() > 200
        last = reader.seek(1000.0)
        assert last.at == pytest.approx(recorded.final.frames_written / FPS - 1 / FPS, abs=0.05)
        assert reader.step() is None
