"""Sending this room's results: whoever ran the room unlocks their signing key with their
own password, and this workstation's results are written to one file, encrypted under
the centre's passphrase and signed by them, to carry to the centre manager.

The work and its refusals are the services' (``certificates.unlock_signer``,
``exchange.results.export_results``): a wrong password unlocks nothing, and the file
appears whole or not at all.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from naas_centre.errors import UserError
from naas_centre.exchange.container import signer_of
from naas_centre.exchange.results import ExportedResults, export_results
from naas_centre.services import certificates, sittings
from naas_centre.services.views import Actor, Role
from ui.common.widgets import label, primary_button
from ui.common.work_status import WorkStatus
from ui.work.tasks import Task, TaskManager

if TYPE_CHECKING:
    from db.engine import Database

SUFFIX = ".naasbundle"
STEPS = ("Unlocking your signing key…", "Writing the results file…")


@dataclass(frozen=True)
class Sent:
    path: Path
    rows: int
    entries: int
    signer: str
    recordings: int = 0  # whose media went too
    media_bytes: int = 0


def room_of_the_day(db: Database, actor: Actor, day: date) -> str | None:
    """The room whose sittings the actor ran that day (the one most of them were in)."""
    try:
        if actor.role == Role.ASSESSOR:
            rooms = [s.room for s in sittings.list_for_assessor(db, actor, day)]
        else:
            rooms = list(sittings.day_overview(db, actor, day).rooms)
    except UserError:
        return None
    return Counter(rooms).most_common(1)[0][0] if rooms else None


def default_name(room: str | None, day: date) -> str:
    """``results-oak-room-2025-03-02.naasbundle``: the room and the day, safe in any folder."""
    slug = re.sub(r"[^a-z0-9]+", "-", (room or "").lower()).strip("-")
    return f"results-{slug + '-' if slug else ''}{day.isoformat()}{SUFFIX}"


def _send(
    task: Task[Any],
    db: Database,
    actor: Actor,
    password: str,
    passphrase: str,
    target: Path,
    data_dir: Path,
    recordings: bool,
) -> Sent:
    """In a worker: unlock, then write (a closed window stops it between the two)."""
    task.progress(0, len(STEPS), STEPS[0])
    identity = certificates.unlock_signer(db, actor, password, data_dir)
    task.check()
    task.progress(1, len(STEPS), STEPS[1])
    done: ExportedResults = export_results(
        db, actor, target, passphrase, signer_of(identity), recordings=recordings, data_dir=data_dir
    )
    return Sent(done.info.path, done.rows, done.entries, done.info.signer, done.recordings, done.media_bytes)


class SendResultsDialog(QDialog):
    """``SendResultsDialog(tasks, db, actor, data_dir, parent, day=None, folder=None)``;
    ``sent`` carries a ``Sent`` once the file is on the disk."""

    sent = Signal(object)  # Sent

    def __init__(
        self,
        tasks: TaskManager,
        db: Database,
        actor: Actor,
        data_dir: Path,
        parent: QWidget | None = None,
        *,
        day: date | None = None,
        folder: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("SendResultsDialog")
        self.setWindowTitle("Send this room's results")
        self.tasks, self.db, self.actor, self.data_dir = tasks, db, actor, data_dir
        self.day = day or date.today()
        self.folder = folder or Path.home()
        self.last: Sent | None = None
        self._task: Task[Sent] | None = None

        box = QVBoxLayout(self)
        box.addWidget(
            label(
                "Writes everything recorded on this workstation (scores, judgements, notes, "
                "timings, scripts, moderation, signed reports and their audit trail) to one file, "
                f"signed by you, {actor.display_name}, and encrypted under the centre's passphrase. "
                "Carry it to the centre manager's workstation and collect it there.",
                wrap=True,
            )
        )
        form = QFormLayout()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(label("Your pass&word", buddy=self.password), self.password)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(label("Centre &passphrase", buddy=self.passphrase), self.passphrase)
        self.passphrase_again = QLineEdit()
        self.passphrase_again.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(label("Passphrase &again", buddy=self.passphrase_again), self.passphrase_again)
        self.file = QLineEdit(str(self.folder / default_name(None, self.day)))
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._choose_file)
        row = QHBoxLayout()
        row.addWidget(self.file, 1)
        row.addWidget(browse)
        form.addRow(label("F&ile", buddy=self.file), row)
        box.addLayout(form)
        # Off unless asked: a recording leaves the workstation only when someone chooses so.
        self.with_recordings = QCheckBox(
            "Include the &recordings (the file grows by the recordings' size; the sending is audited)"
        )
        self.with_recordings.setObjectName("send_recordings")
        box.addWidget(self.with_recordings)

        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.accept)
        self.start_button = primary_button("Send")
        self.start_button.clicked.connect(self.start)
        # Two short steps; the file appears whole or not at all: no Stop.
        self.work = WorkStatus("send_status", self.start_button, self.close_button, stoppable=False)
        self.bar, self.status = self.work.bar, self.work.status
        self.work.add_to(box)
        box.addStretch(1)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.start_button)
        box.addLayout(buttons)
        self.resize(600, 400)
        # The room is read off the GUI thread; until then the name has the day only.
        self._named = self.file.text()
        tasks.run(room_of_the_day, db, actor, self.day, on_done=self._room_found, owner=self)

    @property
    def running(self) -> bool:
        return self._task is not None

    def _room_found(self, room: str | None) -> None:
        if room and self.file.text() == self._named:  # never over a name the person chose
            self.file.setText(str(self.folder / default_name(room, self.day)))
            self._named = self.file.text()

    def start(self) -> None:
        if self.running:
            return
        text = self.file.text().strip()
        problem = (
            "Type your password: it unlocks your signing key."
            if not self.password.text()
            else "Type the centre's passphrase."
            if not self.passphrase.text()
            else "The two passphrases differ: type the centre's passphrase again, the same in both."
            if self.passphrase.text() != self.passphrase_again.text()
            else "Choose the file to write the results to."
            if not text
            else ""
        )
        if problem:
            self.work.say(problem, "error")
            return
        task = self._task = self.tasks.long(
            _send,
            self.db,
            self.actor,
            self.password.text(),
            self.passphrase.text(),
            Path(text).expanduser(),
            self.data_dir,
            self.with_recordings.isChecked(),
            on_done=self._done,
            on_error=self._failed,
            on_progress=self._progress,
            owner=self,
            name="send_results",
        )
        self.work.began(self, task, len(STEPS), STEPS[0])

    def _progress(self, done: int, _total: int, step: str) -> None:
        self.work.progressed(done)
        self.work.say(step, "")

    def _done(self, sent: Sent) -> None:
        self._task = None
        self.work.finished()
        self.last = sent
        self.password.clear()
        media = ""
        if sent.recordings:
            media = f", the media of {sent.recordings} recording(s) ({sent.media_bytes:,} bytes),"
        self.work.say(
            f"Sent: {sent.rows} record(s) and {sent.entries} audit entries{media} written to {sent.path}, "
            f"signed by {sent.signer}. Take this file to the centre manager's workstation.",
            "saved",
        )
        self.sent.emit(sent)

    def _failed(self, exc: BaseException) -> None:
        self._task = None
        self.work.failed(exc)

    def _choose_file(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Save this room's results as", self.file.text(), f"Result bundles (*{SUFFIX})"
        )
        if chosen:
            self.file.setText(chosen if chosen.endswith(SUFFIX) else chosen + SUFFIX)
