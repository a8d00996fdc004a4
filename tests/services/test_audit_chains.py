"""An audit trail that spans databases: each workstation database's chain carried into the
manager's as it was written, proved intact there after any number of imports, and every
edit, deletion, reordering or forgery of an imported entry caught and named.

A centre's demo is copied to two workstation files (each with its own workstation id and
a chain of its own) that score different sittings; their entries, and the rows they
describe, are taken into the manager's database as a bundle would carry them.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy import Table, create_engine, func, select, text
from sqlalchemy.engine import make_url

from db.base import Base, utcnow
from db.engine import Database
from db.migrate import alembic_config, upgrade
from db.models import AuditChainRow, AuditEntryRow
from naas_centre.demo.centre import create_demo
from naas_centre.services import accounts, audit, packs, scoring, sittings
from naas_centre.services.audit import TrailRefused
from tests.conftest import PG_URL, WORKSTATION
from tests.services.conftest import PASSWORDS

ROOM_A = "00000000-0000-4000-8000-0000000000a1"
ROOM_B = "00000000-0000-4000-8000-0000000000b2"


def _score(db: Database, day: date, username: str, *, avoid: str = "", level: int = 2) -> str:
    """An assessor scores three of their criteria and writes a note, through the services."""
    who = accounts.authenticate(db, username, PASSWORDS[username])
    sid = next(s.id for s in sittings.list_for_assessor(db, who, day) if s.id != avoid)
    pack = packs.pack_for_sitting(db, who, sid)
    mine = sittings.sitting_detail(db, who, sid).mine
    assert mine is not None
    criteria = [(station, c) for station, c in pack.criteria() if station in mine.levels][:3]
    for station, criterion in criteria:
        scoring.record_level(db, who, sid, station, criterion.id, level)
    scoring.add_note(db, who, sid, criteria[0][0], f"{username} noted the candidate's opening")
    return sid


def _copy_file(db: Database, dest: Path) -> None:
    """A SQLite database copied whole, its write-ahead log included, as a person copying
    a closed workstation file would."""
    source, target = sqlite3.connect(str(make_url(db.url).database)), sqlite3.connect(dest)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()


def _own_chain(db: Database) -> str:
    with db.read() as s:
        return audit.own_chain(s)


def _give_own_chain(db: Database) -> str:
    with db.write() as s:
        return audit.start_own_chain(s)


def _export(db: Database, chain_id: str, after: int = 0) -> list[dict[str, Any]]:
    with db.read() as s:
        entries = audit.export_entries(s, chain_id, after)
    # As a bundle carries them: through JSON and back.
    return cast(list[dict[str, Any]], json.loads(json.dumps(entries)))


def _carry(room: Database, manager: Database, chain_id: str, after: int = 0) -> audit.ImportedEntries:
    """What a bundle's import does: the rows the entries describe, as the room holds them,
    and the entries themselves, in one transaction of the manager's database."""
    entries = _export(room, chain_id, after)
    touched = {(e["entity"], e["entity_id"]) for e in entries}
    with room.read() as rs, manager.write() as ms:
        for model in audit.AUDITED:  # parents before children
            table = cast(Table, model.__table__)
            ids = sorted(i for entity, i in touched if entity == table.name)
            for row in rs.execute(select(table).where(table.c.id.in_(ids))).mappings():
                values = dict(row)
                if ms.execute(select(table.c.id).where(table.c.id == values["id"])).first():
                    ms.execute(table.update().where(table.c.id == values["id"]).values(values))
                else:
                    ms.execute(table.insert().values(values))
        return audit.import_entries(ms, chain_id, entries)


def _count(db: Database) -> int:
    return audit.entry_count(db)


@dataclass
class Centre:
    manager: Database
    room_a: Database
    room_b: Database
    day: date
    chain_a: str
    chain_b: str


def _centre(folder: Path, demo_template: tuple[Path, date]) -> Centre:
    for name in ("manager", "room_a", "room_b"):
        shutil.copy(demo_template[0], folder / f"{name}.db")
    manager = Database(folder / "manager.db", WORKSTATION)
    room_a = Database(folder / "room_a.db", ROOM_A)
    room_b = Database(folder / "room_b.db", ROOM_B)
    chain_a, chain_b = _give_own_chain(room_a), _give_own_chain(room_b)
    day = demo_template[1]
    first = _score(room_a, day, "assessor1")
    _score(room_b, day, "assessor3", avoid=first)
    return Centre(manager, room_a, room_b, day, chain_a, chain_b)


