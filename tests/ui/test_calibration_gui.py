"""Calibration in the scoring screen (issue 15, requirement 7): an assessor scores a real
recording's exercise on the station's rubric grid beside its player, each level durable
as shown, then sees where they stand; a manager makes the exercise on the same grid."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtMultimedia import QMediaPlayer
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from db.models import CalibrationAttemptRow, CalibrationLevelRow
from naas_centre.services import calibration
from tests.services.calibration_support import record_station, station_rubric
from tests.ui.conftest import DemoCentre
from tests.ui.reports_support import close_window, open_window, trigger
from ui.common.rubric_cells import STATE_ROLE
from ui.common.rubric_grid import RubricGridView
from ui.common.settings import Settings
from ui.scoring.calibration_dialog import CalibrationDialog
from ui.scoring.calibration_view import CalibrationView
from ui.video.make_calibration_dialog import MakeCalibrationDialog
from ui.work.tasks import TaskManager


@pytest.fixture
def recording(demo: DemoCentre, tmp_path: Path) -> str:
    return record_station(demo.db, demo.actor("assessor1"), demo.day, demo.folder, tmp_path)


def _stored(demo: DemoCentre, assessor_id: str) -> dict[str, int | None]:
    with demo.db.read() as s:
        rows = s.execute(
            select(CalibrationLevelRow.criterion_id, CalibrationLevelRow.level)
            .join(CalibrationAttemptRow, CalibrationAttemptRow.id == CalibrationLevelRow.attempt_id)
            .where(CalibrationAttemptRow.assessor_id == assessor_id)
        )
        return {c: v for c, v in rows}


def _click(qtbot: QtBot, grid: RubricGridView, criterion_id: str, level: int) -> None:
    model = grid.rubric()
    column = model.column_of(level)
    assert column is not None
    index = model.index(model.row_of(criterion_id), column)
    grid.scrollTo(index)
    qtbot.waitUntil(lambda: grid.visualRect(index).height() > 10)
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=grid.visualRect(index).center())


def test_an_assessor_scores_an_exercise_beside_its_recording_and_sees_where_they_stand(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, recording: str
) -> None:
    rubric, levels = station_rubric(demo.db, demo.actor("manager"), recording)
    agreed = {c.id: levels[1] for c in rubric.criteria}
    made = calibration.make_exercise(demo.db, demo.actor("manager"), recording, "Home visit", agreed)
    colleague = demo.actor("assessor2")  # finished before: counted, never named
    calibration.open_attempt(demo.db, colleague, made.id)
    for cid, level in agreed.items():
        calibration.record_level(demo.db, colleague, made.id, cid, level)
    calibration.finish(demo.db, colleague, made.id)

    assessor = demo.actor("assessor3")
    dialog = CalibrationDialog(tasks, demo.db, assessor, demo.folder)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.listed, timeout=10_000):
        dialog.show()
    assert dialog.list.count() == 1 and "not started" in dialog.list.item(0).text()
    with qtbot.waitSignal(dialog.opened, timeout=10_000) as opened:
        qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    view: CalibrationView = opened.args[0]
    qtbot.waitUntil(lambda: view.panel is not None, timeout=15_000)
    assert view.panel is not None
    panel = view.panel
    qtbot.waitUntil(lambda: panel.grid.isVisible() and view.player.isVisible(), timeout=10_000)
    assert not panel.timer.isVisible() and not panel.judgement.isVisible()
    qtbot.waitUntil(
        lambda: (
            view.player.player.mediaStatus()
            in (QMediaPlayer.MediaStatus.LoadedMedia, QMediaPlayer.MediaStatus.BufferedMedia)
        ),
        timeout=15_000,
    )
    # The recording's own length (how much a loaded machine let the recorder write varies).
    with demo.db.read() as s:
        from db.models import RecordingRow

        recorded = s.get(RecordingRow, recording)
        assert recorded is not None and recorded.duration is not None and recorded.duration > 0
    assert view.player.source is not None
    assert abs(view.player.source.duration_ms - recorded.duration * 1000) < 100
    assert not view.finish_button.isEnabled()

    criteria = [c.id for c in rubric.criteria]
    chosen = {cid: (levels[1] if i == 0 else levels[0]) for i, cid in enumerate(criteria)}
    for cid in criteria:
        with qtbot.waitSignal(view.level_saved, timeout=10_000):
            _click(qtbot, panel.grid, cid, chosen[cid])
        # Shown as saved only once it is on disk.
        index = panel.model.index(panel.model.row_of(cid), panel.model.column_of(chosen[cid]) or 0)
        assert index.data(STATE_ROLE) == "saved"
        assert _stored(demo, assessor.account_id)[cid] == chosen[cid]
    assert view.progress.text() == f"{len(criteria)} of {len(criteria)} criteria scored"

    with qtbot.waitSignal(view.finished, timeout=10_000):
        qtbot.mouseClick(view.finish_button, Qt.MouseButton.LeftButton)
    table = view.result
    assert table.isVisible() and table.rowCount() == len(criteria)
    assert table.item(0, 1).text() == f"{levels[1]}  ✓" and table.item(0, 2).text() == str(levels[1])
    assert table.item(0, 3).text() == "1 of 1 colleague chose the same level."
    assert table.item(1, 3).text() == "0 of 1 colleague chose the same level."
    assert view.summary.text().startswith(f"You chose the agreed level for 1 of {len(criteria)} criteria.")
    shown = " ".join(table.item(r, c).text() for r in range(table.rowCount()) for c in range(4))
    assert colleague.display_name not in shown
    assert panel.model.read_only and not view.finish_button.isEnabled()

    # Back to the list: the exercise says it is finished.
    with qtbot.waitSignal(dialog.listed, timeout=10_000):
        dialog.back_to_list()
    assert "finished" in dialog.list.item(0).text()
    dialog.close()
    tasks.wait()


def test_a_level_left_in_the_journal_by_a_crash_is_saved_when_the_exercise_reopens(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, recording: str
) -> None:
    from datetime import UTC, datetime

    from naas_centre.writes.journal import Journal, journal_path
    from naas_centre.writes.ops import iso

    rubric, levels = station_rubric(demo.db, demo.actor("manager"), recording)
    agreed = {c.id: levels[1] for c in rubric.criteria}
    made = calibration.make_exercise(demo.db, demo.actor("manager"), recording, "Home visit", agreed)
    assessor = demo.actor("assessor1")
    calibration.open_attempt(demo.db, assessor, made.id)  # begun before the crash
    first = rubric.criteria[0].id
    Journal(journal_path(demo.db)).append(
        [
            {
                "type": "item",
                "id": "kept-1",
                "op": "record_calibration_level",
                "args": {"exercise_id": made.id, "criterion_id": first, "level": levels[2]},
                "account_id": assessor.account_id,
                "label": "calibration level",
                "queued_at": iso(datetime.now(UTC)),
            }
        ]
    )
    assert _stored(demo, assessor.account_id) == {}
    view = CalibrationView(tasks, demo.db, assessor, demo.folder, made.id)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.level_saved, timeout=15_000) as saved:
        view.show()
    assert saved.args == [first, levels[2]]
    assert _stored(demo, assessor.account_id) == {first: levels[2]}
    assert view.panel is not None and view.panel.model.level_of(first) == levels[2]
    view.close_down()
    view.close()
    tasks.wait()


def test_a_manager_makes_an_exercise_on_the_rubric_grid(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, recording: str
) -> None:
    manager = demo.actor("manager")
    rubric, levels = station_rubric(demo.db, manager, recording)
    dialog = MakeCalibrationDialog(tasks, demo.db, manager, demo.folder)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.station_shown, timeout=15_000):
        dialog.show()
    assert dialog.recording.count() == 1 and dialog.title.text()
    first, *rest = [c.id for c in rubric.criteria]
    _click(qtbot, dialog.grid, first, levels[2])
    qtbot.mouseClick(dialog.make_button, Qt.MouseButton.LeftButton)  # not every criterion agreed
    qtbot.waitUntil(lambda: "every criterion" in dialog.state.text(), timeout=10_000)
    assert calibration.exercises(demo.db, manager) == []
    for cid in rest:
        _click(qtbot, dialog.grid, cid, levels[1])
    with qtbot.waitSignal(dialog.made, timeout=10_000) as made:
        qtbot.mouseClick(dialog.make_button, Qt.MouseButton.LeftButton)
    assert made.args[0].station_id == "home-visit"
    assert [e.id for e in calibration.exercises(demo.db, manager)] == [made.args[0].id]
    dialog.close()
    tasks.wait()


CALIBRATION_ACTIONS = {"centre.calibration", "centre.make_calibration"}
OFFERED = {
    "assessor1": {"centre.calibration"},
    "manager": {"centre.make_calibration"},
    "qa": {"centre.make_calibration"},
    "admin": set(),
}


@pytest.mark.parametrize("username", sorted(OFFERED))
def test_the_centre_menu_offers_calibration_to_whom_the_services_allow(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, settings: Settings, username: str
) -> None:
    w = open_window(qtbot, tasks, demo, settings, username)
    try:
        assert {a for a in CALIBRATION_ACTIONS if w.action_set[a].isEnabled()} == OFFERED[username]
        if username == "assessor1":
            assert isinstance(trigger(w, "centre.calibration"), CalibrationDialog)
        if username == "manager":
            assert isinstance(trigger(w, "centre.make_calibration"), MakeCalibrationDialog)
    finally:
        close_window(w, tasks)
