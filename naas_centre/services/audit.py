"""The audit trail: every change as (who, when, what, before, after), chained by hash.

Each entry's hash covers its content and the hash before it, so editing or deleting an
entry breaks the chain. ``verify`` also compares every audited row with the state its
latest entry recorded, which catches a score changed behind the app's back.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, func, select, text
from sqlalchemy.orm import Session

from db.base import Base, new_id, utcnow
from db.engine import Database
from db.models import (
    AccountRow,
    AuditEntryRow,
    CandidateRow,
    EvidenceNoteRow,
    JudgementRow,
    ModerationRow,
    ScoreRow,
    SittingAssessorRow,
    SittingRow,
)
from naas_centre.services.views import Actor

GENESIS = "0" * 64
# Columns that say nothing about the change itself: left out of snapshots.
_HOUSEKEEPING = {"created_at", "updated_at", "workstation_id", "last_login_at"}
AUDITED: tuple[type[Base], ...] = (
    AccountRow,
    CandidateRow,
    SittingRow,
    SittingAssessorRow,
    ScoreRow,
    JudgementRow,
    EvidenceNoteRow,
    ModerationRow,
)
_PG_CHAIN_LOCK = 0x6E616173  # any constant; serialises appends to the chain


def snapshot(row: Base) -> dict[str, Any]:
    """The row's business columns as JSON-ready values."""
    out: dict[str, Any] = {}
    for col in row.__table__.columns:
        if col.key in _HOUSEKEEPING:
            continue
        value = getattr(row, col.key)
        if col.key == "password_hash" and value is not None:
            # The trail proves the password changed without holding the hash itself.
            value = "sha256:" + hashlib.sha256(str(value).encode()).hexdigest()[:16]
        elif isinstance(value, datetime | date):
            value = value.isoformat()
        out[col.key] = value
    return out


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(
    prev_hash: str,
    seq: int,
    at: datetime,
    account_id: str | None,
    action: str,
    entity: str,
    entity_id: str,
    before: str | None,
    after: str | None,
) -> str:
    body = _canonical([prev_hash, seq, at.isoformat(), account_id, action, entity, entity_id, before, after])
    return hashlib.sha256(body.encode()).hexdigest()


def record(
    session: Session,
    actor: Actor | None,
    action: str,
    row: Base,
    before: dict[str, Any] | None,
    *,
    deleted: bool = False,
) -> AuditEntryRow:
    """Appends one entry for ``row`` in the caller's transaction (flushes first)."""
    session.flush()
    after = None if deleted else snapshot(row)
    entity_id = str(row.id)  # type: ignore[attr-defined]
    return _append(
        session,
        actor.account_id if actor else None,
        action,
        row.__tablename__,
        entity_id,
        None if before is None else _canonical(before),
        None if after is None else _canonical(after),
    )


_ENTRIES = cast(Table, AuditEntryRow.__table__)
_LAST = select(_ENTRIES.c.seq, _ENTRIES.c.hash).order_by(_ENTRIES.c.seq.desc()).limit(1)
_ADD = _ENTRIES.insert()


def record_row(
    session: Session,
    actor: Actor | None,
    action: str,
    row: Base,
    before: dict[str, Any] | None,
) -> None:
    """As ``record``, for a row written with plain SQL statements (the live-scoring hot path):
    the entry is inserted at once, with no ORM flush. ``row`` may be a transient copy that
    holds the row's values after the change."""
    after = _canonical(snapshot(row))
    actor_id = actor.account_id if actor else None
    entity, entity_id = row.__tablename__, str(row.id)  # type: ignore[attr-defined]
    before_text = None if before is None else _canonical(before)
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_CHAIN_LOCK})
    last = conn.execute(_LAST).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    at = utcnow()
    conn.execute(
        _ADD,
        {
            "id": new_id(),
            "created_at": at,
            "updated_at": at,
            "workstation_id": session.info["workstation_id"],
            "seq": seq,
            "at": at,
            "account_id": actor_id,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "before": before_text,
            "after": after,
            "prev_hash": prev,
            "hash": entry_hash(prev, seq, at, actor_id, action, entity, entity_id, before_text, after),
        },
    )


def note(
    session: Session, actor: Actor | None, action: str, entity: str, entity_id: str, detail: dict[str, Any]
) -> AuditEntryRow:
    """An entry for an event that changes no audited row (say, a refused kiosk exit)."""
    return _append(
        session, actor.account_id if actor else None, action, entity, entity_id, None, _canonical(detail)
    )


