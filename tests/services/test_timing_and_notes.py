from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from db.base import utcnow
from db.models import AuditEntryRow, PhaseEventRow
from naas_centre.errors import Conflict, PermissionDenied, UserError
from naas_centre.services import audit, packs, scoring, sittings, timing
from tests.services.conftest import Demo


def _sitting(demo: Demo, username: str = "assessor1") -> tuple[str, str]:
    who = demo.login(username)
    s = sittings.list_for_assessor(demo.db, who, demo.day)[0]
    pack = packs.pack_for_sitting(demo.db, who, s.id)
    return s.id, pack.scenarios[0].id


def test_phase_plan_follows_pack_and_adjustments(demo: Demo) -> None:
    a1 = demo.login("assessor1")
    # The first demo candidate has 25% extra time.
    sid, station = _sitting(demo)
    t = timing.station_timing(demo.db, a1, sid, station)
    assert [p.plan.phase for p in t.phases] == ["reading", "role_play", "discussion"]
    reading, role_play, discussion = t.phases
    assert reading.plan.adjusted_ms == round(reading.plan.planned_ms * 1.25)
    # Extra time is for reading and writing; the role-play and discussion keep their length.
    assert role_play.plan.adjusted_ms == role_play.plan.planned_ms
    assert discussion.plan.adjusted_ms == discussion.plan.planned_ms
    assert t.current is not None and t.current.plan.phase == "reading"


def test_start_pause_resume_end_with_reasons(demo: Demo) -> None:
    a1 = demo.login("assessor1")
    sid, station = _sitting(demo)
    t0 = utcnow()
    timing.record_event(demo.db, a1, sid, station, "reading", "start", at=t0)
    with pytest.raises(UserError, match="reason"):
        timing.record_event(demo.db, a1, sid, station, "reading", "pause", at=t0 + timedelta(seconds=30))
    timing.record_event(
        demo.db, a1, sid, station, "reading", "pause", reason="fire alarm", at=t0 + timedelta(seconds=30)
    )
    with pytest.raises(Conflict):
        timing.record_event(demo.db, a1, sid, station, "reading", "pause", reason="other")
    timing.record_event(demo.db, a1, sid, station, "reading", "resume", at=t0 + timedelta(seconds=90))
    with pytest.raises(Conflict, match="End the reading"):
        timing.record_event(demo.db, a1, sid, station, "role_play", "start", at=t0 + timedelta(seconds=95))
    t = timing.record_event(demo.db, a1, sid, station, "reading", "end", at=t0 + timedelta(seconds=100))
    reading = t.phases[0].state
    assert reading.status == "ended"
    assert reading.elapsed_ms == 40_000
    assert reading.pauses[0].reason == "fire alarm"
    assert t.current is not None and t.current.plan.phase == "role_play"
    manager = demo.login("manager")
    status = sittings.sitting_detail(demo.db, manager, sid).summary.status
    assert status == "in_progress"
    assert audit.verify(demo.db).ok


def test_remaining_time_is_right_after_a_restart_and_the_gap_is_recorded(demo: Demo) -> None:
    a1 = demo.login("assessor1")
    sid, station = _sitting(demo)
    start = utcnow() - timedelta(minutes=3)
    timing.record_event(demo.db, a1, sid, station, "reading", "start", at=start)
    timing.heartbeat(demo.db, a1, sid, now=start + timedelta(minutes=1))
    # The app dies here, and comes back two minutes later.
    gap = timing.reopen(demo.db, a1, sid, station, now=start + timedelta(minutes=3))
    assert gap == 120_000
    t = timing.station_timing(demo.db, a1, sid, station)
    reading = t.phases[0]
    assert reading.downtime_ms == 120_000
    assert abs(reading.state.elapsed_ms - 180_000) < 5_000  # time ran on while the app was down
    with demo.db.read() as s:
        kinds = s.scalars(select(PhaseEventRow.kind).where(PhaseEventRow.sitting_id == sid)).all()
    assert "downtime" in kinds


def test_other_assessors_cannot_touch_the_clock(demo: Demo) -> None:
    sid, station = _sitting(demo)
    with pytest.raises(PermissionDenied):
        timing.record_event(demo.db, demo.login("assessor3"), sid, station, "reading", "start")
    with pytest.raises(PermissionDenied):
        timing.record_event(demo.db, demo.login("qa"), sid, station, "reading", "start")


def test_notes_are_stamped_editable_and_their_history_audited(demo: Demo) -> None:
    a1, a2 = demo.login("assessor1"), demo.login("assessor2")
    sid, station = _sitting(demo)
    nid = scoring.add_note(
        demo.db,
        a1,
        sid,
        station,
        "Explained purpose in plain words",
        phase="role_play",
        phase_clock_ms=125_000,
    )
    pack = packs.pack_for_sitting(demo.db, a1, sid)
    crit = pack.scenarios[0].rubric.criteria[0].id
    scoring.edit_note(demo.db, a1, nid, "Explained purpose and her rights in plain words", crit)
    notes = scoring.my_notes(demo.db, a1, sid, station)
    assert [n.text for n in notes] == ["Explained purpose and her rights in plain words"]
    assert notes[0].phase_clock_ms == 125_000 and notes[0].criterion_id == crit
    assert scoring.my_notes(demo.db, a2, sid, station) == []
    with pytest.raises(PermissionDenied):
        scoring.edit_note(demo.db, a2, nid, "rewritten by someone else")
    with demo.db.read() as s:
        history = s.scalars(
            select(AuditEntryRow.before).where(
                AuditEntryRow.entity_id == nid, AuditEntryRow.action == "note.edit"
            )
        ).all()
    assert "Explained purpose in plain words" in history[0]
    scoring.delete_note(demo.db, a1, nid)
    assert scoring.my_notes(demo.db, a1, sid) == []
    assert audit.verify(demo.db).ok
