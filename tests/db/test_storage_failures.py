"""Writes that cannot reach the disk fail as StorageError, and keep nothing half-done."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from db.engine import Database, StorageError
from db.migrate import upgrade
from db.models import RoomRow
from tests.conftest import WORKSTATION
from tests.db.full_disk import fill_the_disk


@pytest.fixture
def db(tmp_path: Path) -> Database:
    d = Database(tmp_path / "c.db", WORKSTATION)
    upgrade(d.engine)
    return d


def _count(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(RoomRow)) or 0)


def test_disk_full(db: Database) -> None:
    with db.write() as s:
        s.add(RoomRow(name="kept"))

    fill_the_disk(db)
    with pytest.raises(StorageError) as err, db.write() as s:
        for i in range(500):
            s.add(RoomRow(name=f"room {i} " + "x" * 150))
    assert err.value.kind == "full"
    assert "full" in str(err.value)
    assert _count(db) == 1  # the earlier write survives; the failed one left nothing
    db.dispose()


def test_database_locked(db: Database, tmp_path: Path) -> None:
    holder = sqlite3.connect(tmp_path / "c.db", timeout=0, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")

    @event.listens_for(db.engine, "connect")
    def _impatient(conn: sqlite3.Connection, _rec: object) -> None:
        conn.execute("PRAGMA busy_timeout=100")

    db.engine.dispose()
    try:
        with pytest.raises(StorageError) as err, db.write() as s:
            s.add(RoomRow(name="blocked"))
        assert err.value.kind == "locked"
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    # Once the lock is gone, the same write goes through.
    with db.write() as s:
        s.add(RoomRow(name="blocked"))
    assert _count(db) == 1
    db.dispose()


def test_read_only_medium(db: Database) -> None:
    @event.listens_for(db.engine, "connect")
    def _read_only(conn: sqlite3.Connection, _rec: object) -> None:
        conn.execute("PRAGMA query_only=ON")

    db.engine.dispose()
    with pytest.raises(StorageError) as err, db.write() as s:
        s.add(RoomRow(name="nope"))
    assert err.value.kind == "read_only"
    db.dispose()


def test_other_errors_are_not_disguised(db: Database) -> None:
    from sqlalchemy.exc import IntegrityError

    with db.write() as s:
        s.add(RoomRow(name="Oak"))
    with pytest.raises(IntegrityError), db.write() as s:
        s.add(RoomRow(name="Oak"))
    db.dispose()
