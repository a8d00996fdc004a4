"""The click's statements on the driver's cursor store what SQLAlchemy's path stores."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import cast

import pytest
from sqlalchemy import Table, bindparam, select, text

from db.driver_sql import DriverStatement
from db.engine import Database, StorageError
from db.migrate import upgrade
from db.models import RoomRow
from tests.conftest import WORKSTATION
from tests.db.full_disk import fill_the_disk

_ROOMS = cast(Table, RoomRow.__table__)
_ADD = DriverStatement(_ROOMS.insert())
_NAMED = DriverStatement(select(_ROOMS.c.id, _ROOMS.c.name).where(_ROOMS.c.name == bindparam("name")))


@pytest.fixture
def db(tmp_path: Path) -> Database:
    d = Database(tmp_path / "c.db", WORKSTATION)
    upgrade(d.engine)
    return d


def _values(room: str) -> dict[str, object]:
    at = datetime(2026, 12, 5, 9, 30, 15, 123456, tzinfo=UTC)
    return {
        "id": room,
        "created_at": at,
        "updated_at": at,
        "workstation_id": WORKSTATION,
        "name": room,
        "kind": "role_play",
        "active": True,
    }


def test_a_row_written_on_the_driver_is_stored_as_the_orm_stores_it(db: Database) -> None:
    with db.write() as s:
        s.connection().execute(_ROOMS.insert(), _values("by-sqlalchemy"))
        _ADD.execute(s.connection(), _values("by-driver"))
    with db.read() as s:
        stored = dict(
            s.execute(text("SELECT id, created_at || '|' || updated_at || '|' || name FROM rooms")).all()
        )
        assert stored["by-driver"].replace("by-driver", "") == stored["by-sqlalchemy"].replace(
            "by-sqlalchemy", ""
        )
        room = s.get(RoomRow, "by-driver")
        assert room is not None and room.created_at == datetime(2026, 12, 5, 9, 30, 15, 123456, tzinfo=UTC)
        assert _NAMED.execute(s.connection(), {"name": "by-driver"}) == [("by-driver", "by-driver")]
        assert _NAMED.execute(s.connection(), {"name": "nobody"}) == []
    db.dispose()


def test_a_driver_statement_applies_no_defaults_and_says_so(db: Database) -> None:
    values = _values("no kind")
    del values["kind"]
    with pytest.raises(ValueError, match="no value for kind"), db.write() as s:
        _ADD.execute(s.connection(), values)
    db.dispose()


def test_a_driver_statement_rolls_back_with_its_transaction(db: Database) -> None:
    with pytest.raises(RuntimeError), db.write() as s:
        _ADD.execute(s.connection(), _values("gone"))
        raise RuntimeError("the rest of the change failed")
    with db.read() as s:
        assert s.get(RoomRow, "gone") is None
    db.dispose()


def test_a_full_disk_under_a_driver_statement_is_a_storage_error(db: Database) -> None:
    with db.write() as s:
        _ADD.execute(s.connection(), _values("kept"))

    fill_the_disk(db)
    with pytest.raises(StorageError) as err, db.write() as s:
        for i in range(500):
            _ADD.execute(s.connection(), {**_values(f"room {i}"), "name": f"room {i} " + "x" * 150})
    assert err.value.kind == "full"
    with db.read() as s:
        assert [r.id for r in s.scalars(select(RoomRow))] == ["kept"]
    db.dispose()
