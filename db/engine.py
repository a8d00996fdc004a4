"""Engine and session set-up for SQLite (the default) and PostgreSQL.

SQLite runs in WAL mode with ``synchronous=FULL``: a commit that returns is on disk.
Writes take the database's write lock at BEGIN (``BEGIN IMMEDIATE``), so two writers
never fail half-way through a transaction on a stale snapshot.

On a PostgreSQL server, a connection lost or refused (the server stopped or restarting,
the network gone) is a ``StorageError`` of kind ``server`` like a refusing disk, and the
pool tests each connection before handing it out, so writes go through again once the
server is back.
"""

from __future__ import annotations

import logging
import os
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from db import cipher
from db.base import Stamped
from db.errors import DatabaseError as DatabaseError  # where it has always been imported from

log = logging.getLogger(__name__)
# Kept for the log file the app installs; never printed on a command's stderr instead.
log.addHandler(logging.NullHandler())


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
)

SERVER = "server"  # the kind of a lost or refused connection to a database server
_SERVER_MESSAGE = "The database server cannot be reached"
# SQLSTATE of a connection lost or refused: class 08 (connection exception), and the
# server shutting down, crashed or not yet taking connections (57P01-57P03).
_SERVER_STATES = ("08", "57P01", "57P02", "57P03")
# What the driver says when there is no SQLSTATE (the client side saw the loss).
_SERVER_NEEDLES = (
    "server closed the connection",
    "connection refused",
    "connection is closed",
    "connection is lost",
    "connection timeout",
    "timeout expired",
    "could not receive data from server",
    "could not send data to server",
    "consuming input failed",
    "connection reset",
    "broken pipe",
    "no route to host",
    "network is unreachable",
    "could not translate host name",
    "temporary failure in name resolution",
    "ssl syscall error",
    "ssl connection has been closed",
    "the database system is",  # ... shutting down / starting up / in recovery mode
    "terminating connection",
)


def storage_error(exc: BaseException) -> StorageError | None:
    """The StorageError this driver error stands for, or None if it is something else."""
    orig = getattr(exc, "orig", None) or exc
    if _lost_server(exc, orig):
        return StorageError(f"{_SERVER_MESSAGE}: nothing new was saved, and it will be tried again.", SERVER)
    text = str(orig).lower()
    for needle, kind, message in _STORAGE_FAILURES:
        if needle in text:
            return StorageError(f"{message}: nothing new was saved, and it will be tried again.", kind)
    return None


