"""Which passphrase seals the files of a database: its own, when it is an encrypted SQLite
file unlocked in this run (``db.cipher``); None for a plain one or a server."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from db import cipher
from db.engine import sqlite_path
from naas_centre.protection.sealed import SealKey

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def key_of_file(path: Path) -> SealKey | None:
    passphrase = cipher.passphrase_for(path)
    return SealKey(passphrase, path.name) if passphrase is not None else None


def key_of(url: str) -> SealKey | None:
    path = sqlite_path(url)
    return key_of_file(path) if path is not None else None


def key_of_session(s: Session) -> SealKey | None:
    """From the session's engine; an engine opened to read only names no file, so None."""
    return key_of(s.get_bind().engine.url.render_as_string(hide_password=False))
