"""Reports, moderation, scenario packs and equality monitoring from the main window.

Kept apart from ``MainWindow`` so the window's own module stays about the day and the
sitting; the window's actions call in here, and each opens its dialog (one at a time).
The actions are enabled by role, but the services check permission themselves.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog
from shiboken6 import Shiboken

from naas_centre import paths
from ui.shell.written_flow import chosen_sitting

if TYPE_CHECKING:
    from ui.shell.main_window import MainWindow


class ReportsFlow(QObject):
    def __init__(self, window: MainWindow, data_dir: Path | None = None) -> None:
        super().__init__(window)
        self.window = window
        self._data_dir = data_dir
        self.dialog: QDialog | None = None
        self._hidden_by_lock: list[QDialog] = []
        window.locked_changed.connect(self._locked)

    @property
    def data_dir(self) -> Path:
        """The centre's data folder: where the CA passphrase and the centre's packs live."""
        if self._data_dir is None:
            self._data_dir = paths.data_dir()
        return self._data_dir

    def _say(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 6000)

    def _show(self, dialog: QDialog) -> None:
        if self.dialog is not None:
            self.dialog.close()
        dialog.finished.connect(dialog.deleteLater)
        dialog.finished.connect(lambda _r: self._closed(dialog))
        self.dialog = dialog
        dialog.open()

    def _closed(self, dialog: QDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None

    def _locked(self, locked: bool) -> None:
        """A locked screen shows nothing of a candidate: the dialogs hide until it is unlocked."""
        if locked:
            if self.dialog is not None:
                found = [self.dialog, *self.dialog.findChildren(QDialog)]
                self._hidden_by_lock = [d for d in found if d.isVisible()]
                for d in reversed(self._hidden_by_lock):
                    d.hide()
            return
        shown, self._hidden_by_lock = self._hidden_by_lock, []
        for d in shown:
            if Shiboken.isValid(d):
                d.show()

    def _day(self) -> date | None:
        view = self.window.sitting_view
        if view is not None and self.window.stack.currentWidget() is view:
            return view.detail.summary.day
        return self.window.day_view.loaded_day

    # -- the actions ----------------------------------------------------------------------------

    def open_reports(self) -> None:
        from ui.reports.reports_dialog import ReportsDialog

        s = chosen_sitting(self.window)
        if s is None:
            self._say("Choose a sitting first.")
            return
        w = self.window
        self._show(ReportsDialog(w.tasks, w.db, w.actor, s.id, self.data_dir, w))

    def write_day(self) -> None:
        from ui.reports.batch_reports_dialog import BatchReportsDialog

        day = self._day()
        if day is None:
            self._say("Choose a day first.")
            return
        w = self.window
        self._show(BatchReportsDialog(w.tasks, w.db, w.actor, day, self.data_dir, w))

    def moderate(self) -> None:
        from ui.centre.moderation_dialog import ModerationDialog

        s = chosen_sitting(self.window)
        if s is None:
            self._say("Choose a sitting first.")
            return
        w = self.window
        self._show(ModerationDialog(w.tasks, w.db, w.actor, s.id, w))

    def packs(self) -> None:
        from ui.centre.packs_dialog import PacksDialog

        self._show(PacksDialog(self.window.tasks, self.data_dir, self.window))

    def equality(self) -> None:
        from ui.qa.equality_dialog import EqualityDialog

        w = self.window
        self._show(EqualityDialog(w.tasks, w.db, w.actor, w))
