"""The idle lock covers the window and opens only for the same user's password."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.ui.conftest import PASSWORDS, DemoCentre, WaitUntil
from ui.common.settings import Settings
from ui.shell.main_window import MainWindow
from ui.work.tasks import TaskManager


@pytest.fixture
def window(qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, settings: Settings) -> Iterator[MainWindow]:
    w = MainWindow(tasks, demo.db, demo.actor("assessor1"), "Pennine Assessment Centre (demo)", settings)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.day_view.day_loaded, timeout=10_000):
        w.show()
    yield w
    w.close()
    tasks.wait()


def test_idle_time_covers_the_window_and_the_password_opens_it(
    qtbot: QtBot, window: MainWindow, wait_until: WaitUntil
) -> None:
    with qtbot.waitSignal(window.locked_changed, timeout=5_000) as locked:
        window.idle.set_interval_ms(50)
    assert locked.args == [True]
    overlay = window.overlay
    assert overlay.isVisible() and overlay.geometry() == window.rect()
    assert not window.stack.isEnabled() and not window.menuBar().isEnabled()
    assert not window.action_set["day.refresh"].isEnabled()
    assert window.action_set["help.keys"].isEnabled()

    qtbot.keyClicks(overlay.password, "someone else's password")
    qtbot.keyClick(overlay.password, Qt.Key.Key_Return)
    wait_until(lambda: overlay.error.isVisible())
    assert overlay.error.text() == "That is not the password of Helen Brady."
    assert overlay.isVisible()

    window.idle.set_minutes(10)
    overlay.password.setText(PASSWORDS["assessor1"])
    with qtbot.waitSignal(window.locked_changed, timeout=10_000) as unlocked:
        qtbot.mouseClick(overlay.unlock_button, Qt.MouseButton.LeftButton)
    assert unlocked.args == [False]
    assert not overlay.isVisible()
    assert window.stack.isEnabled() and window.action_set["day.refresh"].isEnabled()


def test_the_lock_shortcut_and_sign_out_from_the_lock(qtbot: QtBot, window: MainWindow) -> None:
    window.action_set["centre.lock"].trigger()
    assert window.locked
    with qtbot.waitSignal(window.signed_out):
        qtbot.mouseClick(window.overlay.sign_out_button, Qt.MouseButton.LeftButton)
