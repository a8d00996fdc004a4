"""The sitting screen's clocks as an assessor meets them (issue 10, item 1): the writing clock
starts only on the candidate's own screen; a running clock keeps the workstation from
locking; a pause stops at the press and asks why after; ending asks once, and a phase ended
by mistake is reopened with a reason. Driven through the real screens with qtbot; time for
the idle lock comes from an injected clock, never from waiting."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from naas_centre.services import packs
from naas_centre.services.views import Actor
from tests.ui.conftest import DemoCentre, WaitUntil
from tests.ui.scoring_station_support import audit_actions, close_view, events, first_sitting, now, open_view
from ui.common.settings import Settings
from ui.scoring.phase_timer import PhaseTimerCard
from ui.scoring.sitting_view import SittingView
from ui.scoring.station_panel import StationPanel
from ui.shell.main_window import MainWindow
from ui.work.tasks import TaskManager
from ui.written.kiosk_window import KioskWindow


class FakeClock:
    """Seconds, moved on by hand: the idle lock's time without waiting for it."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += minutes * 60


@pytest.fixture
def assessor(demo: DemoCentre) -> Actor:
    return demo.actor("assessor1")


@pytest.fixture
def sitting_id(demo: DemoCentre, assessor: Actor) -> str:
    return first_sitting(demo, assessor)


@pytest.fixture
def window(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, assessor: Actor, settings: Settings
) -> Iterator[MainWindow]:
    w = MainWindow(tasks, demo.db, assessor, "Pennine Assessment Centre (demo)", settings)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    with qtbot.waitSignal(w.day_view.day_loaded, timeout=10_000):
        w.show()
    yield w
    kiosk = w.written.kiosk
    if kiosk is not None:
        kiosk.release()
        kiosk.close()
    if w.sitting_view is not None:
        qtbot.waitUntil(lambda: w.sitting_view is None or w.sitting_view.pending.idle, timeout=15_000)
    w.close()
    tasks.wait()


def open_in(qtbot: QtBot, w: MainWindow, sitting_id: str) -> SittingView:
    with qtbot.waitSignal(w.sitting_shown, timeout=10_000):
        w.open_sitting(sitting_id)
    view = w.sitting_view
    assert view is not None
    qtbot.waitUntil(lambda: view.clocks.ready, timeout=10_000)
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    return view


def written_panel(view: SittingView, demo: DemoCentre, actor: Actor) -> StationPanel:
    we = packs.pack_for_sitting(demo.db, actor, view.sitting_id).written_exercise
    assert we is not None
    return view.panels[we.id]


def start(qtbot: QtBot, view: SittingView, timer: PhaseTimerCard) -> None:
    with qtbot.waitSignal(view.clocks.clock_event_saved, timeout=10_000):
        qtbot.mouseClick(timer.start_button, Qt.MouseButton.LeftButton)


# -- the writing clock ---------------------------------------------------------------------------


def test_the_writing_clock_is_never_started_from_the_sitting_screen_the_candidate_starts_it(
    qtbot: QtBot, window: MainWindow, demo: DemoCentre, assessor: Actor, sitting_id: str
) -> None:
    view = open_in(qtbot, window, sitting_id)
    panel = written_panel(view, demo, assessor)
    view.tabs.setCurrentWidget(panel)
    timer = panel.timer
    qtbot.waitUntil(lambda: timer.phase_name.text() == "Writing")
    assert not timer.start_button.isVisible()
    assert timer.handover_button.isVisible() and timer.handover_button.text() == "Hand over to the candidate…"
    # The keyboard's start (F6) on this station hands over too; neither records anything.
    window.action_set["sitting.clock_start"].trigger()
    box = window.written.box
    assert box is not None and box.isVisible() and "Hand this workstation" in box.text()
    box.button(QMessageBox.StandardButton.Cancel).click()
    qtbot.mouseClick(timer.handover_button, Qt.MouseButton.LeftButton)
    box = window.written.box
    assert box is not None and box.isVisible()
    with qtbot.waitSignal(window.written.kiosk_shown, timeout=10_000) as shown:
        box.button(QMessageBox.StandardButton.Yes).click()
    kiosk = shown.args[0]
    assert isinstance(kiosk, KioskWindow)
    # The candidate's own start screen, with the whole time still to run.
    assert kiosk.cover.current is kiosk.cover.start and kiosk.reading_now().status == "not_started"
    assert [e for e in events(demo, sitting_id) if e.phase == "writing"] == []
    with qtbot.waitSignal(kiosk.clock_changed, timeout=10_000):
        qtbot.mouseClick(kiosk.cover.start.start, Qt.MouseButton.LeftButton)
    (started,) = [e for e in events(demo, sitting_id) if e.phase == "writing"]
    assert started.kind == "start" and started.account_id == assessor.account_id  # the opener's grant
    assert kiosk.reading_now().status == "running"


# -- the idle lock and a running clock -------------------------------------------------------------


def test_a_running_clock_keeps_the_workstation_from_locking_and_a_stopped_one_does_not(
    qtbot: QtBot, window: MainWindow, sitting_id: str
) -> None:
    fake = FakeClock()
    window.idle.clock = fake
    window.idle.set_minutes(10)
    view = open_in(qtbot, window, sitting_id)
    timer = next(iter(view.panels.values())).timer
    with qtbot.waitSignal(view.clock_running_changed, timeout=10_000) as running:
        start(qtbot, view, timer)
    assert running.args == [True] and window.idle.held and not window.idle.timer.isActive()
    # Twenty-five minutes of watching the role-play without a key or a click.
    fake.advance(25)
    assert window.idle.check() is False
    assert not window.locked and timer.status.text() == "Running"

    # Paused: the clock stops, and the idle time counts again from then.
    with qtbot.waitSignal(view.clock_running_changed, timeout=10_000) as stopped:
        qtbot.mouseClick(timer.pause_button, Qt.MouseButton.LeftButton)
    assert stopped.args == [False] and not window.idle.held
    dialog = timer.pause_dialog
    assert dialog is not None
    with qtbot.waitSignal(view.clocks.pause_reason_saved, timeout=10_000):
        dialog.buttons["candidate unwell"].setChecked(True)
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    fake.advance(9)
    assert window.idle.check() is False and not window.locked
    fake.advance(1.5)
    with qtbot.waitSignal(window.locked_changed, timeout=5_000) as locked:
        assert window.idle.check() is True
    assert locked.args == [True]


