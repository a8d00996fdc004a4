"""Files the app writes are its owner's alone: the data folder 0700, the database and
SQLite's -wal and -shm 0600 as they are created, whatever the umask; looser modes found
are tightened with a log line; and a real run of the program leaves nothing looser."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from db.engine import Database
from db.migrate import upgrade
from db.models import RoomRow
from naas_centre import paths
from tests.conftest import WORKSTATION

ROOT = Path(__file__).resolve().parents[2]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The loosest umask a user may have: the app must not rely on theirs."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def test_a_new_database_and_its_wal_and_shm_are_made_owner_only(tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / "centre.db"
    db = Database(path, WORKSTATION)
    try:
        upgrade(db.engine)
        with db.write() as s:
            s.add(RoomRow(name="Room 1"))
        with db.engine.connect() as conn:  # held open, so SQLite keeps its -wal and -shm
            conn.execute(text("SELECT 1"))
            for name in ("centre.db", "centre.db-wal", "centre.db-shm"):
                assert (tmp_path / name).exists(), name
                assert mode(tmp_path / name) == 0o600, name
    finally:
        db.dispose()


def test_a_database_readable_by_others_is_tightened_with_a_log_line(
    tmp_path: Path, open_umask: None, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "centre.db"
    Database(path, WORKSTATION).dispose()
    os.chmod(path, 0o644)
    with caplog.at_level(logging.WARNING):
        Database(path, WORKSTATION).dispose()
    assert mode(path) == 0o600
    assert any(str(path) in r.getMessage() and "644" in r.getMessage() for r in caplog.records)


def test_the_data_folder_is_made_0700_and_a_looser_one_tightened(
    tmp_path: Path, open_umask: None, caplog: pytest.LogCaptureFixture
) -> None:
    fresh = paths.data_dir(tmp_path / "fresh")
    assert mode(fresh) == 0o700
    old = tmp_path / "old"
    old.mkdir(mode=0o755)
    os.chmod(old, 0o755)
    (old / "centre.db").write_bytes(b"")
    os.chmod(old / "centre.db", 0o644)
    (old / "packs").mkdir()
    os.chmod(old / "packs", 0o775)
    with caplog.at_level(logging.WARNING):
        paths.data_dir(old)
    assert (mode(old), mode(old / "centre.db"), mode(old / "packs")) == (0o700, 0o600, 0o700)
    assert sum("made owner-only" in r.getMessage() for r in caplog.records) == 3
    assert mode(Path(paths.log_dir(old))) == 0o700


def test_the_workstation_id_is_owner_only(tmp_path: Path, open_umask: None) -> None:
    folder = paths.data_dir(tmp_path / "data")
    first = paths.workstation_id(folder)
    assert paths.workstation_id(folder) == first
    assert mode(folder / "workstation-id") == 0o600
    assert [p.name for p in folder.iterdir()] == ["workstation-id"]  # no temporary file left


def test_a_real_run_writes_nothing_others_can_read(tmp_path: Path, open_umask: None) -> None:
    data = tmp_path / "data"
    env = {**os.environ, "NAAS_DATA_DIR": str(data)}
    env.pop("DISPLAY", None)
    for args in (
        ["demo"],  # makes the data folder and demo-centre.db in it
        ["reports", "--db", str(data / "demo-centre.db"), "--out", str(data / "reports")],
        [
            "ca",
            "export",
            "--db",
            str(data / "demo-centre.db"),
            "--out",
            str(data / "ca.pem"),
        ],  # refused: no CA
    ):
        subprocess.run(
            [sys.executable, "-m", "ui.main", *args], env=env, cwd=ROOT, capture_output=True, check=False
        )
    found = [data, *data.rglob("*")]
    assert (data / "demo-centre.db").exists() and (data / "workstation-id").exists()
    assert list((data / "reports").glob("*.pdf"))
    loose = {str(p.relative_to(tmp_path)): oct(mode(p)) for p in found if mode(p) & 0o077}
    assert loose == {}
