"""Records out and merged back: a centre and a room, each its own copy of the demo centre
with its own workstation id, on SQLite files and on PostgreSQL.

The centre sends the day's rows out (and remembers them); each side changes rows through
the services; the room's rows come back as plain JSON text, as a bundle carries them,
and are merged by record id exactly as the rules say, twice without a second change.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from db.base import Base
from db.engine import Database
from db.models import (
    AuditEntryRow,
    EvidenceNoteRow,
    ExchangeConflictRow,
    ExchangeSentRow,
    ScoreRow,
    SignedDocumentRow,
    SittingAssessorRow,
    SittingRow,
)
from naas_centre.demo.centre import ACCOUNTS, create_demo
from naas_centre.errors import Conflict, PermissionDenied, UserError
from naas_centre.exchange import conflicts as exchange_conflicts
from naas_centre.exchange.merge import MergeReport, merge
from naas_centre.exchange.records import (
    DAY_BUNDLE,
    RESULT_BUNDLE,
    BadRow,
    RowData,
    canonical,
    content_hash,
    dump_rows,
    merge_order,
    remember_sent,
)
from naas_centre.reports.layout import SlotRect
from naas_centre.services import accounts, packs, scoring, sittings
from naas_centre.services.certificates import unlock_signer
from naas_centre.services.views import Actor
from naas_centre.signing.pdf import sign_pdf

PG_URL = os.environ.get("NAAS_TEST_PG_URL")
CENTRE_WS = "00000000-0000-4000-8000-0000000000c0"
ROOM_WS = "00000000-0000-4000-8000-0000000000a1"
PASSWORDS = {a.username: a.password for a in ACCOUNTS}
# What a bundle between these databases would carry, in merge order.
TABLES = tuple(
    m.__tablename__ for m in merge_order({*(m.__tablename__ for m in (*DAY_BUNDLE, *RESULT_BUNDLE))})
)


@dataclass
class Side:
    db: Database
    day: date
    data_dir: Path

    def login(self, username: str) -> Actor:
        return accounts.authenticate(self.db, username, PASSWORDS[username])


# Two copies of the demo ---------------------------------------------------------------


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, date]:
    folder = tmp_path_factory.mktemp("exchange-demo")
    result = create_demo(folder / "demo.db", data_dir=folder)
    result.db.dispose()
    return folder / "demo.db", result.day


@pytest.fixture(scope="session")
def pg_demo(demo_file: tuple[Path, date]) -> Iterator[str]:
    """A PostgreSQL template database holding the demo centre."""
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("NAAS_TEST_PG_URL is not set: ./test starts PostgreSQL for CI")
        pytest.skip("no PostgreSQL server (./test starts one)")
    name = f"naas_xdemo_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    folder = demo_file[0].parent / "pg"
    folder.mkdir(exist_ok=True)
    result = create_demo(url, data_dir=folder, day=demo_file[1])
    result.db.dispose()
    yield name
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _sqlite_side(tmp_path: Path, demo_file: tuple[Path, date], name: str, ws: str) -> Side:
    path = tmp_path / f"{name}.db"
    shutil.copy(demo_file[0], path)
    folder = tmp_path / f"{name}-data"
    folder.mkdir()
    return Side(Database(path, ws), demo_file[1], folder)


def _pg_side(tmp_path: Path, template: str, day: date, name: str, ws: str) -> Side:
    assert PG_URL
    db_name = f"naas_x{name}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{db_name}" TEMPLATE "{template}"'))
    admin.dispose()
    folder = tmp_path / f"{name}-data"
    folder.mkdir()
    url = make_url(PG_URL).set(database=db_name).render_as_string(hide_password=False)
    return Side(Database(url, ws), day, folder)


def _drop(side: Side) -> None:
    side.db.dispose()
    if not side.db.is_sqlite:
        assert PG_URL
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{side.db.engine.url.database}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def pair(
    request: pytest.FixtureRequest, tmp_path: Path, demo_file: tuple[Path, date]
) -> Iterator[tuple[Side, Side]]:
    """(the centre manager's database, a room workstation's), both the same demo."""
    if request.param == "sqlite":
        sides = (
            _sqlite_side(tmp_path, demo_file, "centre", CENTRE_WS),
            _sqlite_side(tmp_path, demo_file, "room", ROOM_WS),
        )
    else:
        template: str = request.getfixturevalue("pg_demo")
        sides = (
            _pg_side(tmp_path, template, demo_file[1], "centre", CENTRE_WS),
            _pg_side(tmp_path, template, demo_file[1], "room", ROOM_WS),
        )
    yield sides
    for side in sides:
        _drop(side)


# Moving rows ---------------------------------------------------------------------------


def _send_day(centre: Side, bundle_id: str) -> None:
    """The centre dumps the day's tables and remembers what it sent."""
    with centre.db.write() as s:
        for model in DAY_BUNDLE:
            remember_sent(s, bundle_id, model.__tablename__, dump_rows(s, model))


