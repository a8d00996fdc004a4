"""A new centre's SQLite file made encrypted from its first byte, and how a centre's data is
kept, in the words its trail records ("encrypted", "without_encryption", "on_a_server")."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from db import cipher
from db.engine import sqlite_path, to_url
from naas_centre.errors import Conflict, UserError


def _file(target: str | Path) -> Path:
    path = sqlite_path(to_url(target))
    if path is None:
        raise UserError("only a SQLite database file is encrypted by naas-centre; a server has its own")
    if not path.parent.is_dir():
        raise UserError(f"{path.parent}: no such folder for the database")
    return path


def prepare(target: str | Path, passphrase: str) -> None:
    """``target`` made ready to hold a new centre under ``passphrase``, which is held for
    the run: a new encrypted file; an encrypted one as it is (opening it proves the
    passphrase); a plain one left by a set-up that never finished, encrypted in place
    (it holds no centre, so nothing of one was ever in clear)."""
    path = _file(target)
    if cipher.is_plain(path):
        if _holds_centre(path):
            raise Conflict(f"{target} already holds a centre")
        cipher.encrypt(path, passphrase)
    elif not cipher.looks_encrypted(path):
        cipher.create(path, passphrase)  # or made meanwhile by another program: opened as it is
    cipher.unlock(path, passphrase)
    cipher.unlock_centre(passphrase)


def release(target: str | Path) -> None:
    """The passphrase given to ``prepare`` is let go: no centre was created with it."""
    path = sqlite_path(to_url(target))
    if path is not None:
        cipher.forget(path)
    cipher.forget_centre()


def _holds_centre(path: Path) -> bool:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return bool(conn.execute("SELECT count(*) FROM centre").fetchone()[0] > 0)
    except sqlite3.OperationalError:  # no table of centres yet: the schema was never made
        return False
    finally:
        conn.close()


def how_kept(url: str) -> str:
    path = sqlite_path(url)
    if path is None:
        return "on_a_server"
    return "encrypted" if cipher.passphrase_for(path) is not None else "without_encryption"
