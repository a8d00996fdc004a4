"""Preparing the room workstations: for one planned day, one day bundle per room (its
sittings, candidates, pack and the accounts of the people who work there), each
encrypted under the centre passphrase and signed by the person preparing them.

The person's password unlocks their signing key once; the rooms are then written one
after another in the background, with a Stop between rooms. A room the services refuse
is said plainly for that room and the others are still written
(``naas_centre.exchange.day.export_day``: each file appears whole or not at all).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from naas_centre.exchange.container import signer_of
from naas_centre.exchange.day import export_day
from naas_centre.services import certificates, planning
from naas_centre.services.views import Actor
from ui.common import error_reporting
from ui.common.widgets import label, primary_button
from ui.common.work_status import WorkStatus
from ui.work.tasks import Task, TaskManager

if TYPE_CHECKING:
    from db.engine import Database

SUFFIX = ".naasbundle"


@dataclass(frozen=True)
class PlannedRoom:
    id: str
    name: str


@dataclass(frozen=True)
class RoomOutcome:
    """What one room's file holds, or the one plain reason it was refused."""

    room: str
    path: Path
    sittings: int = 0
    people: int = 0
    rows: int = 0
    refused: str | None = None

    def line(self) -> str:
        if self.refused:
            return f"{self.room}: refused: {self.refused} No file was written for this room."
        return (
            f"{self.room}: {self.sittings} sitting(s), {self.people} people, {self.rows} record(s) "
            f"in all: {self.path.name}."
        )


@dataclass(frozen=True)
class Prepared:
    outcomes: tuple[RoomOutcome, ...]
    asked: int  # rooms ticked; fewer outcomes means it was stopped

    @property
    def stopped(self) -> bool:
        return len(self.outcomes) < self.asked


def bundle_name(room: str, day: date) -> str:
    """``day-oak-room-2025-03-02.naasbundle``: the room and the day, safe in any folder."""
    slug = re.sub(r"[^a-z0-9]+", "-", room.lower()).strip("-") or "room"
    return f"day-{slug}-{day.isoformat()}{SUFFIX}"


def planned_rooms(db: Database, actor: Actor, day: date) -> list[PlannedRoom] | None:
    """The rooms of the day's plan (its stations', then the written exercise's), None
    when the day has no plan."""
    plan = planning.day_plan(db, actor, day)
    if plan is None:
        return None
    rooms: dict[str, str] = {}
    for station in plan.stations:
        rooms.setdefault(station.room_id, station.room)
    if plan.written_room_id and plan.written_room:
        rooms.setdefault(plan.written_room_id, plan.written_room)
    return [PlannedRoom(i, n) for i, n in rooms.items()]


def _prepare(
    task: Task[Any],
    db: Database,
    actor: Actor,
    data_dir: Path,
    password: str,
    passphrase: str,
    day: date,
    rooms: list[PlannedRoom],
    folder: Path,
) -> Prepared:
    """In a worker: unlock once (a wrong password refuses it all), then each room in turn,
    stopping between rooms once Stop is pressed."""
    total = len(rooms) + 1
    task.progress(0, total, "Unlocking your signing key…")
    signer = signer_of(certificates.unlock_signer(db, actor, password, data_dir))
    outcomes: list[RoomOutcome] = []
    for n, room in enumerate(rooms, start=1):
        if task.cancelled:
            break
        target = folder / bundle_name(room.name, day)
        task.progress(n, total, f"Writing {room.name}'s file ({n} of {len(rooms)})…")
        try:
            done = export_day(db, actor, room.id, day, target, passphrase, signer)
        except Exception as exc:  # one room's refusal (or a bug, logged) never stops the rest
            outcomes.append(RoomOutcome(room.name, target, refused=error_reporting.plain_message(exc)))
        else:
            outcomes.append(RoomOutcome(room.name, done.info.path, done.sittings, done.people, done.rows))
    task.progress(len(outcomes) + 1, total, "")
    return Prepared(tuple(outcomes), len(rooms))


