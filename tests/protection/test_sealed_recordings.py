"""An encrypted demo centre's recordings: recorded sealed through the services, exported in
clear, resealed by ``db rekey`` and written back by ``db decrypt`` (real SQLCipher files,
real recordings of the generated camera)."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from db import cipher
from db.engine import Database
from naas_centre.cli import main
from naas_centre.demo.centre import ACCOUNTS, create_demo
from naas_centre.errors import UserError
from naas_centre.protection import sealed, sealed_media
from naas_centre.services import accounts, recordings, sittings
from naas_centre.video.reader import RecordingReader
from naas_centre.video.recorder import Recorder
from naas_centre.video.sound import WavSamples
from naas_centre.video.sources import FileFrames
from tests.conftest import WORKSTATION
from tests.video.media import FPS, ScaledClock, make_sound, make_video, probe

PASSPHRASE = "Correct horse battery 1"
NEW = "Battery staple 2"
SECONDS = 3.0
PASSWORDS = {a.username: a.password for a in ACCOUNTS}


@dataclass(frozen=True)
class Centre:
    db: Database
    path: Path
    data: Path
    recording_id: str
    media: Path


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, date]:
    folder = tmp_path_factory.mktemp("demo")
    result = create_demo(folder / "centre.db", data_dir=folder)
    result.db.dispose()
    return folder / "centre.db", result.day


@pytest.fixture(scope="module")
def camera(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("camera")
    return make_video(folder / "room.mp4", SECONDS + 2), make_sound(folder / "room.wav", SECONDS + 2)


@pytest.fixture
def centre(tmp_path: Path, demo_template: tuple[Path, date], camera: tuple[Path, Path]) -> Iterator[Centre]:
    """An encrypted copy of the demo with one finished recording, made as the app makes it."""
    path, data = tmp_path / "centre.db", tmp_path / "data"
    data.mkdir(mode=0o700)
    shutil.copy(demo_template[0], path)
    cipher.encrypt(path, PASSPHRASE)
    cipher.unlock(path, PASSPHRASE)
    db = Database(path, WORKSTATION)
    a1 = accounts.authenticate(db, "assessor1", PASSWORDS["assessor1"])
    sitting = sittings.list_for_assessor(db, a1, demo_template[1])[0]
    station = next(st for st in sittings.sitting_detail(db, a1, sitting.id).stations if st.actor_name)
    recordings.record_candidate_consent(db, a1, sitting.id, True)
    recordings.record_actor_consent(db, a1, sitting.id, station.id)
    view = recordings.start_recording(db, a1, sitting.id, station.id)
    folder = data / view.folder
    folder.mkdir(parents=True)
    clock = ScaledClock(2.0)
    recorder = Recorder(
        folder,
        FileFrames(camera[0]),
        WavSamples(camera[1]),
        clock=clock,
        seal=recordings.media_passphrase(db),
    )
    recorder.start()
    clock.wait_until(clock.now() + SECONDS - recorder.recording_time(), threading.Event())
    final = recorder.stop()
    recordings.finish_recording(db, a1, view.id, final.duration)
    yield Centre(db, path, data, view.id, folder / "recording.mp4")
    db.dispose()
    cipher.forget()
    sealed.forget()


def test_the_app_records_sealed_and_exports_an_mp4_ffprobe_reads(centre: Centre, tmp_path: Path) -> None:
    assert sealed_media.is_sealed_media(centre.media)
    assert b"mdat" not in centre.media.read_bytes()
    manager = accounts.authenticate(centre.db, "manager", PASSWORDS["manager"])
    out = tmp_path / "out"
    out.mkdir()
    written = recordings.export(centre.db, manager, centre.data, centre.recording_id, out)
    facts = probe(written / "recording.mp4")
    assert facts.codecs == {"video": "h264", "audio": "aac"}
    assert facts.duration == pytest.approx(SECONDS, abs=0.25)
    assert facts.video_frames >= (SECONDS - 0.2) * FPS


def test_rekey_keeps_it_readable_and_decrypt_makes_it_plain(centre: Centre, tmp_path: Path) -> None:
    with sealed_media.SealedMediaFile(centre.media, PASSPHRASE) as media:
        clear = b"".join(media.chunks())
    centre.db.dispose()
    good, new = tmp_path / "good", tmp_path / "new"
    good.write_text(PASSPHRASE + "\n")
    new.write_text(NEW + "\n")
    common = ["--db", str(centre.path), "--data-dir", str(centre.data)]
    cipher.forget()
    argv = ["db", "rekey", *common, "--db-passphrase-file", str(good), "--new-passphrase-file", str(new)]
    assert main(argv) == 0
    with pytest.raises(UserError, match="passphrase does not open"):
        RecordingReader(centre.media.parent, PASSPHRASE)
    with RecordingReader(centre.media.parent, NEW) as reader:
        assert reader.duration == pytest.approx(SECONDS, abs=0.25)
    cipher.forget()
    assert main(["db", "decrypt", *common, "--db-passphrase-file", str(new)]) == 0
    assert centre.media.read_bytes() == clear
    with RecordingReader(centre.media.parent) as reader:
        assert reader.duration == pytest.approx(SECONDS, abs=0.25)
    cipher.forget()
    assert main(["db", "encrypt", *common, "--db-passphrase-file", str(good)]) == 0
    assert sealed_media.is_sealed_media(centre.media)
    with sealed_media.SealedMediaFile(centre.media, PASSPHRASE) as media:
        assert b"".join(media.chunks()) == clear


def test_a_rekey_with_a_recording_the_old_passphrase_does_not_open_changes_nothing(
    centre: Centre, tmp_path: Path
) -> None:
    sealed_media.reseal(centre.media, PASSPHRASE, "someone else's")
    before = centre.media.read_bytes()
    centre.db.dispose()
    good, new = tmp_path / "good", tmp_path / "new"
    good.write_text(PASSPHRASE + "\n")
    new.write_text(NEW + "\n")
    common = ["--db", str(centre.path), "--data-dir", str(centre.data)]
    cipher.forget()
    argv = ["db", "rekey", *common, "--db-passphrase-file", str(good), "--new-passphrase-file", str(new)]
    assert main(argv) != 0
    assert centre.media.read_bytes() == before
    cipher.forget()
    cipher.unlock(centre.path, PASSPHRASE)
    cipher.connect(centre.path, path=centre.path, passphrase=PASSPHRASE).close()  # as it was