@pytest.fixture
def centre(tmp_path: Path, demo_template: tuple[Path, date]) -> Iterator[Centre]:
    c = _centre(tmp_path, demo_template)
    yield c
    for db in (c.manager, c.room_a, c.room_b):
        db.dispose()


@pytest.fixture(scope="module")
def merged_template(
    tmp_path_factory: pytest.TempPathFactory, demo_template: tuple[Path, date]
) -> tuple[Path, str, int]:
    """A manager's database holding both rooms' trails: the file, room A's chain and how
    many entries of it the manager holds."""
    c = _centre(tmp_path_factory.mktemp("merged"), demo_template)
    _carry(c.room_a, c.manager, c.chain_a)
    _carry(c.room_b, c.manager, c.chain_b)
    with c.manager.read() as s:
        through = audit.chain_heads(s)[c.chain_a]
    path = Path(str(make_url(c.manager.url).database))
    for db in (c.manager, c.room_a, c.room_b):
        db.dispose()
    return path, c.chain_a, through


@pytest.fixture
def merged(tmp_path: Path, merged_template: tuple[Path, str, int]) -> Iterator[tuple[Database, str, int]]:
    path = tmp_path / "manager.db"
    shutil.copy(merged_template[0], path)
    db = Database(path, WORKSTATION)
    yield db, merged_template[1], merged_template[2]
    db.dispose()


def test_each_copy_gets_a_chain_of_its_own_and_the_copy_verifies(centre: Centre) -> None:
    own = _own_chain(centre.manager)
    assert len({own, centre.chain_a, centre.chain_b}) == 3
    with centre.room_a.read() as s:
        heads = audit.chain_heads(s)
        first = s.scalars(
            select(AuditEntryRow).where(
                AuditEntryRow.chain_id == centre.chain_a, AuditEntryRow.chain_seq == 1
            )
        ).one()
    # The room holds the manager's entries from before the copy, anchored by its own first entry.
    assert set(heads) == {own, centre.chain_a}
    assert first.action == audit.CHAIN_STARTED and first.prev_hash == audit.GENESIS
    assert json.loads(first.after or "{}")["chain_id"] == own
    assert json.loads(first.after or "{}")["through"] == heads[own]
    for db in (centre.room_a, centre.room_b):
        result = audit.verify(db)
        assert result.ok, result.problem
        assert result.chains == 2


def test_the_rooms_trails_merged_into_the_managers_verify_and_a_second_import_changes_nothing(
    centre: Centre,
) -> None:
    before = _count(centre.manager)
    got_a = _carry(centre.room_a, centre.manager, centre.chain_a)
    got_b = _carry(centre.room_b, centre.manager, centre.chain_b)
    held_a = len(_export(centre.room_a, centre.chain_a))
    held_b = len(_export(centre.room_b, centre.chain_b))
    assert (got_a.added, got_a.skipped, got_a.through) == (held_a, 0, held_a)
    assert (got_b.added, got_b.skipped) == (held_b, 0)
    # Each import is anchored by one entry in the manager's own chain.
    assert _count(centre.manager) == before + held_a + held_b + 2
    result = audit.verify(centre.manager)
    assert result.ok, result.problem
    assert result.chains == 3 and result.entries == _count(centre.manager)

    with centre.manager.read() as s:
        stored = s.execute(select(AuditEntryRow).order_by(AuditEntryRow.seq)).scalars().all()
        snapshot = [(e.id, e.seq, e.hash) for e in stored]
    again = _carry(centre.room_a, centre.manager, centre.chain_a)
    assert (again.added, again.skipped, again.through) == (0, held_a, held_a)
    with centre.manager.read() as s:
        stored = s.execute(select(AuditEntryRow).order_by(AuditEntryRow.seq)).scalars().all()
        assert [(e.id, e.seq, e.hash) for e in stored] == snapshot
    # Entries keep the workstation that wrote them, and their own hashes.
    with centre.manager.read() as s:
        ws = set(
            s.scalars(select(AuditEntryRow.workstation_id).where(AuditEntryRow.chain_id == centre.chain_a))
        )
    assert ws == {ROOM_A}


