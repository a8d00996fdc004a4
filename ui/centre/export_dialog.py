"""Exporting score sheets for employers: format, filters and file, written in the
background with progress and a Stop button that really stops it.

Who may export, the filters' refusals and the file's atomic writing are the service's
(``naas_centre.services.exports``): a stopped or failed export leaves no file.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from naas_centre.services import exports
from naas_centre.services.views import Actor
from ui.common import error_reporting
from ui.common.confirm_password import ConfirmPasswordDialog
from ui.common.widgets import label, primary_button
from ui.common.work_status import WorkStatus
from ui.work.tasks import Task, TaskManager

if TYPE_CHECKING:
    from db.engine import Database

FORMATS = (("csv", "CSV (opens in Excel)"), ("xlsx", "Excel workbook (XLSX)"))


def _export(
    task: Task[Any],
    db: Database,
    actor: Actor,
    target: Path,
    fmt: str,
    filters: exports.Filters,
    password: str,
) -> exports.ExportResult | None:
    """In a worker: the export, with progress; None when it was stopped (nothing written)."""
    try:
        return exports.export_score_sheets(
            db,
            actor,
            target,
            fmt,  # type: ignore[arg-type]
            filters,
            progress=lambda done, total: task.progress(done, total, ""),
            cancelled=lambda: task.cancelled,
            password=password,
        )
    except exports.ExportCancelled:
        return None


class ExportDialog(QDialog):
    """``ExportDialog(tasks, db, actor, parent)``; ``exported`` carries the result once
    the file is on the disk."""

    exported = Signal(object)  # exports.ExportResult
    progressed = Signal(int, int)

    def __init__(
        self,
        tasks: TaskManager,
        db: Database,
        actor: Actor,
        parent: QWidget | None = None,
        target: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ExportDialog")
        self.setWindowTitle("Export score sheets")
        self.tasks = tasks
        self.db = db
        self.actor = actor
        self.last_result: exports.ExportResult | None = None
        self._task: Task[exports.ExportResult | None] | None = None
        self.password_dialog: ConfirmPasswordDialog | None = None

        box = QVBoxLayout(self)
        box.addWidget(
            label(
                "One row per candidate attempt: agreed levels, each KSS area's result, the outcome, "
                "the assessors and the signed reports. Equality monitoring is never included. "
                "The file holds personal data: send it to the employer securely.",
                wrap=True,
            )
        )
        form = QFormLayout()
        self.format = QComboBox()
        for key, text in FORMATS:
            self.format.addItem(text, key)
        self.format.currentIndexChanged.connect(self._format_changed)
        form.addRow(label("&Format", buddy=self.format), self.format)
        self.day = QComboBox()
        self.employer = QComboBox()
        self.level = QComboBox()
        for box_, every in (
            (self.day, "Every day"),
            (self.employer, "Every employer"),
            (self.level, "Every level"),
        ):
            box_.addItem(every, None)
        form.addRow(label("&Day", buddy=self.day), self.day)
        form.addRow(label("&Employer", buddy=self.employer), self.employer)
        form.addRow(label("&Level", buddy=self.level), self.level)
        self.file = QLineEdit(str(target) if target else str(Path.home() / "score-sheets.csv"))
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._choose_file)
        row = QHBoxLayout()
        row.addWidget(self.file, 1)
        row.addWidget(browse)
        form.addRow(label("F&ile", buddy=self.file), row)
        box.addLayout(form)

        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self._close_or_stop)
        self.start_button = primary_button("Export")
        self.start_button.clicked.connect(self.start)
        self.start_button.setEnabled(False)
        self.work = WorkStatus("export_status", self.start_button, self.close_button, stoppable=True)
        self.bar, self.status = self.work.bar, self.work.status
        self.work.add_to(box)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.start_button)
        box.addLayout(buttons)
        self.resize(560, 300)
        self.work.say("Loading the days and employers…", "pending")
        tasks.run(exports.choices, db, actor, on_done=self._loaded, on_error=self._load_failed, owner=self)

    @property
    def running(self) -> bool:
        return self._task is not None

    @property
    def ready(self) -> bool:
        return self.start_button.isEnabled()

    def _loaded(self, choices: exports.ExportChoices) -> None:
        for d in choices.days:
            self.day.addItem(f"{d:%A %d %B %Y}", d.isoformat())  # Qt would turn a date into a QDate
        for name in choices.employers:
            self.employer.addItem(name, name)
        for lv in choices.levels:
            self.level.addItem(lv.capitalize(), lv)
        self.start_button.setEnabled(True)
        self.work.say("", "")

    def choose(
        self, *, day: date | None = None, employer: str | None = None, level: str | None = None
    ) -> None:
        """Sets the filters as a person would pick them from the lists."""
        wanted = (
            (self.day, day.isoformat() if day else None),
            (self.employer, employer),
            (self.level, level),
        )
        for combo, value in wanted:
            index = combo.findData(value)
            if index < 0:
                raise ValueError(f"{value!r} is not offered")
            combo.setCurrentIndex(index)

    def chosen_format(self) -> str:
        return str(self.format.currentData())

    def _format_changed(self) -> None:
        text = self.file.text().strip()
        if text:
            self.file.setText(str(Path(text).with_suffix("." + self.chosen_format())))

    def start(self) -> None:
        if self.running or not self.ready:
            return
        text = self.file.text().strip()
        if not text:
            self.work.say("Choose the file to write the score sheets to.", "error")
            return
        day = self.day.currentData()
        filters = exports.Filters(
            date.fromisoformat(day) if day else None, self.employer.currentData(), self.level.currentData()
        )
        # Names and scores leave the centre: the person's password again (the service checks it).
        confirm = ConfirmPasswordDialog("Exporting score sheets", "Export", self)
        confirm.confirmed.connect(lambda typed: self._run(Path(text).expanduser(), filters, typed))
        confirm.finished.connect(confirm.deleteLater)
        confirm.finished.connect(lambda _r: setattr(self, "password_dialog", None))
        self.password_dialog = confirm
        confirm.open()

    def _run(self, target: Path, filters: exports.Filters, password: str) -> None:
        if self.running:
            return
        task = self._task = self.tasks.long(
            _export,
            self.db,
            self.actor,
            target,
            self.chosen_format(),
            filters,
            password,
            on_done=self._done,
            on_error=self._failed,
            on_progress=self._progress,
            owner=self,
            name="export_score_sheets",
        )
        self.work.began(self, task, 0, "Exporting…")

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self.work.say("Stopping…", "pending")

    def _progress(self, done: int, total: int, _step: str) -> None:
        self.work.progressed(done, total)
        self.work.say(f"Exported {done} of {total} rows.", "")
        self.progressed.emit(done, total)

    def _done(self, result: exports.ExportResult | None) -> None:
        self._finish()
        if result is None:
            self.work.say("Stopped: no file was written.", "pending")
            return
        self.last_result = result
        self.work.say(f"Done. Wrote {result.rows} row(s) to {result.path}.", "")
        self.exported.emit(result)

    def _load_failed(self, exc: BaseException) -> None:
        self.work.say(error_reporting.plain_message(exc), "error")  # and the Export button stays off

    def _failed(self, exc: BaseException) -> None:
        self._finish()
        self.work.failed(exc)

    def _finish(self) -> None:
        self._task = None
        self.work.finished()

    def _close_or_stop(self) -> None:
        if self._task is not None:
            self.stop()
            return
        self.accept()

    def _choose_file(self) -> None:
        fmt = self.chosen_format()
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Save the score sheets as", self.file.text(), f"{fmt.upper()} files (*.{fmt})"
        )
        if chosen:
            self.file.setText(chosen)
