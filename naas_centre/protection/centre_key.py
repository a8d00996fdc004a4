"""Which passphrase seals the files of a database: its own, when it is an encrypted SQLite
file unlocked in this run (``db.cipher``); None for a plain one or a server."""

from __future__ import annotations

from typing import TYPE_CHECKING

from db import cipher
from db.engine import sqlite_path

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def passphrase_of(url: str) -> str | None:
    path = sqlite_path(url)
    return cipher.passphrase_for(path) if path is not None else None


def passphrase_of_session(s: Session) -> str | None:
    """From the session's engine; an engine opened to read only names no file, so None."""
    bind = s.get_bind()
    return passphrase_of(bind.engine.url.render_as_string(hide_password=False))
