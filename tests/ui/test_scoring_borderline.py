"""The "Borderline" check beside a station's overall judgement: saved with the judgement,
shown again when the sitting is opened again, and off while there is no judgement."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from naas_centre.services import scoring
from naas_centre.services.views import Actor
from tests.ui.conftest import DemoCentre
from tests.ui.test_scoring import first_panel, open_sitting
from ui.common.settings import Settings
from ui.shell.main_window import MainWindow
from ui.work.tasks import TaskManager


@pytest.fixture
def assessor(demo: DemoCentre) -> Actor:
    return demo.actor("assessor1")


@pytest.fixture
def window(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, assessor: Actor, settings: Settings
) -> Iterator[MainWindow]:
    w = MainWindow(tasks, demo.db, assessor, "Pennine Assessment Centre (demo)", settings)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.day_view.day_loaded, timeout=10_000):
        w.show()
    yield w
    w.close()
    tasks.wait()


def _stored(demo: DemoCentre, actor: Actor, sitting_id: str) -> frozenset[str]:
    fresh = demo.fresh()
    try:
        return scoring.my_borderline(fresh, actor, sitting_id)
    finally:
        fresh.dispose()


def test_the_borderline_check_is_saved_with_the_judgement(
    qtbot: QtBot, window: MainWindow, demo: DemoCentre, assessor: Actor
) -> None:
    view = open_sitting(qtbot, window)
    panel = first_panel(view)
    bar = panel.judgement
    assert not bar.borderline_box.isEnabled()  # nothing to qualify yet

    with qtbot.waitSignal(view.judgement_recorded, timeout=10_000):
        qtbot.mouseClick(bar.buttons["met"], Qt.MouseButton.LeftButton)
    assert bar.borderline_box.isEnabled() and not bar.borderline_box.isChecked()
    with qtbot.waitSignal(view.judgement_recorded, timeout=10_000):
        qtbot.mouseClick(bar.borderline_box, Qt.MouseButton.LeftButton)
    assert bar.state.text() == "✓ Saved" and bar.borderline
    assert _stored(demo, assessor, view.sitting_id) == {panel.station.id}

    # Another judgement keeps the mark the check shows.
    with qtbot.waitSignal(view.judgement_recorded, timeout=10_000):
        qtbot.mouseClick(bar.buttons["not_met"], Qt.MouseButton.LeftButton)
    assert _stored(demo, assessor, view.sitting_id) == {panel.station.id}
    assert view.snapshot()["stations"][panel.station.id]["borderline"] is True

    # Clearing the judgement clears the mark, and the check is off again.
    with qtbot.waitSignal(view.judgement_recorded, timeout=10_000):
        qtbot.mouseClick(bar.clear_button, Qt.MouseButton.LeftButton)
    assert not bar.borderline_box.isChecked() and not bar.borderline_box.isEnabled()
    assert _stored(demo, assessor, view.sitting_id) == frozenset()


def test_a_borderline_mark_is_shown_when_the_sitting_opens(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, assessor: Actor, settings: Settings
) -> None:
    w = MainWindow(tasks, demo.db, assessor, "Pennine Assessment Centre (demo)", settings)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.day_view.day_loaded, timeout=10_000):
        w.show()
    try:
        view = open_sitting(qtbot, w)
        station = first_panel(view).station.id
        scoring.set_judgement(demo.db, assessor, view.sitting_id, station, "met", borderline=True)
        view.reload_all()
        bar = first_panel(view).judgement
        qtbot.waitUntil(lambda: bar.borderline_box.isChecked(), timeout=10_000)
        assert bar.value == "met" and bar.borderline
    finally:
        w.close()
        tasks.wait()
