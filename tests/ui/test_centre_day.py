"""The manager's day board: rooms by slots, progress, and sittings opened read-only."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from naas_centre.formatting import local_time
from naas_centre.services import access, packs, scoring, sittings
from naas_centre.services.board import WRITTEN
from tests.ui.conftest import DemoCentre
from ui.common.settings import Settings
from ui.day.centre_day_view import CentreDayView
from ui.shell.main_window import MainWindow
from ui.work.tasks import TaskManager


@pytest.fixture
def manager_window(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, settings: Settings
) -> Iterator[MainWindow]:
    w = MainWindow(tasks, demo.db, demo.actor("manager"), "Pennine Assessment Centre (demo)", settings)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.day_view.day_loaded, timeout=10_000):
        w.show()
    yield w
    w.close()
    tasks.wait()


def test_the_manager_sees_the_whole_day_by_room(manager_window: MainWindow, demo: DemoCentre) -> None:
    view = manager_window.day_view
    assert isinstance(view, CentreDayView)
    overview = sittings.day_overview(demo.db, demo.actor("manager"), demo.day)
    assert view.model.rooms == sorted({s.room for s in overview.sittings})
    assert len(view.model.cells) == len(overview.sittings) == 6
    assert {s.id for s in view.model.cells.values()} == {s.id for s in overview.sittings}
    # A column per room a sitting starts in; a row per start time, and one more for each
    # further sitting that starts at that time in the same room (a circuit's candidates
    # all start together), so no sitting is hidden behind another.
    together = Counter((s.starts_at, s.room) for s in overview.sittings)
    rows = sum(
        max(n for (at, _room), n in together.items() if at == time) for time in {at for at, _ in together}
    )
    assert view.model.columnCount() == len({s.room for s in overview.sittings})
    assert view.model.rowCount() == rows
    for (row, column), s in view.model.cells.items():
        assert view.model.rooms[column] == s.room and view.model.slots[row] == local_time(s.starts_at)
    assert (
        f"{len(overview.sittings)}</b> sittings in <b>{view.model.columnCount()}</b> rooms"
        in view.summary.text()
    )
    assert all(name in view.people.text() for name in overview.assessors)
    assert all(name in view.people.text() for name in overview.actors)
    # The circuit's board: every candidate visits each station of the pack once, and
    # the written room.
    board = view.circuit.model.board
    assert board is not None and board.planned
    visits = Counter(
        (card.sitting_id, station.station_id)
        for station in board.stations
        for slot in board.slots
        for card in board.cells.get((station.key, slot.number), ())
    )
    pack = packs.pack_for_sitting(demo.db, demo.actor("manager"), overview.sittings[0].id)
    stations = {sc.id for sc in pack.scenarios} | ({WRITTEN} if pack.written_exercise else set())
    assert {station.station_id for station in board.stations} == stations
    assert visits == Counter({(s.id, station): 1 for s in overview.sittings for station in stations})


def test_progress_shows_on_the_board(qtbot: QtBot, manager_window: MainWindow, demo: DemoCentre) -> None:
    a1 = demo.actor("assessor1")
    sitting = sittings.list_for_assessor(demo.db, a1, demo.day)[0]
    detail = sittings.sitting_detail(demo.db, a1, sitting.id)
    assert detail.mine is not None
    station, levels = next(iter(detail.mine.levels.items()))
    for criterion in list(levels)[:2]:
        scoring.record_level(demo.db, a1, sitting.id, station, criterion, 3)
    with qtbot.waitSignal(manager_window.day_view.day_loaded, timeout=10_000):
        manager_window.action_set["day.refresh"].trigger()
    cell = next(s for s in manager_window.day_view.model.cells.values() if s.id == sitting.id)
    assert cell.criteria_scored == 2


def test_a_manager_opens_a_sitting_read_only(qtbot: QtBot, manager_window: MainWindow) -> None:
    board = manager_window.day_view.board
    board.setFocus()
    with qtbot.waitSignal(manager_window.sitting_shown, timeout=10_000):
        qtbot.keyClick(board, Qt.Key.Key_Return)
    view = manager_window.sitting_view
    assert view is not None
    assert not view.scoring
    assert all(p.model.read_only for p in view.panels.values())
    assert not view.submit_button.isVisible()
    # one sheet for each assessor of the sitting: in a circuit, those of all its stations
    manager = manager_window.actor
    pack = packs.pack_for_sitting(manager_window.db, manager, view.sitting_id)
    with manager_window.db.read() as s:
        observers = access.observers(s, view.sitting_id, pack)
    assigned = set().union(*observers.values())
    names = sittings.sitting_detail(manager_window.db, manager, view.sitting_id).summary.assessors
    assert view.sheet_choice.count() == len(names) == len(assigned) > 2
    assert {view.sheet_choice.itemData(i) for i in range(view.sheet_choice.count())} == assigned
    assert all(
        any(n in view.sheet_choice.itemText(i) for n in names) for i in range(view.sheet_choice.count())
    )
    assert not manager_window.action_set["sitting.submit"].isEnabled()


def test_the_centre_menu_opens_each_screen_of_running_a_centre(
    qtbot: QtBot, manager_window: MainWindow
) -> None:
    from ui.centre.admin.administration_dialog import AdministrationDialog
    from ui.centre.candidates import CandidatesDialog
    from ui.centre.export_dialog import ExportDialog
    from ui.centre.planning import DayPlanDialog
    from ui.centre.run_sheets_dialog import RunSheetsDialog

    for action_id, kind in (
        ("centre.admin", AdministrationDialog),
        ("centre.candidates", CandidatesDialog),
        ("centre.plan", DayPlanDialog),
        ("centre.run_sheets", RunSheetsDialog),
        ("centre.export", ExportDialog),
    ):
        action = manager_window.action_set[action_id]
        assert action.isEnabled(), action_id
        action.trigger()
        dialog = manager_window.reports.dialog
        assert isinstance(dialog, kind), action_id
        qtbot.waitUntil(dialog.isVisible, timeout=10_000)
        dialog.close()
    manager_window.tasks.wait()


def test_the_centre_menu_opens_the_exchange_screens(qtbot: QtBot, manager_window: MainWindow) -> None:
    from PySide6.QtWidgets import QApplication

    from ui.exchange.collect_dialog import CollectResultsDialog
    from ui.exchange.conflicts_dialog import ConflictsDialog
    from ui.exchange.prepare_dialog import PrepareWorkstationsDialog
    from ui.exchange.send_dialog import SendResultsDialog

    for action_id, kind in (
        ("centre.prepare_rooms", PrepareWorkstationsDialog),
        ("centre.collect_results", CollectResultsDialog),
        ("centre.conflicts", ConflictsDialog),
        ("centre.send_results", SendResultsDialog),
    ):
        action = manager_window.action_set[action_id]
        assert action.isEnabled(), action_id
        action.trigger()
        qtbot.waitUntil(
            lambda k=kind: any(isinstance(w, k) and w.isVisible() for w in QApplication.topLevelWidgets()),
            timeout=10_000,
        )  # type: ignore[misc]
        for w in QApplication.topLevelWidgets():
            if isinstance(w, kind):
                w.close()
    manager_window.tasks.wait()