class PrepareWorkstationsDialog(QDialog):
    """``PrepareWorkstationsDialog(tasks, db, actor, data_dir, parent, day=None, folder=None)``;
    ``rooms_loaded`` says the day's rooms are listed (none: no plan that day);
    ``prepared`` carries a ``Prepared`` once every ticked room was tried (or Stop was pressed)."""

    rooms_loaded = Signal(object)  # list[PlannedRoom] | None
    prepared = Signal(object)  # Prepared
    progressed = Signal(int, int, str)

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
        self.setObjectName("PrepareWorkstationsDialog")
        self.setWindowTitle("Prepare room workstations")
        self.tasks, self.db, self.actor, self.data_dir = tasks, db, actor, data_dir
        self.last: Prepared | None = None
        self._task: Task[Prepared] | None = None
        self._reading = False
        self._rooms: list[PlannedRoom] | None = None

        box = QVBoxLayout(self)
        box.addWidget(
            label(
                "Writes one file per room for the day: its sittings, candidates, scenario pack and "
                "the accounts of the people who work there, signed by you, "
                f"{actor.display_name}, and encrypted under the centre's passphrase. "
                "Carry each file to its room's workstation and set it up from the file there.",
                wrap=True,
            )
        )
        form = QFormLayout()
        shown = day or date.today()
        self.day = QDateEdit(QDate(shown.year, shown.month, shown.day))
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("d MMMM yyyy")
        self.day.dateChanged.connect(lambda *_: self._load_rooms())
        form.addRow(label("&Day", buddy=self.day), self.day)
        self.rooms = QListWidget()
        self.rooms.setObjectName("prepare_rooms")
        self.rooms.setMaximumHeight(130)
        form.addRow(label("&Rooms", buddy=self.rooms), self.rooms)
        self.folder = QLineEdit(str(folder or Path.home()))
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._choose_folder)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        form.addRow(label("&Folder", buddy=self.folder), row)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(label("Your pass&word", buddy=self.password), self.password)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(label("Centre &passphrase", buddy=self.passphrase), self.passphrase)
        self.passphrase_again = QLineEdit()
        self.passphrase_again.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(label("Passphrase &again", buddy=self.passphrase_again), self.passphrase_again)
        box.addLayout(form)

        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self._close_or_stop)
        self.start_button = primary_button("Prepare")
        self.start_button.clicked.connect(self.start)
        self.work = WorkStatus("prepare_status", self.start_button, self.close_button, stoppable=True)
        self.bar, self.status = self.work.bar, self.work.status
        self.work.add_to(box)
        self.summary = QPlainTextEdit()
        self.summary.setObjectName("prepare_summary")
        self.summary.setReadOnly(True)
        self.summary.setVisible(False)
        self.summary.setMaximumHeight(150)  # the status above keeps its lines
        box.addWidget(self.summary)
        box.addStretch(1)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.start_button)
        box.addLayout(buttons)
        self.resize(660, 660)
        self._load_rooms()

    @property
    def running(self) -> bool:
        return self._task is not None

    def chosen_day(self) -> date:
        d = self.day.date()
        return date(d.year(), d.month(), d.day())

    def ticked_rooms(self) -> list[PlannedRoom]:
        return [
            self.rooms.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.rooms.count())
            if self.rooms.item(i).checkState() == Qt.CheckState.Checked
        ]

    def _load_rooms(self) -> None:
        self._rooms = None
        self.rooms.clear()
        day = self.chosen_day()
        self.tasks.run(
            planned_rooms,
            self.db,
            self.actor,
            day,
            on_done=lambda rooms: self._rooms_found(day, rooms),
            on_error=self._failed_to_list,
            owner=self,
        )

    def _rooms_found(self, day: date, rooms: list[PlannedRoom] | None) -> None:
        if day != self.chosen_day():  # the day was changed meanwhile: its own answer follows
            return
        self._rooms = rooms
        self.rooms.clear()
        for room in rooms or []:
            item = QListWidgetItem(room.name)
            item.setData(Qt.ItemDataRole.UserRole, room)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.rooms.addItem(item)
        if rooms is None:
            self.work.say(f"{day:%d %B %Y}: no day is planned then; plan it before preparing rooms.", "error")
        elif not rooms:
            self.work.say(
                f"{day:%d %B %Y}: the plan has no rooms yet; give its stations rooms first.", "error"
            )
        elif not self.running:
            self.work.say("", "")
        self.rooms_loaded.emit(rooms)

    def _failed_to_list(self, exc: BaseException) -> None:
        self.work.say(error_reporting.plain_message(exc), "error")
        self.rooms_loaded.emit(None)

    def start(self) -> None:
        if self.running:
            return
        day = self.chosen_day()
        rooms = self.ticked_rooms()
        folder = Path(self.folder.text().strip()).expanduser() if self.folder.text().strip() else None
        problem = (
            f"{day:%d %B %Y}: no day is planned then; plan it before preparing rooms."
            if self._rooms is None
            else "Tick at least one room to prepare."
            if not rooms
            else "Choose the folder to write the rooms' files into."
            if folder is None
            else f"{folder}: no such folder; choose one that exists."
            if not folder.is_dir()
            else "Type your password: it unlocks your signing key."
            if not self.password.text()
            else "Type the centre's passphrase."
            if not self.passphrase.text()
            else "The two passphrases differ: type the centre's passphrase again, the same in both."
            if self.passphrase.text() != self.passphrase_again.text()
            else ""
        )
        if problem:
            self.work.say(problem, "error")
            return
        assert folder is not None
        self.summary.clear()
        self.summary.setVisible(False)
        task = self._task = self.tasks.long(
            _prepare,
            self.db,
            self.actor,
            self.data_dir,
            self.password.text(),
            self.passphrase.text(),
            day,
            rooms,
            folder,
            on_done=self._done,
            on_error=self._failed,
            on_progress=self._progress,
            owner=self,
            name="prepare_workstations",
        )
        self.work.began(self, task, len(rooms) + 1, "Unlocking your signing key…")

    def stop(self) -> None:
        if self._task is None:
            return
        self._task.cancel()
        if not self._reading:
            # Not begun: a task cancelled before it starts reports nothing, so finish here.
            self._finish()
            self.work.say("Stopped before any room was written: nothing was written.", "")
            return
        self.close_button.setText("Close")
        self.work.say("Stopping after the room in hand…", "pending")

    def _progress(self, done: int, _total: int, step: str) -> None:
        self._reading = True
        self.work.progressed(done)
        if step:
            self.work.say(step, "")
        self.progressed.emit(done, _total, step)

    def _done(self, result: Prepared) -> None:
        self._finish()
        self.last = result
        self.password.clear()
        self.summary.setPlainText("\n".join(o.line() for o in result.outcomes))
        self.summary.setVisible(bool(result.outcomes))
        refused = sum(1 for o in result.outcomes if o.refused)
        written = len(result.outcomes) - refused
        folder = result.outcomes[0].path.parent if result.outcomes else None
        text = f"{written} of {result.asked} room file(s) written" + (f" to {folder}" if written else "")
        text += f", {refused} refused." if refused else "."
        if result.stopped:
            text = f"Stopped: {text} The other rooms were not written."
        self.work.say(text, "error" if refused else "pending" if result.stopped else "saved")
        self.prepared.emit(result)

    def _failed(self, exc: BaseException) -> None:
        self._finish()
        self.work.failed(exc, "No file was written.")

    def _finish(self) -> None:
        self._task = None
        self._reading = False
        self.work.finished()

    def _close_or_stop(self) -> None:
        if self._task is not None and not self._task.cancelled:
            self.stop()
            return
        self.accept()

    def _choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Write the rooms' files into", self.folder.text())
        if chosen:
            self.folder.setText(chosen)
