"""An encrypted centre's recording reviewed: the recorder seals it as the app records, and
the review dialog's player plays it from the decrypting device (no clear copy on disk)."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtMultimedia import QMediaPlayer
from pytestqt.qtbot import QtBot

from db import cipher
from db.base import utcnow
from naas_centre import paths
from naas_centre.protection import sealed, sealed_media
from naas_centre.services import centre, recordings
from naas_centre.video.recorder import Recorder
from naas_centre.video.sound import WavSamples
from naas_centre.video.sources import FileFrames
from tests.ui.conftest import DemoCentre
from tests.ui.scoring_station_support import first_sitting
from tests.video.media import ScaledClock, make_sound, make_video
from ui.video.review_dialog import ReviewDialog
from ui.work.tasks import TaskManager

STATION = "home-visit"
SECONDS = 4.0
PASSPHRASE = "Correct horse battery 1"


@pytest.fixture
def encrypted(tmp_path: Path, demo_template: tuple[Path, date]) -> Iterator[DemoCentre]:
    folder = tmp_path / "data"
    folder.mkdir()
    path = paths.demo_db_path(folder)
    shutil.copy(demo_template[0], path)
    cipher.encrypt(path, PASSPHRASE)
    cipher.unlock(path, PASSPHRASE)
    db = centre.open_database(path, folder)
    yield DemoCentre(folder, path, db, demo_template[1])
    db.dispose()
    cipher.forget()
    sealed.forget()


def _record(demo: DemoCentre, scratch: Path) -> tuple[str, Path, float]:
    a1 = demo.actor("assessor1")
    sid = first_sitting(demo, a1)
    recordings.record_candidate_consent(demo.db, a1, sid, True)
    recordings.record_actor_consent(demo.db, a1, sid, STATION)
    view = recordings.start_recording(demo.db, a1, sid, STATION, started_at=utcnow() - timedelta(minutes=5))
    folder = demo.folder / view.folder
    folder.mkdir(parents=True)
    clock = ScaledClock(2.0)
    recorder = Recorder(
        folder,
        FileFrames(make_video(scratch / "camera.mp4", SECONDS)),
        WavSamples(make_sound(scratch / "microphone.wav", SECONDS)),
        clock=clock,
        seal=recordings.media_passphrase(demo.db),
    )
    recorder.start()
    clock.wait_until(SECONDS, threading.Event())
    status = recorder.stop()
    recordings.finish_recording(demo.db, a1, view.id, status.duration)
    return sid, folder / "recording.mp4", status.duration


def test_the_review_player_plays_a_sealed_recording(
    qtbot: QtBot, tasks: TaskManager, encrypted: DemoCentre, tmp_path: Path
) -> None:
    sid, media, duration = _record(encrypted, tmp_path)
    assert sealed_media.is_sealed_media(media) and b"mdat" not in media.read_bytes()
    before = sorted(p.name for p in media.parent.iterdir())
    dialog = ReviewDialog(tasks, encrypted.db, encrypted.actor("manager"), encrypted.folder, sid, STATION)
    qtbot.addWidget(dialog)
    with (
        qtbot.waitSignal(dialog.loaded, timeout=15_000),
        qtbot.waitSignal(dialog.media_ready, timeout=15_000),
    ):
        dialog.show()
    assert dialog.data is not None and dialog.data.sealed is not None
    assert dialog.player.duration() == pytest.approx(duration * 1000, abs=200)
    qtbot.mouseClick(dialog.viewer.play_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState)
    qtbot.waitUntil(lambda: dialog.player.position() > 500, timeout=15_000)
    assert not dialog.viewer.message.isVisible()
    assert sorted(p.name for p in media.parent.iterdir()) == before  # no clear copy beside it
    dialog.close()
    tasks.wait()
