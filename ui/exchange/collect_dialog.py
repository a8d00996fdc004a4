"""Collecting the rooms' results: result bundle files merged into this database one after
another in the background, with progress, a Stop between files, and what each file
added, already held and left in conflict.

Each file is its own transaction (``naas_centre.exchange.results.import_results``): a
refused file (a wrong passphrase, a file changed on the way, another centre's) is said
plainly for that file, changes nothing, and the next file is still read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from naas_centre.exchange.results import import_results
from naas_centre.services.views import Actor
from naas_centre.writes.changes import Changes
from ui.common import error_reporting
from ui.common.widgets import label, primary_button
from ui.common.work_status import WorkStatus
from ui.exchange.exchange_words import summary_lines
from ui.work.tasks import Task, TaskManager

if TYPE_CHECKING:
    from db.engine import Database

BUNDLE_FILTER = "Result bundles (*.naasbundle);;All files (*)"
# Results touch every kind of data a view shows: each open view reads again.
COLLECTED = Changes(scores=True, notes=True, clocks=True, scripts=True, status=True, reports=True)


@dataclass(frozen=True)
class FileOutcome:
    """What one file did: its summary lines, or the one plain reason it was refused."""

    path: Path
    lines: tuple[str, ...] = ()
    refused: str | None = None
    conflicts: int = 0


@dataclass(frozen=True)
class Collected:
    outcomes: tuple[FileOutcome, ...]
    asked: int  # files chosen; fewer outcomes means it was stopped

    @property
    def stopped(self) -> bool:
        return len(self.outcomes) < self.asked


def _collect(
    task: Task[Any],
    db: Database,
    actor: Actor,
    files: list[Path],
    passphrase: str,
    data_dir: Path | None = None,
) -> Collected:
    """In a worker: each file in turn; stops between files once Stop is pressed."""
    outcomes: list[FileOutcome] = []
    for n, path in enumerate(files):
        if task.cancelled:
            break
        task.progress(n, len(files), path.name)
        try:
            done = import_results(db, actor, path, passphrase, data_dir=data_dir)
        except Exception as exc:  # one file's refusal (or a bug, logged) never stops the rest
            outcomes.append(FileOutcome(path, refused=error_reporting.plain_message(exc)))
        else:
            outcomes.append(FileOutcome(path, tuple(summary_lines(done)), conflicts=done.report.conflicts))
    task.progress(len(outcomes), len(files), "")
    return Collected(tuple(outcomes), len(files))


class CollectResultsDialog(QDialog):
    """``CollectResultsDialog(tasks, db, actor, parent, files=None, data_dir=None)``; ``collected`` carries a
    ``Collected`` once every chosen file has been read (or Stop was pressed)."""

    collected = Signal(object)  # Collected
    progressed = Signal(int, int, str)

    def __init__(
        self,
        tasks: TaskManager,
        db: Database,
        actor: Actor,
        parent: QWidget | None = None,
        files: list[Path] | None = None,
        data_dir: Path | None = None,  # where recordings a bundle carries are placed
    ) -> None:
        super().__init__(parent)
        self.setObjectName("CollectResultsDialog")
        self.setWindowTitle("Collect results")
        self.tasks, self.db, self.actor, self.data_dir = tasks, db, actor, data_dir
        self.last: Collected | None = None
        self._task: Task[Collected] | None = None
        self._reading = False  # the worker has begun on the files

        box = QVBoxLayout(self)
        box.addWidget(
            label(
                "Merges the result bundles the rooms sent into this workstation's records. "
                "Each file is taken whole or not at all; a file read twice changes nothing the "
                "second time. A record changed both here and in the room is never overwritten: "
                "it is listed under Conflicts for you to decide.",
                wrap=True,
            )
        )
        self.files = QListWidget()
        self.files.setObjectName("collect_files")
        self.files.setMaximumHeight(110)
        self.files.setTextElideMode(Qt.TextElideMode.ElideLeft)  # the file's name is what tells them apart
        self.files.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        choose = QPushButton("&Add files…")
        choose.clicked.connect(self._choose_files)
        remove = QPushButton("&Remove")
        remove.clicked.connect(self._remove_selected)
        side = QVBoxLayout()
        side.addWidget(choose)
        side.addWidget(remove)
        side.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.files, 1)
        row.addLayout(side)
        form = QFormLayout()
        form.addRow(label("Result &files", buddy=self.files), row)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setObjectName("collect_passphrase")
        form.addRow(label("Centre &passphrase", buddy=self.passphrase), self.passphrase)
        box.addLayout(form)

        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self._close_or_stop)
        self.start_button = primary_button("Collect")
        self.start_button.clicked.connect(self.start)
        self.work = WorkStatus("collect_status", self.start_button, self.close_button, stoppable=True)
        self.bar, self.status = self.work.bar, self.work.status
        self.work.add_to(box)
        self.summary = QPlainTextEdit()
        self.summary.setObjectName("collect_summary")
        self.summary.setReadOnly(True)
        self.summary.setVisible(False)
        box.addWidget(self.summary, 1)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.start_button)
        box.addLayout(buttons)
        for path in files or []:
            self.add_file(path)
        self.resize(680, 580)

    @property
    def running(self) -> bool:
        return self._task is not None

    def chosen_files(self) -> list[Path]:
        return [Path(self.files.item(i).text()) for i in range(self.files.count())]

    def add_file(self, path: Path) -> None:
        if path not in self.chosen_files():
            self.files.addItem(str(path))
            self.files.item(self.files.count() - 1).setToolTip(str(path))

    def start(self) -> None:
        if self.running:
            return
        files = self.chosen_files()
        if not files:
            self.work.say("Add the result files the rooms sent first.", "error")
            return
        passphrase = self.passphrase.text()
        if not passphrase:
            self.work.say("Type the centre's passphrase: the files cannot be opened without it.", "error")
            return
        self.summary.clear()
        self.summary.setVisible(False)
        task = self._task = self.tasks.long(
            _collect,
            self.db,
            self.actor,
            files,
            passphrase,
            self.data_dir,
            on_done=self._done,
            on_error=self._failed,
            on_progress=self._progress,
            owner=self,
            name="collect_results",
            changes=COLLECTED,
        )
        self.work.began(self, task, len(files), f"Reading {files[0].name}…")

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            if not self._reading:
                # Not begun (the workers were busy): a task cancelled before it starts
                # says nothing more, so the window finishes here, with nothing read.
                self._finish()
                self.work.say("Stopped before any file was read: nothing was changed.", "")
                return
            # What the file in hand does is committed whether or not this window stays open.
            self.close_button.setText("Close")
            self.work.say("Stopping after the file in hand…", "pending")

    def _progress(self, done: int, total: int, name: str) -> None:
        self._reading = True
        self.work.progressed(done)
        if name:
            self.work.say(f"Reading {name} ({done + 1} of {total})…", "")
        self.progressed.emit(done, total, name)

    def _done(self, result: Collected) -> None:
        self._finish()
        self.last = result
        self.summary.setPlainText(self.summary_text(result))
        self.summary.setVisible(True)
        refused = sum(1 for o in result.outcomes if o.refused)
        conflicts = sum(o.conflicts for o in result.outcomes)
        read = len(result.outcomes) - refused
        words = [f"{read} of {result.asked} file(s) merged"]
        if refused:
            words.append(f"{refused} refused")
        if conflicts:
            words.append(f"{conflicts} conflict(s) to resolve")
        text = ", ".join(words) + "."
        if result.stopped:
            text = f"Stopped: {text} The other files were not read."
        self.work.say(text, "error" if refused else "pending" if conflicts or result.stopped else "saved")
        self.collected.emit(result)

    @staticmethod
    def summary_text(result: Collected) -> str:
        blocks = []
        for o in result.outcomes:
            body = [f"Refused: {o.refused}", "Nothing was changed by this file."] if o.refused else o.lines
            blocks.append("\n".join([o.path.name, *(f"  {line}" for line in body)]))
        return "\n\n".join(blocks)

    def _failed(self, exc: BaseException) -> None:
        self._finish()
        self.work.failed(exc)

    def _finish(self) -> None:
        self._task = None
        self._reading = False
        self.work.finished()

    def _close_or_stop(self) -> None:
        if self._task is not None and not self._task.cancelled:
            self.stop()
            return
        self.accept()

    def _choose_files(self) -> None:
        chosen, _ = QFileDialog.getOpenFileNames(self, "Choose the rooms' result files", "", BUNDLE_FILTER)
        for name in chosen:
            self.add_file(Path(name))

    def _remove_selected(self) -> None:
        for item in self.files.selectedItems():
            self.files.takeItem(self.files.row(item))
