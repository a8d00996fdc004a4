"""A database that may not grow by a single page: exactly what a full disk does to it."""

from __future__ import annotations

import sqlite3

from sqlalchemy import event

from db.engine import Database


def fill_the_disk(db: Database) -> None:
    """Every connection ``db`` opens from now on finds no room to grow."""

    @event.listens_for(db.engine, "connect")
    def _tiny(conn: sqlite3.Connection, _rec: object) -> None:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count={pages}")

    db.engine.dispose()
