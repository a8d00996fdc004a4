"""Tab follows the screen: on each main screen at 1366×768, real Tab presses go left to
right along a row and top to bottom, never back up a column (coming round at the end is
allowed). Controls inside a scrolled area are placed where they sit in its content, so
a control scrolled out of view still has its place."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QAbstractScrollArea, QWidget
from pytestqt.qtbot import QtBot

from tests.ui.conftest import DemoCentre
from tests.ui.screen_checks import walk_by_tab
from tests.ui.test_screens_for_everyone import SCREENS, Screen, sitting_screen
from ui.common.settings import Settings
from ui.work.tasks import TaskManager

CLEARLY = 8  # px: a control this much higher than the one before it is back up the screen


def place(widget: QWidget, window: QWidget) -> QRect:
    """Where the widget sits on the window, scrolled areas taken at their content's origin."""
    origin = QPoint(0, 0)
    child = widget
    while child is not window and child.parentWidget() is not None:
        parent = child.parentWidget()
        area = parent.parentWidget()
        scrolled = isinstance(area, QAbstractScrollArea) and area.viewport() is parent
        if not scrolled:  # a scrolled content's own position is the scrolling; leave it out
            origin += child.pos()
        child = parent
    return QRect(origin, widget.size())


def backwards(reached: list[QWidget], window: QWidget) -> list[str]:
    """Each step from a control to one clearly above it in the same column. The walk is
    a round that began wherever focus was: it is read from the first control in reading
    order (the top one, leftmost among equals), so that coming round is its last step."""
    places = [place(w, window) for w in reached]
    top = min(p.top() for p in places)
    first = min((i for i, p in enumerate(places) if p.top() <= top + CLEARLY), key=lambda i: places[i].left())
    order = list(range(first, len(reached))) + list(range(first))
    found = []
    for i, j in itertools.pairwise(order):
        a, b = places[i], places[j]
        same_column = a.left() < b.right() and b.left() < a.right()
        if same_column and b.top() < a.top() - CLEARLY:
            found.append(
                f"{_name(reached[i])} (top {a.top()}) → {_name(reached[j])} "
                f"(top {b.top()}, x {b.left()}–{b.right()})"
            )
    return found


def _name(widget: QWidget) -> str:
    return f"{type(widget).__name__} {widget.objectName() or widget.accessibleName() or '?'}"


@pytest.fixture(params=list(SCREENS))
def screen(
    request: pytest.FixtureRequest, qtbot: QtBot, tasks: TaskManager, scored: DemoCentre, settings: Settings
) -> Iterator[Screen]:
    made = SCREENS[str(request.param)](qtbot, tasks, scored, settings)
    yield made
    made.done()


def test_tab_goes_along_rows_and_down_the_screen(qtbot: QtBot, screen: Screen) -> None:
    reached = walk_by_tab(qtbot, screen.window)
    assert len(reached) >= 2, "Tab reaches nothing"
    problems = backwards(reached, screen.window)
    assert not problems, "Tab goes back up the screen:\n" + "\n".join(problems)


def test_tab_on_a_sitting_being_scored(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, settings: Settings
) -> None:
    """Before submitting, the sitting screen has more to reach: the judgement, the clock's
    buttons and the note field."""
    made = sitting_screen(qtbot, tasks, demo, settings)
    reached = walk_by_tab(qtbot, made.window)
    names = {w.objectName() for w in reached}
    assert {"judgement_met", "phase_start", "note_input"} <= names, sorted(names)
    problems = backwards(reached, made.window)
    assert not problems, "Tab goes back up the screen:\n" + "\n".join(problems)
    made.done()


def test_the_check_catches_tab_going_back_up(qtbot: QtBot) -> None:
    """Three buttons one above the other, Tab set to go bottom, middle, top."""
    from PySide6.QtWidgets import QPushButton, QVBoxLayout

    window = QWidget()
    column = QVBoxLayout(window)
    buttons = [QPushButton(f"Button {i}") for i in range(3)]
    for button in buttons:
        column.addWidget(button)
    QWidget.setTabOrder(buttons[2], buttons[1])
    QWidget.setTabOrder(buttons[1], buttons[0])
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    buttons[2].setFocus()
    reached = walk_by_tab(qtbot, window)
    assert backwards(reached, window), [b.text() for b in reached]
