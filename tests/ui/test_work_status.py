"""The shared bar, status line and buttons of dialogs that run work in the background."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QPushButton, QVBoxLayout
from pytestqt.qtbot import QtBot

from naas_centre.errors import UserError
from ui.common.work_status import WorkStatus


class _Work:
    def __init__(self) -> None:
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


def _dialog(qtbot: QtBot, *, stoppable: bool) -> tuple[QDialog, WorkStatus]:
    dialog = QDialog()
    qtbot.addWidget(dialog)
    start, close = QPushButton("Go"), QPushButton("Close")
    work = WorkStatus("status", start, close, stoppable=stoppable)
    work.add_to(QVBoxLayout(dialog))
    return dialog, work


def test_work_that_can_stop_turns_close_into_stop_and_back(qtbot: QtBot) -> None:
    dialog, work = _dialog(qtbot, stoppable=True)
    work.began(dialog, _Work(), 3, "Reading…")
    assert not work.start.isEnabled() and work.close.text() == "Stop" and work.close.isEnabled()
    assert not work.bar.isHidden() and work.bar.maximum() == 3 and work.status.text() == "Reading…"
    work.progressed(2, 4)
    assert (work.bar.value(), work.bar.maximum()) == (2, 4)
    work.finished()
    assert work.start.isEnabled() and work.close.text() == "Close" and work.bar.isHidden()


def test_whole_or_nothing_work_holds_close_and_a_refusal_is_said_plainly(qtbot: QtBot) -> None:
    dialog, work = _dialog(qtbot, stoppable=False)
    work.began(dialog, _Work(), 2, "Writing…")
    assert not work.close.isEnabled() and work.close.text() == "Close"
    work.failed(UserError("The disk is full."), "Nothing was written.")
    assert work.status.text() == "The disk is full. Nothing was written."
    assert work.status.property("role") == "error"
    assert work.close.isEnabled() and work.start.isEnabled()


def test_closing_the_window_cancels_what_it_started(qtbot: QtBot) -> None:
    dialog = QDialog()
    start, close = QPushButton("Go"), QPushButton("Close")
    work = WorkStatus("status", start, close, stoppable=True)
    task = _Work()
    work.began(dialog, task, 0, "Exporting…")
    dialog.deleteLater()
    qtbot.waitUntil(lambda: task.cancelled)
