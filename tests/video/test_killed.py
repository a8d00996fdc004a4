"""A recording process killed midway keeps all but its last second or two, and plays."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from naas_centre.video.index import read_index
from naas_centre.video.probe import count_fragments
from naas_centre.video.reader import RecordingReader
from tests.video.media import FPS, probe

ROOT = Path(__file__).resolve().parents[2]
KILL_AFTER = 3.5  # seconds of recording time
MAY_LOSE = 2.0


@pytest.mark.slow
def test_a_recording_killed_midway_plays_up_to_at_most_two_seconds_before_the_kill(
    tmp_path: Path, camera_file: Path, microphone_file: Path
) -> None:
    folder = tmp_path / "recording"
    folder.mkdir()
    command = [sys.executable, "-m", "tests.video.record_until_killed"]
    errors = tmp_path / "stderr.txt"
    with (
        open(errors, "w") as stderr,
        subprocess.Popen(
            [*command, str(camera_file), str(microphone_file), str(folder)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        ) as child,
    ):
        assert child.stdout is not None
        recorded = 0.0
        try:
            for line in child.stdout:  # waits on the child's own report, never on a timer
                recorded = float(line.split()[0])
                if recorded >= KILL_AFTER:
                    break
            os.kill(child.pid, signal.SIGKILL)
        finally:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL
    assert recorded >= KILL_AFTER, errors.read_text()

    path = folder / "recording.mp4"
    facts = probe(path)  # ffprobe reads the whole file without an error
    assert facts.codecs == {"video": "h264", "audio": "aac"}
    assert facts.duration >= recorded - MAY_LOSE
    assert facts.video_frames >= (recorded - MAY_LOSE) * FPS
    assert count_fragments(path) >= int(recorded - MAY_LOSE)
    decoded = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert decoded.returncode == 0, decoded.stderr
    index = read_index(folder)
    assert not index.finished  # it says it was never closed
    with RecordingReader(folder) as reader:
        assert reader.seek(recorded - MAY_LOSE).at == pytest.approx(recorded - MAY_LOSE, abs=1 / FPS)
