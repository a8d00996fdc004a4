"""The audit trail: every change as (who, when, what, before, after), chained by hash.

Each entry's hash covers its content and the hash before it, so editing or deleting an
entry breaks the chain. ``verify`` also compares every audited row with the state its
latest entry recorded, which catches a score changed behind the app's back.

A chain is the trail of one database (``AuditChainRow``), however many workstations
write into it. A database can also hold other databases' chains, brought in by
``import_entries`` exactly as they were written; each import is anchored by an entry in
this database's own chain that names the imported chain's last entry and hash, so an
imported entry deleted from the end, or one added after it with a freshly computed hash,
is caught as surely as one edited in the middle. ``seq`` is the order this database took
its entries in; ``chain_seq`` an entry's place in its own chain, which the hash covers.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, func, select, text
from sqlalchemy.orm import Session

from db.base import Base, new_id, utcnow
from db.engine import Database
from db.models import (
    AccountRow,
    AuditChainRow,
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
    chain_seq: int,
    at: datetime,
    account_id: str | None,
    action: str,
    entity: str,
    entity_id: str,
    before: str | None,
    after: str | None,
) -> str:
    body = _canonical(
        [prev_hash, chain_seq, at.isoformat(), account_id, action, entity, entity_id, before, after]
    )
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
_ADD = _ENTRIES.insert()
# Where the next entry goes: this database's chain, the next number in this database, and
# the last entry of this database's own chain (none yet: NULLs). One round trip, on the
# unique indexes.
_PLACE = text(
    "SELECT c.chain_id, (SELECT max(seq) FROM audit_entries), e.chain_seq, e.hash "
    "FROM audit_chain c LEFT JOIN audit_entries e ON e.chain_id = c.chain_id "
    "AND e.chain_seq = (SELECT max(chain_seq) FROM audit_entries WHERE chain_id = c.chain_id)"
)


@dataclass(frozen=True)
class _Place:
    chain_id: str
    seq: int  # the next number in this database
    chain_seq: int  # the next place in this database's own chain
    prev_hash: str


def _hold_chain(conn: Connection) -> None:
    """Holds the trail for this transaction. On SQLite the write transaction already
    holds the database (BEGIN IMMEDIATE); on a server an advisory lock serialises appends."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_CHAIN_LOCK})


def _next_place(conn: Connection) -> _Place:
    _hold_chain(conn)
    chain_id, top, last_seq, last_hash = conn.execute(_PLACE).one()
    return _Place(
        chain_id,
        int(top or 0) + 1,
        int(last_seq or 0) + 1,
        GENESIS if last_hash is None else str(last_hash),
    )


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
    place = _next_place(conn)
    at = utcnow()
    conn.execute(
        _ADD,
        {
            "id": new_id(),
            "created_at": at,
            "updated_at": at,
            "workstation_id": session.info["workstation_id"],
            "seq": place.seq,
            "chain_id": place.chain_id,
            "chain_seq": place.chain_seq,
            "at": at,
            "account_id": actor_id,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "before": before_text,
            "after": after,
            "prev_hash": place.prev_hash,
            "hash": entry_hash(
                place.prev_hash, place.chain_seq, at, actor_id, action, entity, entity_id, before_text, after
            ),
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
    session.flush()  # entries added before this one take their places first
    place = _next_place(session.connection())
    at = utcnow()
    entry = AuditEntryRow(
        seq=place.seq,
        chain_id=place.chain_id,
        chain_seq=place.chain_seq,
        at=at,
        account_id=account_id,
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=before,
        after=after,
        prev_hash=place.prev_hash,
        hash=entry_hash(
            place.prev_hash, place.chain_seq, at, account_id, action, entity, entity_id, before, after
        ),
    )
    session.add(entry)
    return entry


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
