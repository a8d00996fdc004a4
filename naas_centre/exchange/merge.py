"""Merging rows that came in a bundle into this database, by record id, without loss.

For each incoming row, against the row held here and its base (the latest content
this database sent out or took in for that row, ``exchange_sent``):

- not held here: added;
- held with the same content: already there;
- held, different, and the local row is still the base: nobody here changed it, so
  the incoming row replaces it (updated);
- held, different, and the incoming row is the base: only this side changed it, so the
  local row is kept;
- both changed: a conflict is recorded (``exchange_conflicts``) and the local row is
  left as it is, until a centre manager resolves it (``naas_centre.exchange.conflicts``).

Whatever both sides now hold becomes the row's new base, so a later bundle from the
same room is compared with what was agreed, not with what was first sent. Merging the
same rows again changes nothing: no row, no base and no second conflict.

Everything happens in the caller's transaction; the caller merges every table of a
bundle (in ``records.merge_order``) and commits once, so a refusal anywhere leaves no
change at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.base import Base, utcnow
from db.models import ExchangeConflictRow, ExchangeSentRow
from naas_centre.exchange.records import (
    BadRow,
    JSONValue,
    RowData,
    canonical,
    check_row,
    content_hash,
    decode_row,
    model_of,
    record_bases,
    row_values,
)
from naas_centre.services import audit

_BATCH = 500  # incoming rows compared per round of queries


@dataclass
class TableMerge:
    """What one table's merge did, row by row."""

    table: str
    added: int = 0
    already_there: int = 0
    updated: int = 0
    kept: int = 0
    conflicts: int = 0  # rows in conflict in this bundle
    new_conflicts: int = 0  # of those, recorded now (the others were recorded before)
    # Rows left here in another state than the bundle's (kept as changed here, or in
    # conflict): the only ones whose state here the room's trail does not describe.
    differing: list[str] = field(default_factory=list, repr=False)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.new_conflicts)

    def summary(self) -> str:
        """One plain line: ``scores: 212 added, 0 already there, 1 conflict``."""
        parts = [f"{self.added} added", f"{self.already_there} already there"]
        if self.updated:
            parts.append(f"{self.updated} updated")
        if self.kept:
            parts.append(f"{self.kept} kept as changed here")
        conflict = f"{self.conflicts} conflict{'' if self.conflicts == 1 else 's'}"
        if self.conflicts and self.new_conflicts < self.conflicts:
            conflict += f" ({self.conflicts - self.new_conflicts} recorded before)"
        parts.append(conflict)
        return f"{self.table}: {', '.join(parts)}"


@dataclass
class MergeReport:
    """Per table, in the order merged."""

    tables: list[TableMerge] = field(default_factory=list)

    def table(self, name: str) -> TableMerge:
        for merged in self.tables:
            if merged.table == name:
                return merged
        raise KeyError(name)

    def extend(self, other: MergeReport) -> MergeReport:
        self.tables.extend(other.tables)
        return self

    @property
    def conflicts(self) -> int:
        return sum(t.conflicts for t in self.tables)

    def summary_lines(self) -> list[str]:
        return [t.summary() for t in self.tables]


def merge(
    session: Session,
    table: str,
    incoming_rows: Iterable[RowData],
    *,
    bundle_id: str,
    origin_workstation: str,
    at: datetime | None = None,
) -> MergeReport:
    """Merges ``incoming_rows`` of ``table`` from bundle ``bundle_id`` (see the module).

    Refuses (``BadRow``, a ``UserError``) a row that does not fit this database, a row
    given twice, or one that clashes with the rows here (a foreign key not satisfied, a
    unique value another row holds); the caller's transaction then rolls back whole.

    Rows are written with the ORM's bulk statements, every column given (so each keeps
    the instants and the workstation that wrote it): an ORM object of the same row that
    the caller already holds in ``session`` is not refreshed.
    """
    model = model_of(table)
    now = at or utcnow()
    result = TableMerge(table)
    seen: set[str] = set()
    rows = iter(incoming_rows)
    while batch := list(islice(rows, _BATCH)):
        _merge_batch(session, model, batch, seen, result, bundle_id, origin_workstation, now)
    if result.changed:
        detail = {
            "table": table,
            "bundle_id": bundle_id,
            "origin_workstation": origin_workstation,
            "added": result.added,
            "updated": result.updated,
            "new_conflicts": result.new_conflicts,
        }
        # Named by the bundle, never by the table: an entry on "scores" would stand for a score row.
        # An entity id holds 36 characters (a digest is 64): the whole id is in the detail.
        audit.note(session, None, "exchange.merge", "exchange_bundles", bundle_id[:36], detail)
    return MergeReport([result])