def _carried(side: Side, tables: tuple[str, ...]) -> list[tuple[str, list[RowData]]]:
    """Rows of ``tables`` as a bundle carries them: through JSON text and back."""
    out = []
    with side.db.read() as s:
        for model in merge_order(tables):
            wire = "\n".join(json.dumps(r) for r in dump_rows(s, model))
            out.append((model.__tablename__, [json.loads(line) for line in wire.splitlines()]))
    return out


def _merge_all(target: Side, carried: list[tuple[str, list[RowData]]], bundle_id: str) -> MergeReport:
    report = MergeReport()
    with target.db.write() as s:
        for table, rows in carried:
            report.extend(merge(s, table, rows, bundle_id=bundle_id, origin_workstation=ROOM_WS))
    return report


def _everything(side: Side) -> dict[str, list[RowData]]:
    """Every row of the database, exchange bookkeeping and audit trail included."""
    with side.db.read() as s:
        return {m.__tablename__: list(dump_rows(s, m)) for m in (*merge_order(TABLES), *_BOOKKEEPING)}


_BOOKKEEPING: tuple[type[Base], ...] = (ExchangeSentRow, ExchangeConflictRow, AuditEntryRow)


# Helpers that change rows through the services --------------------------------------------


@dataclass(frozen=True)
class Place:
    sitting_id: str
    station_id: str
    criteria: tuple[str, ...]


def _place(side: Side, username: str) -> Place:
    """A sitting, a station the assessor observes there, and that station's criteria."""
    actor = side.login(username)
    with side.db.read() as s:
        link = s.scalars(
            select(SittingAssessorRow)
            .where(SittingAssessorRow.assessor_id == actor.account_id)
            .order_by(SittingAssessorRow.sitting_id)
        ).first()
    assert link is not None
    pack = packs.pack_for_sitting(side.db, side.login("manager"), link.sitting_id)
    mine = [p for p in link.stations.split(",") if p] or [st for st, _ in pack.rubrics()]
    for station, rubric in pack.rubrics():
        if station in mine:
            return Place(link.sitting_id, station, tuple(c.id for c in rubric.criteria))
    raise AssertionError("the assessor observes no scored station")


def _day_sittings(side: Side) -> list[str]:
    with side.db.read() as s:
        return list(
            s.scalars(select(SittingRow.id).where(SittingRow.day == side.day).order_by(SittingRow.id))
        )


def _status(side: Side, sitting_id: str) -> str:
    with side.db.read() as s:
        row = s.get(SittingRow, sitting_id)
        assert row is not None
        return row.status


def _level(side: Side, score_id: str) -> int | None:
    with side.db.read() as s:
        row = s.get(ScoreRow, score_id)
        assert row is not None
        return row.level


def _score_id(side: Side, place: Place, criterion: str) -> str:
    with side.db.read() as s:
        found = s.scalar(
            select(ScoreRow.id).where(
                ScoreRow.sitting_id == place.sitting_id,
                ScoreRow.station_id == place.station_id,
                ScoreRow.criterion_id == criterion,
            )
        )
    assert found is not None
    return found


def _count(side: Side, model: type[Base]) -> int:
    with side.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


# The rules -------------------------------------------------------------------------------


