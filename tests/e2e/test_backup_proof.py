"""A backup's copy is refused when either proof fails, each on its own: the integrity check
of the whole file, or the audit verify of its trail. They run side by side, so each is
shown here refusing a copy the other passes, on real damage to a real copy.

Damage the trail never reads: a page of an index the audit verify does not use, written
over as a failing disk would. A trail broken behind the app: an entry deleted through
SQL, which leaves the file itself whole.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from db.migrate import open_read_only
from naas_centre.backup import check, names
from naas_centre.backup.names import BackupRefused
from naas_centre.backup.take import take
from naas_centre.demo.centre import create_demo
from naas_centre.services import audit

pytestmark = pytest.mark.slow
PAGE = 4096
UNREAD_INDEX = "ix_sittings_day"  # the trail reads whole tables, never this index


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("proof-demo")
    made = create_demo(folder / "demo.db", data_dir=folder)
    made.db.dispose()
    return folder / "demo.db"


@pytest.fixture
def centre(template: Path, tmp_path: Path) -> Path:
    (tmp_path / "centre").mkdir()
    db = tmp_path / "centre" / "demo.db"
    shutil.copyfile(template, db)
    return db


def _rot(path: Path, index: str) -> None:
    """Writes over the first page of ``index`` in the file, as a failing disk would."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        (page,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (index,)).fetchone()
    finally:
        conn.close()
    with open(path, "r+b") as fh:
        fh.seek((page - 1) * PAGE)
        fh.write(b"\xa5" * PAGE)


def _break_trail(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM audit_entries WHERE seq = 3")
    conn.close()


def _verifies(path: Path) -> bool:
    db = open_read_only(path)
    try:
        return audit.verify(db).ok
    finally:
        db.dispose()


def _whole(path: Path) -> bool:
    conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        return conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    except sqlite3.DatabaseError:
        return False  # damage the check cannot even walk past
    finally:
        conn.close()


def _shelf(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir())


def test_a_damaged_copy_whose_trail_verifies_is_refused(centre: Path, tmp_path: Path) -> None:
    out = tmp_path / "backups"
    good = take(centre, out).path
    damaged = tmp_path / f"damaged{names.SUFFIX}"
    shutil.copyfile(good, damaged)
    _rot(damaged, UNREAD_INDEX)
    assert not _whole(damaged)
    assert _verifies(damaged)  # the trail alone would pass it
    with pytest.raises(BackupRefused, match="damaged or cut short"):
        check.prove(damaged)
    # Taken from a centre so damaged: refused, no copy named, the older one not rotated away.
    _rot(centre, UNREAD_INDEX)
    shelf = _shelf(out)
    with pytest.raises(BackupRefused, match="damaged or cut short"):
        take(centre, out, keep=1)
    assert _shelf(out) == shelf


def test_a_whole_copy_whose_trail_is_broken_is_refused(centre: Path, tmp_path: Path) -> None:
    out = tmp_path / "backups"
    good = take(centre, out).path
    tampered = tmp_path / f"tampered{names.SUFFIX}"
    shutil.copyfile(good, tampered)
    _break_trail(tampered)
    assert _whole(tampered)  # the file itself is whole
    with pytest.raises(BackupRefused, match="audit trail is broken"):
        check.prove(tampered)
    _break_trail(centre)
    shelf = _shelf(out)
    with pytest.raises(BackupRefused, match="audit trail is broken"):
        take(centre, out, keep=1)
    assert _shelf(out) == shelf


def test_a_copy_both_damaged_and_broken_is_named_damaged(centre: Path, tmp_path: Path) -> None:
    good = take(centre, tmp_path / "backups").path
    both = tmp_path / f"both{names.SUFFIX}"
    shutil.copyfile(good, both)
    _break_trail(both)
    _rot(both, UNREAD_INDEX)
    # As when the integrity check ran before the verify: the damage is the reason given.
    with pytest.raises(BackupRefused, match="damaged or cut short"):
        check.prove(both)