def _lost_server(exc: BaseException, orig: BaseException) -> bool:
    """A connection to a server lost or refused (never said of SQLite, which has none)."""
    if type(orig).__module__.split(".")[0] in ("sqlite3", "sqlcipher3"):
        return False
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True  # the dialect itself judged it a disconnect
    state = getattr(orig, "sqlstate", None)
    if isinstance(state, str) and state.startswith(_SERVER_STATES):
        return True
    text = str(orig).lower()
    return any(needle in text for needle in _SERVER_NEEDLES)


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


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL, or None for a server or an in-memory database."""
    parsed = make_url(url)
    name = parsed.database
    if parsed.get_backend_name() != "sqlite" or not name or name == ":memory:" or name.startswith("file:"):
        return None
    return Path(name)


def _use_wal(cur: Any, *, within_s: float = 10.0) -> None:
    """Puts the file in WAL mode (it stays so: a file already in it needs no lock).

    Two connections switching a new file at once can meet a lock the busy handler does
    not wait for (each holds a shared lock and wants the other's gone, so SQLite answers
    "locked" at once); the loser tries again until the winner is done."""
    if cur.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
        return
    deadline = time.monotonic() + within_s
    pause = 0.002
    while True:
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except cipher.driver_errors() as exc:
            if ("locked" not in str(exc) and "busy" not in str(exc)) or time.monotonic() > deadline:
                raise
        time.sleep(pause)  # only while another connection holds the switch
        pause = min(pause * 2, 0.1)


def make_engine(url: str, *, read_only: bool = False, **kwargs: Any) -> Engine:
    """An engine for ``url``; a SQLite file unlocked in ``db.cipher`` is opened with its key."""
    if not is_sqlite(url):
        connect_args = _server_connect_args(url, read_only=read_only)
        try:
            # pool_pre_ping: a pooled connection the server dropped (a restart, the network)
            # is found dead at checkout and replaced, instead of failing the next write.
            return create_engine(url, pool_pre_ping=True, connect_args=connect_args, **kwargs)
        except (ImportError, NoSuchModuleError, ArgumentError) as exc:
            shown = make_url(url).render_as_string(hide_password=True)
            raise DatabaseError(f"{shown}: this kind of database cannot be opened here ({exc})") from None
    if read_only:
        return _read_only_sqlite_engine(url, **kwargs)
    path = sqlite_path(url)
    passphrase = cipher.passphrase_for(path) if path is not None else None
    if path is not None and passphrase is not None:
        keyed = path

        def connect_keyed() -> Any:
            return cipher.connect(keyed, path=keyed, timeout=10, check_same_thread=False)

        engine = create_engine(
            url, creator=connect_keyed, module=cipher.driver(), poolclass=QueuePool, **kwargs
        )
    else:
        engine = create_engine(url, connect_args={"timeout": 10, "check_same_thread": False}, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transactions out of the driver's hands so BEGIN is ours to choose.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        _use_wal(cur)
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _read_only_sqlite_engine(url: str, **kwargs: Any) -> Engine:
    """SQLite opened with ``mode=ro``: the driver itself refuses to write the file, and no
    PRAGMA that is stored in the file (the journal mode) is run."""
    path = sqlite_path(url)
    if path is None:
        raise DatabaseError(f"{_shown(url)}: only a database file can be opened to read only")
    from urllib.parse import quote

    uri = f"file:{quote(str(path))}?mode=ro"
    keyed = cipher.passphrase_for(path) is not None

    def connect() -> Any:
        return cipher.connect(uri, path=path, uri=True, timeout=10, check_same_thread=False)

    # With a key, SQLCipher's driver module, so its errors are SQLAlchemy's as sqlite3's are.
    module = {"module": cipher.driver()} if keyed else {}
    engine = create_engine("sqlite://", creator=connect, poolclass=QueuePool, **module, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA query_only=ON")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN DEFERRED")

    return engine


# Without these, a server behind a network that is gone holds a click's write for
# minutes (the system's TCP time-outs) before it can be journaled and retried. A URL
# that names one of them keeps its own value.
_SERVER_CONNECT_ARGS: dict[str, int] = {
    "connect_timeout": 5,
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
    "tcp_user_timeout": 15_000,
}


def _server_connect_args(url: str, *, read_only: bool = False) -> dict[str, int | str]:
    given = make_url(url).query
    args: dict[str, int | str] = {k: v for k, v in _SERVER_CONNECT_ARGS.items() if k not in given}
    if read_only:
        # Every transaction of the session is read-only: the server refuses any write.
        options = given.get("options")
        own = " ".join(options) if isinstance(options, tuple) else (options or "")
        args["options"] = f"{own} -c default_transaction_read_only=on".strip()
    return args


_COMPANIONS = ("-wal", "-shm", "-journal")


def owner_only(path: Path) -> None:
    """The database file and its companions readable by their owner only (0600).

    A file not there yet is made empty with mode 0600 (SQLite gives its -wal, -shm and
    -journal the mode of the database file); a looser mode found is tightened, with a log
    line, since it let other local users read candidates' records.
    """
    if not path.exists() and path.parent.is_dir():
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        except OSError:
            return  # SQLite will say why it cannot open the file
    for file in (path, *(path.with_name(path.name + end) for end in _COMPANIONS)):
        try:
            mode = stat.S_IMODE(os.stat(file).st_mode)
            if mode & 0o077:
                os.chmod(file, 0o600)
                log.warning("%s was readable by other users (mode %o); made owner-only (600)", file, mode)
        except FileNotFoundError:
            continue
        except OSError as exc:
            log.warning("%s: cannot be made owner-only: %s", file, exc.strerror or exc)


def _tidy_after_reading(path: Path) -> None:
    """Removes the empty -wal and -shm that read-only opens of a WAL database leave behind.

    A read-only connection may make them but can never delete them. A plain connection
    that reads nothing and closes lets SQLite remove them by its own rule: only the last
    connection does, after a checkpoint that has no frames to copy, so the database file
    stays byte for byte as it was, and a program that has it open keeps them. A -wal that
    holds frames (a program that stopped before folding it) is left alone.
    """
    wal, shm = (path.with_name(path.name + end) for end in ("-wal", "-shm"))
    try:
        if not (wal.exists() or shm.exists()) or (wal.exists() and wal.stat().st_size):
            return
        conn = cipher.connect(path, path=path, timeout=0.5, isolation_level=None)
        try:
            conn.execute("PRAGMA query_only=ON")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
        finally:
            conn.close()
    except (OSError, cipher.Encrypted):
        pass  # left for the next writer to remove; they hold nothing
    except cipher.driver_errors():
        pass  # left for the next writer to remove; they hold nothing


class Database:
    """An engine with the workstation id stamped on every row it writes.

    With ``read_only``, nothing can be written through it (see the module's docstring).
    """

    def __init__(
        self, url: str | Path, workstation_id: str, *, echo: bool = False, read_only: bool = False
    ) -> None:
        self.url = to_url(url)
        self.workstation_id = workstation_id
        self.read_only = read_only
        self._path = path = sqlite_path(self.url)
        if path is not None and not read_only:
            owner_only(path)
        self.engine = make_engine(self.url, echo=echo, read_only=read_only)
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
        """A read. On a server, a lost connection is a StorageError as in ``write()``, so a
        screen reading while the server is away shows the same warning, not a fault."""
        try:
            with self._reader() as session:
                yield session
        except DBAPIError as exc:
            failure = None if self.is_sqlite else storage_error(exc)
            if failure is None or failure.kind != SERVER:
                raise
            raise failure from exc

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A transaction that commits (durably) when the block ends, or rolls back."""
        if self.read_only:
            raise DatabaseError(f"{_shown(self.url)} was opened to read only; nothing was written")
        try:
            with self._writer() as session:
                session.info["workstation_id"] = self.workstation_id
                with session.begin():
                    yield session
        except DBAPIError as exc:
            # On SQLite only OperationalError speaks of the disk; a server's lost
            # connection may come as another driver error (InterfaceError).
            failure = storage_error(exc) if isinstance(exc, OperationalError) or not self.is_sqlite else None
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
        if not self.is_sqlite or self.read_only:
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
        if self.read_only and self._path is not None:
            _tidy_after_reading(self._path)


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