def test_merge_adds_updates_keeps_and_records_a_conflict_and_twice_changes_nothing(
    pair: tuple[Side, Side],
) -> None:
    centre, room = pair
    day_bundle, first_result, second_result = (str(uuid.uuid4()) for _ in range(3))
    _send_day(centre, day_bundle)
    a, b, c, d = _day_sittings(centre)[:4]

    # In the room: scores and a note (new rows), and sitting a's status (changed only there).
    place = _place(room, "assessor1")
    assessor = room.login("assessor1")
    for criterion in place.criteria[:3]:
        scoring.record_level(room.db, assessor, place.sitting_id, place.station_id, criterion, 3)
    scoring.add_note(room.db, assessor, place.sitting_id, place.station_id, "Explains her rights plainly.")
    sittings.set_status(room.db, room.login("manager"), a, "in_progress")
    sittings.set_status(room.db, room.login("manager"), c, "checked_in")
    # At the centre: sitting b changed only here, sitting c changed here too (both sides).
    sittings.set_status(centre.db, centre.login("manager"), b, "withdrawn")
    sittings.set_status(centre.db, centre.login("manager"), c, "withdrawn")

    report = _merge_all(centre, _carried(room, ("sittings", "scores", "evidence_notes")), first_result)
    assert report.table("scores").added == 3
    assert report.table("evidence_notes").added == 1
    merged = report.table("sittings")
    assert (merged.updated, merged.kept, merged.conflicts, merged.new_conflicts) == (1, 1, 1, 1)
    assert merged.already_there == _count(centre, SittingRow) - 3
    assert report.table("scores").summary() == "scores: 3 added, 0 already there, 0 conflicts"
    assert "1 updated" in merged.summary() and "1 conflict" in merged.summary()
    assert _status(centre, a) == "in_progress"  # the room's change taken
    assert _status(centre, b) == "withdrawn"  # only the centre changed it: kept
    assert _status(centre, c) == "withdrawn"  # both changed it: left as it is, and recorded
    assert _status(centre, d) == "planned"
    (conflict,) = exchange_conflicts.list_conflicts(centre.db, centre.login("manager"))
    assert (conflict.table, conflict.row_id, conflict.bundle_id) == ("sittings", c, first_result)
    assert conflict.origin_workstation == ROOM_WS
    assert conflict.local["status"] == "withdrawn" and conflict.incoming["status"] == "checked_in"
    assert "status" in conflict.differing and conflict.open

    with centre.db.read() as s:
        notes = s.scalars(select(AuditEntryRow).where(AuditEntryRow.action == "exchange.merge")).all()
    # One entry per table that changed, named by the bundle (never as a row of the table).
    assert {(n.entity, n.entity_id) for n in notes} == {("exchange_bundles", first_result)}
    assert sorted(json.loads(n.after or "{}")["table"] for n in notes) == [
        "evidence_notes",
        "scores",
        "sittings",
    ]

    # The same rows again: nothing at all changes, and no second conflict.
    before = _everything(centre)
    again = _merge_all(centre, _carried(room, ("sittings", "scores", "evidence_notes")), first_result)
    assert _everything(centre) == before
    assert again.table("scores").already_there == 3 and again.table("scores").added == 0
    assert again.table("sittings").conflicts == 1 and again.table("sittings").new_conflicts == 0
    assert "(1 recorded before)" in again.table("sittings").summary()

    # A score merged in came back changed in the room only: what was merged is its base.
    first, second = place.criteria[:2]
    scoring.record_level(room.db, assessor, place.sitting_id, place.station_id, first, 2)
    # ... and another changed on both sides (the same assessor at the centre's desk).
    scoring.record_level(room.db, assessor, place.sitting_id, place.station_id, second, 1)
    scoring.record_level(centre.db, centre.login("assessor1"), place.sitting_id, place.station_id, second, 4)
    later = _merge_all(centre, _carried(room, ("scores",)), second_result)
    scores = later.table("scores")
    assert (scores.updated, scores.conflicts, scores.already_there) == (1, 1, 1)
    assert _level(centre, _score_id(centre, place, first)) == 2
    assert _level(centre, _score_id(centre, place, second)) == 4
    assert len(exchange_conflicts.list_conflicts(centre.db, centre.login("manager"))) == 2


