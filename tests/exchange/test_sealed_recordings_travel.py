"""A sealed recording in a result bundle between two encrypted centres: it leaves in clear
inside the (encrypted) bundle and lands sealed under the receiving centre's passphrase."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from db import cipher
from db.engine import Database
from db.models import RecordingRow
from naas_centre.errors import UserError
from naas_centre.exchange.container import signer_of
from naas_centre.exchange.results import export_results, import_results
from naas_centre.protection import sealed, sealed_media
from naas_centre.services import audit, certificates
from naas_centre.video.reader import RecordingReader
from tests.exchange.sides import CENTRE_WS, PASSWORDS, ROOM_WS, Side, demo_with_ca
from tests.services.calibration_support import record_station

BUNDLE_PASSPHRASE = "oak room, second of march"
ROOM_KEY, CENTRE_KEY = "the room's passphrase 1", "the centre's passphrase 2"


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, date]:
    return demo_with_ca(tmp_path_factory.mktemp("sealed-recordings-demo"))


def _encrypted_side(demo: tuple[Path, date], to: Path, workstation: str, key: str) -> Side:
    shutil.copytree(demo[0].parent, to)
    cipher.encrypt(to / "demo.db", key)
    cipher.unlock(to / "demo.db", key)
    return Side(Database(to / "demo.db", workstation), demo[1], to)


@pytest.fixture
def sides(tmp_path: Path, demo_file: tuple[Path, date]) -> Iterator[tuple[Side, Side]]:
    room = _encrypted_side(demo_file, tmp_path / "room", ROOM_WS, ROOM_KEY)
    with room.db.write() as s:
        audit.start_own_chain(s)
    (room.data_dir / "workstation-id").write_text(ROOM_WS + "\n", encoding="utf-8")
    scratch = tmp_path / "sources"
    scratch.mkdir()
    record_station(room.db, room.login("assessor1"), room.day, room.data_dir, scratch, seconds=3.0)
    centre = _encrypted_side(demo_file, tmp_path / "centre", CENTRE_WS, CENTRE_KEY)
    yield room, centre
    room.db.dispose()
    centre.db.dispose()
    cipher.forget()
    sealed.forget()


def _media_file(side: Side) -> Path:
    with side.db.read() as s:
        folder = s.scalars(select(RecordingRow.folder)).one()
    return side.data_dir / folder / "recording.mp4"


def _clear(path: Path, key: str) -> bytes:
    with sealed_media.SealedMediaFile(path, key) as media:
        return b"".join(media.chunks())


def test_it_lands_sealed_under_the_receiving_centres_passphrase(
    sides: tuple[Side, Side], tmp_path: Path
) -> None:
    room, centre = sides
    sent = _media_file(room)
    assert sealed_media.is_sealed_media(sent)
    clear = _clear(sent, ROOM_KEY)
    who = room.login("assessor1")
    identity = certificates.unlock_signer(room.db, who, PASSWORDS["assessor1"], room.data_dir)
    bundle = tmp_path / "results.naasbundle"
    done = export_results(
        room.db,
        who,
        bundle,
        BUNDLE_PASSPHRASE,
        signer_of(identity),
        recordings=True,
        data_dir=room.data_dir,
    )
    assert done.recordings == 1 and done.media_bytes >= len(clear)  # the clear MP4 and its index

    manager = centre.login("manager")
    imported = import_results(centre.db, manager, bundle, BUNDLE_PASSPHRASE, data_dir=centre.data_dir)
    assert imported.media is not None and imported.media.placed == 2 and not imported.media.conflicts
    landed = _media_file(centre)
    assert sealed_media.is_sealed_media(landed)
    assert b"mdat" not in landed.read_bytes()
    assert _clear(landed, CENTRE_KEY) == clear
    with pytest.raises(UserError, match="passphrase does not open"):
        sealed_media.SealedMediaFile(landed, ROOM_KEY)
    with RecordingReader(sent.parent, ROOM_KEY) as there, RecordingReader(landed.parent, CENTRE_KEY) as here:
        assert here.duration == there.duration > 1.0
        assert (here.seek(1.0).image == there.seek(1.0).image).all()
    assert not [p for p in centre.data_dir.iterdir() if p.name.startswith(".incoming-")]

    again = import_results(centre.db, manager, bundle, BUNDLE_PASSPHRASE, data_dir=centre.data_dir)
    assert again.media is not None and (again.media.placed, again.media.same) == (0, 2)
    assert not again.media.conflicts
