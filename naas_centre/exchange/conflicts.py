"""Rows changed on both sides of an exchange: listed, and resolved by a person with a reason.

Only a centre manager or an administrator sees or resolves them. Resolving keeps one
version: "local" leaves the row here as it is, "incoming" writes the other
workstation's version over it. Either way the choice and its reason go into the audit
trail, and the kept version becomes the row's new base, so the same incoming row is
not raised again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, cast

from sqlalchemy import Table, select, update

from db.base import utcnow
from db.engine import Database
from db.models import ExchangeConflictRow
from naas_centre.errors import Conflict, NotFound, UserError
from naas_centre.exchange.records import RowData, decode_row, encode_row, model_of, record_bases, row_data
from naas_centre.services import accounts, audit, capabilities
from naas_centre.services.views import Actor

Keep = Literal["local", "incoming"]
KEEPS: tuple[Keep, ...] = ("local", "incoming")


@dataclass(frozen=True)
class ConflictView:
    id: str
    table: str
    row_id: str
    local: dict[str, Any]  # the row's columns as plain data (see records)
    incoming: dict[str, Any]
    differing: tuple[str, ...]  # the columns whose values differ
    bundle_id: str
    origin_workstation: str
    found_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None
    kept: str | None
    reason: str | None

    @property
    def open(self) -> bool:
        return self.resolved_at is None


def _view(row: ExchangeConflictRow) -> ConflictView:
    local, incoming = json.loads(row.local_content), json.loads(row.incoming_content)
    differing = tuple(k for k in sorted(set(local) | set(incoming)) if local.get(k) != incoming.get(k))
    return ConflictView(
        row.id,
        row.table_name,
        row.row_id,
        local,
        incoming,
        differing,
        row.bundle_id,
        row.origin_workstation,
        row.found_at,
        row.resolved_at,
        row.resolved_by,
        row.kept,
        row.reason,
    )


def list_conflicts(db: Database, actor: Actor, *, include_resolved: bool = False) -> list[ConflictView]:
    """The conflicts still open (with ``include_resolved``, all of them), oldest first."""
    accounts.require(actor, *capabilities.EXCHANGE)
    query = select(ExchangeConflictRow).order_by(ExchangeConflictRow.found_at, ExchangeConflictRow.id)
    if not include_resolved:
        query = query.where(ExchangeConflictRow.resolved_at.is_(None))
    with db.read() as s:
        return [_view(row) for row in s.scalars(query)]


def resolve_conflict(db: Database, actor: Actor, conflict_id: str, keep: str, reason: str) -> ConflictView:
    """Keeps the "local" or the "incoming" version of a conflicting row, for ``reason``."""
    accounts.require(actor, *capabilities.EXCHANGE)
    if keep not in KEEPS:
        raise UserError(f"Keep {' or '.join(KEEPS)} version of the row, not {keep!r}.")
    why = " ".join(reason.split())
    if not why:
        raise UserError("Say why this version is kept: a reason is required to resolve a conflict.")
    with db.write() as s:
        found = s.get(ExchangeConflictRow, conflict_id)
        if found is None:
            raise NotFound(f"No conflict {conflict_id} is recorded.")
        if found.resolved_at is not None:
            raise Conflict(f"That conflict over {found.table_name} {found.row_id} is already resolved.")
        model = model_of(found.table_name)
        columns = cast(Table, model.__table__).c
        current = s.execute(select(*columns).where(columns.id == found.row_id)).first()
        if current is None or encode_row(model, current).get("hash") != found.local_hash:
            raise Conflict(
                f"{found.table_name} {found.row_id} has changed here since the conflict was found: "
                "merge the bundle again to compare the versions as they are now."
            )
        incoming: RowData = row_data(found.table_name, json.loads(found.incoming_content))
        if keep == "incoming":
            values = decode_row(model, incoming)
            local_values = decode_row(model, encode_row(model, current))
            s.execute(update(model), [values])
            if model in audit.AUDITED:
                # The row's new state, so the trail still matches every audited row.
                before = audit.snapshot(model(**local_values))
                audit.record_row(s, actor, "exchange.keep_incoming", model(**values), before)
        record_bases(s, found.bundle_id, found.table_name, [(found.row_id, found.incoming_hash)], "received")
        found.resolved_at = utcnow()
        found.resolved_by = actor.account_id
        found.kept = keep
        found.reason = why
        audit.note(
            s,
            actor,
            "exchange.conflict_resolved",
            ExchangeConflictRow.__tablename__,
            found.id,
            {
                "table": found.table_name,
                "row_id": found.row_id,
                "kept": keep,
                "reason": why,
                "bundle_id": found.bundle_id,
                "origin_workstation": found.origin_workstation,
                "local_hash": found.local_hash,
                "incoming_hash": found.incoming_hash,
            },
        )
        s.flush()
        return _view(found)
