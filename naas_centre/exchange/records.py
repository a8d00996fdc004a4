"""Rows as plain data: read out of one database, hashed, and remembered as sent.

A row travels as a ``RowData``: its table, its id, every column as a JSON value, and a
content hash. The JSON form round-trips exactly: instants are ISO 8601 in UTC with
microseconds (``2026-12-02T09:30:00.000250+00:00``), dates ISO (``2026-12-02``), bytes
base64, integers, booleans, text and None as they are; a float (a recording's length)
is a JSON number written as Python's shortest exact form (``repr``), so it reads back
to the same double. Which column holds which kind
is read from the model, so decoding never guesses.

The content hash is SHA-256 over canonical JSON (sorted keys, no spaces, UTF-8) of the
table's name and every column of the row: its id, ``created_at``, ``updated_at`` and
``workstation_id`` included. Nothing is left out, so any change on either side shows;
the encoding is fixed, so the same row hashes the same on SQLite and PostgreSQL.

What was sent out is remembered in ``exchange_sent`` (``remember_sent``), so that a
merge can tell who changed a row since (``naas_centre.exchange.merge``).
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import math
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from typing import Any, TypedDict, cast

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Date,
    Float,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    insert,
    select,
)
from sqlalchemy.orm import Session

from db.base import Base, UtcDateTime, utcnow
from db.models import ExchangeSentRow
from naas_centre.errors import UserError

JSONValue = str | int | float | bool | None

_BATCH = 1000  # rows per fetch and per insert: bounded memory on a national day


class RowData(TypedDict):
    """One row as plain data: JSON-able as it is."""

    table: str
    id: str
    hash: str
    values: dict[str, JSONValue]


class BadRow(UserError):
    """A row in a bundle that does not fit this database's tables; names the row and column."""


# What a day bundle carries to a room, and a result bundle back. Never carried: private
# signing keys, equality monitoring (quality assurance's alone), the audit trail (merged
# by naas_centre.services.audit) and the exchange's own bookkeeping. ``merge_order``
# puts them in an order where every foreign key points at a table merged before it.
DAY_BUNDLE_TABLES: frozenset[str] = frozenset(
    {
        "centre",
        "employers",
        "accounts",
        "packs",
        "rooms",
        "actors",
        "candidates",
        "sittings",
        "sitting_assessors",
        "day_plans",
        "plan_stations",
        "sitting_visits",
        "sitting_actors",
        "certificates",
        "crls",
    }
)
RESULT_BUNDLE_TABLES: frozenset[str] = frozenset(
    {
        "sittings",
        "sitting_assessors",
        "scores",
        "judgements",
        "evidence_notes",
        "phase_events",
        "presence",
        "scripts",
        "moderations",
        "signed_documents",
        "document_signatures",
        "recording_consents",
        "recordings",
        "recording_bookmarks",
    }
)


def model_of(table: str) -> type[Base]:
    """The ORM class of a table, refusing one this database does not have."""
    for mapper in Base.registry.mappers:
        cls = mapper.class_
        if getattr(cls, "__tablename__", None) == table:
            return cast(type[Base], cls)
    raise BadRow(f"A bundle holds rows of a table {table!r} that this database does not have.")


def merge_order(tables: Iterable[str]) -> list[type[Base]]:
    """The models of ``tables`` in dependency order (a table's foreign keys point earlier).

    Within one table, rows are dumped oldest first, which keeps the two tables that point
    at themselves (a certificate's issuer, a document a later version supersedes) in order.
    """
    wanted = set(tables)
    ordered = [t.name for t in Base.metadata.sorted_tables if t.name in wanted]
    missing = wanted - set(ordered)
    if missing:
        model_of(sorted(missing)[0])  # raises, naming it
    return [model_of(name) for name in ordered]


DAY_BUNDLE: tuple[type[Base], ...] = tuple(merge_order(DAY_BUNDLE_TABLES))
RESULT_BUNDLE: tuple[type[Base], ...] = tuple(merge_order(RESULT_BUNDLE_TABLES))


# Encoding -------------------------------------------------------------------------


