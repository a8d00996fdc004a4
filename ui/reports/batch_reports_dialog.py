"""Writing a day's reports to a folder, signing what is complete first if asked.

``naas_centre.reports.batch.run`` does the work: it reads the database here and draws
and signs in a pool of processes. It runs as long work on the task manager, never on
the GUI thread; progress comes back after each report, and Cancel is ``Task.cancel``,
which the run reads at that same point, so it stops after the report in hand. Once it
ends, the task manager says that reports changed (when it signed), and open views of
those reports refresh themselves.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from naas_centre.reports.batch import ReasonNeeded
from naas_centre.reports.day import BatchOutcome, describe, left_out, run_batch, skipped_line, unlock
from naas_centre.services.views import Actor, Role
from naas_centre.signing.pdf import SignerIdentity
from naas_centre.writes.changes import Changes
from ui.common import error_reporting
from ui.common.widgets import label, primary_button, set_role
from ui.work.tasks import Task, TaskManager

__all__ = ["BatchOutcome", "BatchReportsDialog"]

if TYPE_CHECKING:
    from db.engine import Database


class BatchReportsDialog(QDialog):
    progressed = Signal(int, int, str)  # done, total, what was just done
    run_finished = Signal(object)  # BatchOutcome

    def __init__(
        self,
        tasks: TaskManager,
        db: Database,
        actor: Actor,
        day: date,
        data_dir: Path,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("BatchReportsDialog")
        self.setWindowTitle("Write the day's reports")
        self.setMinimumWidth(620)
        self.tasks = tasks
        self.db = db
        self.actor = actor
        self.day = day
        self.data_dir = data_dir
        self.outcome: BatchOutcome | None = None
        self._task: Task[BatchOutcome] | None = None
        self._running = False
        tasks.about_to_shut_down.connect(self._shutting_down)

        box = QVBoxLayout(self)
        box.setContentsMargins(20, 18, 20, 16)
        box.setSpacing(12)
        box.addWidget(label(f"The reports of {day:%A %d %B %Y}", "heading"))
        self.pages = QStackedWidget()
        box.addWidget(self.pages, 1)
        self.pages.addWidget(self._setup_page())
        self.pages.addWidget(self._running_page())
        self.pages.addWidget(self._done_page())

        buttons = QHBoxLayout()
        self.error = label("", "error", wrap=True)
        self.error.setObjectName("batch_error")
        buttons.addWidget(self.error, 1)
        self.start_button = primary_button("Write the reports")
        self.start_button.setObjectName("batch_start")
        self.start_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("batch_cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.open_button = QPushButton("Open the folder")
        self.open_button.setObjectName("batch_open_folder")
        self.open_button.clicked.connect(self._open_folder)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.reject)
        for b in (self.start_button, self.cancel_button, self.open_button, self.close_button):
            b.setAutoDefault(False)
            buttons.addWidget(b)
        box.addLayout(buttons)
        self._show_page(0)

    # -- pages -------------------------------------------------------------------------------

    def _setup_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(12)
        box.addWidget(
            label(
                "Each report of the day is written as a PDF: its latest signed version where it has "
                "one, otherwise an unsigned draft with “unsigned” in its file name. Reports that "
                "cannot be made yet are listed at the end with the reason.",
                "muted",
                wrap=True,
            )
        )
        form = QFormLayout()
        form.setSpacing(10)
        row = QHBoxLayout()
        self.folder = QLineEdit(str(Path.home() / "naas-centre reports" / self.day.isoformat()))
        self.folder.setObjectName("batch_folder")
        self.folder.setAccessibleName("Folder")
        row.addWidget(self.folder, 1)
        choose = QPushButton("Choose…")
        choose.setAutoDefault(False)
        choose.clicked.connect(self._choose_folder)
        row.addWidget(choose)
        form.addRow(label("&Folder", "field-name", buddy=self.folder), row)
        what = (
            "countersignatures and the day summary"
            if self.actor.role == Role.CENTRE_MANAGER
            else "your own signatures"
        )
        self.sign_first = QCheckBox(f"First sign what is complete, as {self.actor.display_name} ({what})")
        self.sign_first.setObjectName("batch_sign_first")
        self.sign_first.toggled.connect(self._sign_toggled)
        form.addRow("", self.sign_first)
        self.password = QLineEdit()
        self.password.setObjectName("batch_password")
        self.password.setAccessibleName("Your password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setEnabled(False)
        self.password.returnPressed.connect(self.start)
        form.addRow(label("Your &password", "field-name", buddy=self.password), self.password)
        # A signed report whose data changed since (moderation, a correction) is signed again
        # as a new version only with a reason; without one the run stops and names them.
        self.reason = QLineEdit()
        self.reason.setObjectName("batch_reason")
        self.reason.setAccessibleName("Reason for new versions")
        self.reason.setPlaceholderText(
            "Only if signed reports changed since: e.g. levels agreed at moderation"
        )
        self.reason.setEnabled(False)
        form.addRow(label("&Reason for new versions", "field-name", buddy=self.reason), self.reason)
        box.addLayout(form)
        box.addStretch(1)
        return page

    def _running_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 8, 0, 0)
        box.setSpacing(10)
        self.bar = QProgressBar()
        self.bar.setObjectName("batch_progress")
        self.bar.setTextVisible(False)
        self.bar.setRange(0, 0)
        box.addWidget(self.bar)
        self.count = label("Starting…", "heading")
        self.count.setObjectName("batch_count")
        box.addWidget(self.count)
        self.step = label("Reading the day…", "muted", wrap=True)
        self.step.setObjectName("batch_step")
        box.addWidget(self.step)
        box.addStretch(1)
        return page

    def _done_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(10)
        self.summary = label("", wrap=True)
        self.summary.setObjectName("batch_summary")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addWidget(self.summary)
        self.skipped = QPlainTextEdit()
        self.skipped.setObjectName("batch_skipped")
        self.skipped.setReadOnly(True)
        self.skipped.setMinimumHeight(160)
        box.addWidget(self.skipped, 10)
        box.addStretch(1)  # keeps the summary at the top when nothing was left out
        return page

    def _show_page(self, index: int) -> None:
        self.pages.setCurrentIndex(index)
        self.start_button.setVisible(index == 0)
        self.cancel_button.setVisible(index == 1)
        self.cancel_button.setEnabled(True)
        self.open_button.setVisible(index == 2)
        self.close_button.setVisible(index != 1)

    def _sign_toggled(self, on: bool) -> None:
        self.password.setEnabled(on)
        self.reason.setEnabled(on)
        if on:
            self.password.setFocus()

    def _choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "The folder for the reports", self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    # -- running ----------------------------------------------------------------------------

    def start(self) -> None:
        if self._running:
            return
        text = self.folder.text().strip()
        if not text:
            self.error.setText("Choose the folder to write the reports to.")
            return
        if self.sign_first.isChecked() and not self.password.text():
            self.error.setText("Type your password to sign, or untick signing.")
            self.password.setFocus()
            return
        self.error.setText("")
        self._running = True
        self.start_button.setEnabled(False)
        if self.sign_first.isChecked():
            self.start_button.setText("Unlocking your key…")
            self.tasks.write(
                unlock,
                self.db,
                self.actor,
                self.password.text(),
                self.data_dir,
                on_done=self._run,
                on_error=self._unlock_failed,
                owner=self,
                name="unlock_signer",
            )
        else:
            self._run(None)

    def _unlock_failed(self, exc: BaseException) -> None:
        self._running = False
        self.start_button.setEnabled(True)
        self.start_button.setText("Write the reports")
        self.error.setText(error_reporting.plain_message(exc))
        self.password.selectAll()
        self.password.setFocus()

    def _run(self, identity: SignerIdentity | None) -> None:
        self.password.clear()
        self._show_page(1)
        task = self._task = self.tasks.long(
            _run,
            self.db,
            self.actor,
            Path(self.folder.text().strip()).expanduser(),
            self.day,
            identity,
            (self.reason.text().strip() or None) if identity is not None else None,
            on_done=self._done,
            on_error=self._failed,
            on_progress=self._progress,
            owner=self,
            name="batch_reports",
            changes=Changes(reports=True) if identity is not None else None,
        )
        self.destroyed.connect(
            lambda *_: task.cancel()
        )  # a window closed under a run never leaves it running

    def _progress(self, done: int, total: int, step: str) -> None:
        self.bar.setRange(0, max(1, total))
        self.bar.setValue(done)
        self.count.setText(f"{done} of {total}")
        if self._task is None or not self._task.cancelled:
            self.step.setText(describe(step))
        self.progressed.emit(done, total, step)

    def cancel(self) -> None:
        """Stops the run after the report in hand; what is written stays written."""
        if not self._running:
            return
        if self._task is not None:
            self._task.cancel()
        self.cancel_button.setEnabled(False)
        self.step.setText("Stopping after the report in hand…")

    def _done(self, outcome: BatchOutcome) -> None:
        self._running = False
        self._task = None
        self.outcome = outcome
        r = outcome.result
        lead = "Stopped." if r.cancelled else "Done."
        signed = f" Signed {r.signed}." if r.signed else ""
        self.summary.setText(
            f"<b>{lead}</b> Wrote {len(r.written)} PDF files to <b>{_html(str(outcome.out_dir))}</b>."
            f"{signed}" + (f" {len(left_out(r.skipped))} were left out or not signed:" if r.skipped else "")
        )
        set_role(self.summary, "pending" if r.cancelled else "")
        lines = left_out(r.skipped)
        self.skipped.setPlainText("\n".join(skipped_line(k, why, outcome.names) for k, why in lines))
        self.skipped.setVisible(bool(lines))
        self._show_page(2)
        self.run_finished.emit(outcome)

    def _failed(self, exc: BaseException) -> None:
        self._running = False
        self._task = None
        self._show_page(0)
        self.start_button.setEnabled(True)
        self.start_button.setText("Write the reports")
        self.error.setText(error_reporting.plain_message(exc))
        if isinstance(exc, ReasonNeeded):  # say why new versions are signed, then start again
            self.reason.setFocus()

    def _open_folder(self) -> None:
        if self.outcome is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.outcome.out_dir)))

    # -- closing ----------------------------------------------------------------------------

    def _shutting_down(self) -> None:
        """The task manager stops: the run is cancelled and its answer will not come, so
        the dialog no longer waits for it before it can close."""
        if self._task is not None:
            self._task.cancel()
        self._running = False

    def reject(self) -> None:
        if self._running:
            self.cancel()  # the summary shows once the run has stopped
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._running:
            self.cancel()
            event.ignore()
            return
        super().closeEvent(event)


def _run(
    task: Task[BatchOutcome],
    db: Database,
    actor: Actor,
    out_dir: Path,
    day: date,
    identity: SignerIdentity | None,
    reason: str | None,
) -> BatchOutcome:
    """Long work: progress after each report, and the same point honours ``task.cancel()``."""
    return run_batch(db, actor, out_dir, day, identity, task.progress, lambda: task.cancelled, reason)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
