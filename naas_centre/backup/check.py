"""Proving a backup: the whole file is sound (``PRAGMA integrity_check``), it is a
naas-centre database of this version holding a centre, and its audit trail verifies.

Also the SQLite copying both directions share: through SQLite's backup API, which copies
a consistent snapshot even while another program writes (it reads in one transaction).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import func, select, text

from db import cipher
from db.engine import Database, DatabaseError, owner_only, sqlite_path, to_url
from db.migrate import open_read_only, sqlite_file_problem
from db.models import CentreRow
from naas_centre.backup.names import SERVER_BACKUPS, BackupRefused
from naas_centre.services import audit


@dataclass(frozen=True)
class Proof:
    centre_name: str
    centre_id: str
    entries: int  # audit entries verified
    records: dict[str, int]  # rows in each table


def sqlite_file(target: str | Path) -> Path:
    """The database file of ``target``; a server's database is refused plainly."""
    try:
        path = sqlite_path(to_url(target))
    except DatabaseError as exc:
        raise BackupRefused(str(exc)) from None
    if path is None:
        raise BackupRefused(SERVER_BACKUPS)
    return path


def read_only_uri(path: Path, *, immutable: bool = False) -> str:
    # immutable: a file no one writes (a backup) is read with no locks and no -wal or -shm.
    return f"file:{quote(str(path))}?mode=ro{'&immutable=1' if immutable else ''}"


def sound(path: Path, what: str) -> None:
    """Refuses a file that is not a whole, undamaged SQLite database."""
    _a_database(path, what)
    _whole(path)


def _a_database(path: Path, what: str) -> None:
    problem = sqlite_file_problem(path)
    if problem is not None:
        raise BackupRefused(problem.replace("database", what, 1) if "no such" in problem else problem)


# PRAGMA integrity_check looks every row up in each of its indexes: with SQLite's default
# cache of a few MB the same pages are read (and, encrypted, decrypted) again and again;
# with the whole file in cache, once. Bounded, so a very large centre costs time, not memory.
_CHECK_CACHE_MAX = 256 * 1024 * 1024


def _whole(path: Path) -> None:
    try:
        conn = cipher.connect(read_only_uri(path, immutable=True), path=path, uri=True)
        try:
            cache = min(path.stat().st_size, _CHECK_CACHE_MAX) // 1024 + 2048
            conn.execute(f"PRAGMA cache_size = -{cache}")  # negative: KiB, not pages
            rows = conn.execute("PRAGMA integrity_check").fetchall()
        finally:
            conn.close()
    except cipher.Encrypted as exc:
        raise BackupRefused(str(exc)) from None
    except cipher.driver_errors() as exc:
        raise BackupRefused(f"{path} is damaged or cut short ({exc}); nothing was changed") from None
    if rows != [("ok",)]:
        first = str(rows[0][0]).splitlines()[0] if rows else "no answer"
        raise BackupRefused(f"{path} is damaged or cut short ({first}); nothing was changed")


def counts(db: Database) -> dict[str, int]:
    with db.read() as s:
        names = s.scalars(
            text(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' AND name != 'alembic_version' ORDER BY name"
            )
        ).all()
        return {name: int(s.scalar(text(f'SELECT count(*) FROM "{name}"')) or 0) for name in names}


def prove(path: Path) -> Proof:
    """Sound, of this version, holding a centre, and its audit trail intact: or refused.

    The integrity check runs on its own connection in a thread beside the rest: it is
    SQLite's C, which lets go of Python's lock, so it takes a second core while the audit
    verify's Python takes this one. Either can refuse the file; when both would, it is
    named damaged, as when the integrity check ran first.
    """
    _a_database(path, "backup")
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="integrity-check") as pool:
        whole = pool.submit(_whole, path)
        try:
            proof = _trail_proof(path)
        except BaseException:
            whole.result()  # damage found there is the reason given, whatever failed here
            raise
        whole.result()
    return proof


def _trail_proof(path: Path) -> Proof:
    try:
        db = open_read_only(path)
    except DatabaseError as exc:
        raise BackupRefused(str(exc)) from None
    try:
        with db.read() as s:
            centre = s.execute(select(CentreRow.name, CentreRow.id).limit(1)).first()
            if s.scalar(select(func.count()).select_from(CentreRow)) != 1 or centre is None:
                raise BackupRefused(f"{path} holds no centre (or more than one), so it is no centre's backup")
        verified = audit.verify(db)
        if not verified.ok:
            raise BackupRefused(f"{path}: its audit trail is broken ({verified.problem})")
        return Proof(centre.name, centre.id, verified.entries, counts(db))
    finally:
        db.dispose()


def copy(source: Any, destination: Path, *, single_file: bool = True, key_of: Path | None = None) -> None:
    """Copies the open ``source`` connection (a sqlite3 or SQLCipher one) into the file
    ``destination``, in one step, so the copy is one consistent snapshot. A ``single_file``
    copy (a backup, a database kept aside) keeps no -wal; a live database keeps its own
    journal mode. The copy of an encrypted database (``key_of`` unlocked) is encrypted
    under the same key: the backup API copies pages as they read in clear, and the keyed
    destination encrypts them again."""
    owner_only(destination)
    passphrase = cipher.passphrase_for(key_of) if key_of is not None else None
    if passphrase is not None:
        cipher.unlock(destination, passphrase)  # so the copy can be proven
    target = cipher.connect(
        destination, path=destination, passphrase=passphrase, isolation_level=None, timeout=10
    )
    try:
        source.backup(target)
        if single_file:
            target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()


def copy_file(source: Path, destination: Path, *, immutable: bool = False, single_file: bool = True) -> None:
    conn = cipher.connect(read_only_uri(source, immutable=immutable), path=source, uri=True)
    try:
        copy(conn, destination, single_file=single_file, key_of=source)
    finally:
        conn.close()
