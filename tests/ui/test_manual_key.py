"""F1 opens the manual at the page of the signed-in person's role; Shift+F1 the keys."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.ui.conftest import DemoCentre
from tests.ui.reports_support import close_window, open_window
from ui.common.help_window import HelpWindow
from ui.common.settings import Settings
from ui.work.tasks import TaskManager


@pytest.mark.parametrize(("username", "role"), [("assessor1", "assessor"), ("manager", "centre_manager")])
def test_f1_opens_the_manual_for_the_role(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, settings: Settings, username: str, role: str
) -> None:
    w = open_window(qtbot, tasks, demo, settings, username)
    try:
        assert w.action_set["help.manual"].shortcut().toString() == "F1"
        assert w.action_set["help.keys"].shortcut().toString() == "Shift+F1"
        w.activateWindow()
        qtbot.keyClick(w, Qt.Key.Key_F1)
        window = w.findChild(HelpWindow)
        assert window is not None
        qtbot.waitUntil(window.isVisible)
        assert window.view.current_role == role
        window.close()
    finally:
        close_window(w, tasks)
