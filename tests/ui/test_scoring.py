"""Scoring in the sitting view: a click or a key records a level, shown as saved only once
it is on disk (read back here through a second, independent connection)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from naas_centre.services import packs, scoring, sittings, timing, written
from naas_centre.services.views import Actor
from tests.ui.conftest import DemoCentre, WaitUntil
from tests.ui.scoring_station_support import own_criteria, own_stations
from ui.common.rubric_grid import STATE_ROLE
from ui.common.settings import Settings
from ui.day.sittings_table_model import SCORED_COLUMN
from ui.scoring.sitting_view import SittingView
from ui.scoring.station_panel import StationPanel
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


def open_sitting(qtbot: QtBot, w: MainWindow, row: int = 0) -> SittingView:
    table = w.day_view.table
    index = w.day_view.model.index(row, 2)
    with qtbot.waitSignal(w.sitting_shown, timeout=10_000):
        # A real double-click is press, release, double-click: QTest sends only the last.
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(index).center())
        qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(index).center())
    assert w.sitting_view is not None
    return w.sitting_view


def first_panel(view: SittingView) -> StationPanel:
    return next(iter(view.panels.values()))


def saved_level(demo: DemoCentre, actor: Actor, sitting_id: str, station: str, criterion: str) -> int | None:
    fresh = demo.fresh()
    try:
        mine = sittings.sitting_detail(fresh, actor, sitting_id).mine
        assert mine is not None
        return mine.levels[station][criterion]
    finally:
        fresh.dispose()


def test_the_assessor_sees_only_their_own_sittings(
    window: MainWindow, demo: DemoCentre, assessor: Actor
) -> None:
    shown = {s.id for s in window.day_view.model.sittings}
    assert shown == {s.id for s in sittings.list_for_assessor(demo.db, assessor, demo.day)}
    assert all("Helen Brady" in s.assessors for s in window.day_view.model.sittings)
    everyone = sittings.day_overview(demo.db, demo.actor("manager"), demo.day).sittings
    assert shown < {s.id for s in everyone}  # someone else's sittings exist, and are not shown


def test_clicking_a_cell_records_the_level_and_shows_it_saved_once_durable(
    qtbot: QtBot, window: MainWindow, demo: DemoCentre, assessor: Actor
) -> None:
    view = open_sitting(qtbot, window)
    panel = first_panel(view)
    model, grid = panel.model, panel.grid
    row = model.criterion_rows()[0]
    criterion = model.criterion_at(row)
    assert criterion is not None
    column = model.column_of(model.levels[2].value)
    assert column is not None
    index = model.index(row, column)
    states: list[object] = []
    durable_when_shown: list[bool] = []

    def changed(*_: object) -> None:
        state = index.data(STATE_ROLE)
        states.append(state)
        if state == "saved" and not durable_when_shown:
            level = saved_level(demo, assessor, view.sitting_id, panel.station.id, criterion.id)
            durable_when_shown.append(level == model.levels[2].value)

    model.dataChanged.connect(changed)

    qtbot.waitUntil(lambda: grid.visualRect(index).height() > 20)
    with qtbot.waitSignal(view.score_recorded, timeout=10_000) as recorded:
        qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=grid.visualRect(index).center())
    assert recorded.args == [panel.station.id, criterion.id, model.levels[2].value]
    # "Saving…" shows only when the commit takes longer than a glance; "saved" only once durable.
    assert states and states == ["saving"] * states.count("saving") + ["saved"] * states.count("saved")
    assert states[-1] == "saved"
    assert durable_when_shown == [True]
    assert index.data(STATE_ROLE) == "saved"
    assert (
        saved_level(demo, assessor, view.sitting_id, panel.station.id, criterion.id) == model.levels[2].value
    )
    # The bar speaks for every write in flight: it settles once the queue is empty.
    qtbot.waitUntil(lambda: window.save_state.text().startswith("All changes saved at"), timeout=10_000)
    assert view.progress.text().startswith("Scored 1 of")


def test_keyboard_scoring_number_keys_and_delete(
    qtbot: QtBot, window: MainWindow, demo: DemoCentre, assessor: Actor
) -> None:
    view = open_sitting(qtbot, window)
    panel = first_panel(view)
    model, grid = panel.model, panel.grid
    rows = model.criterion_rows()
    first, second = model.criterion_at(rows[0]), model.criterion_at(rows[1])
    assert first is not None and second is not None
    grid.setFocus()
    assert grid.currentIndex().row() == rows[0]

    with qtbot.waitSignal(view.score_recorded, timeout=10_000):
        qtbot.keyClick(grid, Qt.Key.Key_3)
    qtbot.keyClick(grid, Qt.Key.Key_Down)
    assert grid.currentIndex().row() == rows[1]
    with qtbot.waitSignal(view.score_recorded, timeout=10_000):
        qtbot.keyClick(grid, Qt.Key.Key_1)
    assert saved_level(demo, assessor, view.sitting_id, panel.station.id, first.id) == 3
    assert saved_level(demo, assessor, view.sitting_id, panel.station.id, second.id) == 1

    qtbot.keyClick(grid, Qt.Key.Key_Up)
    with qtbot.waitSignal(view.score_recorded, timeout=10_000) as cleared:
        qtbot.keyClick(grid, Qt.Key.Key_Delete)
    assert cleared.args == [panel.station.id, first.id, None]
    assert model.level_of(first.id) is None
    assert saved_level(demo, assessor, view.sitting_id, panel.station.id, first.id) is None

    grid.setCurrentIndex(model.index(rows[0], 0))  # the criterion's own cell
    with qtbot.waitSignal(view.score_recorded, timeout=10_000):
        qtbot.keyClick(grid, Qt.Key.Key_Right)
        qtbot.keyClick(grid, Qt.Key.Key_Right)
        qtbot.keyClick(grid, Qt.Key.Key_Space)  # the level under the cursor: the second column
    assert saved_level(demo, assessor, view.sitting_id, panel.station.id, first.id) == model.level_at(2)

    qtbot.keyClick(grid, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert view.tabs.currentIndex() == 1  # the next station


def test_rapid_changes_end_with_the_last_one_saved(
    qtbot: QtBot, window: MainWindow, demo: DemoCentre, assessor: Actor, wait_until: WaitUntil
) -> None:
    view = open_sitting(qtbot, window)
    panel = first_panel(view)
    grid = panel.grid
    criterion = panel.model.criterion_at(panel.model.criterion_rows()[0])
    assert criterion is not None
    grid.setFocus()
    for key in (Qt.Key.Key_1, Qt.Key.Key_4, Qt.Key.Key_2, Qt.Key.Key_3):
        qtbot.keyClick(grid, key)
    wait_until(lambda: not panel.model.is_saving(criterion.id))
    assert panel.model.saved_level_of(criterion.id) == 3
    assert saved_level(demo, assessor, view.sitting_id, panel.station.id, criterion.id) == 3


def test_the_overall_judgement_is_saved(
    qtbot: QtBot, window: MainWindow, demo: DemoCentre, assessor: Actor
) -> None:
    view = open_sitting(qtbot, window)
    panel = first_panel(view)
    with qtbot.waitSignal(view.judgement_recorded, timeout=10_000):
        qtbot.mouseClick(panel.judgement.buttons["not_met"], Qt.MouseButton.LeftButton)
    assert panel.judgement.state.text() == "✓ Saved"
    fresh = demo.fresh()
    try:
        mine = sittings.sitting_detail(fresh, assessor, view.sitting_id).mine
        assert mine is not None and mine.judgements[panel.station.id] == "not_met"
    finally:
        fresh.dispose()


def _held(demo: DemoCentre, assessor: Actor, sitting_id: str) -> None:
    """Every role-play took place and the candidate wrote and submitted the exercise."""
    pack = packs.pack_for_sitting(demo.db, assessor, sitting_id)
    for sc in pack.scenarios:
        for kind in ("start", "end"):
            timing.record_event(demo.db, assessor, sitting_id, sc.id, "reading", kind)
        timing.record_event(demo.db, assessor, sitting_id, sc.id, "role_play", "start")
    grant = written.open_kiosk(demo.db, assessor, sitting_id)
    written.submit(demo.db, grant, "Case record of the home visit to Ms Doyle.", "candidate")


def test_submitting_says_what_is_missing_goes_there_and_then_makes_the_grid_read_only(
    qtbot: QtBot, window: MainWindow, demo: DemoCentre, assessor: Actor, wait_until: WaitUntil
) -> None:
    sitting_id = window.day_view.model.sittings[0].id
    pack = packs.pack_for_sitting(demo.db, assessor, sitting_id)
    standard = scoring.standard_level(pack)
    own = own_criteria(demo, assessor, sitting_id)  # in a circuit, their own stations only
    (first_station, first), *most, (last_station, last) = own
    # Below the standard, without a reason yet; one criterion not scored at all.
    scoring.record_level(demo.db, assessor, sitting_id, first_station, first.id, standard - 1)
    for station, criterion in most:
        scoring.record_level(demo.db, assessor, sitting_id, station, criterion.id, standard)
    for station in own_stations(demo, assessor, sitting_id):
        scoring.set_judgement(demo.db, assessor, sitting_id, station, "met")

    view = open_sitting(qtbot, window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    wait_until(lambda: "1 reason needed" in view.progress.text())
    # Nothing held yet either: the list says so in plain words, station by station.
    qtbot.mouseClick(view.submit_button, Qt.MouseButton.LeftButton)
    wait_until(lambda: view.missing_dialog is not None and view.missing_dialog.isVisible())
    dialog = view.missing_dialog
    assert dialog is not None
    texts = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    assert any("role-play was never started" in t for t in texts)
    marks_script = pack.written_exercise is not None and pack.written_exercise.id in view.panels
    assert any("has not written the exercise" in t for t in texts) == marks_script
    assert any("without a written reason" in t for t in texts)
    assert not any(first.id in t or last.id in t for t in texts)  # names, never ids
    dialog.reject()
    _held(demo, assessor, sitting_id)

    qtbot.mouseClick(view.submit_button, Qt.MouseButton.LeftButton)
    wait_until(lambda: view.missing_dialog is not None and view.missing_dialog is not dialog)
    dialog = view.missing_dialog
    assert dialog is not None
    kinds = [str(m.kind) for m in dialog.items]
    assert kinds == ["reason_needed", "unscored"]
    # A click on the unscored criterion goes to it; a key scores it.
    qtbot.mouseClick(
        dialog.list.viewport(),
        Qt.MouseButton.LeftButton,
        pos=dialog.list.visualItemRect(dialog.list.item(1)).center(),
    )
    panel = view.panels[last_station]
    assert view.tabs.currentWidget() is panel
    wait_until(lambda: panel.grid.current_criterion() == last.id)
    wait_until(lambda: window.isActiveWindow() and panel.grid.hasFocus())
    with qtbot.waitSignal(view.score_recorded, timeout=10_000):
        qtbot.keyClick(panel.grid, Qt.Key.Key_3)

    # The reason: the list goes to it, and the field beside the grid takes it.
    qtbot.mouseClick(view.submit_button, Qt.MouseButton.LeftButton)
    wait_until(lambda: view.missing_dialog is not None and len(view.missing_dialog.items) == 1)
    dialog = view.missing_dialog
    assert dialog is not None
    with qtbot.waitSignal(dialog.go_to):
        qtbot.mouseClick(dialog.go_button, Qt.MouseButton.LeftButton)
    panel = view.panels[first_station]
    bar = panel.reason_bar
    wait_until(lambda: bar.edit.hasFocus())
    assert panel.grid.current_criterion() == first.id and bar.isVisible()
    assert bar.state.text() == "Needed to submit"
    qtbot.keyClicks(bar.edit, "Named the school's worry only when Ms Doyle asked; rights never explained.")
    with qtbot.waitSignal(view.reason_recorded, timeout=10_000):
        qtbot.keyClick(bar.edit, Qt.Key.Key_Return)
    assert bar.state.text() == "✓ Saved" and panel.grid.hasFocus()
    assert "reason" not in view.progress.text()

    qtbot.mouseClick(view.submit_button, Qt.MouseButton.LeftButton)
    wait_until(lambda: view.confirm_box is not None and view.confirm_box.isVisible())
    box = view.confirm_box
    assert box is not None and box.text().startswith("Submit your scores")
    # The submission is announced, so the day board behind refreshes by itself.
    with (
        qtbot.waitSignal(view.submitted, timeout=10_000),
        qtbot.waitSignal(
            view.tasks.changed,
            check_params_cb=lambda c, _o: c.status and c.touches(sitting_id),
            timeout=10_000,
        ),
    ):
        box.button(QMessageBox.StandardButton.Yes).click()
    wait_until(lambda: panel.model.read_only)

    assert all(p.model.read_only for p in view.panels.values())
    assert not view.submit_button.isEnabled()
    assert view.banner.isVisible() and "read-only" in view.banner_text.text()
    assert not window.action_set["sitting.submit"].isEnabled()
    # After submitting, nothing on this screen starts a clock.
    for p in view.panels.values():
        assert not p.timer.can_run
        for button in (p.timer.start_button, p.timer.handover_button, p.timer.reopen_button):
            assert not button.isVisible()
    # A click on a read-only grid asks for nothing.
    with qtbot.assertNotEmitted(panel.grid.level_chosen):
        first_row = panel.model.criterion_rows()[0]
        panel.grid.choose(first_row, panel.model.level_at(1))
        panel.grid.setCurrentIndex(panel.model.index(first_row, 0))
        qtbot.keyClick(panel.grid, Qt.Key.Key_1)
    fresh = demo.fresh()
    try:
        mine = sittings.sitting_detail(fresh, assessor, sitting_id).mine
        assert mine is not None and mine.submitted_at is not None
        assert scoring.my_reasons(fresh, assessor, sitting_id)[(first_station, first.id)].startswith("Named")
    finally:
        fresh.dispose()


def test_back_to_the_day_shows_the_progress(
    qtbot: QtBot, window: MainWindow, demo: DemoCentre, wait_until: WaitUntil
) -> None:
    view = open_sitting(qtbot, window)
    panel = first_panel(view)
    panel.grid.setFocus()
    with qtbot.waitSignal(view.score_recorded, timeout=10_000):
        qtbot.keyClick(panel.grid, Qt.Key.Key_2)
    with qtbot.waitSignal(window.day_view.day_loaded, timeout=10_000):
        window.action_set["day.back"].trigger()
    assert window.sitting_view is None
    wait_until(lambda: window.day_view.model.sittings[0].criteria_scored == 1)
    scored = window.day_view.model.index(0, SCORED_COLUMN).data()
    assert scored.startswith("1 / ")
