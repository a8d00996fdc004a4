"""The written exercise from the main window: check a candidate in, hand the workstation
over (the kiosk), take it back, and mark the scripts.

Kept apart from ``MainWindow`` so the window's own module stays about the day and the
sitting; the window's actions call in here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox

from naas_centre.services.views import Actor, SittingSummary
from ui.common import error_reporting
from ui.day.assessor_day_view import AssessorDayView
from ui.day.centre_day_view import CentreDayView

if TYPE_CHECKING:
    from db.engine import Database
    from naas_centre.services.kiosk import KioskStart
    from ui.shell.main_window import MainWindow
    from ui.written.kiosk_window import KioskWindow
    from ui.written.marking_view import MarkingView


def _check_in(db: Database, actor: Actor, sitting_id: str) -> None:
    from naas_centre.services import sittings

    sittings.set_status(db, actor, sitting_id, "checked_in")


def chosen_sitting(window: MainWindow) -> SittingSummary | None:
    """The sitting open in the window, else the one chosen in the day's list or board."""
    view = window.sitting_view
    if view is not None and window.stack.currentWidget() is view:
        return view.detail.summary
    if window.stack.currentWidget() is not window.day_view:
        return None
    day = window.day_view
    if isinstance(day, AssessorDayView):
        row = day.table.currentIndex().row()
        return day.model.sittings[row] if 0 <= row < len(day.model.sittings) else None
    if isinstance(day, CentreDayView):
        index = day.board.currentIndex()
        return day.model.sitting_at(index.row(), index.column()) if index.isValid() else None
    return None


class WrittenFlow(QObject):
    kiosk_shown = Signal(object)  # KioskWindow
    kiosk_closed = Signal(object)  # the Actor who closed it
    checked_in = Signal(str)  # sitting id

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.kiosk: KioskWindow | None = None
        self.marking_view: MarkingView | None = None
        self.box: QMessageBox | None = None

    def _say(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 6000)

    def _ask(self, title: str, text: str, detail: str, yes: str, on_yes: Callable[[], None]) -> None:
        box = QMessageBox(self.window)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(title)
        box.setText(text)
        box.setInformativeText(detail)
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Yes)
        box.button(QMessageBox.StandardButton.Yes).setText(yes)
        box.accepted.connect(on_yes)
        box.finished.connect(box.deleteLater)
        self.box = box
        box.open()

    # -- checking in ------------------------------------------------------------------------------

    def check_in(self) -> None:
        s = chosen_sitting(self.window)
        if s is None:
            self._say("Choose a sitting first.")
            return
        if s.status != "planned":
            self._say(f"{s.candidate_name} is already checked in.")
            return
        w = self.window
        w.tasks.write(
            _check_in,
            w.db,
            w.actor,
            s.id,
            on_done=lambda _r: self._checked_in(s),
            on_error=lambda exc: error_reporting.show_error(w, exc, "Not checked in"),
            owner=self,
            name="check_in",
        )

    def _checked_in(self, s: SittingSummary) -> None:
        self._say(f"{s.candidate_name} is checked in.")
        self.checked_in.emit(s.id)
        self.window.refresh()

    # -- handing over -----------------------------------------------------------------------------

    def start(self) -> None:
        s = chosen_sitting(self.window)
        if s is None:
            self._say("Choose a sitting first.")
            return
        if s.status == "withdrawn":
            self._say(f"{s.candidate_name} has withdrawn.")
            return
        check_in = s.status == "planned"
        detail = (
            "The screen will show only the exercise, full screen, until an assessor or a centre "
            "manager enters their password."
        )
        if check_in:
            detail = f"{s.candidate_name} is not checked in yet: this checks them in first. {detail}"
        self._ask(
            "Start the written exercise",
            f"Hand this workstation to {s.candidate_name} for the written exercise?",
            detail,
            "Check in and start" if check_in else "Start the written exercise",
            lambda: self.open(s.id, check_in=check_in),
        )

    def open(self, sitting_id: str, *, check_in: bool = False) -> None:
        from naas_centre.services.kiosk import open_for_sitting

        w = self.window
        w.statusBar().showMessage("Opening the written exercise…", 3000)
        w.tasks.write(
            open_for_sitting,
            w.db,
            w.actor,
            sitting_id,
            check_in=check_in,
            on_done=self.show_kiosk,
            on_error=lambda exc: error_reporting.show_error(w, exc, "The written exercise did not start"),
            owner=self,
            name="open_kiosk",
        )

    def show_kiosk(self, start: KioskStart) -> None:
        from ui.written.kiosk_window import KioskWindow

        w = self.window
        kiosk = KioskWindow(w.tasks, w.db, start)
        kiosk.left.connect(self._kiosk_left)
        self.kiosk = kiosk
        w.idle.set_minutes(0)  # the hidden window does not lock itself behind the kiosk
        w.hide()
        kiosk.present()
        self.kiosk_shown.emit(kiosk)

    def _kiosk_left(self, who: Actor) -> None:
        kiosk, self.kiosk = self.kiosk, None
        if kiosk is not None:
            kiosk.deleteLater()
        w = self.window
        w.show()
        w.idle.set_minutes(float(w.settings.get("idle_lock_minutes")))
        if who.account_id != w.actor.account_id:
            w.lock_now()  # someone else took the workstation back: this window is not theirs
        else:
            w.refresh()
        self.kiosk_closed.emit(who)

    # -- marking ----------------------------------------------------------------------------------

    def mark(self) -> None:
        from ui.written.marking_view import MarkingView

        w = self.window
        self.drop_marking()
        view = MarkingView(w.tasks, w.db, w.actor, back=w.action_set.button("day.back"))
        self.marking_view = view
        w.stack.addWidget(view)
        w.stack.setCurrentWidget(view)
        w.update_actions()
        view.choice.setFocus()

    def in_marking(self) -> bool:
        return self.marking_view is not None and self.window.stack.currentWidget() is self.marking_view

    def drop_marking(self) -> None:
        view, self.marking_view = self.marking_view, None
        if view is not None:
            view.save_feedback()
            self.window.stack.removeWidget(view)
            view.deleteLater()
