"""Helpers for the reports, moderation, packs and equality GUI tests: a signed-in main
window on a demo centre, choosing a sitting on its day, and opening a dialog by action."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from tests.ui.conftest import PASSWORDS, DemoCentre
from ui.common.settings import Settings
from ui.day.assessor_day_view import AssessorDayView
from ui.day.centre_day_view import CentreDayView
from ui.shell.main_window import MainWindow
from ui.work.tasks import TaskManager

CENTRE = "Pennine Assessment Centre (demo)"


def password(username: str) -> str:
    return PASSWORDS[username]


def open_window(
    qtbot: QtBot, tasks: TaskManager, centre: DemoCentre, settings: Settings, username: str
) -> MainWindow:
    w = MainWindow(tasks, centre.db, centre.actor(username), CENTRE, settings, data_dir=centre.folder)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.day_view.day_loaded, timeout=10_000):
        w.show()
    return w


def close_window(w: MainWindow, tasks: TaskManager) -> None:
    dialog = w.reports.dialog
    if dialog is not None:
        for child in dialog.findChildren(QDialog):
            child.close()
        dialog.close()
    w.close()
    tasks.wait()


def choose_sitting(w: MainWindow, sitting_id: str) -> None:
    """Chooses the sitting on the day's list (an assessor) or board (a manager)."""
    day = w.day_view
    if isinstance(day, AssessorDayView):
        row = [s.id for s in day.model.sittings].index(sitting_id)
        day.table.selectRow(row)
        return
    assert isinstance(day, CentreDayView)
    cell = next(pos for pos, s in day.model.cells.items() if s.id == sitting_id)
    day.board.setCurrentIndex(day.model.index(*cell))


def trigger(w: MainWindow, action_id: str) -> QDialog:
    action = w.action_set[action_id]
    assert action.isEnabled(), f"{action_id} is disabled"
    action.trigger()
    dialog = w.reports.dialog
    assert dialog is not None
    return dialog