def test_every_value_round_trips_exactly(pair: tuple[Side, Side]) -> None:
    """Instants with microseconds and their zone, dates, a signed PDF's bytes and None,
    merged into a database that held none of it, read back the same to the byte."""
    centre, room = pair
    place = _place(room, "assessor2")
    assessor = room.login("assessor2")
    written = datetime(2026, 12, 2, 9, 30, 1, 250, tzinfo=UTC)
    note_id = scoring.add_note(
        room.db, assessor, place.sitting_id, place.station_id, "Ça va: “quotes”", written_at=written
    )
    scoring.record_level(
        room.db, assessor, place.sitting_id, place.station_id, place.criteria[0], None, "gap"
    )
    pdf = _signed_pdf(room, "assessor2")
    document_id = _store_document(room, "assessor2", place.sitting_id, pdf)

    # The centre never had the room's certificates, notes or documents.
    tables = TABLES
    _merge_all(centre, _carried(room, tables), str(uuid.uuid4()))
    with centre.db.read() as s:
        note = s.get(EvidenceNoteRow, note_id)
        document = s.get(SignedDocumentRow, document_id)
        assert note is not None and document is not None
        assert note.written_at == written and note.written_at.microsecond == 250
        assert note.written_at.utcoffset() is not None
        assert note.criterion_id is None and note.text == "Ça va: “quotes”"
        assert document.pdf == pdf and document.pdf.startswith(b"%PDF") and b"/ByteRange" in document.pdf
        assert document.day == room.day and isinstance(document.day, date)
        assert document.supersedes_id is None
    with room.db.read() as s:
        sent = {m.__tablename__: list(dump_rows(s, m)) for m in merge_order(tables)}
    with centre.db.read() as s:
        back = {m.__tablename__: list(dump_rows(s, m)) for m in merge_order(tables)}
    for table in ("evidence_notes", "scores", "signed_documents", "certificates", "sittings"):
        mine = {r["id"]: r for r in back[table]}
        for row in sent[table]:
            assert mine[row["id"]] == row, table


def _signed_pdf(side: Side, username: str) -> bytes:
    actor = side.login(username)
    identity = unlock_signer(side.db, actor, PASSWORDS[username], side.data_dir)
    page = io.BytesIO()
    canvas = Canvas(page)
    canvas.drawString(72, 720, "Observation report")
    canvas.showPage()
    canvas.save()
    slot = SlotRect(0, 72, 72, 272, 132)
    when = datetime(2026, 12, 2, 16, 0, 0, 123456, tzinfo=UTC)
    return sign_pdf(page.getvalue(), identity, 0, slot, when, reason="Observed", location="Room 1", tz="UTC")


def _store_document(side: Side, username: str, sitting_id: str, pdf: bytes) -> str:
    actor = side.login(username)
    with side.db.write() as s:
        row = SignedDocumentRow(
            report_key=f"observation:{sitting_id}",
            kind="observation",
            sitting_id=sitting_id,
            day=side.day,
            version=1,
            title="Observation report",
            snapshot="{}",
            snapshot_sha256=hashlib.sha256(b"{}").hexdigest(),
            slots="[]",
            pdf=pdf,
            sha256=hashlib.sha256(pdf).hexdigest(),
            signed_by=actor.account_id,
            signed_at=datetime(2026, 12, 2, 16, 0, 0, 123456, tzinfo=UTC),
        )
        s.add(row)
        s.flush()
        return row.id


# Conflicts resolved ----------------------------------------------------------------------


def _one_conflict(pair: tuple[Side, Side]) -> tuple[Side, Place, str]:
    """A score changed on both sides since it was merged: one open conflict at the centre."""
    centre, room = pair
    place = _place(room, "assessor1")
    criterion = place.criteria[0]
    scoring.record_level(room.db, room.login("assessor1"), place.sitting_id, place.station_id, criterion, 3)
    _merge_all(centre, _carried(room, ("scores",)), str(uuid.uuid4()))
    scoring.record_level(room.db, room.login("assessor1"), place.sitting_id, place.station_id, criterion, 1)
    scoring.record_level(
        centre.db, centre.login("assessor1"), place.sitting_id, place.station_id, criterion, 4
    )
    _merge_all(centre, _carried(room, ("scores",)), str(uuid.uuid4()))
    (conflict,) = exchange_conflicts.list_conflicts(centre.db, centre.login("manager"))
    return centre, place, conflict.id


def _resolution_entries(side: Side) -> list[AuditEntryRow]:
    with side.db.read() as s:
        return list(
            s.scalars(
                select(AuditEntryRow)
                .where(AuditEntryRow.action.like("exchange.%"), AuditEntryRow.action != "exchange.merge")
                .order_by(AuditEntryRow.seq)
            )
        )


