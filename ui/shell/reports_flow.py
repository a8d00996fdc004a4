"""Reports, moderation, scenario packs and equality monitoring from the main window.

Kept apart from ``MainWindow`` so the window's own module stays about the day and the
sitting; the window's actions call in here, and each opens its dialog (one at a time).
The actions are enabled by role, but the services check permission themselves.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog, QWidget
from shiboken6 import Shiboken

from naas_centre import paths
from ui.common.widgets import scroll_when_small
from ui.shell.flow_host import FlowHost


class ReportsFlow(QObject):
    def __init__(self, host: FlowHost, parent: QWidget, data_dir: Path | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.parent_widget = parent
        self._data_dir = data_dir
        self.dialog: QDialog | None = None
        self._hidden_by_lock: list[QDialog] = []

    @property
    def data_dir(self) -> Path:
        """The centre's data folder: where the CA passphrase and the centre's packs live."""
        if self._data_dir is None:
            self._data_dir = paths.data_dir()
        return self._data_dir

    def _say(self, text: str) -> None:
        self.host.say(text)

    def show(self, dialog: QDialog) -> None:
        """Open ``dialog`` as the one dialog of these flows, closing the one before it."""
        if self.dialog is not None:
            self.dialog.close()
        scroll_when_small(dialog)  # whole on a 1366×768 screen, at twice the text size too
        dialog.finished.connect(dialog.deleteLater)
        dialog.finished.connect(lambda _r: self._closed(dialog))
        self.dialog = dialog
        dialog.open()

    def _closed(self, dialog: QDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None

    def locked(self, locked: bool) -> None:
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

    # -- the actions ----------------------------------------------------------------------------

    def open_reports(self) -> None:
        from ui.reports.reports_dialog import ReportsDialog

        s = self.host.chosen_sitting()
        if s is None:
            self._say("Choose a sitting first.")
            return
        w = self.host
        self.show(ReportsDialog(w.tasks, w.db, w.actor, s.id, self.data_dir, self.parent_widget))

    def write_day(self) -> None:
        from ui.reports.batch_reports_dialog import BatchReportsDialog

        day = self.host.shown_day()
        if day is None:
            self._say("Choose a day first.")
            return
        w = self.host
        self.show(BatchReportsDialog(w.tasks, w.db, w.actor, day, self.data_dir, self.parent_widget))

    def moderate(self) -> None:
        from ui.centre.moderation_dialog import ModerationDialog

        s = self.host.chosen_sitting()
        if s is None:
            self._say("Choose a sitting first.")
            return
        w = self.host
        self.show(ModerationDialog(w.tasks, w.db, w.actor, s.id, self.parent_widget, data_dir=self.data_dir))

    def packs(self) -> None:
        from ui.centre.packs_dialog import PacksDialog

        self.show(PacksDialog(self.host.tasks, self.data_dir, self.parent_widget))

    def equality(self) -> None:
        from ui.qa.equality_dialog import EqualityDialog

        w = self.host
        self.show(EqualityDialog(w.tasks, w.db, w.actor, self.parent_widget))

    def recordings(self) -> None:
        from ui.video.recordings_dialog import RecordingsDialog

        s = self.host.chosen_sitting()
        if s is None or self.data_dir is None:
            self._say("Choose a sitting first.")
            return
        w = self.host
        self.show(RecordingsDialog(w.tasks, w.db, w.actor, self.data_dir, s.id, self.parent_widget))

    def quality(self) -> None:
        from ui.qa.qa_dashboard import QaDashboard  # loads QtCharts: only when asked

        w = self.host
        self.show(QaDashboard(w.tasks, w.db, w.actor, self.parent_widget))

    def my_figures(self) -> None:
        from ui.qa.personal_sheet_dialog import PersonalSheetDialog

        w = self.host
        self.show(PersonalSheetDialog(w.tasks, w.db, w.actor, self.parent_widget))

    def pass_marks(self) -> None:
        from ui.qa.standard_setting_dialog import StandardSettingDialog

        w = self.host
        self.show(StandardSettingDialog(w.tasks, w.db, w.actor, self.parent_widget))
