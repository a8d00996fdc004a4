"""Disk trouble injected for real into a running database's connections: a full disk
(SQLite may not grow by a page), a database locked by another program, a read-only
medium. Used by the scoring station's and the kiosk's storage tests."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import event

from db.engine import Database

Clear = Callable[[], None]


def inject(db: Database, path: Path, kind: str) -> Clear:
    """Makes every new connection fail to write the way ``kind`` does; returns the cure."""
    holder: sqlite3.Connection | None = None
    if kind == "full":

        def listener(conn: sqlite3.Connection, _rec: object) -> None:
            # The database may not grow by a single page: exactly what a full disk does.
            pages = conn.execute("PRAGMA page_count").fetchone()[0]
            conn.execute(f"PRAGMA max_page_count={pages}")

    elif kind == "locked":
        holder = sqlite3.connect(path, timeout=0, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")

        def listener(conn: sqlite3.Connection, _rec: object) -> None:
            conn.execute("PRAGMA busy_timeout=100")

    else:

        def listener(conn: sqlite3.Connection, _rec: object) -> None:
            conn.execute("PRAGMA query_only=ON")

    event.listen(db.engine, "connect", listener)
    db.engine.dispose()

    def clear() -> None:
        event.remove(db.engine, "connect", listener)
        if holder is not None:
            holder.execute("ROLLBACK")
            holder.close()
        db.engine.dispose()

    return clear
