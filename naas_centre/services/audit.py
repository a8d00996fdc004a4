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

The services record the rows of ``AUDITED`` themselves, with the act's name and who did
it. The rows of ``COVERED`` (whatever else feeds an outcome, a report, a signature or a
permission) are recorded by the session itself as they are flushed, so no service can
forget one; a large or binary column is held in the trail by its SHA-256. Either way a row
changed behind the app no longer matches its latest entry. What a rewrite of the whole file
can still do (rewrite the chain itself) is caught by the signed checkpoints kept outside it
(``checkpoints``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Generator, Iterable, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, Table, event, func, select, text
from sqlalchemy.orm import Session, UOWTransaction, attributes

from db.base import Base, new_id, utcnow
from db.driver_sql import DriverStatement
from db.engine import Database
from db.models import (
    AccountRow,
    AuditChainRow,
    AuditEntryRow,
    CandidateRow,
    CertificateApprovalRow,
    CertificateRow,
    CrlRow,
    DayPlanRow,
    DocumentSignatureRow,
    EqualityMonitoringRow,
    EvidenceNoteRow,
    JudgementRow,
    KnowledgeAnswerRow,
    KnowledgeFormRow,
    ModerationRow,
    PackRow,
    PhaseEventRow,
    PlanStationRow,
    ScoreRow,
    ScriptRow,
    SignedDocumentRow,
    SigningKeyRow,
    SittingAssessorRow,
    SittingRow,
    StationPassMarkRow,
)
from naas_centre.errors import UserError
from naas_centre.services import checkpoints
from naas_centre.services.checkpoints import Checkpoint, CheckpointRefused
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
# Recorded by the session as they are flushed (``_record_covered``).
COVERED: tuple[type[Base], ...] = (
    EqualityMonitoringRow,
    ScriptRow,
    PhaseEventRow,
    PackRow,
    DayPlanRow,
    PlanStationRow,
    StationPassMarkRow,
    KnowledgeFormRow,
    KnowledgeAnswerRow,
    SignedDocumentRow,
    DocumentSignatureRow,
    CertificateRow,
    CertificateApprovalRow,
    CrlRow,
    SigningKeyRow,
)
_COVERED_TYPES = frozenset(COVERED)
# Text too long to repeat in every entry: the trail holds its SHA-256 (bytes always are).
_DIGESTED = {("scripts", "text"), ("signed_documents", "snapshot"), ("packs", "content")}
_PG_CHAIN_LOCK = 0x6E616173  # any constant; serialises appends to the chain


def snapshot(row: Base) -> dict[str, Any]:
    """The row's business columns as JSON-ready values."""
    table = row.__tablename__
    return {
        col.key: _held(table, col.key, getattr(row, col.key))
        for col in row.__table__.columns
        if col.key not in _HOUSEKEEPING
    }


def _held(table: str, key: str, value: Any) -> Any:
    """A column's value as the trail holds it."""
    if value is None:
        return None
    if key == "password_hash":
        # The trail proves the password changed without holding the hash itself.
        return "sha256:" + hashlib.sha256(str(value).encode()).hexdigest()[:16]
    if isinstance(value, bytes) or (table, key) in _DIGESTED:
        return digested(table, key, value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).isoformat()  # as the database gives it back
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def digested(table: str, key: str, value: Any) -> Any:
    """A large or binary column's value as the trail holds it (its SHA-256); any other as it is.
    For rows written in bulk with their entries (the demo's past)."""
    if isinstance(value, bytes):
        return "sha256:" + hashlib.sha256(value).hexdigest()
    if value is not None and (table, key) in _DIGESTED:
        return "sha256:" + hashlib.sha256(str(value).encode()).hexdigest()
    return value


# Made once: ``json.dumps`` with these options builds an encoder on every call.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _canonical(value: Any) -> str:
    return _ENCODER.encode(value)


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
    if type(row) in _COVERED_TYPES:
        # This entry says who and what; the session need not record the row again in this
        # flush (and only this one: a flush with nothing to write never reaches the hook).
        explicit = session.info.setdefault(_EXPLICIT, set())
        explicit.add(id(row))
        try:
            session.flush()
        finally:
            explicit.discard(id(row))
    else:
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
_ADD_ONE = DriverStatement(_ADD)  # one entry, on the driver's cursor: the click's path
# Where the next entry goes: this database's chain, the next number in this database, and
# the last entry of this database's own chain (none yet: NULLs). One round trip, on the
# unique indexes.
_PLACE = DriverStatement(
    text(
        "SELECT c.chain_id, (SELECT max(seq) FROM audit_entries), e.chain_seq, e.hash "
        "FROM audit_chain c LEFT JOIN audit_entries e ON e.chain_id = c.chain_id "
        "AND e.chain_seq = (SELECT max(chain_seq) FROM audit_entries WHERE chain_id = c.chain_id)"
    )
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
    ((chain_id, top, last_seq, last_hash),) = _PLACE.execute(conn, {})
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
    _ADD_ONE.execute(
        conn,
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


_EXPLICIT = "audit_explicit"


def states_row(entity_id: str, after: str | None) -> bool:
    """Whether an entry records its row's state (a snapshot, which holds the row's id, or
    a deletion) rather than being a note about the row (a kiosk opened on a script)."""
    return after is None or f'"id":"{entity_id}"' in after


def attested(session: Session, rows: Iterable[Base]) -> list[Base]:
    """The rows whose state is the one their latest entry in the trail records, that
    entry's own hash holding: a row put in behind the app (a rogue certificate) has none.

    Only the entries are read; whether the chain itself holds is ``verify``'s question."""
    out = []
    for row in rows:
        rid = str(row.id)  # type: ignore[attr-defined]
        entries = session.scalars(
            select(AuditEntryRow)
            .where(AuditEntryRow.entity == row.__tablename__, AuditEntryRow.entity_id == rid)
            .order_by(AuditEntryRow.seq.desc())
        )
        latest = next((e for e in entries if states_row(e.entity_id, e.after)), None)
        if latest is None or latest.after is None:
            continue
        held = entry_hash(
            latest.prev_hash,
            latest.chain_seq,
            latest.at,
            latest.account_id,
            latest.action,
            latest.entity,
            latest.entity_id,
            latest.before,
            latest.after,
        )
        if held == latest.hash and json.loads(latest.after) == json.loads(_canonical(snapshot(row))):
            out.append(row)
    return out


def _before_of(row: Base) -> dict[str, Any]:
    """The row's business columns as they were before this flush."""
    out = snapshot(row)
    for key in out:
        history = attributes.get_history(row, key)
        if history.deleted:
            out[key] = _held(row.__tablename__, key, history.deleted[0])
    return out


@event.listens_for(Session, "after_flush")
def _record_covered(session: Session, _flush: UOWTransaction) -> None:
    """An entry for every row of ``COVERED`` this flush wrote, unless a service recorded it.

    Only the app's write sessions (those that stamp a workstation) are recorded."""
    workstation = session.info.get("workstation_id")
    if workstation is None:
        return
    explicit: set[int] = session.info.get(_EXPLICIT, set())
    changes: list[tuple[Base, str, dict[str, Any] | None, dict[str, Any] | None]] = []
    for obj in session.new:
        if type(obj) in _COVERED_TYPES and id(obj) not in explicit:
            changes.append((obj, "add", None, snapshot(obj)))
    for obj in session.dirty:
        if type(obj) in _COVERED_TYPES and id(obj) not in explicit and session.is_modified(obj):
            changes.append((obj, "change", _before_of(obj), snapshot(obj)))
    for obj in session.deleted:
        if type(obj) in _COVERED_TYPES and id(obj) not in explicit:
            changes.append((obj, "delete", snapshot(obj), None))
    explicit.clear()
    if changes:
        _append_changes(
            session, workstation, [(obj, f"{obj.__tablename__}.{how}", b, a) for obj, how, b, a in changes]
        )


_Change = tuple[Base, str, dict[str, Any] | None, dict[str, Any] | None]  # row, action, before, after


def _append_changes(session: Session, workstation: str, changes: Sequence[_Change]) -> None:
    """One entry per change, by no one, appended in one statement."""
    conn = session.connection()
    place = _next_place(conn)
    rows = []
    chain_seq, prev = place.chain_seq, place.prev_hash
    at = utcnow()
    for i, (obj, action, before, after) in enumerate(changes):
        entity, entity_id = obj.__tablename__, str(obj.id)  # type: ignore[attr-defined]
        before_text = None if before is None else _canonical(before)
        after_text = None if after is None else _canonical(after)
        digest = entry_hash(prev, chain_seq, at, None, action, entity, entity_id, before_text, after_text)
        rows.append(
            {
                "id": new_id(),
                "created_at": at,
                "updated_at": at,
                "workstation_id": workstation,
                "seq": place.seq + i,
                "chain_id": place.chain_id,
                "chain_seq": chain_seq,
                "at": at,
                "account_id": None,
                "action": action,
                "entity": entity,
                "entity_id": entity_id,
                "before": before_text,
                "after": after_text,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        chain_seq, prev = chain_seq + 1, digest
    conn.execute(_ADD, rows)


ADOPT = "trail.adopt"


def adopt_unrecorded(db: Database, checkpoint_file: Path | None) -> int:
    """Enters in the trail, once, the covered rows of a database made before they were
    covered: one ``trail.adopt`` entry per row, by no one, in one transaction. Returns
    how many (0 for a database that needs none).

    Only a database that shows it predates coverage is adopted: covered rows, not one
    entry about any of them, and no checkpoint yet (checkpoints came with coverage). A
    row slipped in behind the app later is never adopted: by then the trail already
    holds entries for its table's neighbours, or a checkpoint was signed."""
    if checkpoint_file is not None and checkpoint_file.exists() and checkpoint_file.stat().st_size:
        return 0
    tables = [m.__tablename__ for m in COVERED]
    with db.write() as s:
        if s.scalar(select(AuditEntryRow.id).where(AuditEntryRow.entity.in_(tables)).limit(1)) is not None:
            return 0
        rows = [row for model in COVERED for row in s.scalars(select(model))]
        if rows:
            _append_changes(s, db.workstation_id, [(row, ADOPT, None, snapshot(row)) for row in rows])
        return len(rows)


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


# Entries that anchor another chain in this database's own: the other chain's id, the
# place of its last entry this database took, and that entry's hash.
CHAIN_STARTED = "audit.chain_started"
IMPORTED = "audit.imported"
_ANCHORS = (CHAIN_STARTED, IMPORTED)
_CHAIN_ENTITY = "audit_chain"


class TrailRefused(UserError):
    """Entries of another database's trail that cannot be taken in as they are."""


def own_chain(session: Session) -> str:
    """This database's chain id."""
    return str(session.execute(select(AuditChainRow.chain_id)).scalar_one())


def short_chain(chain_id: str) -> str:
    """How a chain is named to people: enough of its id to tell a centre's apart."""
    return chain_id[:8]


def chain_heads(session: Session) -> dict[str, int]:
    """The last place held of every chain in this database, this database's own included."""
    rows = session.execute(
        select(AuditEntryRow.chain_id, func.max(AuditEntryRow.chain_seq)).group_by(AuditEntryRow.chain_id)
    )
    return {str(chain): int(last) for chain, last in rows}


def _head(session: Session, chain_id: str) -> tuple[int, str]:
    last = session.execute(
        select(AuditEntryRow.chain_seq, AuditEntryRow.hash)
        .where(AuditEntryRow.chain_id == chain_id)
        .order_by(AuditEntryRow.chain_seq.desc())
        .limit(1)
    ).first()
    return (int(last[0]), str(last[1])) if last else (0, GENESIS)


def _anchor(chain_id: str, head: tuple[int, str]) -> dict[str, Any]:
    return {"chain_id": chain_id, "through": head[0], "hash": head[1]}


def start_own_chain(session: Session, actor: Actor | None = None) -> str:
    """Gives this database a chain of its own and returns its id.

    For a database made as a copy of another (a workstation's, prepared from the
    manager's): two copies would otherwise write one chain twice, and the second to be
    imported would be refused as a fork. The entries already held stay in the chain they
    were written in, anchored by the new chain's first entry.
    """
    _hold_chain(session.connection())
    row = session.execute(select(AuditChainRow)).scalar_one()
    head = _head(session, row.chain_id)
    previous, row.chain_id = row.chain_id, new_id()
    note(session, actor, CHAIN_STARTED, _CHAIN_ENTITY, row.chain_id, _anchor(previous, head))
    return row.chain_id


# What an exported entry holds: everything its hash covers, and where it sits.
_EXPORTED = (
    "id",
    "chain_id",
    "chain_seq",
    "at",
    "workstation_id",
    "account_id",
    "action",
    "entity",
    "entity_id",
    "before",
    "after",
    "prev_hash",
    "hash",
)


def export_entries(session: Session, chain_id: str, after: int = 0) -> list[dict[str, Any]]:
    """The entries of ``chain_id`` after place ``after``, in order, as JSON-ready dicts
    (the instant as ISO text) for ``import_entries`` in another database."""
    rows = session.scalars(
        select(AuditEntryRow)
        .where(AuditEntryRow.chain_id == chain_id, AuditEntryRow.chain_seq > after)
        .order_by(AuditEntryRow.chain_seq)
    )
    return [
        {name: e.at.isoformat() if name == "at" else getattr(e, name) for name in _EXPORTED} for e in rows
    ]


@dataclass(frozen=True)
class ImportedEntries:
    chain_id: str
    added: int
    skipped: int  # already held, the same
    through: int  # the last place of the chain this database now holds


@dataclass(frozen=True)
class _Incoming:
    id: str
    chain_seq: int
    at: datetime
    workstation_id: str
    account_id: str | None
    action: str
    entity: str
    entity_id: str
    before: str | None
    after: str | None
    prev_hash: str
    hash: str


# Field, the lengths its column takes (None: any text), and whether it may be empty (None).
_TEXT_FIELDS: tuple[tuple[str, int | None, bool], ...] = (
    ("id", 36, False),
    ("workstation_id", 36, False),
    ("account_id", 36, True),
    ("action", 60, False),
    ("entity", 60, False),
    ("entity_id", 36, False),
    ("before", None, True),
    ("after", None, True),
    ("prev_hash", 64, False),
    ("hash", 64, False),
)


def import_entries(
    session: Session,
    chain_id: str,
    entries: Iterable[Mapping[str, Any]],
    *,
    actor: Actor | None = None,
) -> ImportedEntries:
    """Appends another database's entries of ``chain_id`` as they were written (their own
    hashes), in the caller's transaction, and anchors them in this database's chain.

    Entries already held (same place, id and hash) are skipped, so a bundle taken in twice
    changes nothing. Everything is checked before anything is written; a gap, an entry that
    does not match its hash, a different entry at a place already held (a fork or a
    forgery) or this database's own chain is refused with a ``TrailRefused``.
    """
    where = f"the trail from workstation database {short_chain(chain_id)}"
    _hold_chain(session.connection())  # the heads read below stay the heads until commit
    if chain_id == own_chain(session):
        raise TrailRefused(
            f"These entries are this database's own trail ({short_chain(chain_id)}): a database never "
            "imports its own entries. A workstation database made as a copy of this one needs a chain of "
            "its own before it is used. Nothing was imported."
        )
    incoming = sorted(
        (_read_incoming(where, chain_id, number, raw) for number, raw in enumerate(entries, 1)),
        key=lambda e: e.chain_seq,
    )
    head_seq, head_hash = _head(session, chain_id)
    if not incoming:
        return ImportedEntries(chain_id, 0, 0, head_seq)
    held = _held_places(session, chain_id, incoming[0].chain_seq, head_seq)
    new: list[_Incoming] = []
    for e in incoming:
        n = e.chain_seq
        if n <= head_seq:
            if held.get(n) != (e.id, e.hash):
                raise TrailRefused(
                    f"Entry {n} of {where} differs from the entry {n} already held here: a fork or a "
                    "forgery (two databases writing one trail, or an entry rewritten). Nothing was imported."
                )
            continue
        if n > head_seq + 1:
            missing = f"Entry {head_seq + 1}" if n == head_seq + 2 else f"Entries {head_seq + 1} to {n - 1}"
            raise TrailRefused(
                f"{missing} of {where} {'is' if n == head_seq + 2 else 'are'} missing: this database "
                f"holds that trail up to entry {head_seq}. Take in that workstation's earlier bundles "
                "first. Nothing was imported."
            )
        if e.prev_hash != head_hash:
            raise TrailRefused(
                f"Entry {n} of {where} does not follow entry {head_seq} held here: a fork or a forgery. "
                "Nothing was imported."
            )
        new.append(e)
        held[n] = (e.id, e.hash)
        head_seq, head_hash = n, e.hash
    _refuse_taken_ids(session, where, new)
    if new:
        _insert_incoming(session, chain_id, new)
        detail = _anchor(chain_id, (head_seq, head_hash)) | {"entries": len(new)}
        note(session, actor, IMPORTED, _CHAIN_ENTITY, chain_id, detail)
    return ImportedEntries(chain_id, len(new), len(incoming) - len(new), head_seq)


def _read_incoming(where: str, chain_id: str, number: int, raw: Mapping[str, Any]) -> _Incoming:
    """One exported entry, checked field by field and against its own hash."""
    place = raw.get("chain_seq") if isinstance(raw, Mapping) else None
    if not isinstance(place, int) or isinstance(place, bool) or place < 1:
        raise TrailRefused(
            f"Entry number {number} given for {where} has no place in it (chain_seq is missing or "
            "not a whole number from 1). Nothing was imported."
        )
    name = f"Entry {place} of {where}"
    if raw.get("chain_id", chain_id) != chain_id:
        raise TrailRefused(
            f"{name} belongs to another trail ({short_chain(str(raw['chain_id']))}). Nothing was imported."
        )
    values: dict[str, Any] = {}
    for field, longest, optional in _TEXT_FIELDS:
        value = raw.get(field)
        if value is None and optional:
            values[field] = None
            continue
        if not isinstance(value, str) or not value or (longest is not None and len(value) > longest):
            limit = "" if longest is None else f" of at most {longest} characters"
            raise TrailRefused(f"{name}: {field} is missing or not a text{limit}. Nothing was imported.")
        values[field] = value
    try:
        at = datetime.fromisoformat(raw["at"])
        if at.tzinfo is None:
            raise ValueError("no time zone")
    except (KeyError, TypeError, ValueError):
        raise TrailRefused(
            f"{name}: at is missing or not an instant with its time zone (ISO 8601). Nothing was imported."
        ) from None
    e = _Incoming(chain_seq=place, at=at, **values)
    want = entry_hash(
        e.prev_hash, e.chain_seq, e.at, e.account_id, e.action, e.entity, e.entity_id, e.before, e.after
    )
    if want != e.hash:
        raise TrailRefused(
            f"{name} does not match its hash: it was altered after it was written. Nothing was imported."
        )
    return e


def _held_places(session: Session, chain_id: str, first: int, last: int) -> dict[int, tuple[str, str]]:
    if first > last:
        return {}
    rows = session.execute(
        select(AuditEntryRow.chain_seq, AuditEntryRow.id, AuditEntryRow.hash).where(
            AuditEntryRow.chain_id == chain_id, AuditEntryRow.chain_seq.between(first, last)
        )
    )
    return {int(n): (str(i), str(h)) for n, i, h in rows}


def _refuse_taken_ids(session: Session, where: str, new: list[_Incoming]) -> None:
    for start in range(0, len(new), 500):  # within every backend's limit on bound values
        batch = {e.id: e for e in new[start : start + 500]}
        taken = session.scalars(select(AuditEntryRow.id).where(AuditEntryRow.id.in_(batch))).first()
        if taken is not None:
            raise TrailRefused(
                f"Entry {batch[taken].chain_seq} of {where} has the id of another entry already held "
                "here: a forgery. Nothing was imported."
            )


def _insert_incoming(session: Session, chain_id: str, new: list[_Incoming]) -> None:
    session.flush()
    conn = session.connection()
    top = int(conn.execute(select(func.max(_ENTRIES.c.seq))).scalar() or 0)
    now = utcnow()
    conn.execute(
        _ADD,
        [
            {
                "id": e.id,
                "created_at": now,
                "updated_at": now,
                "workstation_id": e.workstation_id,  # the workstation that wrote it
                "seq": top + i,
                "chain_id": chain_id,
                "chain_seq": e.chain_seq,
                "at": e.at,
                "account_id": e.account_id,
                "action": e.action,
                "entity": e.entity,
                "entity_id": e.entity_id,
                "before": e.before,
                "after": e.after,
                "prev_hash": e.prev_hash,
                "hash": e.hash,
            }
            for i, e in enumerate(new, 1)
        ],
    )


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries: int
    problem: str | None = None
    broken_seq: int | None = None  # the entry's place in its chain
    broken_chain: str | None = None
    chains: int = 1
    checkpoints: int = 0  # signed checkpoints the chain was proved to extend
    since_checkpoint: int = 0  # entries after the newest of them, which none vouches for yet


# What an edited row can raise as it is read or checked: a timestamp that is not a time,
# JSON that does not parse, a number where text belongs.
_MALFORMED = (ValueError, TypeError, OverflowError, AttributeError, KeyError)


def verify(db: Database, given: Iterable[tuple[str, Checkpoint]] = ()) -> VerifyResult:
    """Checks that the chain extends every signed checkpoint (those in the checkpoint file
    beside the database and any ``given``, each with where it was read), then every chain
    from its first entry, that each import is still there as it was taken in and nothing
    was added after it, then that every audited row matches the latest entry this database
    took for it, whichever chain that came from.

    A row that cannot even be read (edited into something that is not a time, say) is a
    broken entry like any other: named in the result, never an exception; so is a
    checkpoint file that cannot be read. Only reads.
    """
    try:
        known = [*_file_checkpoints(db), *given]
    except CheckpointRefused as exc:
        return VerifyResult(False, entry_count(db), f"the checkpoints: {exc}")
    with db.read() as session:
        standing = checkpoints.check(session, known)
        if standing.problem is not None:
            count = int(session.scalar(select(func.count()).select_from(AuditEntryRow)) or 0)
            return VerifyResult(False, count, standing.problem, checkpoints=standing.checked)
        try:
            result = _verify(session)
        except _MALFORMED as exc:
            session.rollback()
            result = _malformed(session, exc)
    return replace(result, checkpoints=standing.checked, since_checkpoint=standing.since_newest)


def checkpoint_line(result: VerifyResult) -> str:
    """What the signed checkpoints vouch for, in one line."""
    if result.checkpoints == 0:
        return (
            "checkpoints: none known for this database, so a rewrite of the whole file would not show "
            "here (a signed report or bundle still holds its own)"
        )
    since = result.since_checkpoint
    tail = (
        "the newest covers the whole trail"
        if since == 0
        else f"{since} {'entry' if since == 1 else 'entries'} after the newest checkpoint, which none "
        "vouches for yet (written since the app last closed, or behind it)"
    )
    return f"checkpoints: the trail extends all {result.checkpoints} signed checkpoints; {tail}"


def _file_checkpoints(db: Database) -> list[tuple[str, Checkpoint]]:
    path = checkpoints.file_of(db)
    if path is None:
        return []
    return [(f"checkpoint {n} of {path.name}", cp) for n, cp in enumerate(checkpoints.read_file(path), 1)]


class _Names:
    """How an entry is named in a problem: as before while a database holds one chain,
    with its chain once it holds more."""

    def __init__(self, session: Session) -> None:
        self.own = session.scalar(select(AuditChainRow.chain_id))
        chains = set(session.scalars(select(AuditEntryRow.chain_id).distinct()))
        self.count = len(chains | {self.own})
        self.named = self.count > 1

    def trail(self, chain_id: str) -> str:
        if chain_id == self.own:
            return "this database's own trail"
        return f"the trail from workstation database {short_chain(chain_id)}"

    def entry(self, n: int | str, chain_id: str) -> str:
        return f"entry {n} of {self.trail(chain_id)}" if self.named else f"entry {n}"


def _malformed(session: Session, exc: Exception) -> VerifyResult:
    """The first row that cannot be read, found one row at a time (the slow path)."""
    count = int(session.scalar(select(func.count()).select_from(AuditEntryRow)) or 0)
    names = _Names(session)
    why = f"{type(exc).__name__}: {exc}".splitlines()[0]
    models: tuple[type[Base], ...] = (AuditEntryRow, *AUDITED, *COVERED)
    for model in models:
        table = cast(Table, model.__table__)
        entries = model is AuditEntryRow
        key = table.c.seq if entries else table.c.id
        places = (table.c.chain_id, table.c.chain_seq) if entries else (table.c.id, table.c.id)
        for ident, chain, place in session.execute(select(key, *places).order_by(key)).all():
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
                what = names.entry(place, chain) if entries else f"{table.name} {ident}"
                detail = f"{type(row_exc).__name__}: {row_exc}".splitlines()[0]
                return VerifyResult(
                    False,
                    count,
                    f"{what} is malformed ({detail}): altered after it was written",
                    place if entries and isinstance(place, int) else None,
                    chain if entries else None,
                    names.count,
                )
            finally:
                session.expunge_all()
    return VerifyResult(
        False, count, f"a row cannot be read ({why}): altered after it was written", chains=names.count
    )


@dataclass(frozen=True)
class _Anchor:
    in_chain: str
    chain_id: str
    through: int
    hash: str


_VERIFY_BATCH = 5000  # rows fetched at a time: memory stays bounded on a large centre
# The columns ``_verify`` reads of an entry, as plain tuples (no ORM objects: a large trail
# is read in a fraction of the time). Result types still apply, so each value is the one
# the ORM would have given.
_ENTRY_COLUMNS = (
    _ENTRIES.c.seq,
    _ENTRIES.c.chain_id,
    _ENTRIES.c.chain_seq,
    _ENTRIES.c.at,
    _ENTRIES.c.account_id,
    _ENTRIES.c.action,
    _ENTRIES.c.entity,
    _ENTRIES.c.entity_id,
    _ENTRIES.c.before,
    _ENTRIES.c.after,
    _ENTRIES.c.prev_hash,
    _ENTRIES.c.hash,
)
# Values ``_held`` gives back as they are, in a column it does not digest.
_AS_IS = frozenset({str, int, float, bool, type(None)})


def _snapshots(session: Session, model: type[Base]) -> Generator[tuple[str, str], None, None]:
    """Each row of ``model`` as (its id, ``_canonical(snapshot(row))``), read as plain
    tuples: the same business columns, each value held as ``_held`` holds it."""
    table = cast(Table, model.__table__)
    name = table.name
    # Every column is read, the housekeeping ones too though the snapshot leaves them out:
    # a value the app could not read (a time edited into "yesterday") must fail here, as it
    # would in the app, and not pass unseen.
    cols = list(table.columns)
    keys = [c.key for c in cols]
    kept = [k not in _HOUSEKEEPING for k in keys]
    special = [k == "password_hash" or (name, k) in _DIGESTED for k in keys]
    at = keys.index("id")
    query = select(*cols).execution_options(yield_per=_VERIFY_BATCH)
    # Closed however the reading ends (a server's cursor is not left open by a broken row).
    with session.execute(query) as result:
        for values in result:
            held = {
                k: v if not sp and type(v) in _AS_IS else _held(name, k, v)
                for k, v, sp, keep in zip(keys, values, special, kept, strict=True)
                if keep
            }
            yield str(values[at]), _canonical(held)


def _same_state(recorded: str, now: str) -> bool:
    """Whether a row's snapshot is the state its entry recorded. The same canonical text is
    the same state; other text is compared as parsed values, as it always was (an entry
    may have recorded 1.0 where the row now gives 1)."""
    return recorded == now or json.loads(recorded) == json.loads(now)


def _verify(session: Session) -> VerifyResult:
    names = _Names(session)
    if names.own is None:
        return VerifyResult(False, 0, "this database's chain id is missing: altered behind the app")

    count = 0

    def broken(problem: str, place: int | None = None, chain: str | None = None) -> VerifyResult:
        return VerifyResult(False, count, problem, place, chain, names.count)

    # Per audited table, per row, the latest entry this database took for it: (seq, after).
    latest: dict[str, dict[str, tuple[int, str | None]]] = {}
    # Rows of ``COVERED`` whose latest entry came from another database's chain: a room may
    # hold rows (its own signing certificate, say) that its bundle does not bring here.
    foreign: set[tuple[str, str]] = set()
    heads: dict[str, int] = {}
    anchors: list[_Anchor] = []
    chain, prev, expected, taken = "", GENESIS, 1, 0
    ordered = (
        select(*_ENTRY_COLUMNS)
        .order_by(_ENTRIES.c.chain_id, _ENTRIES.c.chain_seq)
        .execution_options(yield_per=_VERIFY_BATCH)
    )
    # Closed however the walk ends (a server's cursor is not left open by a broken entry).
    with session.execute(ordered) as trail:
        for (
            seq,
            chain_id,
            n,
            at,
            account_id,
            action,
            entity,
            entity_id,
            before,
            after,
            prev_hash,
            digest,
        ) in trail:
            count += 1
            if chain_id != chain:
                chain, prev, expected, taken = chain_id, GENESIS, 1, 0
            if n != expected:
                return broken(
                    f"{names.entry(expected, chain)} is missing (next is {n}): deleted", expected, chain
                )
            # A chain's entries were taken in their own order: the database's order (``seq``,
            # which says which entry of a row is its latest) must agree with it.
            if not isinstance(seq, int) or isinstance(seq, bool) or seq <= taken:
                return broken(
                    f"{names.entry(n, chain)} is out of its place in this database's order", n, chain
                )
            taken = seq
            if prev_hash != prev:
                return broken(f"{names.entry(n, chain)} does not follow entry {n - 1}", n, chain)
            want = entry_hash(prev_hash, n, at, account_id, action, entity, entity_id, before, after)
            if want != digest:
                return broken(
                    f"{names.entry(n, chain)} ({action} {entity}) was altered after it was written", n, chain
                )
            # A row's state is in the entries that record it (a snapshot, which holds the row's
            # id, or a deletion); a note about the row (a kiosk opened on a script) is not one.
            if states_row(entity_id, after):
                rows = latest.setdefault(entity, {})
                held = rows.get(entity_id)
                if held is None or held[0] < seq:
                    rows[entity_id] = (seq, after)
                    if chain == names.own:
                        foreign.discard((entity, entity_id))
                    else:
                        foreign.add((entity, entity_id))
            if action in _ANCHORS and entity == _CHAIN_ENTITY and after is not None:
                anchor = json.loads(after)
                anchors.append(
                    _Anchor(chain, str(anchor["chain_id"]), int(anchor["through"]), str(anchor["hash"]))
                )
            heads[chain] = n
            prev, expected = digest, n + 1

    problem = _check_anchors(session, names, heads, anchors)
    if problem is not None:
        return broken(*problem)

    for model in (*AUDITED, *COVERED):
        table = model.__tablename__
        recorded_of = latest.get(table, {})
        seen: set[str] = set()
        with closing(_snapshots(session, model)) as snapshots:
            for rid, now in snapshots:
                seen.add(rid)
                held = recorded_of.get(rid)
                if held is None:
                    return broken(f"{table} {rid} has no audit entry: written behind the app")
                recorded = held[1]
                if recorded is None or not _same_state(recorded, now):
                    return broken(f"{table} {rid} differs from its audited state: changed behind the app")
        covered = model in _COVERED_TYPES
        for eid, (_, after) in recorded_of.items():
            if after is not None and eid not in seen:
                if covered and (table, eid) in foreign:
                    continue
                return broken(f"{table} {eid} was deleted behind the app")
    return VerifyResult(True, count, chains=names.count)


def _check_anchors(
    session: Session, names: _Names, heads: dict[str, int], anchors: list[_Anchor]
) -> tuple[str, int, str] | None:
    """Every chain this database took in still reaches each import's last entry, with the
    hash it had then, and holds nothing beyond what its imports brought."""
    covered: dict[str, int] = {}
    for a in anchors:
        if a.through == 0:
            continue
        ours = a.in_chain == names.own
        if ours:
            covered[a.chain_id] = max(covered.get(a.chain_id, 0), a.through)
        held = session.scalar(
            select(AuditEntryRow.hash).where(
                AuditEntryRow.chain_id == a.chain_id, AuditEntryRow.chain_seq == a.through
            )
        )
        if held is None and ours:
            last = heads.get(a.chain_id, 0)
            gone = f"entry {a.through}" if last + 1 == a.through else f"entries {last + 1} to {a.through}"
            return (
                f"{gone} of {names.trail(a.chain_id)} {'is' if last + 1 == a.through else 'are'} missing "
                f"(an import brought it up to entry {a.through}): deleted",
                last + 1,
                a.chain_id,
            )
        # Another database's anchor is checked against what this one holds of that chain.
        if held is not None and held != a.hash:
            return (
                f"entry {a.through} of {names.trail(a.chain_id)} is not the entry that was imported: "
                "the trail was rewritten",
                a.through,
                a.chain_id,
            )
    for chain_id, last in heads.items():
        if chain_id != names.own and last > covered.get(chain_id, 0):
            place = covered.get(chain_id, 0) + 1
            return (
                f"entry {place} of {names.trail(chain_id)} was brought by no import: added behind the app",
                place,
                chain_id,
            )
    return None


def entry_count(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEntryRow)) or 0)
