"""Printing the day's run-sheets: each room's rota, each actor's pack, each candidate's
timetable and the sign-in sheet, written as PDFs into a folder in the background.

The work and its refusals are the service's (``naas_centre.services.run_sheets``):
a day with no circuit plan, a folder that cannot be written. The screen asks for the
day and the folder, shows progress, can stop after the sheet in hand, and lists what
was written.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from naas_centre.services.views import Actor
from ui.common.widgets import label, primary_button
from ui.common.work_status import WorkStatus
from ui.work.tasks import Task, TaskManager

if TYPE_CHECKING:
    from db.engine import Database


def _write(task: Task[Any], db: Database, actor: Actor, day: date, folder: Path) -> tuple[Path, ...]:
    """In a worker: every sheet, with progress; stops after the sheet in hand when cancelled."""
    from naas_centre.services import run_sheets

    cancelled: Callable[[], bool] = lambda: task.cancelled  # noqa: E731 - read at each sheet
    return run_sheets.write(db, actor, day, folder, progress=task.progress, cancelled=cancelled)


class RunSheetsDialog(QDialog):
    """``RunSheetsDialog(tasks, db, actor, parent, day=None)``; ``sheets_written`` carries
    the files once they are on the disk."""

    sheets_written = Signal(object)  # tuple[Path, ...]

    def __init__(
        self,
        tasks: TaskManager,
        db: Database,
        actor: Actor,
        parent: QWidget | None = None,
        day: date | None = None,
        folder: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("RunSheetsDialog")
        self.setWindowTitle("Print the day's run-sheets")
        self.tasks = tasks
        self.db = db
        self.actor = actor
        self.written: tuple[Path, ...] = ()
        self._task: Task[tuple[Path, ...]] | None = None

        box = QVBoxLayout(self)
        box.addWidget(
            label(
                "Writes each room's rota, each actor's pack, each candidate's timetable and the "
                "sign-in sheet as PDF files to print. Each actor's pack holds their confidential "
                "brief: hand it to that actor only.",
                wrap=True,
            )
        )
        form = QFormLayout()
        self.day = QDateEdit()
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("d MMMM yyyy")
        chosen = day or date.today()
        self.day.setDate(QDate(chosen.year, chosen.month, chosen.day))
        form.addRow(label("&Day", buddy=self.day), self.day)
        self.folder = QLineEdit(str(folder) if folder else str(Path.home() / "Run-sheets"))
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._choose_folder)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        form.addRow(label("&Folder", buddy=self.folder), row)
        box.addLayout(form)

        self.start_button = primary_button("Write the run-sheets")
        self.start_button.clicked.connect(self.start)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self._close_or_stop)
        self.work = WorkStatus("run_sheets_status", self.start_button, self.close_button, stoppable=True)
        self.bar, self.status = self.work.bar, self.work.status
        self.work.add_to(box)
        self.files = QPlainTextEdit()
        self.files.setReadOnly(True)
        self.files.setVisible(False)
        box.addWidget(self.files, 1)

        buttons = QHBoxLayout()
        self.open_button = QPushButton("Open the folder")
        self.open_button.setVisible(False)
        self.open_button.clicked.connect(self._open_folder)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.start_button)
        box.addLayout(buttons)
        self.resize(560, 360)

    @property
    def running(self) -> bool:
        return self._task is not None

    def chosen_day(self) -> date:
        d = self.day.date()
        return date(d.year(), d.month(), d.day())

    def start(self) -> None:
        if self.running:
            return
        text = self.folder.text().strip()
        if not text:
            self.work.say("Choose the folder to write the run-sheets to.", "error")
            return
        self.files.setVisible(False)
        self.open_button.setVisible(False)
        task = self._task = self.tasks.long(
            _write,
            self.db,
            self.actor,
            self.chosen_day(),
            Path(text).expanduser(),
            on_done=self._done,
            on_error=self._failed,
            on_progress=self._progress,
            owner=self,
            name="run_sheets",
        )
        self.work.began(self, task, 0, "Writing…")

    def _progress(self, done: int, total: int, name: str) -> None:
        self.work.progressed(done, total)
        self.work.say(f"Wrote {name} ({done} of {total}).", "")

    def _done(self, written: tuple[Path, ...]) -> None:
        stopped = self._task is not None and self._task.cancelled
        self._finish()
        self.written = written
        folder = written[0].parent if written else Path(self.folder.text().strip()).expanduser()
        lead = "Stopped." if stopped else "Done."
        self.work.say(f"{lead} Wrote {len(written)} PDF file(s) to {folder}.", "pending" if stopped else "")
        self.files.setPlainText("\n".join(p.name for p in written))
        self.files.setVisible(bool(written))
        self.open_button.setVisible(bool(written))
        self.sheets_written.emit(written)

    def _failed(self, exc: BaseException) -> None:
        self._finish()
        self.work.failed(exc)

    def _finish(self) -> None:
        self._task = None
        self.work.finished()

    def _close_or_stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self.close_button.setEnabled(True)
            self.work.say("Stopping after the sheet in hand…", "pending")
            return
        self.accept()

    def _choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "The folder for the run-sheets", self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    def _open_folder(self) -> None:
        if self.written:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.written[0].parent)))