def _kind(column: Any) -> str:
    """How a column's values travel: instant, date, bytes, int, float, bool or text."""
    col_type = column.type
    if isinstance(col_type, UtcDateTime):
        return "instant"
    if isinstance(col_type, Date):
        return "date"
    if isinstance(col_type, LargeBinary):
        return "bytes"
    if isinstance(col_type, Boolean):
        return "bool"
    if isinstance(col_type, Integer):
        return "int"
    if isinstance(col_type, Float):
        return "float"
    if isinstance(col_type, String | Text):
        return "text"
    raise TypeError(f"{column.table.name}.{column.key}: no exchange form for {col_type!r}")


@functools.cache  # a model's columns never change while the program runs; asked once a row
def _columns(model: type[Base]) -> tuple[tuple[str, str, bool], ...]:
    """(key, kind, nullable) of every column, in table order."""
    table = cast(Table, model.__table__)
    return tuple((c.key, _kind(c), bool(c.nullable)) for c in table.columns)


def encode_value(kind: str, value: Any) -> JSONValue:
    if value is None:
        return None
    if kind == "instant":
        return cast(datetime, value).astimezone(UTC).isoformat(timespec="microseconds")
    if kind == "date":
        return cast(date, value).isoformat()
    if kind == "bytes":
        return base64.b64encode(bytes(value)).decode("ascii")
    if kind == "bool":
        return bool(value)
    if kind == "int":
        return int(value)
    if kind == "float":
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"{number!r} has no exchange form")
        return number
    return str(value)


def _decode_value(kind: str, value: JSONValue) -> Any:
    """The Python value of one JSON value; ValueError or TypeError when it does not fit."""
    if kind == "instant":
        if not isinstance(value, str):
            raise TypeError("an instant is written as ISO 8601 text")
        instant = datetime.fromisoformat(value)
        if instant.tzinfo is None:
            raise ValueError("an instant without a time zone")
        return instant.astimezone(UTC)
    if kind == "date":
        if not isinstance(value, str):
            raise TypeError("a date is written as ISO 8601 text")
        return date.fromisoformat(value)
    if kind == "bytes":
        if not isinstance(value, str):
            raise TypeError("bytes are written as base64 text")
        return base64.b64decode(value.encode("ascii"), validate=True)
    if kind == "bool":
        if not isinstance(value, bool):
            raise TypeError("not true or false")
        return value
    if kind == "int":
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError("not a whole number")
        return value
    if kind == "float":
        if not isinstance(value, float) or not math.isfinite(value):
            raise TypeError("not a finite number with a fraction")
        return value
    if not isinstance(value, str):
        raise TypeError("not text")
    return value


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# A text longer than this that JSON writes as it is (a signed PDF's base64) is fed to the
# hash beside the encoder, not through it: the same bytes, without scanning megabytes twice.
_LONG = 4096


def _written_as_is(text: str) -> bool:
    """JSON (``ensure_ascii=False``) writes it between quotes unchanged: no quote, no
    backslash, no control character (DEL too, to be safe). C loops, no regex: they are long."""
    return text.isascii() and text.isprintable() and '"' not in text and "\\" not in text


def content_hash(table: str, values: dict[str, JSONValue]) -> str:
    """SHA-256 of the canonical JSON of the table's name and every column's value."""
    long = {
        key: v for key, v in values.items() if isinstance(v, str) and len(v) > _LONG and _written_as_is(v)
    }
    if not long:
        return hashlib.sha256(canonical({"table": table, "values": values}).encode()).hexdigest()
    marks = {key: f"\x00naas-long-{i}\x00" for i, key in enumerate(long)}
    text = canonical({"table": table, "values": {**values, **marks}})
    digest = hashlib.sha256()
    rest = text
    for key in sorted(long):  # the canonical text has its keys in order
        mark = json.dumps(marks[key], ensure_ascii=False)
        before, found, after = rest.partition(mark)
        if not found or mark in after:  # a mark met in the content itself: the plain way
            return hashlib.sha256(canonical({"table": table, "values": values}).encode()).hexdigest()
        digest.update(before.encode())
        digest.update(b'"')
        digest.update(long[key].encode("ascii"))
        digest.update(b'"')
        rest = after
    digest.update(rest.encode())
    return digest.hexdigest()


def row_data(table: str, values: dict[str, JSONValue]) -> RowData:
    return RowData(table=table, id=str(values["id"]), hash=content_hash(table, values), values=values)


