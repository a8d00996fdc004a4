"""Engine and session set-up for SQLite (the default) and PostgreSQL.

SQLite runs in WAL mode with ``synchronous=FULL``: a commit that returns is on disk.
Writes take the database's write lock at BEGIN (``BEGIN IMMEDIATE``), so two writers
never fail half-way through a transaction on a stale snapshot.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from db.base import Stamped


class DatabaseError(Exception):
    """A database that cannot be used; the message says what and where."""


class StorageError(DatabaseError):
    """A write that did not reach the disk: full, locked, read-only or failing.

    Nothing of the transaction was kept; the caller still holds what it tried to save
    and can try again.
    """

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


_STORAGE_FAILURES = (
    ("disk is full", "full", "The disk holding the database is full"),
    ("database is locked", "locked", "The database is locked by another program"),
    ("readonly database", "read_only", "The database is on a read-only medium or file"),
    ("read-only", "read_only", "The database is on a read-only medium or file"),
    ("disk i/o error", "io", "The disk reported an input/output error"),
    ("unable to open database", "io", "The database file cannot be opened"),
    ("could not extend file", "full", "The disk holding the database is full"),
    ("no space left", "full", "The disk holding the database is full"),
    ("server closed the connection", "io", "The database server went away"),
    ("connection refused", "io", "The database server cannot be reached"),
)


def storage_error(exc: BaseException) -> StorageError | None:
    """The StorageError this driver error stands for, or None if it is something else."""
    text = str(getattr(exc, "orig", None) or exc).lower()
    for needle, kind, message in _STORAGE_FAILURES:
        if needle in text:
            return StorageError(f"{message}: nothing new was saved, and it will be tried again.", kind)
    return None


BACKENDS = ("sqlite", "postgresql")
_URL_HELP = "give a SQLite file path or a URL such as postgresql+psycopg://user@host/dbname"
_NAME_MAX, _PATH_MAX = 255, 4096


def to_url(target: str | Path) -> str:
    """A path becomes a SQLite URL; a URL (``postgresql+psycopg://...``) stays as it is.

    Raises DatabaseError for a URL that does not parse or names a database the app does
    not work with, and for a path too long for the file system.
    """
    text = str(target)
    if "://" in text:
        try:
            url = make_url(text)
        except ArgumentError:
            raise DatabaseError(f"{_shown(text)} is not a database URL; {_URL_HELP}") from None
        backend = url.get_backend_name()
        if backend not in BACKENDS:
            raise DatabaseError(
                f"{url.render_as_string(hide_password=True)}: naas-centre works with SQLite and "
                f"PostgreSQL, not {backend!r}; {_URL_HELP}"
            )
        return text
    path = Path(text).expanduser()
    if any(len(os.fsencode(part)) > _NAME_MAX for part in path.parts):
        raise DatabaseError(f"{_shown(text)}: a name in the path is longer than {_NAME_MAX} bytes")
    if len(os.fsencode(path)) >= _PATH_MAX:
        raise DatabaseError(f"{_shown(text)}: the path is longer than {_PATH_MAX} bytes")
    try:
        return f"sqlite:///{path.resolve()}"
    except OSError as exc:
        raise DatabaseError(f"{_shown(text)}: {exc.strerror or exc}") from None


def _shown(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else f"{text[: limit // 2]}...{text[-limit // 2 :]}"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str, **kwargs: Any) -> Engine:
    if not is_sqlite(url):
        try:
            return create_engine(url, pool_pre_ping=True, **kwargs)
        except (ImportError, NoSuchModuleError, ArgumentError) as exc:
            shown = make_url(url).render_as_string(hide_password=True)
            raise DatabaseError(f"{shown}: this kind of database cannot be opened here ({exc})") from None
    engine = create_engine(url, connect_args={"timeout": 10, "check_same_thread": False}, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transactions out of the driver's hands so BEGIN is ours to choose.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


class Database:
    """An engine with the workstation id stamped on every row it writes."""

    def __init__(self, url: str | Path, workstation_id: str, *, echo: bool = False) -> None:
        self.url = to_url(url)
        self.workstation_id = workstation_id
        self.engine = make_engine(self.url, echo=echo)
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        writer_bind = (
            self.engine.execution_options(sqlite_begin="IMMEDIATE") if is_sqlite(self.url) else self.engine
        )
        self._writer = sessionmaker(writer_bind, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.url)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._reader() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A transaction that commits (durably) when the block ends, or rolls back."""
        try:
            with self._writer() as session:
                session.info["workstation_id"] = self.workstation_id
                with session.begin():
                    yield session
        except OperationalError as exc:
            failure = storage_error(exc)
            if failure is None:
                raise
            raise failure from exc

    def checkpoint(self) -> None:
        """Folds SQLite's write-ahead log into the database file (best effort; SQLite only).

        The third door, beside ``read()`` and ``write()``: a checkpoint cannot run inside
        a transaction, so it takes a connection of its own from the pool, outside one.
        A checkpoint that cannot run now (a reader holds the log, a full disk) loses
        nothing: the log is folded next time.
        """
        if not self.is_sqlite:
            return
        raw = self.engine.raw_connection()
        try:
            raw.cursor().execute("PRAGMA wal_checkpoint(PASSIVE)")
        except Exception:  # a skipped checkpoint loses nothing
            pass
        finally:
            raw.close()

    def dispose(self) -> None:
        self.engine.dispose()


@event.listens_for(Session, "before_flush")
def _stamp_workstation(session: Session, _ctx: Any, _instances: Any) -> None:
    ws = session.info.get("workstation_id")
    if ws is None:
        return
    for obj in session.new:
        if isinstance(obj, Stamped) and not getattr(obj, "workstation_id", None):
            obj.workstation_id = ws
    for obj in session.dirty:
        if isinstance(obj, Stamped) and session.is_modified(obj):
            obj.workstation_id = ws