@pytest.mark.parametrize("keep", ["incoming", "local"])
def test_a_conflict_resolved_either_way_is_audited(pair: tuple[Side, Side], keep: str) -> None:
    centre, place, conflict_id = _one_conflict(pair)
    room = pair[1]
    score = _score_id(centre, place, place.criteria[0])
    manager = centre.login("manager")
    resolved = exchange_conflicts.resolve_conflict(
        centre.db, manager, conflict_id, keep, "  The room's sheet was\nthe one signed.  "
    )
    assert resolved.kept == keep and resolved.reason == "The room's sheet was the one signed."
    assert resolved.resolved_by == manager.account_id and not resolved.open
    assert _level(centre, score) == (1 if keep == "incoming" else 4)
    assert exchange_conflicts.list_conflicts(centre.db, manager) == []
    assert len(exchange_conflicts.list_conflicts(centre.db, manager, include_resolved=True)) == 1
    entries = _resolution_entries(centre)
    note = entries[-1]
    assert note.action == "exchange.conflict_resolved" and note.account_id == manager.account_id
    detail = json.loads(note.after or "{}")
    assert detail["kept"] == keep and detail["reason"] == "The room's sheet was the one signed."
    if keep == "incoming":
        assert [e.action for e in entries] == ["exchange.keep_incoming", "exchange.conflict_resolved"]
        assert json.loads(entries[0].after or "{}")["level"] == 1
    else:
        assert [e.action for e in entries] == ["exchange.conflict_resolved"]
    # The same room's rows again: nothing new is raised, whichever version was kept.
    before = _everything(centre)
    report = _merge_all(centre, _carried(room, ("scores",)), str(uuid.uuid4()))
    assert report.conflicts == 0
    assert _everything(centre) == before
    with pytest.raises(Conflict, match="already resolved"):
        exchange_conflicts.resolve_conflict(centre.db, manager, conflict_id, keep, "again")


def test_resolving_is_refused_for_an_assessor_and_without_a_reason(pair: tuple[Side, Side]) -> None:
    centre, place, conflict_id = _one_conflict(pair)
    assessor, manager, admin = (centre.login(u) for u in ("assessor1", "manager", "admin"))
    before = _everything(centre)
    with pytest.raises(PermissionDenied):
        exchange_conflicts.resolve_conflict(centre.db, assessor, conflict_id, "incoming", "mine")
    with pytest.raises(PermissionDenied):
        exchange_conflicts.list_conflicts(centre.db, assessor)
    for reason in ("", "   \n"):
        with pytest.raises(UserError, match="reason is required"):
            exchange_conflicts.resolve_conflict(centre.db, manager, conflict_id, "incoming", reason)
    with pytest.raises(UserError, match="Keep local or incoming"):
        exchange_conflicts.resolve_conflict(centre.db, admin, conflict_id, "both", "x")
    assert _everything(centre) == before
    # An administrator may.
    exchange_conflicts.resolve_conflict(centre.db, admin, conflict_id, "local", "checked")
    assert _level(centre, _score_id(centre, place, place.criteria[0])) == 4


def test_a_row_changed_here_after_the_conflict_is_not_overwritten(pair: tuple[Side, Side]) -> None:
    centre, place, conflict_id = _one_conflict(pair)
    scoring.record_level(
        centre.db, centre.login("assessor1"), place.sitting_id, place.station_id, place.criteria[0], 2
    )
    with pytest.raises(Conflict, match="changed here since"):
        exchange_conflicts.resolve_conflict(
            centre.db, centre.login("manager"), conflict_id, "incoming", "room's"
        )
    assert _level(centre, _score_id(centre, place, place.criteria[0])) == 2


# Refusals -------------------------------------------------------------------------------


def _room_scores(pair: tuple[Side, Side]) -> list[RowData]:
    room = pair[1]
    place = _place(room, "assessor1")
    for criterion in place.criteria[:2]:
        scoring.record_level(
            room.db, room.login("assessor1"), place.sitting_id, place.station_id, criterion, 3
        )
    ((_, rows),) = _carried(room, ("scores",))
    return rows


def _refused(centre: Side, tables: list[tuple[str, list[RowData]]], match: str) -> None:
    before = _everything(centre)
    with pytest.raises(BadRow, match=match):
        _merge_all(centre, tables, str(uuid.uuid4()))
    assert _everything(centre) == before


