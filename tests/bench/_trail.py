"""The trail of a bulk-built bench centre made whole: every audited or covered row that has
no entry is entered as the app's own writes leave a row (a ``trail.adopt`` snapshot, by
no one, chained on), so ``audit.verify`` reads the whole centre as it would a real one.

Bench only: the product adopts nothing that was written behind it once it keeps a trail."""

from __future__ import annotations

from sqlalchemy import exists, select

from db.engine import Database
from db.models import AuditEntryRow
from naas_centre.services import audit

BATCH = 2000  # rows per transaction: memory stays bounded whatever the centre's size


def complete_trail(db: Database) -> int:
    """Enters every unrecorded row of ``audit.AUDITED`` and ``audit.COVERED``; returns how many."""
    added = 0
    for model in (*audit.AUDITED, *audit.COVERED):
        table = model.__table__
        recorded = exists().where(
            AuditEntryRow.entity == model.__tablename__, AuditEntryRow.entity_id == table.c.id
        )
        after = ""
        while True:
            with db.write() as s:
                rows = list(
                    s.scalars(
                        select(model).where(~recorded, table.c.id > after).order_by(table.c.id).limit(BATCH)
                    )
                )
                if not rows:
                    break
                changes = [(row, audit.ADOPT, None, audit.snapshot(row)) for row in rows]
                audit._append_changes(s, db.workstation_id, changes)
                after = str(rows[-1].id)  # type: ignore[attr-defined]
            added += len(rows)
    return added
