"""Rows that came in a bundle, brought into line with this database's audit trail.

``audit.verify`` holds every audited row to the state its latest entry recorded. Rows
written by a merge (or kept here against a bundle's trail) have no such entry of their
own here, so each one whose state differs from its latest entry gets one, named by
``action``. Comparing with the trail rather than with what the merge did makes this
idempotent: a second run finds nothing to record.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from itertools import islice
from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from db.base import Base
from db.models import AuditEntryRow
from naas_centre.services import audit
from naas_centre.services.views import Actor

_BATCH = 500


def audited_model(table: str) -> type[Base] | None:
    """The audited model of ``table``, None for a table the trail does not hold to its rows."""
    for model in (*audit.AUDITED, *audit.COVERED):
        if model.__tablename__ == table:
            return model
    return None


def record_where_changed(
    session: Session, actor: Actor | None, action: str, model: type[Base], ids: Iterable[str]
) -> int:
    """One entry for each row of ``ids`` whose state is not its latest entry's; returns how many."""
    table = model.__tablename__
    id_col = cast(Table, model.__table__).c.id
    recorded = 0
    pending = iter(sorted(set(ids)))
    while batch := list(islice(pending, _BATCH)):
        latest: dict[str, str | None] = {}
        for entity_id, after in session.execute(
            select(AuditEntryRow.entity_id, AuditEntryRow.after)
            .where(AuditEntryRow.entity == table, AuditEntryRow.entity_id.in_(batch))
            .order_by(AuditEntryRow.seq)
        ):
            if audit.states_row(str(entity_id), after):  # a note about the row is not its state
                latest[str(entity_id)] = after  # later entries overwrite earlier ones
        for row in session.scalars(select(model).where(id_col.in_(batch))):
            rid = str(row.id)  # type: ignore[attr-defined]
            after = latest.get(rid)
            state = json.loads(json.dumps(audit.snapshot(row), sort_keys=True))
            if after is None or json.loads(after) != state:
                audit.record(session, actor, action, row, None)
                recorded += 1
    return recorded