def test_later_bundles_carry_what_was_written_since(centre: Centre) -> None:
    first = _carry(centre.room_a, centre.manager, centre.chain_a)
    sid = _score(centre.room_a, centre.day, "assessor1", level=3)
    second = _carry(centre.room_a, centre.manager, centre.chain_a, after=first.through)
    assert second.skipped == 0 and second.added > 0
    assert second.through == first.through + second.added
    # The manager writes too, between and after the imports.
    manager = accounts.authenticate(centre.manager, "manager", PASSWORDS["manager"])
    sittings.set_status(centre.manager, manager, sid, "in_progress")
    result = audit.verify(centre.manager)
    assert result.ok, result.problem


def test_the_last_entry_of_a_row_may_come_from_an_imported_chain(merged: tuple[Database, str, int]) -> None:
    db, chain_a, _ = merged
    with db.read() as s:
        score_entry = s.scalars(
            select(AuditEntryRow)
            .where(AuditEntryRow.chain_id == chain_a, AuditEntryRow.entity == "scores")
            .order_by(AuditEntryRow.chain_seq.desc())
            .limit(1)
        ).one()
    with db.engine.begin() as c:
        c.execute(text("UPDATE scores SET level = 4 WHERE id = :i"), {"i": score_entry.entity_id})
    result = audit.verify(db)
    assert not result.ok
    assert (
        result.problem
        == f"scores {score_entry.entity_id} differs from its audited state: changed behind the app"
    )


def _name(chain_id: str) -> str:
    return f"the trail from workstation database {chain_id[:8]}"


def test_an_imported_entry_edited_is_caught_and_named(merged: tuple[Database, str, int]) -> None:
    db, chain_a, _ = merged
    first_score = "SELECT min(chain_seq) FROM audit_entries WHERE chain_id = :c AND entity = 'scores'"
    with db.engine.begin() as c:
        n = c.execute(text(first_score), {"c": chain_a}).scalar_one()
        c.execute(
            text(
                "UPDATE audit_entries SET after = replace(after, :old, :new) "
                "WHERE chain_id = :c AND chain_seq = :n"
            ),
            {"c": chain_a, "n": n, "old": '"level":2', "new": '"level":3'},
        )
    result = audit.verify(db)
    assert not result.ok
    assert (result.broken_chain, result.broken_seq) == (chain_a, n)
    assert result.problem is not None
    assert result.problem.startswith(f"entry {n} of {_name(chain_a)} (")
    assert result.problem.endswith("was altered after it was written")


def test_an_imported_entry_deleted_is_caught_and_named(merged: tuple[Database, str, int]) -> None:
    db, chain_a, _ = merged
    with db.engine.begin() as c:
        c.execute(text("DELETE FROM audit_entries WHERE chain_id = :c AND chain_seq = 3"), {"c": chain_a})
    result = audit.verify(db)
    assert not result.ok and (result.broken_chain, result.broken_seq) == (chain_a, 3)
    assert result.problem == f"entry 3 of {_name(chain_a)} is missing (next is 4): deleted"


def test_the_last_imported_entry_deleted_is_caught_and_named(merged: tuple[Database, str, int]) -> None:
    db, chain_a, through = merged
    with db.engine.begin() as c:
        c.execute(
            text("DELETE FROM audit_entries WHERE chain_id = :c AND chain_seq = :n"),
            {"c": chain_a, "n": through},
        )
    result = audit.verify(db)
    assert not result.ok and (result.broken_chain, result.broken_seq) == (chain_a, through)
    brought = f"an import brought it up to entry {through}"
    assert result.problem == f"entry {through} of {_name(chain_a)} is missing ({brought}): deleted"


def test_two_imported_entries_swapped_are_caught_and_named(merged: tuple[Database, str, int]) -> None:
    db, chain_a, _ = merged
    with db.engine.begin() as c:
        for old, new in ((3, -1), (4, 3), (-1, 4)):
            c.execute(
                text("UPDATE audit_entries SET chain_seq = :new WHERE chain_id = :c AND chain_seq = :old"),
                {"c": chain_a, "old": old, "new": new},
            )
    result = audit.verify(db)
    assert not result.ok and (result.broken_chain, result.broken_seq) == (chain_a, 3)
    assert result.problem == f"entry 3 of {_name(chain_a)} does not follow entry 2"


