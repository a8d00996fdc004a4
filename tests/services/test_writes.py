"""The queued writes (naas_centre/writes) and the kiosk's work (services/kiosk.py) on a real
database: a replay is known by the write's own id, and only staff run the kiosk's clock."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from naas_centre.errors import Conflict, PermissionDenied
from naas_centre.services import kiosk, scoring, sittings
from naas_centre.writes import ops
from naas_centre.writes.ops import OPS, changes_of, run_op
from tests.services.conftest import Demo


def _assessor_sitting(demo: Demo) -> tuple[str, str]:
    a1 = demo.login("assessor1")
    sid = sittings.list_for_assessor(demo.db, a1, demo.day)[0].id
    station = sittings.sitting_detail(demo.db, a1, sid).stations[0].id
    return sid, station


def test_a_note_replayed_by_its_writes_id_is_recorded_once(demo: Demo) -> None:
    a1 = demo.login("assessor1")
    sid, station = _assessor_sitting(demo)
    write_id = str(uuid.uuid4())
    note = ops.add_note(sid, station, "Same words", written_at=datetime.now(UTC))  # the typed way
    assert note.op == "add_note" and note.changes.notes and note.changes.touches(sid)
    args = note.args
    first = run_op(demo.db, a1, "add_note", args, False, write_id)
    assert first == write_id  # stored under the write's own id
    again = run_op(demo.db, a1, "add_note", args, True, write_id)  # a replay after a crash
    assert again == write_id
    # Another note with the same time and words is another note: no matching by content.
    other = run_op(demo.db, a1, "add_note", args, False, str(uuid.uuid4()))
    assert other != write_id
    assert [n.text for n in scoring.my_notes(demo.db, a1, sid, station)] == ["Same words", "Same words"]


def test_a_writes_id_cannot_take_over_another_assessors_note(demo: Demo) -> None:
    a1, a2 = demo.login("assessor1"), demo.login("assessor2")
    sid, station = _assessor_sitting(demo)
    nid = scoring.add_note(demo.db, a1, sid, station, "mine")
    with pytest.raises((Conflict, PermissionDenied)):
        scoring.add_note(demo.db, a2, sid, station, "theirs", note_id=nid)


def test_every_queued_change_says_what_it_changes() -> None:
    for op in OPS:
        c = changes_of(op, {"sitting_id": "s1"})
        assert not c.empty and c.sitting_ids == {"s1"}, op


def test_only_an_assessor_or_a_centre_manager_runs_the_kiosk_clock(demo: Demo) -> None:
    for username in ("assessor1", "manager"):
        kiosk.require_starter(demo.login(username))
    for username in ("admin", "qa"):
        with pytest.raises(PermissionDenied):
            kiosk.require_starter(demo.login(username))
