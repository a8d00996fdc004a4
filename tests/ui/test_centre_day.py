"""The manager's day board: rooms by slots, progress, and sittings opened read-only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from naas_centre.services import scoring, sittings
from tests.ui.conftest import DemoCentre
from ui.common.settings import Settings
from ui.day.centre_day_view import CentreDayView
from ui.shell.main_window import MainWindow
from ui.work.tasks import TaskManager


@pytest.fixture
def manager_window(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, settings: Settings
) -> Iterator[MainWindow]:
    w = MainWindow(tasks, demo.db, demo.actor("manager"), "Pennine Assessment Centre (demo)", settings)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.day_view.day_loaded, timeout=10_000):
        w.show()
    yield w
    w.close()
    tasks.wait()


def test_the_manager_sees_the_whole_day_by_room(manager_window: MainWindow, demo: DemoCentre) -> None:
    view = manager_window.day_view
    assert isinstance(view, CentreDayView)
    overview = sittings.day_overview(demo.db, demo.actor("manager"), demo.day)
    assert view.model.rooms == sorted({s.room for s in overview.sittings})
    assert len(view.model.cells) == len(overview.sittings) == 6
    assert {s.id for s in view.model.cells.values()} == {s.id for s in overview.sittings}
    assert view.model.columnCount() == 2 and view.model.rowCount() == 3  # two rooms, three slots
    assert "6</b> sittings" in view.summary.text()
    assert all(name in view.people.text() for name in overview.actors)


def test_progress_shows_on_the_board(qtbot: QtBot, manager_window: MainWindow, demo: DemoCentre) -> None:
    a1 = demo.actor("assessor1")
    sitting = sittings.list_for_assessor(demo.db, a1, demo.day)[0]
    detail = sittings.sitting_detail(demo.db, a1, sitting.id)
    assert detail.mine is not None
    station, levels = next(iter(detail.mine.levels.items()))
    for criterion in list(levels)[:2]:
        scoring.record_level(demo.db, a1, sitting.id, station, criterion, 3)
    with qtbot.waitSignal(manager_window.day_view.day_loaded, timeout=10_000):
        manager_window.action_set["day.refresh"].trigger()
    cell = next(s for s in manager_window.day_view.model.cells.values() if s.id == sitting.id)
    assert cell.criteria_scored == 2


def test_a_manager_opens_a_sitting_read_only(qtbot: QtBot, manager_window: MainWindow) -> None:
    board = manager_window.day_view.board
    board.setFocus()
    with qtbot.waitSignal(manager_window.sitting_shown, timeout=10_000):
        qtbot.keyClick(board, Qt.Key.Key_Return)
    view = manager_window.sitting_view
    assert view is not None
    assert not view.scoring
    assert all(p.model.read_only for p in view.panels.values())
    assert not view.submit_button.isVisible()
    assert view.sheet_choice.count() == 2  # the two assessors' sheets
    assert not manager_window.action_set["sitting.submit"].isEnabled()


def test_the_centre_menu_opens_each_screen_of_running_a_centre(
    qtbot: QtBot, manager_window: MainWindow
) -> None:
    from ui.centre.admin.administration_dialog import AdministrationDialog
    from ui.centre.candidates import CandidatesDialog
    from ui.centre.export_dialog import ExportDialog
    from ui.centre.planning import DayPlanDialog
    from ui.centre.run_sheets_dialog import RunSheetsDialog

    for action_id, kind in (
        ("centre.admin", AdministrationDialog),
        ("centre.candidates", CandidatesDialog),
        ("centre.plan", DayPlanDialog),
        ("centre.run_sheets", RunSheetsDialog),
        ("centre.export", ExportDialog),
    ):
        action = manager_window.action_set[action_id]
        assert action.isEnabled(), action_id
        action.trigger()
        dialog = manager_window.reports.dialog
        assert isinstance(dialog, kind), action_id
        qtbot.waitUntil(dialog.isVisible, timeout=10_000)
        dialog.close()
    manager_window.tasks.wait()