def _append(
    session: Session,
    account_id: str | None,
    action: str,
    entity: str,
    entity_id: str,
    before: str | None,
    after: str | None,
) -> AuditEntryRow:
    seq, prev = _last(session)
    at = utcnow()
    entry = AuditEntryRow(
        seq=seq,
        at=at,
        account_id=account_id,
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=before,
        after=after,
        prev_hash=prev,
        hash=entry_hash(prev, seq, at, account_id, action, entity, entity_id, before, after),
    )
    session.add(entry)
    return entry


def _last(session: Session) -> tuple[int, str]:
    """The next entry's number and the hash it follows, with the chain held for this transaction."""
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_CHAIN_LOCK})
    # On SQLite the write transaction already holds the lock (BEGIN IMMEDIATE).
    last = session.execute(
        select(AuditEntryRow.seq, AuditEntryRow.hash).order_by(AuditEntryRow.seq.desc()).limit(1)
    ).first()
    return (last[0] + 1, last[1]) if last else (1, GENESIS)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries: int
    problem: str | None = None
    broken_seq: int | None = None


# What an edited row can raise as it is read or checked: a timestamp that is not a time,
# JSON that does not parse, a number where text belongs.
_MALFORMED = (ValueError, TypeError, OverflowError, AttributeError, KeyError)


def verify(db: Database) -> VerifyResult:
    """Checks the chain, then that every audited row matches its latest entry.

    A row that cannot even be read (edited into something that is not a time, say) is a
    broken entry like any other: named in the result, never an exception.
    """
    with db.read() as session:
        try:
            return _verify(session)
        except _MALFORMED as exc:
            session.rollback()
            return _malformed(session, exc)


def _malformed(session: Session, exc: Exception) -> VerifyResult:
    """The first row that cannot be read, found one row at a time (the slow path)."""
    count = int(session.scalar(select(func.count()).select_from(AuditEntryRow)) or 0)
    why = f"{type(exc).__name__}: {exc}".splitlines()[0]
    models: tuple[type[Base], ...] = (AuditEntryRow, *AUDITED)
    for model in models:
        table = cast(Table, model.__table__)
        key = table.c.seq if model is AuditEntryRow else table.c.id
        for (ident,) in session.execute(select(key).order_by(key)).all():
            try:
                row = session.execute(select(model).where(key == ident)).scalar_one()
                if isinstance(row, AuditEntryRow):
                    row.at.isoformat()
                    for text_value in (row.before, row.after):
                        if text_value is not None:
                            json.loads(text_value)
                else:
                    _canonical(snapshot(row))
            except _MALFORMED as row_exc:
                what = f"entry {ident}" if model is AuditEntryRow else f"{table.name} {ident}"
                detail = f"{type(row_exc).__name__}: {row_exc}".splitlines()[0]
                return VerifyResult(
                    False,
                    count,
                    f"{what} is malformed ({detail}): altered after it was written",
                    ident if model is AuditEntryRow else None,
                )
            finally:
                session.expunge_all()
    return VerifyResult(False, count, f"a row cannot be read ({why}): altered after it was written")


def _verify(session: Session) -> VerifyResult:
    prev, expected = GENESIS, 1
    latest: dict[tuple[str, str], str | None] = {}
    count = 0
    for e in session.scalars(select(AuditEntryRow).order_by(AuditEntryRow.seq)).yield_per(2000):
        count += 1
        if e.seq != expected:
            return VerifyResult(
                False, count, f"entry {expected} is missing (next is {e.seq}): deleted", expected
            )
        if e.prev_hash != prev:
            return VerifyResult(False, count, f"entry {e.seq} does not follow entry {e.seq - 1}", e.seq)
        want = entry_hash(
            e.prev_hash, e.seq, e.at, e.account_id, e.action, e.entity, e.entity_id, e.before, e.after
        )
        if want != e.hash:
            return VerifyResult(
                False,
                count,
                f"entry {e.seq} ({e.action} {e.entity}) was altered after it was written",
                e.seq,
            )
        latest[(e.entity, e.entity_id)] = e.after
        prev, expected = e.hash, e.seq + 1

    for model in AUDITED:
        table = model.__tablename__
        seen: set[str] = set()
        for row in session.scalars(select(model)).yield_per(2000):
            rid = str(row.id)  # type: ignore[attr-defined]
            seen.add(rid)
            key = (table, rid)
            if key not in latest:
                return VerifyResult(False, count, f"{table} {rid} has no audit entry: written behind the app")
            recorded = latest[key]
            if recorded is None or json.loads(recorded) != json.loads(_canonical(snapshot(row))):
                return VerifyResult(
                    False, count, f"{table} {rid} differs from its audited state: changed behind the app"
                )
        for (entity, eid), after in latest.items():
            if entity == table and after is not None and eid not in seen:
                return VerifyResult(False, count, f"{table} {eid} was deleted behind the app")
    return VerifyResult(True, count)


def entry_count(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEntryRow)) or 0)
