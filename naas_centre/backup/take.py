"""Taking a backup: a consistent copy of the running centre's database, proven before it
takes its name, written atomically, keeping the newest ``keep`` copies."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from db.engine import Database, DatabaseError
from db.migrate import open_read_only
from db.models import CentreRow
from naas_centre import paths
from naas_centre.backup import check, names
from naas_centre.backup.names import DEFAULT_KEEP, BackupRefused
from naas_centre.exports import atomic


@dataclass(frozen=True)
class Backup:
    path: Path
    centre: str
    taken_at: datetime
    entries: int  # audit entries verified in the copy
    records: dict[str, int]  # rows in each table of the copy
    removed: tuple[Path, ...]  # older copies removed to keep the newest ``keep``


def _utcnow() -> datetime:
    return datetime.now(UTC)


def take(
    target: str | Path, folder: Path, *, keep: int = DEFAULT_KEEP, now: Callable[[], datetime] = _utcnow
) -> Backup:
    """Backs up the centre database ``target`` into ``folder``.

    The source is opened read-only and copied with SQLite's backup API in one step, so the
    copy is one consistent moment even while the app writes. The copy is checked (integrity,
    schema, a centre, the audit verify) under a temporary name and only then renamed; a
    copy that fails its check is removed and nothing older is rotated away.
    """
    source = check.sqlite_file(target)
    if keep < 1:
        raise BackupRefused(f"--keep must be at least 1, not {keep}")
    out = paths.usable_folder(paths.check_name(folder.expanduser(), "the backup folder"), "the backup folder")
    try:
        db = open_read_only(source)
    except DatabaseError as exc:
        raise BackupRefused(str(exc)) from None
    try:
        centre = _centre(db)
        if centre is None:
            raise BackupRefused(f"{source} holds no centre yet; there is nothing to back up")
        at = now()
        final = names.new_name(out, centre[0], centre[1], at)
        with atomic.replacing(final) as tmp:
            raw = db.engine.raw_connection()
            try:
                check.copy(raw.driver_connection, tmp, key_of=source)
            finally:
                raw.close()
            # Done with once copied: closed (its -wal tidied through a connection of its
            # own, a key derived again) beside the proof, on the core the proof leaves.
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="backup-source") as side:
                closed = side.submit(db.dispose)
                proof = check.prove(tmp)
            closed.result()
        os.chmod(final, 0o600)  # whatever the umask: it holds every candidate's record
    finally:
        db.dispose()
    removed = names.rotate(out, centre[0], centre[1], keep)
    return Backup(final, centre[0], at, proof.entries, proof.records, tuple(removed))


def _centre(db: Database) -> tuple[str, str] | None:
    with db.read() as s:
        row = s.execute(select(CentreRow.name, CentreRow.id).limit(1)).first()
        return (row.name, row.id) if row is not None else None
