"""Models and migrations agree; upgrading keeps data; a newer database is refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from db.base import Base
from db.engine import Database, DatabaseError
from db.migrate import alembic_config, current_revision, head_revision, upgrade
from tests.conftest import WORKSTATION


def test_models_and_migrations_agree(any_db: Database) -> None:
    with any_db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == [], f"models and migrations differ; write a migration: {diff}"


def test_fresh_database_is_at_head(tmp_path: Path) -> None:
    db = Database(tmp_path / "new.db", WORKSTATION)
    assert upgrade(db.engine) is None  # nothing to back up
    assert current_revision(db.engine) == head_revision()
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    db.dispose()


def test_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    db = Database(path, WORKSTATION)
    upgrade(db.engine)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff_from_the_future'"))
    with pytest.raises(DatabaseError, match="newer naas-centre"):
        upgrade(db.engine)
    db.dispose()


def test_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)")
    con.commit()
    con.close()
    db = Database(path, WORKSTATION)
    with pytest.raises(DatabaseError, match="not a naas-centre database"):
        upgrade(db.engine)
    db.dispose()


def test_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database\n" * 200)
    db = Database(path, WORKSTATION)
    with pytest.raises(DatabaseError, match="cannot be read as a database"):
        upgrade(db.engine)
    db.dispose()


_STAMP = "'2026-01-01 09:00:00', '2026-01-01 09:00:00', 'w'"
FIRST_REVISION_DATA = [
    f"INSERT INTO centre (id, name, is_demo, created_at, updated_at, workstation_id) "
    f"VALUES ('c1', 'Old centre', 0, {_STAMP})",
    f"INSERT INTO accounts (id, username, display_name, role, password_hash, active, failed_logins, "
    f"created_at, updated_at, workstation_id) VALUES ('a1', 'helen', 'Helen', 'assessor', 'x', 1, 0, "
    f"{_STAMP})",
    f"INSERT INTO rooms (id, name, created_at, updated_at, workstation_id) VALUES ('r1', 'Oak', {_STAMP})",
    f"INSERT INTO packs (id, name, version, content_hash, level, title, content, created_at, updated_at, "
    f"workstation_id) VALUES ('p1', 'naas-practitioner', '1.0.0', 'h1', 'practitioner', 'P', "
    f"'{{}}', {_STAMP})",
    f"INSERT INTO candidates (id, full_name, registration_number, employer, level, extra_time_percent, "
    f"extra_time_minutes, break_between_scenarios, adjustment_notes, training_footage_opt_out, created_at, "
    f"updated_at, workstation_id) VALUES ('k1', 'Siân Ŵyn', 'SW1', 'Wigan', 'practitioner', 25, 0, 0, '', 0, "
    f"{_STAMP})",
    f"INSERT INTO sittings (id, candidate_id, pack_id, room_id, day, starts_at, attempt, status, created_at, "
    f"updated_at, workstation_id) VALUES ('s1', 'k1', 'p1', 'r1', '2026-01-01', '2026-01-01 09:00:00', 1, "
    f"'planned', {_STAMP})",
    f"INSERT INTO scores (id, sitting_id, assessor_id, station_id, criterion_id, level, created_at, "
    f"updated_at, workstation_id) VALUES ('sc1', 's1', 'a1', 'home-visit', 'hv-purpose', 3, {_STAMP})",
]


def test_upgrading_a_database_full_of_data_loses_nothing(tmp_path: Path) -> None:
    """A database at the first revision, with data in it, upgraded to head after a backup."""
    from alembic import command
    from alembic.script import ScriptDirectory

    path = tmp_path / "old.db"
    db = Database(path, WORKSTATION)
    script = ScriptDirectory.from_config(alembic_config(db.url))
    first = next(r for r in script.walk_revisions() if r.down_revision is None).revision
    assert first != head_revision(), "needs at least two revisions"
    with db.engine.begin() as conn:
        cfg = alembic_config(db.url)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, first)
    with db.engine.begin() as conn:
        for sql in FIRST_REVISION_DATA:
            conn.execute(text(sql))
    with db.engine.connect() as conn:
        before = {
            t: conn.execute(text(f"SELECT * FROM {t} ORDER BY id")).all()
            for t in ("centre", "accounts", "rooms", "packs", "candidates", "sittings", "scores")
        }

    backup = upgrade(db.engine, backup_dir=tmp_path / "bk")

    assert backup is not None and backup.exists()
    con = sqlite3.connect(backup)
    assert con.execute("SELECT full_name FROM candidates").fetchone() == ("Siân Ŵyn",)
    con.close()
    assert current_revision(db.engine) == head_revision()
    with db.engine.connect() as conn:
        for table, rows in before.items():
            # Later revisions add columns at the end; what was there stays as it was.
            after = conn.execute(text(f"SELECT * FROM {table} ORDER BY id")).all()
            assert [tuple(r)[: len(rows[0])] for r in after] == [tuple(r) for r in rows], table
        code = conn.execute(text("SELECT marking_code FROM sittings")).scalar_one()
        assert code and code not in "s1", "an existing sitting gets a random marking code"
    db.dispose()
