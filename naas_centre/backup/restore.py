"""Restoring a backup: the file is proven whole before the current database is touched,
and the database it replaces is kept aside.

The backup is first copied beside the database under a temporary name, upgraded there if
it is of an older version, and proven (integrity, schema, a centre, the audit verify).
Only then is the current database copied aside into ``backups/`` beside it, and the proven
copy written into it through SQLite's backup API: one transaction, under SQLite's own
locks, so a stale -wal can never be replayed over it. A refused file changes nothing.
Restore while the app is closed: a window still open would go on from what it had read.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from db import cipher
from db.engine import Database
from db.migrate import READ_ONLY_WORKSTATION, head_revision, sqlite_file_problem, upgrade
from naas_centre.backup import check
from naas_centre.backup.names import STAMP, BackupRefused


@dataclass(frozen=True)
class Restored:
    database: Path
    backup: Path
    centre: str
    entries: int  # audit entries verified in what was restored
    records: dict[str, int]  # rows in each table of what was restored
    kept: Path | None  # where the database it replaced was kept, if there was one


def _utcnow() -> datetime:
    return datetime.now(UTC)


def restore(backup: Path, target: str | Path, *, now: Callable[[], datetime] = _utcnow) -> Restored:
    dest = check.sqlite_file(target)
    backup = backup.expanduser()
    check.sound(backup, "backup")
    revision = _revision(backup)
    if not dest.parent.is_dir():
        raise BackupRefused(f"{dest.parent}: no such folder for the database")
    replaced = _current(dest)
    fd, name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.restore-", suffix=".part")
    os.close(fd)
    staged = Path(name)
    try:
        check.copy_file(backup, staged, immutable=True)
        if revision != head_revision():
            older = Database(staged, READ_ONLY_WORKSTATION)
            try:
                upgrade(older.engine, backup=False)  # the backup itself is the copy kept
            finally:
                older.dispose()
        try:
            proof = check.prove(staged)
        except BackupRefused as exc:
            raise BackupRefused(str(exc).replace(str(staged), str(backup))) from None
        kept = _keep_aside(dest, now()) if replaced else None
        check.copy_file(staged, dest, single_file=False)  # into the live file, under its locks
    finally:
        for leftover in (staged, *(staged.with_name(staged.name + e) for e in ("-wal", "-shm", "-journal"))):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
    return Restored(dest, backup, proof.centre_name, proof.entries, proof.records, kept)


def _revision(backup: Path) -> str:
    """The backup's schema: this version's or an older one; anything else is refused."""
    from alembic.script import ScriptDirectory

    from db.migrate import alembic_config

    try:
        conn = cipher.connect(check.read_only_uri(backup, immutable=True), path=backup, uri=True)
    except cipher.Encrypted as exc:
        raise BackupRefused(str(exc)) from None
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        rows = (
            conn.execute("SELECT version_num FROM alembic_version").fetchall()
            if "alembic_version" in tables
            else []
        )
    except cipher.driver_errors() as exc:
        raise BackupRefused(f"{backup} is damaged or cut short ({exc}); nothing was changed") from None
    finally:
        conn.close()
    if not rows:
        raise BackupRefused(f"{backup} is not a naas-centre backup (it is another program's database)")
    revision = str(rows[0][0])
    try:
        known = ScriptDirectory.from_config(alembic_config("sqlite://")).get_revision(revision) is not None
    except Exception:
        known = False
    if not known:
        raise BackupRefused(
            f"{backup} was written by a newer naas-centre (schema {revision}); upgrade the app to restore it"
        )
    return revision


def _current(dest: Path) -> bool:
    """Whether there is a database to replace; one that is not a centre's is refused."""
    if not dest.exists() or (dest.is_file() and dest.stat().st_size == 0):
        return False
    problem = sqlite_file_problem(dest)
    if problem is not None:
        raise BackupRefused(f"{problem}; restore replaces a centre's database only")
    try:
        conn = cipher.connect(check.read_only_uri(dest, immutable=True), path=dest, uri=True)
    except cipher.Encrypted as exc:
        raise BackupRefused(str(exc)) from None
    try:
        ours = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchone()[0]
    except cipher.driver_errors():
        ours = 0
    finally:
        conn.close()
    if not ours:
        raise BackupRefused(
            f"{dest} is not a naas-centre database; restore replaces a centre's database only"
        )
    return True


def _keep_aside(dest: Path, at: datetime) -> Path:
    folder = dest.parent / "backups"
    folder.mkdir(mode=0o700, exist_ok=True)
    base = f"{dest.stem}-replaced-by-restore-{at.astimezone(UTC).strftime(STAMP)}"
    aside, n = folder / f"{base}{dest.suffix}", 1
    while aside.exists():
        n += 1
        aside = folder / f"{base}-{n}{dest.suffix}"
    check.copy_file(dest, aside)
    return aside
