"""The centre database encrypted on disk, with SQLCipher (AES-256, each page with its HMAC).

The key is SQLCipher's own from a passphrase: PBKDF2-HMAC-SHA512 over 256,000 rounds with
the random salt the file holds in its first 16 bytes. The passphrase is held in memory
only, for the run of the program, in this module's register of unlocked files: every
connection to that file (the app's, a read-only one, a backup's) takes its key from there,
so no caller has to carry it. It is never written anywhere.

Encrypting, decrypting and changing the key are each safe against a crash: a new file is
written beside the old one with ``sqlcipher_export``, proven (integrity check and the same
number of rows in every table), made durable, and only then renamed over the old one; the
rename is the one step that changes which file is the centre's. A key change is
``PRAGMA rekey``, one transaction under SQLite's rollback journal.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
from pathlib import Path
from typing import Any

from db.durable import sync_folder
from db.errors import DatabaseError

SQLITE_HEADER = b"SQLite format 3\x00"
_PAGE_MIN = 512

# Resolved path -> passphrase, for the files unlocked in this run; and the passphrase of
# the run's centre, tried on any other encrypted file it meets (its backups, restores).
_unlocked: dict[Path, str] = {}
_centre: list[str] = []


class Encrypted(DatabaseError):
    """An encrypted file opened without, or with the wrong, passphrase (or refused a change)."""


def unlock(path: Path, passphrase: str) -> None:
    """Remembers the passphrase of ``path`` for this run (in memory only)."""
    if not passphrase:
        raise Encrypted("the passphrase is empty; a centre's passphrase cannot be empty")
    _unlocked[_key_path(path)] = passphrase


def unlock_centre(passphrase: str) -> None:
    """The run's passphrase: also tried on the encrypted files met without one of their own."""
    if not passphrase:
        raise Encrypted("the passphrase is empty; a centre's passphrase cannot be empty")
    _centre[:] = [passphrase]


def forget(path: Path | None = None) -> None:
    """Forgets the passphrase of ``path``, or (None) every one held."""
    if path is None:
        _unlocked.clear()
        _centre.clear()
    else:
        _unlocked.pop(_key_path(path), None)


def passphrase_for(path: Path) -> str | None:
    own = _unlocked.get(_key_path(path))
    if own is None and _centre and looks_encrypted(path):
        return _centre[0]
    return own


def _key_path(path: Path) -> Path:
    return Path(os.path.abspath(path))


def looks_encrypted(path: Path) -> bool:
    """A file that is not plain SQLite but is whole pages of what looks like noise: what an
    SQLCipher database is. (Nothing else tells: the file has no header in clear.)"""
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(len(SQLITE_HEADER))
    except OSError:
        return False
    return size >= _PAGE_MIN and size % _PAGE_MIN == 0 and head != SQLITE_HEADER


def is_plain(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def wrong_passphrase(path: Path) -> Encrypted:
    return Encrypted(f"{path}: the passphrase does not open this centre's database; nothing was changed")


def no_passphrase(path: Path) -> Encrypted:
    return Encrypted(
        f"{path} is encrypted: give its passphrase (typed when asked, or --db-passphrase-file FILE); "
        "nothing was changed"
    )


def _literal(passphrase: str) -> str:
    return "'" + passphrase.replace("'", "''") + "'"


def connect(target: str | Path, *, path: Path, passphrase: str | None = None, **kwargs: Any) -> Any:
    """A DB-API connection to ``target`` (a path, or a ``file:`` URI with ``uri=True``).

    With a passphrase (given, or unlocked for ``path``) it is an SQLCipher connection,
    keyed before anything is read, and the key is proven at once: a wrong one is refused
    here, with the file untouched. Without one it is the standard library's ``sqlite3``.
    """
    passphrase = passphrase if passphrase is not None else passphrase_for(path)
    if passphrase is None:
        return sqlite3.connect(target, **kwargs)
    from sqlcipher3 import dbapi2  # type: ignore[import-untyped]

    conn = dbapi2.connect(str(target), **kwargs)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")  # its own lines on stderr say nothing ours do not
        conn.execute(f"PRAGMA key = {_literal(passphrase)}")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except dbapi2.DatabaseError as exc:
        conn.close()
        if "not a database" in str(exc):
            raise wrong_passphrase(path) from None
        raise
    return conn


def driver() -> Any:
    """SQLCipher's DB-API module (imported only when an encrypted file is opened)."""
    from sqlcipher3 import dbapi2

    return dbapi2


def driver_errors() -> tuple[type[BaseException], ...]:
    """The DB-API error classes of both drivers (SQLCipher's are not sqlite3's)."""
    try:
        from sqlcipher3 import dbapi2
    except ImportError:
        return (sqlite3.Error,)
    return (sqlite3.Error, dbapi2.Error)


def _tables(conn: Any) -> dict[str, int]:
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    return {n: int(conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0]) for n in names}


