"""A source's own sound (a file's track, as a network camera's microphone would be)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from naas_centre.video.recorder import Recorder
from naas_centre.video.sound import open_own_sound
from naas_centre.video.sources import FileFrames
from tests.video.media import ScaledClock, probe, sync_errors


def test_a_file_with_its_own_sound_is_recorded_with_it_in_sync(
    tmp_path: Path, camera_with_sound: Path
) -> None:
    sound = open_own_sound(str(camera_with_sound), live=False)
    assert sound is not None
    clock = ScaledClock(2.0)
    recorder = Recorder(tmp_path, FileFrames(camera_with_sound), sound, clock=clock)
    try:
        recorder.start()
        clock.wait_until(clock.now() + 5.0 - recorder.recording_time(), threading.Event())
        final = recorder.stop()
    finally:
        sound.close()
    facts = probe(tmp_path / "recording.mp4")
    assert facts.codecs == {"video": "h264", "audio": "aac"}
    assert facts.duration == pytest.approx(final.duration, abs=0.2)
    errors = sync_errors(tmp_path / "recording.mp4")
    assert len(errors) >= 4
    assert max(abs(e) for e in errors) <= 0.040, errors


def test_a_file_without_sound_has_no_own_sound(camera_file: Path) -> None:
    assert open_own_sound(str(camera_file), live=False) is None
