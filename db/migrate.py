"""Creating and upgrading a database with the Alembic migrations in ``db/migrations``.

An older database is copied aside before it is upgraded; a newer one is refused.
"""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect
from sqlalchemy.engine import make_url

from db.engine import DatabaseError, is_sqlite


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("db") / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, backup_dir: Path | None = None) -> Path | None:
    """Brings the database to the newest schema. Returns the backup made, if any."""
    url = engine.url.render_as_string(hide_password=False)
    script = ScriptDirectory.from_config(alembic_config(url))
    head = script.get_current_head()
    try:
        current = current_revision(engine)
        has_tables = bool(inspect(engine).get_table_names())
    except Exception as exc:  # a corrupt or foreign file: say what and where
        raise DatabaseError(f"{_where(url)} cannot be read as a database: {exc}") from exc
    if current == head:
        return None
    if current is not None and not _known(script, current):
        raise DatabaseError(
            f"{_where(url)} was written by a newer naas-centre (schema {current}); upgrade the app to open it"
        )
    if current is None and has_tables:
        raise DatabaseError(f"{_where(url)} is not a naas-centre database")
    backup = None
    if current is not None and is_sqlite(url):
        backup = _backup_sqlite(url, current, backup_dir)
    with engine.begin() as conn:
        cfg = alembic_config(url)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return backup


def _known(script: ScriptDirectory, rev: str) -> bool:
    try:
        return script.get_revision(rev) is not None
    except Exception:
        return False


def _where(url: str) -> str:
    u = make_url(url)
    return str(u.database) if u.get_backend_name() == "sqlite" else u.render_as_string(hide_password=True)


def _backup_sqlite(url: str, revision: str, backup_dir: Path | None) -> Path:
    src = Path(str(make_url(url).database))
    folder = backup_dir or src.parent / "backups"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    dest = folder / f"{src.stem}-before-upgrade-{revision}-{stamp}{src.suffix}"
    tmp = dest.with_suffix(dest.suffix + ".part")
    # The backup API copies a consistent snapshot even with WAL pages not yet merged.
    source, target = sqlite3.connect(src), sqlite3.connect(tmp)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    shutil.move(tmp, dest)
    return dest
