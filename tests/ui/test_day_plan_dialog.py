"""The day plan screen on the demo circuit: it shows the stations, the candidates and
the rota grid; a move that breaks a rule is refused in words and changes nothing; a
rebuild and a swap go through. Real services, real widgets; waits on signals."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot

from naas_centre.services import planning
from tests.ui.conftest import DemoCentre
from ui.centre.planning import DayPlanDialog
from ui.centre.planning.day_plan_dialog import FIRST
from ui.work.tasks import TaskManager


@pytest.fixture
def dialog(qtbot: QtBot, tasks: TaskManager, demo: DemoCentre) -> Iterator[DayPlanDialog]:
    d = DayPlanDialog(tasks, demo.db, demo.actor("manager"))
    qtbot.addWidget(d)
    with qtbot.waitSignal(d.loaded, timeout=10_000):
        d.day.setDate(QDate(demo.day.year, demo.day.month, demo.day.day))
    yield d
    d.close()


def _select(d: DayPlanDialog, candidate: str, station: str) -> planning.VisitView:
    for row in range(d.grid.rowCount()):
        for col in range(d.grid.columnCount()):
            item = d.grid.item(row, col)
            visits = item.data(Qt.ItemDataRole.UserRole) if item else None
            for v in visits or []:
                if v.candidate_id == candidate and v.station_id == station:
                    d.grid.clearSelection()
                    item.setSelected(True)
                    return v  # type: ignore[no-any-return]
    raise AssertionError("no such visit in the grid")


def test_it_shows_the_circuit(dialog: DayPlanDialog) -> None:
    assert dialog.data is not None and dialog.data.plan is not None
    assert dialog.stations.rowCount() == 3
    first = dialog.stations.cellWidget(0, FIRST)
    assert isinstance(first, QComboBox) and first.currentText().startswith("Helen Brady")
    assert dialog.on_day.count() == 6
    assert dialog.grid.columnCount() == 4  # three role-play rooms and the written room
    assert dialog.grid.rowCount() >= 6
    assert "Room 1 · Oak" in dialog.grid.horizontalHeaderItem(0).text()  # type: ignore[union-attr]
    assert dialog.width() <= 1366 and dialog.height() <= 768


def test_a_move_onto_a_busy_room_is_refused_in_words(
    qtbot: QtBot, dialog: DayPlanDialog, demo: DemoCentre
) -> None:
    assert dialog.data is not None and dialog.data.rota is not None
    rota = dialog.data.rota
    visit = next(v for v in rota.visits if v.station_id != "written" and v.slot == 1)
    busy = next(v for v in rota.visits if v.room_id == visit.room_id and v.slot != visit.slot)
    _select(dialog, visit.candidate_id, visit.station_id)
    dialog.to_slot.setValue(busy.slot)
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.move_button.click()
    text = dialog.status.text()
    assert "at once" in text and text.endswith("Nothing was changed."), text
    assert planning.day_rota(demo.db, demo.actor("manager"), demo.day) == rota


def test_a_swap_and_a_rebuild_go_through(qtbot: QtBot, dialog: DayPlanDialog, demo: DemoCentre) -> None:
    assert dialog.data is not None and dialog.data.rota is not None
    names = {v.candidate: v.candidate_id for v in dialog.data.rota.visits}
    # Two candidates with no adjustments and no conflicts between their assessors.
    a, b = names["Małgorzata Żółkowska"], names["Rhodri ap Iorwerth"]
    dialog.grid.clearSelection()
    _select(dialog, a, "home-visit")
    item_b = None
    for row in range(dialog.grid.rowCount()):
        for col in range(dialog.grid.columnCount()):
            it = dialog.grid.item(row, col)
            if it and any(v.candidate_id == b for v in it.data(Qt.ItemDataRole.UserRole)):
                item_b = it
    assert item_b is not None
    item_b.setSelected(True)
    with qtbot.waitSignal(dialog.saved, timeout=10_000), qtbot.waitSignal(dialog.loaded, timeout=10_000):
        dialog.swap_button.click()
    assert dialog.status.text() in ("", "Saved."), dialog.status.text()
    with qtbot.waitSignal(dialog.saved, timeout=10_000), qtbot.waitSignal(dialog.loaded, timeout=10_000):
        dialog.build_button.click()
    assert planning.check(demo.db, demo.actor("manager"), demo.day) == []


def test_an_assessor_may_not_plan(qtbot: QtBot, tasks: TaskManager, demo: DemoCentre) -> None:
    d = DayPlanDialog(tasks, demo.db, demo.actor("assessor1"))
    qtbot.addWidget(d)
    qtbot.waitUntil(lambda: bool(d.status.text()), timeout=10_000)
    assert "permission" in d.status.text().lower() or "centre manager" in d.status.text().lower(), (
        d.status.text()
    )
    d.close()


def test_a_day_has_a_break_each_half_and_lunch(qtbot: QtBot, dialog: DayPlanDialog, demo: DemoCentre) -> None:
    rows = {name: (after, length) for name, after, length in dialog.breaks}
    rows["Morning break"][0].setValue(1)
    rows["Afternoon break"][0].setValue(4)
    rows["Afternoon break"][1].setValue(20)
    with qtbot.waitSignal(dialog.loaded, timeout=10_000):
        qtbot.mouseClick(dialog.save_plan_button, Qt.MouseButton.LeftButton)
    plan = planning.day_plan(demo.db, demo.actor("manager"), demo.day)
    assert plan is not None
    saved = {(b.label, b.after_slot, b.minutes) for b in plan.breaks}
    assert ("Morning break", 1, 15) in saved and ("Afternoon break", 4, 20) in saved
    # Read back into the same rows, whatever order they were saved in.
    assert rows["Morning break"][0].value() == 1 and rows["Afternoon break"][1].value() == 20
    headers = [dialog.grid.verticalHeaderItem(r).text() for r in range(dialog.grid.rowCount())]  # type: ignore[union-attr]
    assert any("then morning break" in h for h in headers), headers


def test_a_candidate_is_taken_off_the_day(qtbot: QtBot, dialog: DayPlanDialog, demo: DemoCentre) -> None:
    from naas_centre.services import sittings

    manager = demo.actor("manager")
    item = dialog.on_day.item(0)
    assert item is not None
    _candidate_id, name = item.data(Qt.ItemDataRole.UserRole)
    dialog.on_day.setCurrentItem(item)
    with qtbot.waitSignal(dialog.loaded, timeout=10_000):
        qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert dialog.on_day.count() == 5
    assert all(name not in dialog.on_day.item(k).text() for k in range(5))  # type: ignore[union-attr]
    day = sittings.day_overview(demo.db, manager, demo.day).sittings
    assert [s.status for s in day if s.candidate_name == name] == ["withdrawn"]
