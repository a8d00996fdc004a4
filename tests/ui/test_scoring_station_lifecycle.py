"""Lifecycles (issue 11, item 7): every timer of a sitting stops before the task manager shuts
down. Signing out, locking and closing with a running clock raise no error; a heartbeat
that comes after the shutdown asks nothing of the closed manager."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from naas_centre.services.views import Actor
from tests.ui.conftest import PASSWORDS, DemoCentre
from tests.ui.scoring_station_support import first_sitting, open_view
from ui.common.settings import Settings
from ui.scoring.sitting_view import SittingView
from ui.shell.main_window import MainWindow
from ui.work.tasks import TaskManager


@pytest.fixture
def assessor(demo: DemoCentre) -> Actor:
    return demo.actor("assessor1")


def _running_in_window(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, actor: Actor, settings: Settings
) -> tuple[MainWindow, SittingView]:
    window = MainWindow(tasks, demo.db, actor, "Pennine Assessment Centre (demo)", settings)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.day_view.day_loaded, timeout=10_000):
        window.show()
    with qtbot.waitSignal(window.sitting_shown, timeout=10_000):
        window.open_sitting(first_sitting(demo, actor))
    view = window.sitting_view
    assert view is not None
    qtbot.waitUntil(lambda: view.clocks.ready, timeout=10_000)
    timer = next(iter(view.panels.values())).timer
    with qtbot.waitSignal(view.clocks.clock_event_saved, timeout=10_000):
        qtbot.mouseClick(timer.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.pending.idle, timeout=10_000)
    assert view.clocks.heartbeat.isActive() and view.clocks.ticker.isActive()
    return window, view


def _quiet(view: SittingView) -> bool:
    return not view.clocks.heartbeat.isActive() and not view.clocks.ticker.isActive()


@pytest.fixture
def own_tasks(qtbot: QtBot) -> Iterator[TaskManager]:
    """A task manager this test shuts down itself, in the middle of things."""
    manager = TaskManager()
    yield manager
    manager.shutdown()
    manager.deleteLater()


def test_signing_out_with_a_running_clock_stops_its_timers(
    qtbot: QtBot, own_tasks: TaskManager, demo: DemoCentre, assessor: Actor, settings: Settings
) -> None:
    window, view = _running_in_window(qtbot, own_tasks, demo, assessor, settings)
    with qtbot.waitSignal(window.signed_out, timeout=5_000):
        window.action_set["centre.sign_out"].trigger()
    assert _quiet(view)
    assert own_tasks.shutdown()
    view.clocks.heartbeat.timeout.emit()  # a beat already on its way when the manager closed
    view.clocks.ticker.timeout.emit()
    assert _quiet(view)


def test_locking_with_a_running_clock_keeps_it_running_and_the_heartbeat_going(
    qtbot: QtBot, own_tasks: TaskManager, demo: DemoCentre, assessor: Actor, settings: Settings
) -> None:
    window, view = _running_in_window(qtbot, own_tasks, demo, assessor, settings)
    window.action_set["centre.lock"].trigger()
    assert window.locked
    # Locked by hand: the clock still runs, computed from its instants, and says so.
    assert view.clocks.heartbeat.isActive() and view.clocks.ticker.isActive()
    assert next(iter(view.panels.values())).timer.status.text() == "Running"
    window.overlay.password.setText(PASSWORDS["assessor1"])
    with qtbot.waitSignal(window.locked_changed, timeout=10_000):
        qtbot.mouseClick(window.overlay.unlock_button, Qt.MouseButton.LeftButton)
    # The app closes while locked: nothing asks the closed manager for work.
    window.lock_now()
    assert own_tasks.shutdown()
    assert _quiet(view)
    view.clocks.heartbeat.timeout.emit()
    window.close()


def test_closing_the_window_with_a_running_clock_raises_nothing(
    qtbot: QtBot, own_tasks: TaskManager, demo: DemoCentre, assessor: Actor, settings: Settings
) -> None:
    window, view = _running_in_window(qtbot, own_tasks, demo, assessor, settings)
    window.close()
    assert _quiet(view)
    assert own_tasks.shutdown()
    view.clocks.heartbeat.timeout.emit()
    view.reload_all()  # a journal replay's reload coming late: refused quietly
    assert _quiet(view)


def test_a_view_left_open_when_the_manager_shuts_down_stops_with_it(
    qtbot: QtBot, own_tasks: TaskManager, demo: DemoCentre, assessor: Actor, settings: Settings
) -> None:
    """The case seen on a busy machine: a sitting view outlived its test's task manager."""
    view = open_view(qtbot, own_tasks, demo, assessor, first_sitting(demo, assessor), settings)
    assert view.clocks.heartbeat.isActive()
    qtbot.waitUntil(lambda: view.pending.idle, timeout=10_000)
    assert own_tasks.shutdown()
    assert _quiet(view)
    view.clocks.heartbeat.timeout.emit()  # what fired in the other test's set-up
    view.clocks.load()
    view.close()
