"""Marking written scripts: anonymous by default, the written rubric beside the script,
every mark saved before it shows as saved, and two markers independent."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from naas_centre.services import marking, packs, scoring, sittings, written
from naas_centre.services.views import Actor
from tests.ui.conftest import DemoCentre, WaitUntil
from tests.ui.scoring_station_support import own_criteria, own_stations
from ui.common.rubric_grid import STATE_ROLE
from ui.common.settings import Settings
from ui.shell.main_window import MainWindow
from ui.work.tasks import TaskManager
from ui.written.marking_view import MarkingView

SCRIPT = "Record of the visit. Analysis of risks and strengths. A plan with reasons."


@pytest.fixture
def assessor(demo: DemoCentre) -> Actor:
    return demo.actor("assessor1")


@pytest.fixture
def submitted(demo: DemoCentre, assessor: Actor) -> str:
    """The first sitting's script, written and submitted through the kiosk's services."""
    sid = sittings.list_for_assessor(demo.db, assessor, demo.day)[0].id
    sittings.set_status(demo.db, assessor, sid, "checked_in")
    grant = written.open_kiosk(demo.db, assessor, sid)
    written.submit(demo.db, grant, SCRIPT, "candidate")
    return sid


@pytest.fixture
def window(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, assessor: Actor, settings: Settings, submitted: str
) -> Iterator[MainWindow]:
    w = MainWindow(tasks, demo.db, assessor, "Pennine Assessment Centre (demo)", settings)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.day_view.day_loaded, timeout=10_000):
        w.show()
    yield w
    w.close()
    tasks.wait()


def open_marking(qtbot: QtBot, w: MainWindow) -> MarkingView:
    w.action_set["sitting.mark"].trigger()
    view = w.written.marking_view
    assert view is not None
    qtbot.waitSignal(view.sheet_shown, timeout=10_000).wait()
    return view


def test_scripts_are_anonymous_and_shown_beside_the_written_rubric(
    qtbot: QtBot, window: MainWindow, demo: DemoCentre, assessor: Actor, submitted: str
) -> None:
    view = open_marking(qtbot, window)
    assert window.ui_state().view == "marking" and window.action_set["day.back"].isEnabled()
    candidate = sittings.sitting_detail(demo.db, assessor, submitted).candidate.full_name
    assert view.choice.count() == 1
    label = view.choice.itemText(0)
    assert label.startswith(written.anonymous_code(demo.db, submitted)) and candidate not in label
    assert hashlib.sha256(submitted.encode()).hexdigest()[:6].upper() not in label  # not from the id
    assert candidate not in view.script_heading.text()
    assert view.anonymity.text() == "Names hidden: anonymous marking"
    assert view.script.toPlainText() == SCRIPT and view.script.isReadOnly()
    pack = packs.pack_for_sitting(demo.db, assessor, submitted)
    assert pack.written_exercise is not None
    model = view.model
    assert model is not None and model.station_id == pack.written_exercise.id
    assert model.total() == len(pack.written_exercise.rubric.criteria)

    window.action_set["day.back"].trigger()
    assert window.written.marking_view is None and window.stack.currentWidget() is window.day_view


def test_levels_judgement_and_feedback_are_saved_before_they_show_saved(
    qtbot: QtBot,
    window: MainWindow,
    demo: DemoCentre,
    assessor: Actor,
    submitted: str,
    wait_until: WaitUntil,
) -> None:
    view = open_marking(qtbot, window)
    model, grid = view.model, view.grid
    assert model is not None
    row = model.criterion_rows()[0]
    criterion = model.criterion_at(row)
    assert criterion is not None
    level = model.levels[2].value
    column = model.column_of(level)
    assert column is not None
    index = model.index(row, column)
    states: list[object] = []
    model.dataChanged.connect(lambda *_: states.append(index.data(STATE_ROLE)))
    grid.setFocus()
    grid.setCurrentIndex(model.index(row, 0))
    with qtbot.waitSignal(view.level_saved, timeout=10_000) as saved_level:
        qtbot.keyClick(grid, str(level))  # the grid's number keys, as at the scoring station
    assert saved_level.args == [criterion.id, level]
    assert states[0] == "saving" and states[-1] == "saved"  # on its way first, saved after the commit

    with qtbot.waitSignal(view.judgement_saved, timeout=10_000):
        qtbot.mouseClick(view.judgement_buttons["met"], Qt.MouseButton.LeftButton)
    assert view.judgement_state.text() == "✓ Saved"

    view.feedback.setFocus()
    qtbot.keyClicks(view.feedback, "Clear record; the plan needs dates.")
    assert view.feedback_state.text() == "Saving…"
    with qtbot.waitSignal(view.judgement_saved, timeout=5_000) as saved:
        pass
    assert saved.args[0] == ("met", "Clear record; the plan needs dates.")
    assert view.feedback_state.text().startswith("Saved ")

    fresh = demo.fresh()
    try:
        sheet = marking.my_marking(fresh, assessor, submitted)
    finally:
        fresh.dispose()
    assert sheet.levels[criterion.id] == model.levels[2].value
    assert sheet.judgement == "met" and sheet.feedback == "Clear record; the plan needs dates."


def test_two_markers_never_see_each_others_marks(
    qtbot: QtBot, window: MainWindow, demo: DemoCentre, submitted: str
) -> None:
    other = demo.actor("assessor2")
    pack = packs.pack_for_sitting(demo.db, other, submitted)
    we = pack.written_exercise
    assert we is not None
    for c in we.rubric.criteria:
        scoring.record_level(demo.db, other, submitted, we.id, c.id, 1)
    scoring.set_judgement(demo.db, other, submitted, we.id, "not_met", "The other marker's feedback.")

    view = open_marking(qtbot, window)
    assert view.model is not None and view.model.scored() == 0
    assert view.feedback.toPlainText() == "" and view._judgement is None
    assert all(not b.isChecked() for b in view.judgement_buttons.values())


def test_after_submitting_the_sheet_the_marks_are_read_only(
    qtbot: QtBot, window: MainWindow, demo: DemoCentre, assessor: Actor, submitted: str
) -> None:
    pack = packs.pack_for_sitting(demo.db, assessor, submitted)
    mine = set(own_stations(demo, assessor, submitted))  # in a circuit, only the stations observed
    for station, criterion in own_criteria(demo, assessor, submitted):
        scoring.record_level(demo.db, assessor, submitted, station, criterion.id, 3)
    for station, _rubric in (r for r in pack.rubrics() if r[0] in mine):
        scoring.set_judgement(demo.db, assessor, submitted, station, "met", "Feedback given.")
    scoring.submit(demo.db, assessor, submitted)

    view = open_marking(qtbot, window)
    assert view.model is not None and view.model.read_only
    assert view.banner.isVisible() and "read-only" in view.banner.text()
    assert view.feedback.isReadOnly() and view.feedback.toPlainText() == "Feedback given."
    assert not view.judgement_buttons["met"].isEnabled()


def test_managers_do_not_mark(
    window: MainWindow, qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, settings: Settings
) -> None:
    assert window.action_set["sitting.mark"].isEnabled()
    manager = MainWindow(tasks, demo.db, demo.actor("manager"), "Demo", settings)
    qtbot.addWidget(manager)
    with qtbot.waitSignal(manager.day_view.day_loaded, timeout=10_000):
        manager.show()
    assert not manager.action_set["sitting.mark"].isEnabled()
    assert manager.action_set["sitting.written"].isEnabled()
    manager.close()
    tasks.wait()
