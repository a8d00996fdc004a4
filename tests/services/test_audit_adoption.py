"""A centre from before the trail covered packs, certificates and reports: its covered rows
are entered once, as it is next opened, and nothing slipped in later is ever adopted."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from db.base import new_id, utcnow
from db.engine import Database
from db.models import AuditEntryRow, PackRow
from naas_centre.packs.loader import builtin_packs, canonical_json, content_hash
from naas_centre.packs.schema import Pack
from naas_centre.services import audit, centre, checkpoints, packs
from tests.conftest import WORKSTATION


def _pack_row(s: Session, pack: Pack) -> str:
    """A pack row as the app wrote it before coverage: plain SQL, no entry."""
    now = utcnow()
    row = {
        "id": new_id(),
        "created_at": now,
        "updated_at": now,
        "workstation_id": WORKSTATION,
        "name": pack.name,
        "version": pack.version,
        "content_hash": content_hash(pack),
        "level": pack.level.value,
        "title": pack.title,
        "content": canonical_json(pack),
    }
    s.execute(insert(PackRow), [row])
    return str(row["id"])


def _old_centre(path: Path, data_dir: Path) -> None:
    db = centre.open_database(path, data_dir)
    try:
        with db.engine.begin() as conn, Session(conn) as s:
            for loaded in builtin_packs():
                assert loaded.pack is not None
                _pack_row(s, loaded.pack)
            s.flush()
    finally:
        db.dispose()


def _entries(db: object, action: str) -> int:
    with db.read() as s:  # type: ignore[attr-defined]
        return int(s.scalar(select(func.count()).where(AuditEntryRow.action == action)) or 0)


def test_an_old_centres_rows_are_entered_once_when_it_is_next_opened(tmp_path: Path) -> None:
    path, data_dir = tmp_path / "old.db", tmp_path / "data"
    _old_centre(path, data_dir)
    db = centre.open_database(path, data_dir)
    try:
        stored = len(packs.stored_packs(db))
        assert stored >= 3 and _entries(db, audit.ADOPT) == stored
        assert audit.verify(db).ok
    finally:
        db.dispose()
    again = centre.open_database(path, data_dir)  # nothing more to adopt
    try:
        assert _entries(again, audit.ADOPT) == stored
    finally:
        again.dispose()


def test_a_row_slipped_in_behind_a_covered_trail_is_never_adopted(tmp_path: Path) -> None:
    path, data_dir = tmp_path / "old.db", tmp_path / "data"
    _old_centre(path, data_dir)
    centre.open_database(path, data_dir).dispose()  # adopted: the trail now covers packs
    db = centre.open_database(path, data_dir)
    try:
        with db.engine.begin() as conn, Session(conn) as s:  # a pack row put in behind the app
            pack = builtin_packs()[0].pack
            assert pack is not None
            rogue = _pack_row(s, pack.model_copy(update={"version": "9.9.9"}))
    finally:
        db.dispose()
    db = centre.open_database(path, data_dir)
    try:
        result = audit.verify(db)
        assert not result.ok and rogue in (result.problem or "")
    finally:
        db.dispose()


def test_a_trail_with_a_checkpoint_is_never_adopted(tmp_path: Path) -> None:
    path, data_dir = tmp_path / "old.db", tmp_path / "data"
    _old_centre(path, data_dir)
    plain = Database(path, WORKSTATION)  # opened without the app's opening steps
    try:
        checkpoints.checkpoint(plain, checkpoints.CLOSE, data_dir)  # signed: coverage has begun
    finally:
        plain.dispose()
    db = centre.open_database(path, data_dir)
    try:
        assert _entries(db, audit.ADOPT) == 0 and not audit.verify(db).ok
    finally:
        db.dispose()
