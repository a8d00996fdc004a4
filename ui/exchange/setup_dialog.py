"""Setting up a fresh workstation from a day bundle: no one is signed in yet, so the
bundle is trusted by the centre's CA certificate (as ``naas-centre ca export`` writes
it), and taken into a new database in the data folder in one transaction
(``naas_centre.exchange.day.import_day``).

A refused bundle (a wrong passphrase, another centre's, a changed file, no CA) leaves
nothing behind: the database file this attempt made, and the workstation id it made,
are taken away again.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
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

from naas_centre import paths
from naas_centre.exchange.day import import_day, load_ca_file
from naas_centre.services.centre import open_database
from ui.common.widgets import label, primary_button
from ui.common.work_status import WorkStatus
from ui.work.tasks import Task, TaskManager

if TYPE_CHECKING:
    from db.engine import Database

BUNDLE_FILTER = "Day bundles (*.naasbundle);;All files (*)"
CA_FILTER = "CA certificates (*.pem *.crt);;All files (*)"
SQLITE_SIDE_FILES = ("", "-wal", "-shm", "-journal")


@dataclass(frozen=True)
class SetUp:
    database: Path
    signer: str
    lines: tuple[str, ...]


def _set_up(task: Task[Any], data_dir: Path, bundle: Path, passphrase: str, ca_file: Path) -> SetUp:
    """In a worker: the CA read first (nothing made yet), then a new database made and
    the bundle taken in; refused, everything this made is taken away."""
    task.progress(0, 2, "Reading the centre's CA certificate…")
    cas = load_ca_file(ca_file)
    target = paths.default_db_path(data_dir)
    made = [Path(f"{target}{s}") for s in SQLITE_SIDE_FILES if not Path(f"{target}{s}").exists()]
    ws_file = data_dir / "workstation-id"
    if not ws_file.exists():
        made.append(ws_file)
    db: Database | None = None
    try:
        task.progress(1, 2, f"Taking in {bundle.name}…")
        db = open_database(target, data_dir, create=True)
        done = import_day(db, None, bundle, passphrase, ca_certificates=cas)
    except BaseException:
        if db is not None:
            db.dispose()
        for path in made:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        raise
    db.dispose()
    return SetUp(target, done.info.signer, tuple(done.summary_lines()))


class SetUpDialog(QDialog):
    """``SetUpDialog(tasks, data_dir, parent, bundle=None, ca_file=None)``;
    ``workstation_set_up`` carries the new database's path once the bundle is in."""

    workstation_set_up = Signal(object)  # Path
    progressed = Signal(int, int, str)

    def __init__(
        self,
        tasks: TaskManager,
        data_dir: Path,
        parent: QWidget | None = None,
        *,
        bundle: Path | None = None,
        ca_file: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("SetUpDialog")
        self.setWindowTitle("Set up this workstation from a day bundle")
        self.tasks, self.data_dir = tasks, data_dir
        self.last: SetUp | None = None
        self._task: Task[SetUp] | None = None

        box = QVBoxLayout(self)
        box.addWidget(
            label(
                "Sets this workstation up for a day in one room from the file the centre manager "
                "prepared: its sittings, candidates, scenario pack and the accounts of the people "
                "who work here. Sign in with your own account afterwards.",
                wrap=True,
            )
        )
        form = QFormLayout()
        self.bundle = QLineEdit(str(bundle) if bundle else "")
        self.bundle.setObjectName("setup_bundle")
        form.addRow(
            label("Day &bundle", buddy=self.bundle), self._with_browse(self.bundle, self._choose_bundle)
        )
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(label("Centre &passphrase", buddy=self.passphrase), self.passphrase)
        self.ca_file = QLineEdit(str(ca_file) if ca_file else "")
        self.ca_file.setObjectName("setup_ca_file")
        form.addRow(
            label("Centre &CA certificate", buddy=self.ca_file),
            self._with_browse(self.ca_file, self._choose_ca),
        )
        form.addRow(
            "",
            label(
                "So this workstation can tell the bundle really comes from its centre "
                "(the manager writes it with naas-centre ca export).",
                "muted",
                wrap=True,
            ),
        )
        form.addRow(label("Data folder"), label(str(data_dir), "muted", wrap=True))
        box.addLayout(form)

        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.reject)
        self.start_button = primary_button("Set up")
        self.start_button.clicked.connect(self.start)
        # One transaction: it is in whole or not at all, so no Stop.
        self.work = WorkStatus("setup_status", self.start_button, self.close_button, stoppable=False)
        self.bar, self.status = self.work.bar, self.work.status
        self.work.add_to(box)
        self.summary = QPlainTextEdit()
        self.summary.setObjectName("setup_summary")
        self.summary.setReadOnly(True)
        self.summary.setVisible(False)
        self.summary.setMaximumHeight(190)  # the status above keeps its lines
        box.addWidget(self.summary)
        box.addStretch(1)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.start_button)
        box.addLayout(buttons)
        self.resize(640, 620)

    @property
    def running(self) -> bool:
        return self._task is not None

    @staticmethod
    def _with_browse(field: QLineEdit, choose: Any) -> QHBoxLayout:
        browse = QPushButton("Choose…")
        browse.clicked.connect(choose)
        row = QHBoxLayout()
        row.addWidget(field, 1)
        row.addWidget(browse)
        return row

    def start(self) -> None:
        if self.running:
            return
        bundle, ca_file = self.bundle.text().strip(), self.ca_file.text().strip()
        problem = (
            "Choose the day bundle the centre manager prepared for this room."
            if not bundle
            else "Type the centre's passphrase: the bundle cannot be opened without it."
            if not self.passphrase.text()
            else "Choose the centre's CA certificate file: without it nothing here can tell "
            "the bundle really comes from your centre. Nothing was set up."
            if not ca_file
            else ""
        )
        if problem:
            self.work.say(problem, "error")
            return
        self.summary.setVisible(False)
        task = self._task = self.tasks.long(
            _set_up,
            self.data_dir,
            Path(bundle).expanduser(),
            self.passphrase.text(),
            Path(ca_file).expanduser(),
            on_done=self._done,
            on_error=self._failed,
            on_progress=self._progress,
            owner=self,
            name="set_up_from_bundle",
        )
        self.work.began(self, task, 2, "Reading the centre's CA certificate…")

    def _progress(self, done: int, total: int, step: str) -> None:
        self.work.progressed(done)
        self.work.say(step, "")
        self.progressed.emit(done, total, step)

    def _done(self, result: SetUp) -> None:
        self._task = None
        self.work.finished()
        self.last = result
        self.passphrase.clear()
        self.summary.setPlainText("\n".join(result.lines))
        self.summary.setVisible(True)
        self.start_button.setEnabled(False)  # set up once; a second bundle is merged after signing in
        self.work.say(
            f"This workstation is set up from a bundle signed by {result.signer}. Sign in to begin.", "saved"
        )
        self.workstation_set_up.emit(result.database)

    def _failed(self, exc: BaseException) -> None:
        self._task = None
        self.work.failed(exc, "Nothing was set up.")

    def _choose_bundle(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self, "Choose the day bundle", self.bundle.text(), BUNDLE_FILTER
        )
        if chosen:
            self.bundle.setText(chosen)

    def _choose_ca(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self, "Choose the centre's CA certificate", self.ca_file.text(), CA_FILTER
        )
        if chosen:
            self.ca_file.setText(chosen)