def test_leaving_the_sitting_releases_the_hold(qtbot: QtBot, window: MainWindow, sitting_id: str) -> None:
    fake = FakeClock()
    window.idle.clock = fake
    view = open_in(qtbot, window, sitting_id)
    start(qtbot, view, next(iter(view.panels.values())).timer)
    qtbot.waitUntil(lambda: window.idle.held, timeout=5_000)
    qtbot.waitUntil(lambda: view.pending.idle, timeout=10_000)
    with qtbot.waitSignal(window.day_view.day_loaded, timeout=10_000):
        window.action_set["day.back"].trigger()
        # At once, not when the view is deleted later: its clocks stop and the hold goes.
        assert not view.clocks.ticker.isActive() and not view.clocks.heartbeat.isActive()
        assert not window.idle.held and window.idle.timer.isActive()


# -- pause, end, reopen --------------------------------------------------------------------------


@pytest.fixture
def view(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, assessor: Actor, sitting_id: str, settings: Settings
) -> Iterator[SittingView]:
    v = open_view(qtbot, tasks, demo, assessor, sitting_id, settings)
    yield v
    close_view(v, tasks, qtbot)


def test_a_pause_whose_reason_is_not_given_is_kept_as_not_given(
    qtbot: QtBot, view: SittingView, demo: DemoCentre, sitting_id: str
) -> None:
    timer = next(iter(view.panels.values())).timer
    start(qtbot, view, timer)
    with qtbot.waitSignal(view.clocks.clock_event_saved, timeout=10_000):
        qtbot.mouseClick(timer.pause_button, Qt.MouseButton.LeftButton)
    dialog = timer.pause_dialog
    assert dialog is not None and dialog.isVisible()
    with qtbot.waitSignal(view.clocks.pause_reason_saved, timeout=10_000) as saved:
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert saved.args[2] == "not given"
    assert timer.status.text() == "Paused · not given"
    assert [(e.kind, e.reason) for e in events(demo, sitting_id)] == [("start", None), ("pause", "not given")]


def test_a_phase_ended_by_mistake_is_reopened_with_a_reason_and_runs_on_from_where_it_ended(
    qtbot: QtBot, view: SittingView, demo: DemoCentre, sitting_id: str, wait_until: WaitUntil
) -> None:
    timer = next(iter(view.panels.values())).timer
    start(qtbot, view, timer)
    qtbot.mouseClick(timer.end_button, Qt.MouseButton.LeftButton)
    box = timer.end_box
    assert box is not None and box.isVisible() and box.text() == "End the reading now?"
    with qtbot.waitSignal(view.clocks.clock_event_saved, timeout=10_000):
        qtbot.mouseClick(
            next(b for b in box.buttons() if b.objectName() == "end_ok"), Qt.MouseButton.LeftButton
        )
    assert timer.phase_name.text() == "Role-play"
    assert timer.reopen_button.isVisible() and timer.reopen_button.text() == "Reopen reading…"
    clock = timer.clock
    assert clock is not None
    ended = clock.phases(now())[0].state
    assert ended.status == "ended"

    qtbot.mouseClick(timer.reopen_button, Qt.MouseButton.LeftButton)
    dialog = timer.reopen_dialog
    assert dialog is not None and dialog.isVisible() and not dialog.ok.isEnabled()  # a reason is needed
    qtbot.keyClicks(dialog.reason, "Ended by mistake: the candidate was still reading the brief")
    with qtbot.waitSignal(view.clocks.clock_event_saved, timeout=10_000) as saved:
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert saved.args == [next(iter(view.panels)), "reading", "reopen"]
    assert timer.phase_name.text() == "Reading" and timer.status.text() == "Running"
    assert not timer.reopen_button.isVisible()
    reading = clock.phases(now())[0].state
    # It runs on from where it ended: the gap between the end and the reopening is not counted.
    assert reading.reopens and reading.elapsed_ms < ended.elapsed_ms + (now() - ended.ended_at) // timedelta(
        milliseconds=1
    )
    rows = events(demo, sitting_id)
    reopen = rows[-1]
    assert (reopen.kind, reopen.reason) == (
        "reopen",
        "Ended by mistake: the candidate was still reading the brief",
    )
    assert reopen.gap_ms is not None and reopen.gap_ms >= 0
    assert audit_actions(demo, reopen.id)[0][0] == "phase.reopen"

    # Once the role-play has started, the reading stays ended.
    qtbot.mouseClick(timer.end_button, Qt.MouseButton.LeftButton)
    box = timer.end_box
    assert box is not None
    with qtbot.waitSignal(view.clocks.clock_event_saved, timeout=10_000):
        qtbot.mouseClick(
            next(b for b in box.buttons() if b.objectName() == "end_ok"), Qt.MouseButton.LeftButton
        )
    start(qtbot, view, timer)
    wait_until(lambda: timer.phase_name.text() == "Role-play")
    assert not timer.reopen_button.isVisible()
