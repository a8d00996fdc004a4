"""A judgement's borderline mark travels with it between workstations: dumped with every
column, merged into the manager's database, and a later change of the mark alone merges
as an update."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from db.models import JudgementRow
from naas_centre.demo.centre import create_demo
from naas_centre.exchange.merge import merge
from naas_centre.exchange.records import dump_rows
from naas_centre.services import scoring
from tests.exchange.sides import CENTRE_WS, ROOM_WS, Side, copy_side, score_a_station


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, date]:
    folder = tmp_path_factory.mktemp("borderline-demo")
    made = create_demo(folder / "demo.db", data_dir=folder)
    made.db.dispose()
    return folder / "demo.db", made.day


@pytest.fixture
def sides(tmp_path: Path, demo_file: tuple[Path, date]) -> Iterator[tuple[Side, Side]]:
    centre = copy_side(demo_file, tmp_path / "centre", CENTRE_WS)
    room = copy_side(demo_file, tmp_path / "room", ROOM_WS)
    yield centre, room
    centre.db.dispose()
    room.db.dispose()


def _carry(room: Side, centre: Side) -> tuple[int, int]:
    """The room's judgements through JSON text, merged at the centre: (added, updated)."""
    with room.db.read() as s:
        wire = [json.dumps(r) for r in dump_rows(s, JudgementRow)]
    with centre.db.write() as s:
        report = merge(
            s,
            "judgements",
            [json.loads(w) for w in wire],
            bundle_id=str(uuid.uuid4()),
            origin_workstation=ROOM_WS,
        )
    merged = report.table("judgements")
    return merged.added, merged.updated


def _borderline(side: Side, sitting_id: str, station: str) -> bool | None:
    with side.db.read() as s:
        return s.scalar(
            select(JudgementRow.borderline).where(
                JudgementRow.sitting_id == sitting_id, JudgementRow.station_id == station
            )
        )


def test_a_borderline_judgement_reaches_the_centre_and_so_does_a_change_of_the_mark(
    sides: tuple[Side, Side],
) -> None:
    centre, room = sides
    sid, station, _ = score_a_station(room)
    who = room.login("assessor1")
    scoring.set_judgement(room.db, who, sid, station, "met", borderline=True)
    with room.db.read() as s:
        (row,) = list(dump_rows(s, JudgementRow))
    assert row["values"]["borderline"] is True

    assert _carry(room, centre) == (1, 0)
    assert _borderline(centre, sid, station) is True

    scoring.set_judgement(room.db, who, sid, station, "met", borderline=False)
    assert _carry(room, centre) == (0, 1)
    assert _borderline(centre, sid, station) is False
