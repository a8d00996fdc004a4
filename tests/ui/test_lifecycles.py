"""Lifecycles (issue 11, item 7) with an open kiosk and a day's batch in progress: every
timer and worker stops before the task manager shuts down, and signing out, locking and
closing raise no error (pytest-qt fails a test on any exception raised in a slot). The
running sitting clock has its own tests (test_scoring_station_lifecycle.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from db.models import ScriptRow
from naas_centre.services import sittings
from naas_centre.services.views import Actor
from tests.ui.conftest import DemoCentre
from tests.ui.reports_support import CENTRE, open_window, trigger
from ui.common.settings import Settings
from ui.reports.batch_reports_dialog import BatchReportsDialog
from ui.shell.main_window import MainWindow
from ui.work.tasks import Task, TaskManager
from ui.written.kiosk_window import KioskWindow


@pytest.fixture
def own_tasks(qtbot: QtBot) -> Iterator[TaskManager]:
    """A task manager the test shuts down itself, in the middle of things."""
    manager = TaskManager()
    yield manager
    manager.shutdown()
    manager.deleteLater()


def _kiosk_in_window(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, settings: Settings
) -> tuple[MainWindow, KioskWindow, str]:
    assessor: Actor = demo.actor("assessor1")
    sitting_id = sittings.list_for_assessor(demo.db, assessor, demo.day)[0].id
    window = open_window(qtbot, tasks, demo, settings, "assessor1")
    window.action_set["sitting.written"].trigger()
    box = window.written.box
    assert box is not None
    with qtbot.waitSignal(window.written.kiosk_shown, timeout=10_000) as shown:
        box.button(box.StandardButton.Yes).click()
    kiosk = shown.args[0]
    assert isinstance(kiosk, KioskWindow)
    qtbot.addWidget(kiosk)
    with qtbot.waitSignal(kiosk.clock_changed, timeout=10_000):
        kiosk.cover.start.start.click()
    assert kiosk.ticker.isActive() and kiosk.heartbeat.isActive()
    return window, kiosk, sitting_id


def _quiet(kiosk: KioskWindow) -> bool:
    timers = (kiosk.ticker, kiosk.heartbeat, kiosk.resync, kiosk.submit_retry)
    autosave = (kiosk.autosaver.quiet, kiosk.autosaver.cap)
    return not any(t.isActive() for t in (*timers, *autosave))


def _script(demo: DemoCentre, sitting_id: str) -> str:
    with demo.db.read() as s:
        row = s.scalar(select(ScriptRow).where(ScriptRow.sitting_id == sitting_id))
        assert row is not None
        return row.text


def test_shutting_down_with_an_open_kiosk_stops_its_timers_and_keeps_the_last_text(
    qtbot: QtBot, own_tasks: TaskManager, demo: DemoCentre, settings: Settings
) -> None:
    window, kiosk, sitting_id = _kiosk_in_window(qtbot, own_tasks, demo, settings)
    kiosk.editor.setFocus()
    qtbot.keyClicks(kiosk.editor, "typed just before the end")
    assert own_tasks.shutdown()
    assert _quiet(kiosk) and kiosk.released
    kiosk.heartbeat.timeout.emit()  # a beat already on its way when the manager closed
    kiosk.ticker.timeout.emit()
    assert _script(demo, sitting_id) == "typed just before the end"
    window.close()
    kiosk.close()


def test_locking_then_closing_with_an_open_kiosk_raises_no_error(
    qtbot: QtBot, own_tasks: TaskManager, demo: DemoCentre, settings: Settings
) -> None:
    window, kiosk, _sitting = _kiosk_in_window(qtbot, own_tasks, demo, settings)
    with qtbot.waitSignal(window.locked_changed, timeout=5_000):
        window.lock_now()
    assert kiosk.ticker.isActive()  # the candidate's clock runs on behind a locked window
    window.close()
    assert own_tasks.shutdown()
    assert _quiet(kiosk)
    kiosk.close()


def test_signing_out_with_a_batch_in_progress_cancels_it_and_raises_no_error(
    qtbot: QtBot, own_tasks: TaskManager, scored: DemoCentre, settings: Settings
) -> None:
    # Not handed to qtbot: signing out deletes the window, as the application does.
    window = MainWindow(
        own_tasks, scored.db, scored.actor("manager"), CENTRE, settings, data_dir=scored.folder
    )
    with qtbot.waitSignal(window.day_view.day_loaded, timeout=10_000):
        window.show()
    dialog = trigger(window, "reports.day")
    assert isinstance(dialog, BatchReportsDialog)
    dialog.folder.setText(str(scored.folder / "day"))
    with qtbot.waitSignal(dialog.progressed, timeout=60_000):
        dialog.start_button.click()
    task = dialog._task
    assert isinstance(task, Task) and not task.cancelled
    with qtbot.waitSignal(window.signed_out, timeout=5_000):
        window.action_set["centre.sign_out"].trigger()
    window.deleteLater()
    qtbot.waitUntil(lambda: task.cancelled, timeout=5_000)  # the dialog went with the window
    assert own_tasks.shutdown(timeout_ms=60_000)  # the run stopped after the report in hand
    assert not own_tasks.busy


def test_closing_with_a_batch_in_progress_stops_it_before_the_manager_shuts_down(
    qtbot: QtBot, own_tasks: TaskManager, scored: DemoCentre, settings: Settings
) -> None:
    window = open_window(qtbot, own_tasks, scored, settings, "manager")
    dialog = trigger(window, "reports.day")
    assert isinstance(dialog, BatchReportsDialog)
    dialog.folder.setText(str(scored.folder / "day"))
    with qtbot.waitSignal(dialog.progressed, timeout=60_000):
        dialog.start_button.click()
    task = dialog._task
    assert task is not None
    window.close()
    assert own_tasks.shutdown(timeout_ms=60_000)
    assert task.cancelled  # shutting down cancels long work at its next progress point
    dialog.close()  # its answer will not come: it does not wait for it
    assert not dialog.isVisible()
