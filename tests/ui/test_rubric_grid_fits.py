"""The sitting screen at 1366×768: the rubric grid shows several criteria at once, and the
chosen level's descriptor reads whole beside it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.ui.conftest import DemoCentre
from tests.ui.test_screens_for_everyone import HEIGHT, WIDTH, sitting_screen
from ui.common.rubric_grid import RubricGridView
from ui.common.settings import Settings
from ui.shell.main_window import MainWindow
from ui.work.tasks import TaskManager


def wholly_shown(grid: RubricGridView) -> list[int]:
    """The criteria rows that lie entirely within the grid's viewport."""
    height = grid.viewport().height()
    return [
        row
        for row in grid.rubric().criterion_rows()
        if grid.rowViewportPosition(row) >= 0
        and grid.rowViewportPosition(row) + grid.rowHeight(row) <= height
    ]


def test_several_criteria_and_the_chosen_descriptor_whole_at_1366x768(
    qtbot: QtBot, tasks: TaskManager, scored: DemoCentre, settings: Settings
) -> None:
    made = sitting_screen(qtbot, tasks, scored, settings)
    window = made.window
    assert isinstance(window, MainWindow) and window.sitting_view is not None
    assert (window.width(), window.height()) == (WIDTH, HEIGHT)
    panel = next(iter(window.sitting_view.panels.values()))
    grid, model = panel.grid, panel.model
    QApplication.processEvents()

    shown = wholly_shown(grid)
    assert len(shown) >= 4, f"{len(shown)} criteria wholly in view, rows {shown}"

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    grid.setFocus()
    qtbot.waitUntil(grid.hasFocus, timeout=5_000)
    for step in range(3):  # down the criteria by keyboard: the text follows the cursor
        criterion = grid.current_criterion()
        assert criterion is not None
        level = model.level_of(criterion)
        assert level is not None, "the scored sitting has a level for every criterion"
        column = model.column_of(level)
        descriptor = model.index(model.row_of(criterion), column or 0).data()
        label = panel.descriptor
        assert label.isVisible() and label.wordWrap()
        assert descriptor in label.text(), f"step {step}: {label.text()!r}"
        # Every wrapped line has room: the label grows to what its text needs at its width.
        qtbot.waitUntil(
            lambda shown=label: shown.height() >= shown.heightForWidth(shown.width()), timeout=5_000
        )
        bottom_right = label.mapTo(window, label.rect().bottomRight())
        assert window.rect().contains(label.mapTo(window, label.rect().topLeft()))
        assert window.rect().contains(bottom_right), f"the descriptor ends at {bottom_right}, off the window"
        assert len(wholly_shown(grid)) >= 4
        qtbot.keyClick(grid, Qt.Key.Key_Down)
    made.done()