def test_an_entry_appended_with_a_correct_hash_of_forged_content_is_caught(
    merged: tuple[Database, str, int],
) -> None:
    """The forged entry says what the row already holds, so only the import's anchor in
    the manager's own chain can tell it was never imported."""
    db, chain_a, through = merged
    with db.read() as s:
        last = s.scalars(
            select(AuditEntryRow).where(AuditEntryRow.chain_id == chain_a, AuditEntryRow.chain_seq == through)
        ).one()
        score = s.scalars(
            select(AuditEntryRow)
            .where(AuditEntryRow.chain_id == chain_a, AuditEntryRow.entity == "scores")
            .order_by(AuditEntryRow.chain_seq.desc())
            .limit(1)
        ).one()
        top = int(s.scalar(select(func.max(AuditEntryRow.seq))) or 0)
    n, at = through + 1, last.at
    forged = {
        "id": str(uuid.uuid4()),
        "created_at": at,
        "updated_at": at,
        "workstation_id": ROOM_A,
        "seq": top + 1,
        "chain_id": chain_a,
        "chain_seq": n,
        "at": at,
        "account_id": score.account_id,
        "action": score.action,
        "entity": "scores",
        "entity_id": score.entity_id,
        "before": score.after,
        "after": score.after,
        "prev_hash": last.hash,
        "hash": audit.entry_hash(
            last.hash,
            n,
            at,
            score.account_id,
            score.action,
            "scores",
            score.entity_id,
            score.after,
            score.after,
        ),
    }
    with db.engine.begin() as c:
        c.execute(cast(Table, AuditEntryRow.__table__).insert(), forged)
    result = audit.verify(db)
    assert not result.ok and (result.broken_chain, result.broken_seq) == (chain_a, n)
    assert result.problem == f"entry {n} of {_name(chain_a)} was brought by no import: added behind the app"


def test_the_managers_own_entries_are_named_as_its_own_once_it_holds_other_trails(
    merged: tuple[Database, str, int],
) -> None:
    db, _, _ = merged
    with db.engine.begin() as c:
        c.execute(
            text(
                "DELETE FROM audit_entries WHERE chain_seq = 5 "
                "AND chain_id = (SELECT chain_id FROM audit_chain)"
            )
        )
    result = audit.verify(db)
    assert not result.ok and result.broken_seq == 5
    assert result.problem == "entry 5 of this database's own trail is missing (next is 6): deleted"


def _held(db: Database) -> list[tuple[str, str]]:
    with db.read() as s:
        return [(e.id, e.hash) for e in s.scalars(select(AuditEntryRow).order_by(AuditEntryRow.seq))]


def _refused(db: Database, chain_id: str, entries: list[dict[str, Any]], match: str) -> None:
    before = _held(db)
    with pytest.raises(TrailRefused, match=match) as caught, db.write() as s:
        audit.import_entries(s, chain_id, entries)
    assert "Nothing was imported." in str(caught.value)
    assert _held(db) == before


def test_a_gap_at_import_is_refused_with_nothing_written(centre: Centre) -> None:
    entries = _export(centre.room_a, centre.chain_a)
    _refused(
        centre.manager, centre.chain_a, entries[2:], rf"Entries 1 to 2 of {_name(centre.chain_a)} are missing"
    )
    first = _carry(centre.room_a, centre.manager, centre.chain_a)
    _score(centre.room_a, centre.day, "assessor1", level=3)
    later = _export(centre.room_a, centre.chain_a, after=first.through + 1)
    _refused(
        centre.manager,
        centre.chain_a,
        later,
        rf"Entry {first.through + 1} of {_name(centre.chain_a)} is missing: this database holds that "
        rf"trail up to entry {first.through}\.",
    )


