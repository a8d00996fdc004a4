"""The written exercise from the main window: check a candidate in, hand the workstation
over (the kiosk), take it back, and mark the scripts.

Kept apart from ``MainWindow`` so the window's own module stays about the day and the
sitting; the window's actions call in here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from naas_centre.services.views import Actor, SittingSummary
from naas_centre.writes.changes import Changes
from ui.common import error_reporting
from ui.shell.flow_host import FlowHost

if TYPE_CHECKING:
    from db.engine import Database
    from naas_centre.services.kiosk import KioskStart
    from ui.written.kiosk_window import KioskWindow
    from ui.written.marking_view import MarkingView


def _check_in(db: Database, actor: Actor, sitting_id: str) -> None:
    from naas_centre.services import sittings

    sittings.set_status(db, actor, sitting_id, "checked_in")


class WrittenFlow(QObject):
    kiosk_shown = Signal(object)  # KioskWindow
    kiosk_closed = Signal(object)  # the Actor who closed it
    checked_in = Signal(str)  # sitting id

    def __init__(self, host: FlowHost, parent: QWidget) -> None:
        super().__init__(parent)
        self.host = host
        self.parent_widget = parent
        self.kiosk: KioskWindow | None = None
        self.marking_view: MarkingView | None = None
        self.box: QMessageBox | None = None

    def _say(self, text: str) -> None:
        self.host.say(text)

    def _ask(self, title: str, text: str, detail: str, yes: str, on_yes: Callable[[], None]) -> None:
        box = QMessageBox(self.parent_widget)
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
        s = self.host.chosen_sitting()
        if s is None:
            self._say("Choose a sitting first.")
            return
        if s.status != "planned":
            self._say(f"{s.candidate_name} is already checked in.")
            return
        w = self.host
        w.tasks.write(
            _check_in,
            w.db,
            w.actor,
            s.id,
            on_done=lambda _r: self._checked_in(s),
            on_error=lambda exc: error_reporting.show_error(self.parent_widget, exc, "Not checked in"),
            owner=self,
            name="check_in",
            changes=Changes.of(s.id, status=True),
        )

    def _checked_in(self, s: SittingSummary) -> None:
        self._say(f"{s.candidate_name} is checked in.")
        self.checked_in.emit(s.id)  # the day board refreshes itself from the change notice

    # -- handing over -----------------------------------------------------------------------------

    def start(self) -> None:
        s = self.host.chosen_sitting()
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

        w = self.host
        w.say("Opening the written exercise…", 3000)
        w.tasks.write(
            open_for_sitting,
            w.db,
            w.actor,
            sitting_id,
            check_in=check_in,
            changes=Changes.of(sitting_id, status=True, scripts=True),
            on_done=self.show_kiosk,
            on_error=lambda exc: error_reporting.show_error(
                self.parent_widget, exc, "The written exercise did not start"
            ),
            owner=self,
            name="open_kiosk",
        )

    def show_kiosk(self, start: KioskStart) -> None:
        from ui.written.kiosk_window import KioskWindow

        w = self.host
        kiosk = KioskWindow(w.tasks, w.db, start)
        kiosk.left.connect(self._kiosk_left)
        self.kiosk = kiosk
        w.hand_over()
        kiosk.present()
        self.kiosk_shown.emit(kiosk)

    def _kiosk_left(self, who: Actor) -> None:
        kiosk, self.kiosk = self.kiosk, None
        if kiosk is not None:
            kiosk.deleteLater()
        self.host.take_back(who)
        self.kiosk_closed.emit(who)

    # -- marking ----------------------------------------------------------------------------------

    def mark(self) -> None:
        from ui.written.marking_view import MarkingView

        w = self.host
        self.drop_marking()
        view = MarkingView(w.tasks, w.db, w.actor, back=w.back_button())
        self.marking_view = view
        w.show_page(view)
        view.choice.setFocus()

    def in_marking(self) -> bool:
        return self.marking_view is not None and self.host.current_page() is self.marking_view

    def drop_marking(self) -> None:
        view, self.marking_view = self.marking_view, None
        if view is not None:
            view.save_feedback()
            self.host.drop_page(view)
            view.deleteLater()
