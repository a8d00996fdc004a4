"""A bulk path for the demo's past: the rows the scoring services write, with the audit
entries they make, many at once in one transaction.

Playing a year through the services one click at a time would take minutes; this
writes the same rows (levels, judgements, timings, scripts, submissions, statuses,
moderation) and appends to the database's own audit chain exactly as
``services.audit`` does (each entry's hash over the one before it), so that
``audit verify`` holds every row to its latest entry as for any other. The instants in
the rows are the past day's; each audit entry says, as always, when it was written.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any, cast

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from db.base import Base, new_id, utcnow
from db.models import AuditChainRow, AuditEntryRow
from naas_centre.services import audit

_HOUSEKEEPING = ("created_at", "updated_at", "workstation_id")


def _canonical(value: Any) -> str:
    # As ``services.audit`` writes a snapshot: the hash covers this exact text.
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def row_values(model: type[Base], **given: Any) -> dict[str, Any]:
    """Every column of a new ``model`` row: what is given, else the column's own default."""
    out: dict[str, Any] = {}
    for col in cast(Table, model.__table__).columns:
        if col.key in given:
            out[col.key] = given[col.key]
        elif col.key == "workstation_id":
            continue  # the writing workstation's, stamped by ``Trail.insert``
        elif col.default is not None and col.default.is_scalar:
            out[col.key] = col.default.arg  # type: ignore[attr-defined]
        elif col.key == "id":
            out[col.key] = new_id()
        elif col.nullable:
            out[col.key] = None
        else:
            raise ValueError(f"{model.__tablename__}.{col.key} needs a value")
    return out


def snapshot_of(values: Mapping[str, Any], table: str = "") -> dict[str, Any]:
    """A row's audited state from its column values, as ``audit.snapshot`` gives it (a
    large column of ``table`` by its hash)."""
    return {k: audit.digested(table, k, _plain(v)) for k, v in values.items() if k not in _HOUSEKEEPING}


class Trail:
    """Rows to insert and audit entries to append, written by ``flush`` in one go.

    Entries take their places in this database's own chain in the order they are
    added; nothing else may write to the chain in the same transaction meanwhile.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.workstation = str(session.info["workstation_id"])
        self.rows: dict[type[Base], list[dict[str, Any]]] = {}
        self.entries: list[dict[str, Any]] = []
        conn = session.connection()
        audit_chain_lock(session)
        self.chain = str(conn.execute(select(AuditChainRow.chain_id)).scalar_one())
        top = conn.execute(select(func.max(AuditEntryRow.seq))).scalar()
        last = conn.execute(
            select(AuditEntryRow.chain_seq, AuditEntryRow.hash)
            .where(AuditEntryRow.chain_id == self.chain)
            .order_by(AuditEntryRow.chain_seq.desc())
            .limit(1)
        ).first()
        self.seq = int(top or 0)
        self.chain_seq, self.prev = (int(last[0]), str(last[1])) if last else (0, audit.GENESIS)

    def insert(self, model: type[Base], values: dict[str, Any]) -> None:
        values.setdefault("workstation_id", self.workstation)
        self.rows.setdefault(model, []).append(values)

    def entry(
        self,
        account_id: str | None,
        action: str,
        entity: str,
        entity_id: str,
        before: Mapping[str, Any] | None,
        after: Mapping[str, Any] | None,
    ) -> None:
        """One audit entry, chained to the one before it."""
        before_text = None if before is None else _canonical(before)
        after_text = None if after is None else _canonical(after)
        self.seq += 1
        self.chain_seq += 1
        at = utcnow()
        digest = audit.entry_hash(
            self.prev, self.chain_seq, at, account_id, action, entity, entity_id, before_text, after_text
        )
        self.entries.append(
            {
                "id": new_id(),
                "created_at": at,
                "updated_at": at,
                "workstation_id": self.workstation,
                "seq": self.seq,
                "chain_id": self.chain,
                "chain_seq": self.chain_seq,
                "at": at,
                "account_id": account_id,
                "action": action,
                "entity": entity,
                "entity_id": entity_id,
                "before": before_text,
                "after": after_text,
                "prev_hash": self.prev,
                "hash": digest,
            }
        )
        self.prev = digest

    def audited_insert(
        self, model: type[Base], account_id: str | None, action: str, values: dict[str, Any]
    ) -> None:
        """A new row, and its entry as ``audit.record`` makes it (no state before)."""
        self.insert(model, values)
        table = model.__tablename__
        self.entry(account_id, action, table, str(values["id"]), None, snapshot_of(values, table))

    def flush(self) -> None:
        """Writes every row (in the order their tables were first given), then the entries."""
        conn = self.session.connection()
        for model, rows in self.rows.items():
            if rows:
                conn.execute(cast(Table, model.__table__).insert(), rows)
        if self.entries:
            conn.execute(cast(Table, AuditEntryRow.__table__).insert(), self.entries)
        self.rows, self.entries = {}, []


def audit_chain_lock(session: Session) -> None:
    """Holds the trail for the transaction, as every append to it does."""
    from sqlalchemy import text

    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": 0x6E616173})