def _export(path: Path, old: str | None, new: str | None) -> None:
    """Writes ``path`` anew under the ``new`` key (None: plain), proves it and swaps it in."""
    from sqlcipher3 import dbapi2

    part = path.with_name(f".{path.name}.cipher.part")
    for stale in (part, part.with_name(part.name + "-journal")):
        with contextlib.suppress(FileNotFoundError):
            stale.unlink()
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    try:
        conn = dbapi2.connect(str(path), isolation_level=None, timeout=10)
        try:
            conn.execute("PRAGMA cipher_log_level = NONE")
            if old is not None:
                conn.execute(f"PRAGMA key = {_literal(old)}")
            try:
                before = _tables(conn)
                # Out of WAL: the log folded in and removed, which only works when no other
                # program has the file open (the centre must be closed to change its key).
                mode = conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
            except dbapi2.DatabaseError as exc:
                if "not a database" in str(exc):
                    raise (wrong_passphrase(path) if old is not None else no_passphrase(path)) from None
                if "locked" in str(exc) or "busy" in str(exc):
                    raise Encrypted(
                        f"{path} is open in another program; close the centre first; nothing was changed"
                    ) from None
                raise
            if mode != "delete":
                raise Encrypted(
                    f"{path} is open in another program; close the centre first; nothing was changed"
                )
            conn.execute(f"ATTACH DATABASE ? AS fresh KEY {_literal(new or '')}", (str(part),))
            conn.execute("SELECT sqlcipher_export('fresh')")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            conn.execute(f"PRAGMA fresh.user_version = {int(version)}")
            conn.execute("DETACH DATABASE fresh")
        finally:
            conn.close()
        _prove(part, new, before)
        with open(part, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(part, path)
        sync_folder(path.parent)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            part.unlink()
        raise
    if new is None:
        forget(path)
    else:
        unlock(path, new)


def _prove(part: Path, key: str | None, before: dict[str, int]) -> None:
    conn = connect(part, path=part, passphrase=key) if key is not None else sqlite3.connect(part)
    try:
        ok = conn.execute("PRAGMA integrity_check").fetchall()
        after = _tables(conn)
    finally:
        conn.close()
    if ok != [("ok",)] or after != before:
        raise Encrypted(f"{part}: the new copy did not prove whole; the database was left as it was")


def create(path: Path, passphrase: str) -> bool:
    """A new, empty database at ``path``, encrypted under ``passphrase`` from its first page
    (no clear copy is ever on disk); False when a database is there already, made meanwhile
    by another program, which is left as it is (opening it then proves the passphrase).

    Written beside it, made durable, and linked into place, which fails where a file exists:
    of two programs creating at once, both open the one file with its one salt. (Each keying
    an empty file of its own, each would salt it differently and the second refuse the
    first's pages.) An empty file there (0 bytes: never written) is replaced.
    """
    from sqlcipher3 import dbapi2

    if not passphrase:
        raise Encrypted("the passphrase is empty; a centre's passphrase cannot be empty")
    part = path.with_name(f".{path.name}.{secrets.token_hex(6)}.new")
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    try:
        conn = dbapi2.connect(str(part), isolation_level=None)
        try:
            conn.execute("PRAGMA cipher_log_level = NONE")
            conn.execute(f"PRAGMA key = {_literal(passphrase)}")
            conn.execute("PRAGMA user_version = 0")  # writes the first page: the salt, the header
        finally:
            conn.close()
        with open(part, "rb+") as fh:
            os.fsync(fh.fileno())
        try:
            os.link(part, path)
        except FileExistsError:
            if path.stat().st_size != 0:
                return False
            os.replace(part, path)
        sync_folder(path.parent)
        return True
    finally:
        with contextlib.suppress(FileNotFoundError):
            part.unlink()


def forget_centre() -> None:
    """Drops the run's passphrase (a centre that was not, after all, created with it)."""
    _centre.clear()


def encrypt(path: Path, passphrase: str) -> None:
    """Encrypts the plain database ``path`` in place (the centre closed)."""
    if not passphrase:
        raise Encrypted("the passphrase is empty; a centre's passphrase cannot be empty")
    if not is_plain(path):
        raise Encrypted(
            f"{path} is not a plain SQLite database (is it encrypted already?); nothing was changed"
        )
    _export(path, None, passphrase)


def decrypt(path: Path, passphrase: str) -> None:
    """Writes the encrypted database ``path`` back in clear (the centre closed)."""
    if is_plain(path):
        raise Encrypted(f"{path} is not encrypted; nothing was changed")
    _export(path, passphrase, None)


def rekey(path: Path, old: str, new: str) -> None:
    """Changes the passphrase of the encrypted ``path``: every page written again under the
    new key, in one transaction (a crash leaves it under the old key, whole)."""
    if not new:
        raise Encrypted("the new passphrase is empty; a centre's passphrase cannot be empty")
    if is_plain(path):
        raise Encrypted(f"{path} is not encrypted; encrypt it first (naas-centre db encrypt)")
    conn = connect(path, path=path, passphrase=old, isolation_level=None, timeout=10)
    try:
        mode = conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
        if mode != "delete":
            raise Encrypted(f"{path} is open in another program; close the centre first; nothing was changed")
        conn.execute(f"PRAGMA rekey = {_literal(new)}")
    finally:
        conn.close()
    unlock(path, new)
