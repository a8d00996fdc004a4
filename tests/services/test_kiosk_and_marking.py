"""A kiosk left open on a workstation is found again (and only there); a marker reads back
only their own marks for the written exercise."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db.engine import Database
from db.models import AuditEntryRow
from naas_centre.errors import PermissionDenied
from naas_centre.services import kiosk, marking, packs, scoring, sittings, written
from tests.services.conftest import Demo


def _open(demo: Demo) -> str:
    a1 = demo.login("assessor1")
    sid = sittings.list_for_assessor(demo.db, a1, demo.day)[0].id
    sittings.set_status(demo.db, a1, sid, "checked_in")
    written.open_kiosk(demo.db, a1, sid)
    return sid


def test_a_kiosk_left_open_is_found_on_its_own_workstation_until_it_is_left(demo: Demo) -> None:
    assert kiosk.left_open(demo.db) is None
    sid = _open(demo)
    grant = kiosk.left_open(demo.db)
    assert grant is not None and grant.sitting_id == sid and grant.opened_by.username == "assessor1"
    assert grant.station_id == "written"

    elsewhere = Database(demo.db.url, "00000000-0000-4000-8000-0000000000aa")
    try:
        assert kiosk.left_open(elsewhere) is None  # another workstation has no kiosk open
    finally:
        elsewhere.dispose()

    assert kiosk.left_open(demo.db) is not None  # a resume keeps it open
    with pytest.raises(Exception):  # noqa: B017 - a refused exit leaves it open too
        written.leave_kiosk(demo.db, grant, "assessor1", "wrong")
    assert kiosk.left_open(demo.db) is not None
    written.leave_kiosk(demo.db, grant, "assessor1", "demo-assessor-2026")
    assert kiosk.left_open(demo.db) is None
    with demo.db.read() as s:
        actions = s.scalars(
            select(AuditEntryRow.action)
            .where(AuditEntryRow.action.like("kiosk.%"))
            .order_by(AuditEntryRow.seq)
        ).all()
    assert actions == [
        "kiosk.open",
        "kiosk.resume",
        "kiosk.resume",
        "kiosk.exit_refused",
        "kiosk.resume",
        "kiosk.exit",
    ]


def test_marking_reads_only_the_markers_own_marks(demo: Demo) -> None:
    sid = _open(demo)
    a1, a2 = demo.login("assessor1"), demo.login("assessor2")
    we = packs.pack_for_sitting(demo.db, a1, sid).written_exercise
    assert we is not None
    first = we.rubric.criteria[0].id
    scoring.record_level(demo.db, a2, sid, we.id, first, 1)
    scoring.set_judgement(demo.db, a2, sid, we.id, "not_met", "theirs")
    mine = marking.my_marking(demo.db, a1, sid)
    assert mine.levels == {c.id: None for c in we.rubric.criteria}
    assert mine.judgement is None and mine.feedback == "" and mine.submitted_at is None
    scoring.record_level(demo.db, a1, sid, we.id, first, 3)
    scoring.set_judgement(demo.db, a1, sid, we.id, "met", "mine")
    mine = marking.my_marking(demo.db, a1, sid)
    assert mine.levels[first] == 3 and mine.judgement == "met" and mine.feedback == "mine"
    for who in ("manager", "assessor3"):
        with pytest.raises(PermissionDenied):
            marking.my_marking(demo.db, demo.login(who), sid)
