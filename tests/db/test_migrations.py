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


def test_upgrade_from_every_revision_keeps_data_and_backs_up(tmp_path: Path) -> None:
    """Builds a database at the first revision, fills it, upgrades it to head."""
    from alembic import command
    from alembic.script import ScriptDirectory

    path = tmp_path / "old.db"
    db = Database(path, WORKSTATION)
    script = ScriptDirectory.from_config(alembic_config(db.url))
    base = next(r for r in script.walk_revisions() if r.down_revision is None).revision
    with db.engine.begin() as conn:
        cfg = alembic_config(db.url)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, base)
    rows = {
        "centre": "INSERT INTO centre (id, name, is_demo, created_at, updated_at, workstation_id) "
        "VALUES ('c1', 'Old centre', 0, '2026-01-01 09:00:00', '2026-01-01 09:00:00', 'w')",
        "accounts": "INSERT INTO accounts (id, username, display_name, role, password_hash, active, "
        "failed_logins, created_at, updated_at, workstation_id) VALUES ('a1', 'helen', 'Helen', "
        "'assessor', 'x', 1, 0, '2026-01-01 09:00:00', '2026-01-01 09:00:00', 'w')",
    }
    with db.engine.begin() as conn:
        for sql in rows.values():
            conn.execute(text(sql))
    if base == head_revision():
        # One revision so far: the upgrade is a no-op, and must leave the data alone.
        assert upgrade(db.engine, backup_dir=tmp_path / "bk") is None
    else:
        backup = upgrade(db.engine, backup_dir=tmp_path / "bk")
        assert backup is not None and backup.exists()
        con = sqlite3.connect(backup)
        assert con.execute("SELECT name FROM centre").fetchone() == ("Old centre",)
        con.close()
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM centre")).scalar() == "Old centre"
        assert conn.execute(text("SELECT username FROM accounts")).scalar() == "helen"
    assert current_revision(db.engine) == head_revision()
    db.dispose()


def test_backup_is_taken_before_an_upgrade(tmp_path: Path) -> None:
    """An older database (a revision the app knows, below head) is copied aside first."""
    path = tmp_path / "c.db"
    db = Database(path, WORKSTATION)
    upgrade(db.engine)
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO centre (id, name, is_demo, created_at, updated_at, workstation_id) "
                "VALUES ('c1', 'Kept', 0, '2026-01-01 09:00:00', '2026-01-01 09:00:00', 'w')"
            )
        )
    from db import migrate

    real_head = migrate.head_revision()
    # Pretend the database is one step behind by stamping an older known revision.
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(db.url))
    older = script.get_revision(real_head).down_revision
    if older is None:
        pytest.skip("only one revision so far")
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": older})
    backup = upgrade(db.engine, backup_dir=tmp_path / "bk")
    assert backup is not None
    db.dispose()
