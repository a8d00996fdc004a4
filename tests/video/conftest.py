"""A generated camera and microphone for the video tests, made once per session."""

from __future__ import annotations

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
