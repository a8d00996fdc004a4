"""A sitting's recordings for a manager: review one, export it to a folder, delete it early.

The services decide who may do what (an export and an early deletion are a manager's,
each audited); this screen only offers them and shows a refusal plainly.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from naas_centre.services import recordings
from naas_centre.services.recordings import RecordingView
from naas_centre.services.views import Actor
from ui.common import error_reporting
from ui.common.widgets import label
from ui.video.recording_player import clock_text
from ui.video.review_dialog import ReviewDialog

if TYPE_CHECKING:
    from db.engine import Database
    from ui.work.tasks import TaskManager

STATUS_WORDS = {
    "recording": "being recorded (or cut short)",
    "finished": "kept",
    "stopped": "kept (stopped by itself)",
    "deleted": "deleted",
    "expired": "deleted: past the retention period",
    "failed": "never started",
}


class RecordingsDialog(QDialog):
    loaded = Signal()
    exported = Signal(object)  # the folder written (Path)
    deleted = Signal(str)  # recording id

    def __init__(
        self,
        tasks: TaskManager,
        db: Database,
        actor: Actor,
        data_dir: Path,
        sitting_id: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("RecordingsDialog")
        self.setWindowTitle("Recordings of this sitting")
        self.resize(820, 420)
        self.tasks, self.db, self.actor = tasks, db, actor
        self.data_dir, self.sitting_id = data_dir, sitting_id
        self.rows: list[RecordingView] = []
        self.review: ReviewDialog | None = None
        box = QVBoxLayout(self)
        box.addWidget(
            label(
                "A recording leaves this workstation only by an export here, which is recorded in the "
                "audit trail. Recordings are deleted by themselves after the centre's retention period.",
                "muted",
                wrap=True,
            )
        )
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("recordings_table")
        self.table.setHorizontalHeaderLabels(["Station", "Started", "Length", "State"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.table.itemSelectionChanged.connect(self._update)
        box.addWidget(self.table, 1)
        self.state = label("", "muted", wrap=True)
        self.state.setObjectName("recordings_state")
        box.addWidget(self.state)
        row = QHBoxLayout()
        self.review_button = QPushButton("Review…")
        self.review_button.clicked.connect(self.open_review)
        self.export_button = QPushButton("Export to a folder…")
        self.export_button.clicked.connect(self.ask_export)
        self.delete_button = QPushButton("Delete now…")
        self.delete_button.clicked.connect(self.ask_delete)
        for button in (self.review_button, self.export_button, self.delete_button):
            row.addWidget(button)
        row.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        row.addWidget(close)
        box.addLayout(row)
        self.reload()

    def reload(self) -> None:
        self.tasks.run(
            recordings.recordings_of,
            self.db,
            self.actor,
            self.sitting_id,
            on_done=self._loaded,
            on_error=self._failed,
            owner=self,
            name="recordings_of",
        )

    def _loaded(self, rows: list[RecordingView]) -> None:
        self.rows = rows
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            length = clock_text(round((r.duration or 0) * 1000)) if r.duration is not None else "—"
            cells = (
                r.station_id,
                f"{r.started_at.astimezone():%d %b %Y %H:%M}",
                length,
                STATUS_WORDS.get(r.status, r.status),
            )
            for j, text in enumerate(cells):
                self.table.setItem(i, j, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        if rows:
            self.table.selectRow(0)
        else:
            self.state.setText("This sitting has no recordings.")
        self._update()
        self.loaded.emit()

    def _failed(self, exc: BaseException) -> None:
        self.state.setText(
            str(exc) if error_reporting.is_user_error(exc) else "The recordings could not be read."
        )
        if not error_reporting.is_user_error(exc):
            error_reporting.log_bug(exc)

    def current(self) -> RecordingView | None:
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows else None

    def _update(self) -> None:
        chosen = self.current()
        usable = chosen is not None and chosen.has_media
        for button in (self.review_button, self.export_button, self.delete_button):
            button.setEnabled(usable)

    def open_review(self) -> None:
        chosen = self.current()
        if chosen is None:
            return
        self.review = ReviewDialog(
            self.tasks,
            self.db,
            self.actor,
            self.data_dir,
            self.sitting_id,
            chosen.station_id,
            self,
            recording_id=chosen.id,
        )
        self.review.open()

    def ask_export(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export the recording into")
        if folder:
            self.export_to(Path(folder))

    def export_to(self, folder: Path) -> None:
        chosen = self.current()
        if chosen is None:
            return
        self.state.setText("Exporting…")
        self.tasks.write(
            recordings.export,
            self.db,
            self.actor,
            self.data_dir,
            chosen.id,
            folder,
            on_done=self._exported,
            on_error=self._refused,
            owner=self,
            name="export_recording",
        )

    def _exported(self, written: Path) -> None:
        self.state.setText(f"✓ Exported to {written}")
        self.exported.emit(written)

    def ask_delete(self) -> None:
        reason, ok = QInputDialog.getText(
            self, "Delete the recording now", "Why is it deleted before its time?"
        )
        if ok:
            self.delete(reason)

    def delete(self, reason: str) -> None:
        chosen = self.current()
        if chosen is None:
            return
        self.tasks.write(
            recordings.delete_recording,
            self.db,
            self.actor,
            self.data_dir,
            chosen.id,
            reason,
            on_done=lambda _r: self._deleted(chosen.id),
            on_error=self._refused,
            owner=self,
            name="delete_recording",
        )

    def _deleted(self, recording_id: str) -> None:
        self.state.setText("✓ Deleted; the audit trail says who deleted it and why.")
        self.deleted.emit(recording_id)
        self.reload()

    def _refused(self, exc: BaseException) -> None:
        self.state.setText(str(exc) if error_reporting.is_user_error(exc) else "That did not work.")
        if not error_reporting.is_user_error(exc):
            error_reporting.log_bug(exc)