def test_a_row_that_does_not_fit_is_refused_and_nothing_changes(pair: tuple[Side, Side]) -> None:
    centre = pair[0]
    rows = _room_scores(pair)
    good, bad = rows
    changed = json.loads(json.dumps(bad))
    changed["values"]["level"] = 1  # content no longer matches its hash
    _refused(centre, [("scores", [good, changed])], f"scores row {bad['id']}: the content does not match")
    for column, value, why in (
        ("level", "three", "'level' holds 'three'"),
        ("created_at", "2026-12-02T09:00:00", "without a time zone"),
        ("sitting_id", None, "'sitting_id' is empty"),
    ):
        broken = json.loads(json.dumps(bad))
        broken["values"][column] = value
        broken["hash"] = content_hash("scores", broken["values"])
        _refused(centre, [("scores", [good, broken])], why)
    extra = json.loads(json.dumps(bad))
    extra["values"]["colour"] = "red"
    _refused(centre, [("scores", [good, extra])], "'colour' is not a column of scores")
    _refused(centre, [("scores", [good, good])], "holds it twice")
    orphan = json.loads(json.dumps(bad))
    orphan["values"]["sitting_id"] = str(uuid.uuid4())
    orphan["hash"] = content_hash("scores", orphan["values"])
    _refused(centre, [("scores", [good, orphan])], "do not fit the rows already here")
    with pytest.raises(BadRow, match="'nonsense'"):
        merge_order(["scores", "nonsense"])


def test_a_row_already_here_is_compared_by_its_values_and_their_types(pair: tuple[Side, Side]) -> None:
    """Equal in Python is not equal in a row: the level 3.0 (or true) is not the row that holds 3."""
    centre = pair[0]
    rows = _room_scores(pair)
    first = _merge_all(centre, [("scores", rows)], str(uuid.uuid4()))
    assert sum(m.added for m in first.tables) == 2
    again = _merge_all(centre, [("scores", rows)], str(uuid.uuid4()))
    assert sum(m.already_there for m in again.tables) == 2
    for value, why in ((3.0, "'level' holds 3.0"), (True, "'level' holds True")):
        looks_alike = json.loads(json.dumps(rows[1]))
        looks_alike["values"]["level"] = value
        looks_alike["hash"] = content_hash("scores", looks_alike["values"])
        _refused(centre, [("scores", [rows[0], looks_alike])], why)


def test_the_bundle_order_puts_every_foreign_key_first() -> None:
    for bundle in (DAY_BUNDLE, RESULT_BUNDLE, merge_order(TABLES)):
        names = [m.__tablename__ for m in bundle]
        for position, model in enumerate(bundle):
            for fk in model.__table__.foreign_keys:
                target = fk.column.table.name
                if target in names:
                    assert names.index(target) <= position, (model.__tablename__, target)
    assert "signing_keys" not in TABLES and "equality_monitoring" not in TABLES


def test_rows_out_are_chosen_streamed_and_remembered(pair: tuple[Side, Side]) -> None:
    centre = pair[0]
    first = _day_sittings(centre)[0]
    bundle = str(uuid.uuid4())
    with centre.db.write() as s:
        chosen = list(dump_rows(s, SittingRow, SittingRow.id == first))
        assert [r["id"] for r in chosen] == [first]
        assert chosen[0]["values"]["day"] == centre.day.isoformat()
        assert chosen[0]["values"]["workstation_id"] != CENTRE_WS  # the writing workstation, not the reader
        everything = dump_rows(s, SittingRow)
        assert remember_sent(s, bundle, "sittings", everything) == _count(centre, SittingRow)
    with centre.db.read() as s:
        sent = s.scalars(select(ExchangeSentRow).where(ExchangeSentRow.row_id == first)).all()
    assert [(r.bundle_id, r.table_name, r.direction, r.content_hash) for r in sent] == [
        (bundle, "sittings", "sent", chosen[0]["hash"])
    ]
    assert sent[0].sent_at.tzinfo is not None and sent[0].workstation_id == CENTRE_WS


@pytest.mark.parametrize(
    "values",
    [
        {"id": "a", "blob": base64.b64encode(os.urandom(9000)).decode(), "n": 3},
        {"id": "b", "a": "x" * 5000, "z": base64.b64encode(os.urandom(6000)).decode(), "t": None},
        {"id": "c", "note": "é" * 5000, "q": 'quote " and \\ ' * 500},  # written escaped: the plain way
        # A content holding a mark the hash splices at: it must fall back, never mislead.
        {"id": "d", "a": "\x00naas-long-1\x00" + "y" * 5000, "b": "w" * 5000},
        {"id": "e", "a": "v" * 5000, "b": "\x00naas-long-0\x00" * 400},
        {"id": "f", "a": "\x00naas-long-0\x00", "b": "u" * 5000},  # exactly the mark
    ],
)
def test_the_content_hash_of_long_texts_is_the_canonical_texts_own(values: dict[str, object]) -> None:
    plain = hashlib.sha256(canonical({"table": "t", "values": values}).encode()).hexdigest()
    assert content_hash("t", values) == plain  # type: ignore[arg-type]