def row_values(model: type[Base], row: Any) -> dict[str, JSONValue]:
    """A row's columns (an ORM object's or a result row's, by key) as plain data, unhashed."""
    return {key: encode_value(kind, getattr(row, key)) for key, kind, _ in _columns(model)}


def encode_row(model: type[Base], row: Any) -> RowData:
    """A row (an ORM object or a result row with the columns by key) as plain data."""
    return row_data(model.__tablename__, row_values(model, row))


def check_row(model: type[Base], data: RowData) -> None:
    """Refuses (``BadRow``, naming the table, row and column) a row of another table, a
    column unknown or missing, or a hash that does not match its content. What the
    values are is ``decode_row``'s to check."""
    table = model.__tablename__
    values = data.get("values")
    rid = data.get("id")
    where = f"{table} row {rid}"
    if data.get("table") != table or not isinstance(values, dict) or values.get("id") != rid:
        raise BadRow(f"{where}: the row is not a {table} row as this version writes them.")
    columns = _columns(model)
    keys = {key for key, _, _ in columns}
    unknown = sorted(set(values) - keys)
    if unknown:
        raise BadRow(f"{where}: column {unknown[0]!r} is not a column of {table} here.")
    if content_hash(table, values) != data.get("hash"):
        raise BadRow(f"{where}: the content does not match its hash; the row was changed on the way.")
    missing = [key for key, _, _ in columns if key not in values]
    if missing:
        raise BadRow(f"{where}: column {missing[0]!r} is missing.")


def decode_row(model: type[Base], data: RowData, *, checked: bool = False) -> dict[str, Any]:
    """Checks one incoming row against the model (``check_row``, unless ``checked``
    already) and returns its column values; refuses a value that does not fit its column."""
    if not checked:
        check_row(model, data)
    table = model.__tablename__
    values = data["values"]
    where = f"{table} row {data['id']}"
    out: dict[str, Any] = {}
    for key, kind, nullable in _columns(model):
        value = values[key]
        if value is None:
            if not nullable:
                raise BadRow(f"{where}: column {key!r} is empty, and {table} needs a value there.")
            out[key] = None
            continue
        try:
            out[key] = _decode_value(kind, value)
        except (ValueError, TypeError, binascii.Error) as exc:
            raise BadRow(
                f"{where}: column {key!r} holds {value!r:.60}, which is not valid ({exc})."
            ) from None
    return out


# Reading out ----------------------------------------------------------------------


def dump_rows(
    session: Session, model: type[Base], where: ColumnElement[bool] | None = None
) -> Iterator[RowData]:
    """The rows of one table (those matching ``where``) as plain data, oldest first.

    Streamed: rows are fetched a batch at a time, never all held at once.
    """
    table = cast(Table, model.__table__)
    query = select(*table.columns).order_by(table.c.created_at, table.c.id)
    if where is not None:
        query = query.where(where)
    for row in session.execute(query.execution_options(yield_per=_BATCH)):
        yield encode_row(model, row)


def remember_sent(
    session: Session, bundle_id: str, table: str, rows: Iterable[RowData], *, at: datetime | None = None
) -> int:
    """Records that ``rows`` of ``table`` left in bundle ``bundle_id``; returns how many.

    In the caller's transaction: the bundle and its record of what it sent stand or fall
    together. ``rows`` may be a generator; it is consumed a batch at a time.
    """
    return record_bases(session, bundle_id, table, ((r["id"], r["hash"]) for r in rows), "sent", at=at)


def record_bases(
    session: Session,
    bundle_id: str,
    table: str,
    rows: Iterable[tuple[str, str]],
    direction: str,
    *,
    at: datetime | None = None,
) -> int:
    """Records (row id, content hash) pairs as the new base of each row."""
    now = at or utcnow()
    ws = session.info["workstation_id"]
    count = 0
    batch: list[dict[str, Any]] = []
    for rid, digest in rows:
        batch.append(
            {
                "workstation_id": ws,
                "bundle_id": bundle_id,
                "table_name": table,
                "row_id": rid,
                "content_hash": digest,
                "direction": direction,
                "sent_at": now,
            }
        )
        if len(batch) >= _BATCH:
            session.execute(insert(ExchangeSentRow), batch)
            count, batch = count + len(batch), []
    if batch:
        session.execute(insert(ExchangeSentRow), batch)
        count += len(batch)
    return count
