"""Each main screen at 1366×768 and at twice the text size: nothing cut short, and every
control that Tab reaches named for a screen reader, walked by real key presses.

The screens: the assessor's day and sitting screen, the centre's day, the candidate's
kiosk, moderation, reports, the QA dashboard, the demo accounts, the
setting up of a real centre (encrypted or not) and the unlocking of an encrypted centre. The window is given
what a 1366×768 screen leaves below a title bar; it must fit in that (its minimum size
no larger) and show every label and button whole."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from naas_centre.services import sittings
from naas_centre.services.kiosk import open_for_sitting
from tests.ui.conftest import DemoCentre
from tests.ui.reports_support import choose_sitting, close_window, open_window, trigger
from tests.ui.screen_checks import (
    DOUBLE_TEXT,
    SMALL_SCREEN,
    TITLE_BAR,
    clipped_texts,
    unnamed,
    walk_by_tab,
)
from ui.common import theme
from ui.common.settings import Settings
from ui.shell.main_window import MainWindow
from ui.work.tasks import TaskManager

WIDTH, HEIGHT = SMALL_SCREEN[0], SMALL_SCREEN[1] - TITLE_BAR


@pytest.fixture(params=[11, DOUBLE_TEXT], ids=["usual-text", "double-text"])
def text_size(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[int]:
    theme.apply(qapp, "light", int(request.param))
    yield int(request.param)
    theme.apply(qapp, "light", 11)


@dataclass
class Screen:
    window: QWidget  # the top-level window that holds the screen
    done: Callable[[], None]


def _fit(qtbot: QtBot, window: QWidget) -> None:
    """The window as a 1366×768 screen holds it, laid out and painted."""
    window.resize(WIDTH, HEIGHT)
    window.show()
    qtbot.waitExposed(window)
    QApplication.processEvents()


def _check(window: QWidget) -> list[str]:
    problems = clipped_texts(window)
    hint = window.minimumSizeHint()
    if window.width() > WIDTH or window.height() > HEIGHT:
        problems.append(f"the window is {window.width()}×{window.height()}, more than {WIDTH}×{HEIGHT}")
    if hint.width() > WIDTH or hint.height() > HEIGHT:
        problems.append(f"the window needs at least {hint.width()}×{hint.height()}")
    return problems


def assessor_day(qtbot: QtBot, tasks: TaskManager, centre: DemoCentre, settings: Settings) -> Screen:
    w = open_window(qtbot, tasks, centre, settings, "assessor1")
    _fit(qtbot, w)
    return Screen(w, lambda: close_window(w, tasks))


def sitting_screen(qtbot: QtBot, tasks: TaskManager, centre: DemoCentre, settings: Settings) -> Screen:
    w = open_window(qtbot, tasks, centre, settings, "assessor1")
    _fit(qtbot, w)
    with qtbot.waitSignal(w.sitting_shown, timeout=10_000):
        w.day_view.table.selectRow(0)
        w.day_view.table.setFocus()
        qtbot.keyClick(w.day_view.table, Qt.Key.Key_Return)
    assert w.sitting_view is not None
    view = w.sitting_view
    qtbot.waitUntil(lambda: view.notes.loaded and view.clocks.ready, timeout=10_000)
    QApplication.processEvents()
    return Screen(w, lambda: close_window(w, tasks))


def centre_day(qtbot: QtBot, tasks: TaskManager, centre: DemoCentre, settings: Settings) -> Screen:
    w = open_window(qtbot, tasks, centre, settings, "manager")
    _fit(qtbot, w)
    return Screen(w, lambda: close_window(w, tasks))


def kiosk(qtbot: QtBot, tasks: TaskManager, centre: DemoCentre, settings: Settings) -> Screen:
    from ui.written.kiosk_window import KioskWindow

    assessor = centre.actor("assessor1")
    sitting_id = sittings.list_for_assessor(centre.db, assessor, centre.day)[0].id
    start = open_for_sitting(centre.db, assessor, sitting_id, check_in=True)
    window = KioskWindow(tasks, centre.db, start)
    qtbot.addWidget(window)
    _fit(qtbot, window)

    def done() -> None:
        window.release()
        window.close()
        tasks.wait()

    return Screen(window, done)


def _first(centre: DemoCentre) -> str:
    return sittings.day_overview(centre.db, centre.actor("manager"), centre.day).sittings[0].id


def moderation(qtbot: QtBot, tasks: TaskManager, centre: DemoCentre, settings: Settings) -> Screen:
    w = open_window(qtbot, tasks, centre, settings, "manager")
    _fit(qtbot, w)
    choose_sitting(w, _first(centre))
    dialog = trigger(w, "reports.moderate")
    qtbot.waitSignal(dialog.loaded, timeout=10_000).wait()  # type: ignore[attr-defined]
    _fit(qtbot, dialog)
    return Screen(dialog, lambda: close_window(w, tasks))


def reports(qtbot: QtBot, tasks: TaskManager, centre: DemoCentre, settings: Settings) -> Screen:
    w = open_window(qtbot, tasks, centre, settings, "manager")
    _fit(qtbot, w)
    choose_sitting(w, _first(centre))
    dialog = trigger(w, "reports.sitting")
    qtbot.waitUntil(lambda: dialog.table.rowCount() > 0, timeout=10_000)  # type: ignore[attr-defined]
    _fit(qtbot, dialog)
    return Screen(dialog, lambda: close_window(w, tasks))


def qa_dashboard(qtbot: QtBot, tasks: TaskManager, centre: DemoCentre, settings: Settings) -> Screen:
    from ui.qa.qa_dashboard import QaDashboard

    dialog = QaDashboard(tasks, centre.db, centre.actor("qa"), today=lambda: centre.day)
    qtbot.addWidget(dialog)
    _fit(qtbot, dialog)

    def done() -> None:
        dialog.close()
        tasks.wait()

    return Screen(dialog, done)


def demo_accounts(qtbot: QtBot, tasks: TaskManager, centre: DemoCentre, settings: Settings) -> Screen:
    from naas_centre.demo.centre import ACCOUNTS
    from ui.signin.demo_accounts_dialog import DemoAccountsDialog

    dialog = DemoAccountsDialog(ACCOUNTS)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return Screen(dialog, dialog.close)


def centre_setup(qtbot: QtBot, tasks: TaskManager, centre: DemoCentre, settings: Settings) -> Screen:
    from ui.signin.centre_setup_dialog import CentreSetupDialog

    dialog = CentreSetupDialog(keyring="the Secret Service")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.mouseClick(dialog.encrypt, Qt.MouseButton.LeftButton)  # its passphrase fields in use
    return Screen(dialog, dialog.close)


def unlock(qtbot: QtBot, tasks: TaskManager, centre: DemoCentre, settings: Settings) -> Screen:
    from ui.signin.login_window import LoginWindow

    window = LoginWindow()
    qtbot.addWidget(window)
    window.set_locked(str(centre.path))  # an encrypted centre: its passphrase first
    _fit(qtbot, window)
    return Screen(window, window.close)


SCREENS = {
    "assessor-day": assessor_day,
    "sitting": sitting_screen,
    "centre-day": centre_day,
    "kiosk": kiosk,
    "moderation": moderation,
    "reports": reports,
    "qa-dashboard": qa_dashboard,
    "demo-accounts": demo_accounts,
    "centre-setup": centre_setup,
    "unlock": unlock,
}


@pytest.fixture(params=list(SCREENS))
def screen(
    request: pytest.FixtureRequest, qtbot: QtBot, tasks: TaskManager, scored: DemoCentre, settings: Settings
) -> Iterator[Screen]:
    made = SCREENS[str(request.param)](qtbot, tasks, scored, settings)
    yield made
    made.done()


def test_every_screen_fits_and_cuts_no_text(text_size: int, screen: Screen) -> None:
    problems = _check(screen.window)
    assert not problems, "\n".join(problems)


def test_every_control_tab_reaches_has_a_name(qtbot: QtBot, screen: Screen) -> None:
    reached = walk_by_tab(qtbot, screen.window)
    assert len(reached) >= 2, "Tab reaches nothing"
    missing = unnamed(reached)
    assert not missing, "\n".join(missing)


def test_the_main_window_opens_within_the_screen(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, settings: Settings
) -> None:
    """A window saved larger (or the default on a small screen) is brought within the
    screen's free area, so the bottom bar with "Sign out" is on it."""
    w = MainWindow(tasks, demo.db, demo.actor("assessor1"), "Pennine", settings)
    qtbot.addWidget(w)
    free = w.screen().availableGeometry()
    w.resize(free.width() + 400, free.height() + 300)
    w.fit_to_screen()
    assert w.width() <= free.width() and w.height() + TITLE_BAR <= free.height()
    assert free.contains(w.geometry().topLeft())
    w.close()
    tasks.wait()


def test_the_judgement_has_a_key(
    qtbot: QtBot, tasks: TaskManager, demo: DemoCentre, settings: Settings
) -> None:
    """Alt+M and Alt+N give the station's judgement from the grid, by keyboard alone."""
    made = sitting_screen(qtbot, tasks, demo, settings)
    window = made.window
    assert isinstance(window, MainWindow) and window.sitting_view is not None
    view = window.sitting_view
    panel = next(iter(view.panels.values()))
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    panel.grid.setFocus()
    qtbot.waitUntil(panel.grid.hasFocus, timeout=5_000)
    with qtbot.waitSignal(view.judgement_recorded, timeout=10_000) as recorded:
        qtbot.keyClick(panel.grid, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    assert recorded.args == [panel.station.id, "not_met"]
    with qtbot.waitSignal(view.judgement_recorded, timeout=10_000) as recorded:
        qtbot.keyClick(panel.grid, Qt.Key.Key_M, Qt.KeyboardModifier.AltModifier)
    assert recorded.args == [panel.station.id, "met"]
    qtbot.waitUntil(lambda: view.pending.idle, timeout=15_000)
    made.done()
