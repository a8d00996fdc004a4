"""A generated camera and microphone for the video tests, made once per session."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.video.media import make_sound, make_video

SOURCE_SECONDS = 8.0


@pytest.fixture(scope="session")
def camera_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_video(tmp_path_factory.mktemp("camera") / "room.mp4", SOURCE_SECONDS)


@pytest.fixture(scope="session")
def microphone_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_sound(tmp_path_factory.mktemp("microphone") / "room.wav", SOURCE_SECONDS)


@pytest.fixture(scope="session")
def camera_with_sound(
    tmp_path_factory: pytest.TempPathFactory, camera_file: Path, microphone_file: Path
) -> Path:
    """The camera file with the microphone as its own sound track (a camera with a microphone)."""
    path = tmp_path_factory.mktemp("camera-with-sound") / "room.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-i",
            str(camera_file),
            "-i",
            str(microphone_file),
            "-c:v",
            "copy",
            "-c:a",
            "aac",
            "-shortest",
            str(path),
        ],
        check=True,
    )
    return path
