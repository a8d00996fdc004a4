"""Engine and session set-up for SQLite (the default) and PostgreSQL.

SQLite runs in WAL mode with ``synchronous=FULL``: a commit that returns is on disk.
Writes take the database's write lock at BEGIN (``BEGIN IMMEDIATE``), so two writers
never fail half-way through a transaction on a stale snapshot.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
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


def to_url(target: str | Path) -> str:
    """A path becomes a SQLite URL; a URL (``postgresql+psycopg://...``) stays as it is."""
    text = str(target)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str, **kwargs: Any) -> Engine:
    if not is_sqlite(url):
        return create_engine(url, pool_pre_ping=True, **kwargs)
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