def test_a_fork_at_import_is_refused_with_nothing_written(centre: Centre, tmp_path: Path) -> None:
    """A workstation file copied after it was given its chain: both copies write one chain."""
    twin_path = tmp_path / "room_a_twin.db"
    _copy_file(centre.room_a, twin_path)
    twin = Database(twin_path, ROOM_A)
    try:
        first = _carry(centre.room_a, centre.manager, centre.chain_a)
        _score(centre.room_a, centre.day, "assessor1", level=3)
        _score(twin, centre.day, "assessor1", level=4)
        _carry(centre.room_a, centre.manager, centre.chain_a, after=first.through)
        forked = _export(twin, centre.chain_a, after=first.through)
        _refused(
            centre.manager,
            centre.chain_a,
            forked,
            rf"Entry {first.through + 1} of {_name(centre.chain_a)} differs from the entry "
            rf"{first.through + 1} already held here: a fork or a forgery",
        )
        # Past what the manager holds, the twin's next entry follows its own, not the room's.
        with centre.manager.read() as s:
            head = audit.chain_heads(s)[centre.chain_a]
        _score(twin, centre.day, "assessor1", level=1)
        beyond = _export(twin, centre.chain_a, after=head)
        assert beyond
        _refused(
            centre.manager,
            centre.chain_a,
            beyond,
            rf"Entry {head + 1} of {_name(centre.chain_a)} does not follow entry {head} held here: a fork",
        )
    finally:
        twin.dispose()


def test_an_entry_that_does_not_match_its_hash_is_refused(centre: Centre) -> None:
    entries = _export(centre.room_a, centre.chain_a)
    victim = next(e for e in entries if e["entity"] == "scores")
    victim["after"] = victim["after"].replace('"level":2', '"level":4')
    _refused(
        centre.manager,
        centre.chain_a,
        entries,
        rf"Entry {victim['chain_seq']} of {_name(centre.chain_a)} does not match its hash",
    )


def test_malformed_entries_are_refused_plainly(centre: Centre) -> None:
    entries = _export(centre.room_a, centre.chain_a)
    no_place = [dict(entries[0], chain_seq="one")]
    _refused(centre.manager, centre.chain_a, no_place, "Entry number 1 given for .* has no place in it")
    bad_time = [dict(entries[0], at="yesterday")]
    _refused(centre.manager, centre.chain_a, bad_time, "Entry 1 of .*: at is missing or not an instant")
    no_hash = [{k: v for k, v in entries[0].items() if k != "hash"}]
    _refused(centre.manager, centre.chain_a, no_hash, "Entry 1 of .*: hash is missing or not a text")
    elsewhere = [dict(entries[0], chain_id=centre.chain_b)]
    _refused(centre.manager, centre.chain_a, elsewhere, rf"belongs to another trail \({centre.chain_b[:8]}\)")


def test_an_entry_whose_id_is_already_held_elsewhere_is_refused(centre: Centre) -> None:
    taken = _export(centre.manager, _own_chain(centre.manager))[0]["id"]
    entries = _export(centre.room_a, centre.chain_a)
    entries[0]["id"] = taken  # the id is not covered by the hash: a forgery could reuse one
    _refused(centre.manager, centre.chain_a, entries, "has the id of another entry already held here")


def test_a_database_never_imports_its_own_chain(centre: Centre, tmp_path: Path) -> None:
    """A workstation copied from the manager's without a chain of its own writes the
    manager's chain: its entries cannot come back as another trail."""
    path = tmp_path / "room_c.db"
    _copy_file(centre.manager, path)
    room_c = Database(path, "00000000-0000-4000-8000-0000000000c3")
    try:
        own = _own_chain(centre.manager)
        with centre.manager.read() as s:
            head = audit.chain_heads(s)[own]
        _score(room_c, centre.day, "assessor5")
        entries = _export(room_c, own, after=head)
        assert entries
        _refused(centre.manager, own, entries, r"These entries are this database's own trail")
    finally:
        room_c.dispose()


