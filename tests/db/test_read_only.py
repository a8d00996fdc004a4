"""A database opened to read only cannot be written through, on SQLite and on a server,
and opening one never creates, upgrades or changes anything."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from db.engine import Database, DatabaseError
from db.migrate import current_revision, open_read_only
from db.models import RoomRow


def _reader(db: Database) -> Database:
    return open_read_only(db.url if not db.is_sqlite else Path(db.url.removeprefix("sqlite:///")))


def test_nothing_can_be_written_through_a_read_only_database(any_db: Database) -> None:
    with any_db.write() as s:
        s.add(RoomRow(name="Room 1"))
    reader = _reader(any_db)
    try:
        assert reader.read_only
        with pytest.raises(DatabaseError, match="read only"), reader.write():
            pass
        # Not even by going round the write door: the driver or the server refuses.
        with pytest.raises(DBAPIError, match=r"(?i)read-?only"), reader.read() as s:
            s.execute(
                text(
                    "INSERT INTO rooms (id, name, kind, active, created_at, updated_at, workstation_id) "
                    "VALUES ('x', 'Room 2', 'role_play', true, '2026-01-01', '2026-01-01', 'w')"
                )
            )
            s.commit()
        reader.checkpoint()  # a no-op, never a write
        with reader.read() as s:
            assert s.scalar(select(func.count()).select_from(RoomRow)) == 1
    finally:
        reader.dispose()
    with any_db.read() as s:
        assert s.scalar(select(func.count()).select_from(RoomRow)) == 1


def test_a_reader_of_an_open_database_sees_its_commits(sqlite_db: Database) -> None:
    reader = _reader(sqlite_db)
    try:
        with sqlite_db.write() as s:
            s.add(RoomRow(name="Seen"))
        with reader.read() as s:
            assert s.scalar(select(RoomRow.name)) == "Seen"
    finally:
        reader.dispose()


def test_an_older_database_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    from alembic import command

    from db.migrate import alembic_config
    from tests.conftest import WORKSTATION

    path = tmp_path / "old.db"
    db = Database(path, WORKSTATION)
    cfg = alembic_config(db.url)
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0008")
    db.dispose()
    before = hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns
    with pytest.raises(DatabaseError, match=r"older naas-centre \(schema 0008\).*db upgrade"):
        open_read_only(path)
    assert (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.db"]
    db = Database(path, WORKSTATION)
    try:
        assert current_revision(db.engine) == "0008"
    finally:
        db.dispose()


@pytest.mark.postgres
def test_an_empty_server_database_is_refused_not_migrated(pg_db: Database) -> None:
    with pg_db.engine.begin() as conn:
        for (name,) in conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")):
            conn.execute(text(f'DROP TABLE "{name}" CASCADE'))
    with pytest.raises(DatabaseError, match="holds no tables"):
        open_read_only(pg_db.url)
    with pg_db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")).scalar() == 0