def _merge_batch(
    session: Session,
    model: type[Base],
    batch: list[RowData],
    seen: set[str],
    result: TableMerge,
    bundle_id: str,
    origin: str,
    now: datetime,
) -> None:
    table = model.__tablename__
    for data in batch:
        check_row(model, data)  # its shape and hash; its values are decoded only if taken
        if data["id"] in seen:
            raise BadRow(f"{table} row {data['id']}: the bundle holds it twice.")
        seen.add(data["id"])
    ids = [data["id"] for data in batch]
    local = _local_values(session, model, ids)
    bases = latest_bases(session, table, ids)
    recorded = _recorded_conflicts(session, table, ids)

    to_add: list[dict[str, Any]] = []
    to_update: list[dict[str, Any]] = []
    new_bases: list[tuple[str, str]] = []
    for data in batch:
        rid, theirs = data["id"], data["hash"]
        mine_values = local.get(rid)
        base = bases.get(rid)
        # The same values hash the same: a row already here costs a comparison, not a hash.
        if mine_values is not None and _same(mine_values, data["values"]):
            mine: str | None = theirs
        else:
            mine = None if mine_values is None else content_hash(table, mine_values)
        if mine is None:
            to_add.append(decode_row(model, data, checked=True))
            result.added += 1
        elif mine == theirs:
            result.already_there += 1
        elif base == mine:
            to_update.append(decode_row(model, data, checked=True))
            result.updated += 1
        elif base == theirs:
            result.kept += 1
            result.differing.append(rid)
            continue  # the base stays: the room still holds it
        else:
            result.conflicts += 1
            result.differing.append(rid)
            decode_row(model, data, checked=True)  # listed for the manager: it must be a row
            if (rid, mine, theirs) not in recorded:
                session.add(
                    ExchangeConflictRow(
                        table_name=table,
                        row_id=rid,
                        local_content=canonical(mine_values),
                        local_hash=mine,
                        incoming_content=canonical(data["values"]),
                        incoming_hash=theirs,
                        bundle_id=bundle_id,
                        origin_workstation=origin,
                        found_at=now,
                    )
                )
                result.new_conflicts += 1
            continue
        if base != theirs:
            new_bases.append((rid, theirs))
    try:
        if to_add:
            session.execute(insert(model), to_add)
        if to_update:
            session.execute(update(model), to_update)
        session.flush()
    except IntegrityError as exc:
        why = str(exc.orig).strip().splitlines()[0] if exc.orig else "a constraint"
        raise BadRow(
            f"{table}: the bundle's rows do not fit the rows already here ({why}); nothing was merged."
        ) from None
    record_bases(session, bundle_id, table, new_bases, "received", at=now)


def _same(mine: dict[str, JSONValue], theirs: dict[str, JSONValue]) -> bool:
    """Equal values of equal types: Python holds 1 == 1.0 == True, canonical JSON does not."""
    return mine == theirs and all(type(value) is type(theirs[key]) for key, value in mine.items())


def _local_values(session: Session, model: type[Base], ids: list[str]) -> dict[str, dict[str, JSONValue]]:
    columns = cast(Table, model.__table__).c
    query = select(*columns).where(columns.id.in_(ids))
    return {row.id: row_values(model, row) for row in session.execute(query)}


def latest_bases(session: Session, table: str, ids: list[str]) -> dict[str, str]:
    """Each row's base: the content hash it was last sent out or taken in with."""
    query = (
        select(ExchangeSentRow.row_id, ExchangeSentRow.content_hash)
        .where(ExchangeSentRow.table_name == table, ExchangeSentRow.row_id.in_(ids))
        .order_by(ExchangeSentRow.sent_at, ExchangeSentRow.created_at)
    )
    return dict(_pairs(session.execute(query)))  # later entries overwrite earlier ones


def _pairs(result: Iterable[Any]) -> Iterator[tuple[str, str]]:
    for row_id, digest in result:
        yield str(row_id), str(digest)


def _recorded_conflicts(session: Session, table: str, ids: list[str]) -> set[tuple[str, str, str]]:
    query = select(
        ExchangeConflictRow.row_id, ExchangeConflictRow.local_hash, ExchangeConflictRow.incoming_hash
    ).where(ExchangeConflictRow.table_name == table, ExchangeConflictRow.row_id.in_(ids))
    return {(r, lh, ih) for r, lh, ih in session.execute(query)}