def test_a_database_from_before_chains_keeps_its_hashes(tmp_path: Path) -> None:
    """Migration 0008 on a database whose trail was written at 0007: every entry is
    placed in the database's new chain at its own number, and the trail still verifies."""
    from alembic import command

    db = Database(tmp_path / "old.db", WORKSTATION)
    with db.engine.begin() as conn:
        cfg = alembic_config(db.url)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0007")
    prev = audit.GENESIS
    with db.engine.begin() as conn:
        for seq in range(1, 6):
            at = utcnow()
            after = json.dumps({"n": seq})
            digest = audit.entry_hash(
                prev, seq, at, None, "kiosk.exit_refused", "workstations", "w1", None, after
            )
            conn.execute(
                text(
                    "INSERT INTO audit_entries (id, created_at, updated_at, workstation_id, seq, at, "
                    "account_id, action, entity, entity_id, before, after, prev_hash, hash) VALUES "
                    "(:id, :at, :at, 'w', :seq, :at, NULL, 'kiosk.exit_refused', 'workstations', 'w1', NULL, "
                    ":after, :prev, :hash)"
                ),
                {
                    "id": str(uuid.uuid4()),
                    "at": at.replace(tzinfo=None),
                    "seq": seq,
                    "after": after,
                    "prev": prev,
                    "hash": digest,
                },
            )
            prev = digest
    upgrade(db.engine, backup_dir=tmp_path / "bk")
    with db.read() as s:
        chain = s.scalars(select(AuditChainRow.chain_id)).one()
        placed = s.execute(select(AuditEntryRow.seq, AuditEntryRow.chain_id, AuditEntryRow.chain_seq)).all()
    assert sorted(placed) == [(n, chain, n) for n in range(1, 6)]
    assert audit.verify(db).ok
    with db.write() as s:
        entry = audit.note(s, None, "kiosk.exit_refused", "workstations", "w1", {"n": 6})
    assert (entry.seq, entry.chain_id, entry.chain_seq) == (6, chain, 6)
    result = audit.verify(db)
    assert result.ok, result.problem
    db.dispose()


def test_every_new_database_gets_its_own_chain(tmp_path: Path) -> None:
    chains = set()
    for name in ("one", "two"):
        db = Database(tmp_path / f"{name}.db", WORKSTATION)
        upgrade(db.engine)
        with db.read() as s:
            chains.add(s.scalars(select(AuditChainRow.chain_id)).one())
        db.dispose()
    assert len(chains) == 2


def test_verify_only_reads(merged: tuple[Database, str, int]) -> None:
    db, chain_a, _ = merged
    before = _held(db)
    assert audit.verify(db).ok
    with db.engine.begin() as c:
        c.execute(text("DELETE FROM audit_entries WHERE chain_id = :c AND chain_seq = 2"), {"c": chain_a})
    broken = _held(db)
    assert not audit.verify(db).ok
    assert _held(db) == broken and len(broken) == len(before) - 1


@pytest.mark.postgres
def test_a_room_merged_into_a_managers_server_database(pg_db: Database) -> None:
    """The manager's database on a server, a room's made from it (a server-side copy)."""
    assert PG_URL
    demo = create_demo(pg_db.url)
    day = demo.day
    demo.db.dispose()
    pg_db.dispose()
    room_name = f"naas_room_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    source = make_url(pg_db.url).database
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{room_name}" TEMPLATE "{source}"'))
    room = Database(make_url(PG_URL).set(database=room_name).render_as_string(hide_password=False), ROOM_A)
    try:
        chain = _give_own_chain(room)
        _score(room, day, "assessor1")
        got = _carry(room, pg_db, chain)
        assert got.added == len(_export(room, chain))
        assert _carry(room, pg_db, chain).added == 0
        result = audit.verify(pg_db)
        assert result.ok, result.problem
        assert result.chains == 2
        with pg_db.engine.begin() as c:
            c.execute(
                text("UPDATE audit_entries SET entity_id = 'x' WHERE chain_id = :c AND chain_seq = 2"),
                {"c": chain},
            )
        result = audit.verify(pg_db)
        assert not result.ok and (result.broken_chain, result.broken_seq) == (chain, 2)
        assert result.problem is not None and result.problem.startswith(f"entry 2 of {_name(chain)} (")
        entries = _export(room, chain)
        entries[-1]["after"] = "{}"
        _refused(pg_db, chain, entries[-1:], "does not match its hash|Nothing was imported")
    finally:
        room.dispose()
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{room_name}" WITH (FORCE)'))
        admin.dispose()


# The models' own view of which tables the trail audits: the carrying helper above relies
# on it to copy parents before children.
def test_audited_tables_are_in_parent_order() -> None:
    order = [m.__tablename__ for m in audit.AUDITED]
    tables = Base.metadata.tables
    for i, name in enumerate(order):
        for fk in tables[name].foreign_keys:
            parent = fk.column.table.name
            if parent in order:
                assert order.index(parent) < i, (name, parent)
