"""Creating and upgrading a database with the Alembic migrations in ``db/migrations``,
and opening one to read only.

An older database is copied aside before it is upgraded; a newer one is refused. An
upgrade holds the database's write lock from its first look at the schema to its commit,
so two programs opening a new or older database at once upgrade it once.

``open_read_only`` is for the commands that only read: it never creates, upgrades or
changes a file, and refuses, in one line naming the file, anything but a database of
exactly this version's schema.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from db import cipher
from db.engine import Database, DatabaseError, is_sqlite, sqlite_path, to_url

# Stamped on nothing: a database opened to read only writes no row.
READ_ONLY_WORKSTATION = "00000000-0000-0000-0000-000000000000"
SQLITE_HEADER = b"SQLite format 3\x00"
# Any number will do, as long as it is the app's own: upgrades wait on each other.
_PG_UPGRADE_LOCK = 0x6E616173


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


def upgrade(engine: Engine, backup_dir: Path | None = None, *, backup: bool = True) -> Path | None:
    """Brings the database to the newest schema. Returns the backup made, if any.

    ``backup=False`` is for a copy that is itself made from a backup (a restore).
    """
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
    _refuse_unknown(url, script, current, has_tables)
    with _upgrade_lock(engine) as conn:
        # Looked at again under the lock: another program may have upgraded it meanwhile.
        current = MigrationContext.configure(conn).get_current_revision()
        if current == head:
            return None
        _refuse_unknown(url, script, current, bool(inspect(conn).get_table_names()))
        made = None
        if backup and current is not None and is_sqlite(url):
            made = _backup_sqlite(url, current, backup_dir)
        cfg = alembic_config(url)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return made


@contextmanager
def _upgrade_lock(engine: Engine) -> Iterator[Connection]:
    """One transaction that holds the database's write lock from its first statement."""
    if engine.dialect.name == "sqlite":
        with engine.execution_options(sqlite_begin="IMMEDIATE").begin() as conn:
            yield conn
        return
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_UPGRADE_LOCK})")
        yield conn


def _refuse_unknown(url: str, script: ScriptDirectory, current: str | None, has_tables: bool) -> None:
    if current is not None and not _known(script, current):
        raise DatabaseError(
            f"{_where(url)} was written by a newer naas-centre (schema {current}); upgrade the app to open it"
        )
    if current is None and has_tables:
        raise DatabaseError(f"{_where(url)} is not a naas-centre database")


def sqlite_file_problem(path: Path) -> str | None:
    """Why this file cannot be a SQLite database of the app, read from its first bytes
    alone (nothing is opened through SQLite), or None if it may be one."""
    if path.is_dir():
        return f"{path} is a folder, not a database file"
    if not path.exists():
        return f"{path}: no such database"
    if not path.is_file():
        return f"{path} is not a regular file"
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        return f"{path}: cannot be read ({exc.strerror or exc})"
    if not head:
        return f"{path} is empty, not a naas-centre database"
    if head != SQLITE_HEADER and cipher.looks_encrypted(path):
        if cipher.passphrase_for(path) is None:
            return str(cipher.no_passphrase(path))
        return None  # its key proves itself when it is opened
    if head != SQLITE_HEADER:
        return f"{path}: cannot open the database: the file is not a database (not SQLite at all)"
    return None


def schema_problem(engine: Engine | Connection, where: str) -> str | None:
    """Why this database is not one of exactly this version's schema, or None."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    try:
        if isinstance(engine, Engine):
            with engine.connect() as conn:
                current = MigrationContext.configure(conn).get_current_revision()
                tables = inspect(conn).get_table_names()
        else:
            current = MigrationContext.configure(engine).get_current_revision()
            tables = inspect(engine).get_table_names()
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        return f"{where}: cannot open the database ({reason[0] if reason else type(exc).__name__})"
    if current is None:
        if not tables:
            return f"{where} holds no tables, so it is not a naas-centre database"
        shown = ", ".join(sorted(tables)[:3]) + (", ..." if len(tables) > 3 else "")
        return f"{where} is not a naas-centre database (it holds other tables: {shown})"
    if not _known(script, current):
        return f"{where} was written by a newer naas-centre (schema {current}); upgrade the app to read it"
    if current != script.get_current_head():
        return (
            f"{where} is a database of an older naas-centre (schema {current}); it was left as it is, "
            f"since this command only reads: upgrade it first with naas-centre db upgrade --db {where}"
        )
    return None


def open_read_only(target: str | Path) -> Database:
    """The database opened to read only, if it is a naas-centre database of this version.

    Never creates, upgrades or changes anything: an empty file, a file that is not SQLite,
    another application's database, or an older or newer schema is a DatabaseError in
    one line naming the file, and the file stays byte for byte as it was.
    """
    url = to_url(target)
    where = _where(url)
    path = sqlite_path(url)
    if path is not None:
        problem = sqlite_file_problem(path)
        if problem is not None:
            raise DatabaseError(problem)
    db = Database(url, READ_ONLY_WORKSTATION, read_only=True)
    try:
        problem = schema_problem(db.engine, where)
    except BaseException:
        db.dispose()
        raise
    if problem is not None:
        db.dispose()
        raise DatabaseError(problem)
    return db


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
    # An encrypted database's copy is encrypted under the same key.
    source = cipher.connect(src, path=src)
    target = cipher.connect(tmp, path=src)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    shutil.move(tmp, dest)
    return dest
