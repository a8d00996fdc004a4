"""Calibration exercises (issue 15, requirement 7) on a real recording: made by a manager
with agreed levels, scored by assessors, their standing against the agreed levels and
(as counts only) against colleagues, the permissions, and the QA figures they feed."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import select

from db.models import AuditEntryRow
from naas_centre.errors import Conflict, PermissionDenied, UserError
from naas_centre.services import audit, calibration, qa_analysis, recordings
from tests.services.calibration_support import record_station, station_rubric
from tests.services.conftest import Demo


@pytest.fixture
def recording(demo: Demo, tmp_path: Path) -> str:
    return record_station(demo.db, demo.login("assessor1"), demo.day, tmp_path / "data", tmp_path)


def _agreed(demo: Demo, recording_id: str) -> dict[str, int]:
    rubric, levels = station_rubric(demo.db, demo.login("manager"), recording_id)
    return {c.id: levels[1] for c in rubric.criteria}  # the panel agreed the second level throughout


def _attempt(demo: Demo, who: str, exercise: str, levels: dict[str, int]) -> calibration.Standing:
    actor = demo.login(who)
    calibration.open_attempt(demo.db, actor, exercise)
    for cid, level in levels.items():
        calibration.record_level(demo.db, actor, exercise, cid, level)
    return calibration.finish(demo.db, actor, exercise)


def test_a_manager_makes_an_exercise_from_a_consented_recording(demo: Demo, recording: str) -> None:
    manager = demo.login("manager")
    agreed = _agreed(demo, recording)
    assert [r for r, _ in calibration.usable_recordings(demo.db, manager)] == [recording]
    with pytest.raises(UserError, match="every criterion"):
        calibration.make_exercise(demo.db, manager, recording, "Home visit", dict(list(agreed.items())[1:]))
    with pytest.raises(UserError, match="not on this rubric's scale"):
        calibration.make_exercise(demo.db, manager, recording, "Home visit", {k: 99 for k in agreed})
    with pytest.raises(UserError, match="title"):
        calibration.make_exercise(demo.db, manager, recording, "  ", agreed)
    made = calibration.make_exercise(demo.db, manager, recording, " Home visit,  March ", agreed)
    assert (made.title, made.station_id, made.attempts_finished) == ("Home visit, March", "home-visit", 0)
    qa = demo.login("qa")
    assert [e.id for e in calibration.exercises(demo.db, qa)] == [made.id]
    with demo.db.read() as s:
        entry = s.scalar(select(AuditEntryRow).where(AuditEntryRow.action == "calibration.make"))
        assert entry is not None and entry.entity_id == made.id
    assert audit.verify(demo.db).ok


def test_consent_withdrawn_or_media_gone_refuses_an_exercise(
    demo: Demo, recording: str, tmp_path: Path
) -> None:
    manager, a1 = demo.login("manager"), demo.login("assessor1")
    with demo.db.read() as s:
        from db.models import RecordingRow

        sid = s.get(RecordingRow, recording).sitting_id  # type: ignore[union-attr]
    recordings.record_candidate_consent(demo.db, a1, sid, False)
    with pytest.raises(Conflict, match="not consented"):
        calibration.make_exercise(demo.db, manager, recording, "Home visit", _agreed(demo, recording))
    assert calibration.usable_recordings(demo.db, manager) == []
    recordings.record_candidate_consent(demo.db, a1, sid, True)
    recordings.delete_recording(demo.db, manager, tmp_path / "data", recording, "Asked by the candidate")
    with pytest.raises(Conflict, match="still has its media"):
        calibration.make_exercise(demo.db, manager, recording, "Home visit", _agreed(demo, recording))


def test_permissions_are_the_services_own(demo: Demo, recording: str) -> None:
    agreed = _agreed(demo, recording)
    for who in ("assessor1", "admin"):
        with pytest.raises(PermissionDenied):
            calibration.make_exercise(demo.db, demo.login(who), recording, "Home visit", agreed)
    made = calibration.make_exercise(demo.db, demo.login("qa"), recording, "Home visit", agreed)
    for who in ("manager", "qa", "admin"):
        with pytest.raises(PermissionDenied):
            calibration.open_attempt(demo.db, demo.login(who), made.id)
        with pytest.raises(PermissionDenied):
            calibration.record_level(demo.db, demo.login(who), made.id, next(iter(agreed)), 1)
    with pytest.raises(PermissionDenied):
        calibration.exercises(demo.db, demo.login("admin"))
    with pytest.raises(PermissionDenied):
        calibration.close_exercise(demo.db, demo.login("assessor1"), made.id)


def test_an_assessor_scores_finishes_and_sees_where_they_stand_naming_no_colleague(
    demo: Demo, recording: str
) -> None:
    agreed = _agreed(demo, recording)
    made = calibration.make_exercise(demo.db, demo.login("manager"), recording, "Home visit", agreed)
    criteria = list(agreed)
    low = {c: agreed[c] - 1 for c in criteria}
    first, *rest = criteria

    a1 = demo.login("assessor1")
    attempt = calibration.open_attempt(demo.db, a1, made.id)
    assert attempt.levels == {} and not attempt.finished and attempt.exercise.mine == "started"
    assert (Path("data") / attempt.folder).parts[1] == "recordings"
    with pytest.raises(Conflict, match="Finish the exercise first"):
        calibration.standing(demo.db, a1, made.id)  # the agreed levels stay hidden until then
    calibration.record_level(demo.db, a1, made.id, first, agreed[first])
    with pytest.raises(UserError, match="left"):
        calibration.finish(demo.db, a1, made.id)
    with pytest.raises(UserError, match="no criterion"):
        calibration.record_level(demo.db, a1, made.id, "nonsense", 1)
    # Reopened (a crash, another day): the levels are as saved.
    assert calibration.open_attempt(demo.db, a1, made.id).levels == {first: agreed[first]}
    for c in rest:
        calibration.record_level(demo.db, a1, made.id, c, low[c])
    mine = calibration.finish(demo.db, a1, made.id)
    assert [(c.criterion_id, c.mine, c.agreed) for c in mine.criteria] == [
        (c, agreed[c] if c == first else low[c], agreed[c]) for c in criteria
    ]
    assert mine.agreed_count == 1
    assert all(c.colleagues == 0 for c in mine.criteria)
    assert mine.criteria[0].colleagues_text == ("No colleague has finished this exercise yet.")
    with pytest.raises(Conflict, match="fixed"):
        calibration.record_level(demo.db, a1, made.id, first, low[first])

    _attempt(demo, "assessor2", made.id, agreed)
    _attempt(demo, "assessor3", made.id, low)
    seen = calibration.standing(demo.db, a1, made.id)
    assert seen.criteria[0].colleagues_text == "1 of 2 colleagues chose the same level."  # assessor2
    assert seen.criteria[1].colleagues_text == "1 of 2 colleagues chose the same level."  # assessor3
    # Nothing in what the assessor gets names a colleague or carries their levels.
    shown = repr(dataclasses.asdict(seen))
    for other in ("assessor2", "assessor3"):
        account = demo.login(other)
        assert account.account_id not in shown and account.display_name not in shown
    assert set(dataclasses.asdict(seen.criteria[0])) == {
        "criterion_id", "text", "mine", "agreed", "same_as_mine", "colleagues"
    }  # fmt: skip
    listed = calibration.exercises(demo.db, a1)
    assert [(e.id, e.mine, e.attempts_finished) for e in listed] == [(made.id, "finished", 3)]


def test_a_closed_exercise_takes_no_new_attempt(demo: Demo, recording: str) -> None:
    made = calibration.make_exercise(
        demo.db, demo.login("manager"), recording, "Home visit", _agreed(demo, recording)
    )
    calibration.open_attempt(demo.db, demo.login("assessor1"), made.id)
    calibration.close_exercise(demo.db, demo.login("manager"), made.id)
    with pytest.raises(Conflict, match="closed"):
        calibration.open_attempt(demo.db, demo.login("assessor2"), made.id)
    assert calibration.exercises(demo.db, demo.login("assessor2")) == []
    assert [e.id for e in calibration.exercises(demo.db, demo.login("assessor1"))] == [made.id]


def test_attempts_feed_the_examiner_figures_as_calibration_offsets(demo: Demo, recording: str) -> None:
    agreed = _agreed(demo, recording)
    made = calibration.make_exercise(demo.db, demo.login("manager"), recording, "Home visit", agreed)
    high = {c: v + 1 for c, v in agreed.items()}
    _attempt(demo, "assessor1", made.id, high)
    _attempt(demo, "assessor2", made.id, agreed)
    qa = demo.login("qa")
    analysis = qa_analysis.analyse(demo.db, qa)
    by_id = {o.assessor: o for o in analysis.calibration}
    a1, a2 = demo.login("assessor1"), demo.login("assessor2")
    assert by_id[a1.account_id].offset == len(agreed) and by_id[a1.account_id].exact == 0.0
    assert by_id[a2.account_id].offset == 0.0 and by_id[a2.account_id].exact == 1.0
    assert by_id[a1.account_id].ci_low is None  # one exercise: no interval
    table = next(t for t in qa_analysis.tables(analysis) if t.name == "calibration")
    rows = {r[0]: r for r in table.rows}
    assert rows[a1.display_name][5] == f"{len(agreed):.4f}" and rows[a2.display_name][3] == "1.0000"
    named = dict((o.assessor, name) for name, o in calibration.calibration_figures(demo.db, qa))
    assert named[a1.account_id] == a1.display_name
    # An assessor's own sheet carries their own offset; asking for figures gives only theirs.
    sheet = qa_analysis.personal_sheet(demo.db, a1)
    assert sheet.calibration is not None and sheet.calibration.assessor == a1.account_id
    assert [o.assessor for _n, o in calibration.calibration_figures(demo.db, a2)] == [a2.account_id]


def test_the_signed_qa_report_says_where_each_assessor_stands_against_the_panel(
    demo: Demo, recording: str, tmp_path: Path
) -> None:
    from datetime import UTC, datetime

    from naas_centre.reports.qa_report import Signer, render
    from tests.reports.conftest import pdftotext

    agreed = _agreed(demo, recording)
    made = calibration.make_exercise(demo.db, demo.login("manager"), recording, "Home visit", agreed)
    _attempt(demo, "assessor1", made.id, {c: v + 1 for c, v in agreed.items()})
    _attempt(demo, "assessor2", made.id, agreed)
    analysis = qa_analysis.analyse(demo.db, demo.login("qa"))
    made_at = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    pdf = tmp_path / "qa.pdf"
    pdf.write_bytes(render(analysis, centre="C", signer=Signer("Dev Patel", "QA lead"), made_at=made_at).pdf)
    text = " ".join(pdftotext(pdf).split())
    a1, a2 = demo.login("assessor1"), demo.login("assessor2")
    assert "Calibration against the panel" in text
    assert f"{a1.display_name} 1 0% +{len(agreed):.2f} one exercise" in text
    assert f"{a2.display_name} 1 100% +0.00 one exercise" in text
