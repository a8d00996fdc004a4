"""The live board of a circuit day: what it reads, and the screen that keeps it current.

The screen's test is the one that matters on a centre's network: another workstation
(a second ``Database`` handle on the same file) records a score, and the board on this
one shows it by itself, without anyone pressing refresh.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from db.engine import Database
from db.models import DayPlanRow, PlanStationRow, VisitRow
from naas_centre.errors import PermissionDenied
from naas_centre.services import board, completeness, scoring, timing
from naas_centre.services.board import CardState, DayBoard
from naas_centre.services.completeness import ON_THE_SHEET
from tests.services.circuit_day import ARABIC_NAME, DAY, Circuit, make_circuit
from ui.day.centre_day_view import CentreDayView
from ui.work.tasks import TaskManager

OTHER_WORKSTATION = "00000000-0000-4000-8000-0000000000b2"


@pytest.fixture
def circuit(sqlite_db: Database) -> Circuit:
    return make_circuit(sqlite_db)


def card_of(b: DayBoard, sitting_id: str, station_id: str) -> board.BoardCard:
    st = next(st for st in b.stations if st.station_id == station_id)
    return next(
        c
        for (key, _slot), cards in b.cells.items()
        if key == st.key
        for c in cards
        if c.sitting_id == sitting_id
    )


# -- the service --------------------------------------------------------------------------


def test_the_board_has_every_station_and_every_visit(circuit: Circuit) -> None:
    b = board.day_board(circuit.db, circuit.manager, DAY)
    assert b.planned
    assert [(st.room, st.title) for st in b.stations] == [
        ("Room 1", "Home visit"),
        ("Room 2", "Reflective conversation"),
        ("Library", "Case record"),
    ]
    home = b.stations[0]
    assert home.assessors == ("Priya Shah", "Gareth Hughes") and home.actor == "Joanne Whitfield"
    assert [s.number for s in b.slots] == [0, 1, 2]
    assert b.slots[1].break_after == "Lunch, 30 minutes"
    cards = list(b.cards())
    assert len(cards) == 9  # three candidates, three stations each
    assert all(c.state == CardState.NOT_STARTED and c.words == "Not started" for c in cards)
    assert ARABIC_NAME in {c.candidate for c in cards}


def test_scores_missing_are_the_completeness_rule_station_by_station(circuit: Circuit) -> None:
    sid = circuit.sitting_ids[0]
    for phase in ("reading", "role_play"):
        timing.record_event(circuit.db, circuit.manager, sid, "home-visit", phase, "start")
        timing.record_event(circuit.db, circuit.manager, sid, "home-visit", phase, "end")
    scoring.record_level(circuit.db, circuit.a1, sid, "home-visit", "hv-purpose", 3)
    b = board.day_board(circuit.db, circuit.manager, DAY)
    card = card_of(b, sid, "home-visit")
    assert card.phases == ("Reading", "Role-play") and card.phases_done == card.phases
    rule = [m for m in completeness.missing(circuit.db, circuit.manager, sid) if m.station_id == "home-visit"]
    assert card.scores_missing == sum(1 for m in rule if m.kind in ON_THE_SHEET) > 0
    assert card.state == CardState.SCORING
    assert "Scores missing" in card.words and f"{card.scores_missing} scores missing" in card.words
    other = card_of(b, circuit.sitting_ids[1], "home-visit")
    assert other.state == CardState.NOT_STARTED


def test_a_running_phase_is_said_in_words(circuit: Circuit) -> None:
    sid = circuit.sitting_ids[1]
    timing.record_event(circuit.db, circuit.manager, sid, "reflection", "reading", "start")
    card = card_of(board.day_board(circuit.db, circuit.manager, DAY), sid, "reflection")
    assert card.state == CardState.IN_PROGRESS
    assert card.words.startswith("Reading under way · 0 of 2 phases done")


def test_only_managers_administrators_and_qa_see_the_board(circuit: Circuit) -> None:
    for who in (circuit.manager, circuit.admin, circuit.qa):
        assert board.day_board(circuit.db, who, DAY).planned
    with pytest.raises(PermissionDenied):
        board.day_board(circuit.db, circuit.a1, DAY)


def test_a_day_without_a_plan_has_an_empty_board(circuit: Circuit) -> None:
    b = board.day_board(circuit.db, circuit.manager, DAY.replace(day=2))
    assert not b.planned and not b.stations and not b.cells


def test_the_data_version_changes_with_every_write_the_board_shows(any_db: Database) -> None:
    c = make_circuit(any_db)
    seen = {board.data_version(any_db)}

    def changed() -> bool:
        version = board.data_version(any_db)
        new = version not in seen
        seen.add(version)
        return new

    assert not changed()  # asking changes nothing
    scoring.record_level(any_db, c.a1, c.sitting_ids[0], "home-visit", "hv-purpose", 3)  # audited
    assert changed()
    timing.record_event(any_db, c.manager, c.sitting_ids[0], "home-visit", "reading", "start")  # not audited
    assert changed()
    with any_db.write() as s:  # a visit moved by the planner
        visit = s.query(VisitRow).filter_by(sitting_id=c.sitting_ids[0], station_id="written").one()
        visit.slot = 5
    assert changed()
    with any_db.write() as s:  # a station taken out of the plan
        s.delete(s.query(PlanStationRow).filter_by(station_id="reflection").one())
    assert changed()


# -- the screen ---------------------------------------------------------------------------


@pytest.fixture
def day_view(qtbot: QtBot, tasks: TaskManager, circuit: Circuit) -> Iterator[CentreDayView]:
    view = CentreDayView(tasks, circuit.db, circuit.manager)
    qtbot.addWidget(view)
    view.resize(1100, 700)
    with qtbot.waitSignal(view.day_loaded, timeout=10_000):
        view.show()
        view.start()
    yield view
    view.close()
    tasks.wait()


def test_a_planned_day_opens_on_its_board_and_the_list_is_a_click_away(
    qtbot: QtBot, day_view: CentreDayView, circuit: Circuit
) -> None:
    assert day_view.showing_board and day_view.planned
    assert day_view.board_button.isVisible() and day_view.list_button.isVisible()
    model = day_view.circuit.model
    assert model.columnCount() == 3 and model.rowCount() == 3
    assert "Room 1: Home visit" in model.headerData(0, Qt.Orientation.Horizontal)
    tip = model.data(model.index(0, 0), Qt.ItemDataRole.ToolTipRole)
    assert "Not started" in tip
    chosen = day_view.selected_sitting()
    assert chosen is not None and chosen.id in circuit.sitting_ids
    with qtbot.waitSignal(day_view.sitting_opened, timeout=5_000) as opened:
        day_view.circuit.table.activated.emit(model.index(0, 0))
    assert opened.args == [model.cards_at(0, 0)[0].sitting_id]
    qtbot.mouseClick(day_view.list_button, Qt.MouseButton.LeftButton)
    assert not day_view.showing_board and day_view.pages.currentWidget() is day_view.board


def test_a_score_from_another_workstation_shows_by_itself(
    qtbot: QtBot, day_view: CentreDayView, circuit: Circuit, sqlite_db: Database
) -> None:
    sid = circuit.sitting_ids[0]
    before = card_of(day_view.circuit.model.board, sid, "home-visit")  # type: ignore[arg-type]
    other = Database(sqlite_db.url, OTHER_WORKSTATION)
    try:

        def shows_it(b: DayBoard) -> bool:
            return card_of(b, sid, "home-visit").scores_missing == before.scores_missing - 1

        with qtbot.waitSignal(day_view.circuit.board_refreshed, timeout=15_000, check_params_cb=shows_it):
            scoring.record_level(other, circuit.a1, sid, "home-visit", "hv-purpose", 3)
    finally:
        other.dispose()
    assert day_view.circuit.version == board.data_version(circuit.db)


def test_polling_stops_when_the_task_manager_shuts_down(day_view: CentreDayView, tasks: TaskManager) -> None:
    assert day_view.circuit.timer.isActive()
    tasks.shutdown()
    assert not day_view.circuit.timer.isActive()


def test_a_day_without_a_plan_shows_the_list_only(qtbot: QtBot, tasks: TaskManager, circuit: Circuit) -> None:
    with circuit.db.write() as s:
        for row in s.query(PlanStationRow).all():
            s.delete(row)
        s.delete(s.query(DayPlanRow).one())
    view = CentreDayView(tasks, circuit.db, circuit.manager)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.day_loaded, timeout=10_000):
        view.show()
        view.start()
    assert not view.showing_board and not view.board_button.isVisible()
    assert view.circuit.note.text().startswith("This day has no circuit plan")
    view.close()
    tasks.wait()
