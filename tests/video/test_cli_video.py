"""``naas-centre video check``: what it prints for a good source, and plain refusals."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.video.media import probe

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def video_check(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "tests.video.run_cli", "video", "check", *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)


def test_a_check_records_and_says_what_was_written(
    tmp_path: Path, camera_file: Path, microphone_file: Path
) -> None:
    out = tmp_path / "room-1"
    run = video_check(
        "--source", str(camera_file), "--audio", str(microphone_file), "--seconds", "2", "--out", str(out)
    )
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    said = dict(line.split(":", 1) for line in run.stdout.splitlines())
    assert "video h264 (320x240, 25 fps)" in said["streams"]
    assert "audio aac (48000 Hz, mono)" in said["streams"]
    duration = float(re.findall(r"[\d.]+", said["duration"])[0])
    facts = probe(out / "recording.mp4")
    assert duration == pytest.approx(facts.duration, abs=0.01)
    assert duration == pytest.approx(2.0, abs=0.2)
    assert said["frames"].strip().startswith(f"{facts.video_frames} written, 0 dropped")
    worst = float(re.findall(r"([\d.]+) ms at worst", said["sync"])[0])
    assert worst <= 40
    assert re.search(r"\d+ fragments of 1 s", said["segments"])


def test_a_file_without_sound_is_recorded_as_pictures_and_says_so(tmp_path: Path, camera_file: Path) -> None:
    run = video_check("--source", str(camera_file), "--seconds", "1", "--out", str(tmp_path / "out"))
    assert run.returncode == 0, run.stderr
    assert "no sound recorded" in run.stdout
    assert probe(tmp_path / "out" / "recording.mp4").codecs == {"video": "h264"}


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("missing file", "no such file"),
        ("not a video", "not a video file"),
        ("unreachable URL", "unreachable"),
        ("no such camera", "no camera 7"),
        ("zero seconds", "more than 0"),
        ("negative seconds", "more than 0"),
        ("seconds not a number", "not a number of seconds"),
        ("folder under a file", "cannot be written to"),
        ("folder with a recording", "already holds a recording"),
        ("sound not a WAV", "not a WAV sound file"),
    ],
)
def test_a_bad_check_is_one_plain_line_exit_2_and_leaves_nothing(
    case: str, expected: str, tmp_path: Path, camera_file: Path
) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a video\n", encoding="utf-8")
    used = tmp_path / "used"
    used.mkdir()
    (used / "recording.json").write_text("{}", encoding="utf-8")
    out = tmp_path / "out"
    source, seconds, extra = str(camera_file), "1", []
    if case == "missing file":
        source = str(tmp_path / "absent.mp4")
    elif case == "not a video":
        source = str(text)
    elif case == "unreachable URL":
        source = "rtsp://127.0.0.1:9/room-1"
    elif case == "no such camera":
        source = "7"
    elif case == "zero seconds":
        seconds = "0"
    elif case == "negative seconds":
        seconds = "-3"
    elif case == "seconds not a number":
        seconds = "ten"
    elif case == "folder under a file":
        out = text / "out"
    elif case == "folder with a recording":
        out = used
    elif case == "sound not a WAV":
        extra = ["--audio", str(text)]
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))

    run = video_check("--source", source, "--seconds", seconds, "--out", str(out), *extra)

    assert run.returncode == 2, run.stdout + run.stderr
    assert run.stdout == ""
    assert "Traceback" not in run.stderr
    message = [line for line in run.stderr.splitlines() if not line.startswith(("usage:", " "))]
    assert len(message) == 1, run.stderr
    assert expected in message[0]
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
