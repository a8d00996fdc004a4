from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from db.base import utcnow
from db.models import AuditEntryRow, PhaseEventRow, SittingAssessorRow
from naas_centre.errors import Conflict, NotFound, PermissionDenied, UserError
from naas_centre.services import audit, packs, scoring, sittings, timing, written
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
    # The clock stops at the press; the reason comes after, for that same pause.
    paused = timing.record_event(demo.db, a1, sid, station, "reading", "pause", at=t0 + timedelta(seconds=30))
    assert paused.phases[0].state.pauses[0].reason is None
    with pytest.raises(UserError, match="reason"):
        timing.set_pause_reason(demo.db, a1, sid, station, "reading", t0 + timedelta(seconds=30), "  ")
    with pytest.raises(NotFound):
        timing.set_pause_reason(demo.db, a1, sid, station, "reading", t0, "fire alarm")
    for _twice in range(2):  # a retried write changes nothing
        timing.set_pause_reason(
            demo.db, a1, sid, station, "reading", t0 + timedelta(seconds=30), "fire alarm"
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
    with demo.db.read() as s:
        reasons = s.scalars(
            select(AuditEntryRow.action).where(AuditEntryRow.action == "phase.pause_reason")
        ).all()
    assert len(reasons) == 1
    assert audit.verify(demo.db).ok


def test_a_phase_ended_by_mistake_is_reopened_with_a_reason_and_the_gap_recorded(demo: Demo) -> None:
    a1 = demo.login("assessor1")
    sid, station = _sitting(demo)
    t0 = utcnow() - timedelta(minutes=10)
    timing.record_event(demo.db, a1, sid, station, "reading", "start", at=t0)
    timing.record_event(demo.db, a1, sid, station, "reading", "end", at=t0 + timedelta(minutes=2))
    with pytest.raises(UserError, match="reason"):
        timing.record_event(demo.db, a1, sid, station, "reading", "reopen", at=t0 + timedelta(minutes=3))
    t = timing.record_event(
        demo.db,
        a1,
        sid,
        station,
        "reading",
        "reopen",
        reason="ended by mistake: the candidate was still reading",
        at=t0 + timedelta(minutes=3),
    )
    reading = t.phases[0].state
    assert reading.status == "running" and reading.ended_at is None
    assert reading.reopens[0].gap_ms == 60_000  # the minute between the end and the reopening
    assert reading.elapsed_ms == 2 * 60_000  # it carries on from where it ended
    now = t0 + timedelta(minutes=4)
    later = timing.record_event(demo.db, a1, sid, station, "reading", "end", at=now)
    assert later.phases[0].state.elapsed_ms == 3 * 60_000
    with demo.db.read() as s:
        row = s.scalar(
            select(PhaseEventRow).where(PhaseEventRow.sitting_id == sid, PhaseEventRow.kind == "reopen")
        )
        assert row is not None and row.gap_ms == 60_000 and row.account_id == a1.account_id
        entry = s.scalar(select(AuditEntryRow).where(AuditEntryRow.action == "phase.reopen"))
        assert entry is not None and "by mistake" in (entry.after or "")
        # One entry for the row, the service's own: the session does not record it again.
        actions = s.scalars(select(AuditEntryRow.action).where(AuditEntryRow.entity_id == row.id)).all()
        assert actions == ["phase.reopen"]
    # Once the next phase has started, the earlier one stays ended.
    timing.record_event(demo.db, a1, sid, station, "role_play", "start", at=now + timedelta(seconds=5))
    with pytest.raises(Conflict, match="role-play has started"):
        timing.record_event(
            demo.db, a1, sid, station, "reading", "reopen", reason="again", at=now + timedelta(seconds=9)
        )
    assert audit.verify(demo.db).ok


def test_the_writing_clock_starts_only_from_the_candidates_own_screen(demo: Demo) -> None:
    a1 = demo.login("assessor1")
    manager = demo.login("manager")
    sid, _station = _sitting(demo)
    sittings.set_status(demo.db, a1, sid, "checked_in")
    grant = written.open_kiosk(demo.db, a1, sid)
    for who in (a1, manager):
        with pytest.raises(PermissionDenied, match="candidate presses Start"):
            timing.record_event(demo.db, who, sid, grant.station_id, "writing", "start")
    # The candidate's screen may start and end its own clock, and nothing else.
    with pytest.raises(PermissionDenied):
        timing.record_event(demo.db, grant.actor, sid, _station, "reading", "start")
    t = timing.record_event(demo.db, grant.actor, sid, grant.station_id, "writing", "start")
    assert t.phases[0].state.status == "running"
    with pytest.raises(PermissionDenied):
        timing.record_event(
            demo.db, grant.actor, sid, grant.station_id, "writing", "pause", reason="other: x"
        )


def test_after_submitting_an_assessors_clocks_no_longer_start(demo: Demo) -> None:
    a1 = demo.login("assessor1")
    sid, station = _sitting(demo)
    with demo.db.write() as s:  # submitted (how is tested with scoring)
        link = s.scalar(
            select(SittingAssessorRow).where(
                SittingAssessorRow.sitting_id == sid, SittingAssessorRow.assessor_id == a1.account_id
            )
        )
        assert link is not None
        link.submitted_at = utcnow()
    with pytest.raises(Conflict, match="submitted"):
        timing.record_event(demo.db, a1, sid, station, "reading", "start")


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
