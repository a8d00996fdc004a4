"""Make a calibration exercise…: a manager or the QA lead chooses a consented recording,
gives it a title, and enters on the station's rubric grid the level the panel agreed for
each criterion. Nothing is saved until "Make the exercise"; the service checks it all.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QDialog, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from naas_centre.errors import UserError
from naas_centre.packs.schema import Pack, Rubric
from naas_centre.services import calibration, recordings
from naas_centre.services.calibration import ExerciseView
from naas_centre.services.views import Actor
from ui.common import error_reporting
from ui.common.rubric_grid import RubricGridView, RubricTableModel
from ui.common.widgets import label, primary_button
from ui.video.recording_player import PlayerSource, RecordingPlayer, player_source

if TYPE_CHECKING:
    from db.engine import Database
    from ui.work.tasks import TaskManager


def read_station(
    db: Database, actor: Actor, data_dir: Path, recording_id: str
) -> tuple[Pack, Rubric, str, PlayerSource | None]:
    """Runs in a worker: the recorded station's rubric, and the recording for the player."""
    pack, rubric, title, folder = calibration.recorded_station(db, actor, recording_id)
    try:
        source: PlayerSource | None = player_source(
            data_dir / folder, passphrase=recordings.media_passphrase(db)
        )
    except UserError:  # no index: the levels can be agreed without the picture
        source = None
    return pack, rubric, title, source


class MakeCalibrationDialog(QDialog):
    listed = Signal()
    station_shown = Signal()
    made = Signal(object)  # ExerciseView

    def __init__(
        self, tasks: TaskManager, db: Database, actor: Actor, data_dir: Path, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("MakeCalibrationDialog")
        self.setWindowTitle("Make a calibration exercise")
        self.tasks, self.db, self.actor, self.data_dir = tasks, db, actor, data_dir
        self.resize(1320, 760)
        box = QVBoxLayout(self)
        box.addWidget(
            label(
                "Choose a recording whose candidate and actor consented, give the exercise a "
                "title, and choose on the grid the level the panel agreed for every criterion.",
                "muted",
                wrap=True,
            )
        )
        row = QHBoxLayout()
        row.addWidget(label("Recording", "field-name"))
        self.recording = QComboBox()
        self.recording.setObjectName("calibration_recording")
        self.recording.currentIndexChanged.connect(lambda _i: self._show_station())
        row.addWidget(self.recording, 1)
        row.addWidget(label("Title", "field-name"))
        self.title = QLineEdit()
        self.title.setObjectName("calibration_title")
        self.title.setPlaceholderText("Say, “Home visit, March panel”")
        row.addWidget(self.title, 1)
        box.addLayout(row)
        middle = QHBoxLayout()
        self.grid = RubricGridView()
        self.grid.setObjectName("calibration_agreed_grid")
        self.grid.level_chosen.connect(self._agreed)
        middle.addWidget(self.grid, 3)
        self.player = RecordingPlayer()
        middle.addWidget(self.player, 2)
        box.addLayout(middle, 1)
        self.model: RubricTableModel | None = None
        bottom = QHBoxLayout()
        self.state = label("", "muted", wrap=True)
        self.state.setObjectName("calibration_make_state")
        bottom.addWidget(self.state, 1)
        self.make_button = primary_button("Make the exercise")
        self.make_button.setObjectName("calibration_make")
        self.make_button.clicked.connect(self.make)
        bottom.addWidget(self.make_button)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        bottom.addWidget(close)
        box.addLayout(bottom)
        self.finished.connect(lambda _r: self.player.release())
        tasks.run(
            calibration.usable_recordings,
            db,
            actor,
            on_done=self._listed,
            on_error=lambda exc: error_reporting.show_error(self, exc, "The recordings could not be read"),
            owner=self,
            name="calibration_recordings",
        )

    def _listed(self, rows: list[tuple[str, str]]) -> None:
        self.recording.blockSignals(True)
        for rid, text in rows:
            self.recording.addItem(text, rid)
        self.recording.blockSignals(False)
        if not rows:
            self.state.setText("No recording can be used: none has consent standing and its media kept.")
        self.make_button.setEnabled(bool(rows))
        self.listed.emit()
        self._show_station()

    def _show_station(self) -> None:
        rid = self.recording.currentData()
        if not isinstance(rid, str):
            return
        self.tasks.run(
            read_station,
            self.db,
            self.actor,
            self.data_dir,
            rid,
            on_done=self._station,
            on_error=lambda exc: error_reporting.show_error(self, exc, "The recording could not be read"),
            owner=self,
            name="calibration_station",
        )

    def _station(self, found: tuple[Pack, Rubric, str, PlayerSource | None]) -> None:
        pack, rubric, title, source = found
        self.model = RubricTableModel(pack, "", rubric, self)
        self.grid.setModel(self.model)
        if not self.title.text():
            self.title.setText(title)
        if source is not None:
            self.player.load(source)
        self.station_shown.emit()

    def _agreed(self, criterion_id: str, level: int | None) -> None:
        if self.model is not None:  # kept on screen until the exercise is made
            self.model.confirm(criterion_id, self.model.reserve(criterion_id, level), level)

    def agreed(self) -> dict[str, int]:
        if self.model is None:
            return {}
        found = {row: self.model.criterion_at(row) for row in self.model.criterion_rows()}
        levels = {c.id: self.model.level_of(c.id) for c in found.values() if c is not None}
        return {cid: level for cid, level in levels.items() if level is not None}

    def make(self) -> None:
        rid = self.recording.currentData()
        if not isinstance(rid, str):
            return
        self.make_button.setEnabled(False)
        self.tasks.write(
            calibration.make_exercise,
            self.db,
            self.actor,
            rid,
            self.title.text(),
            self.agreed(),
            on_done=self._made,
            on_error=self._refused,
            owner=self,
            name="make_calibration",
        )

    def _made(self, made: ExerciseView) -> None:
        self.make_button.setEnabled(True)
        self.state.setText(f"“{made.title}” is ready: assessors find it under Calibration…")
        self.made.emit(made)

    def _refused(self, exc: BaseException) -> None:
        self.make_button.setEnabled(True)
        if error_reporting.is_user_error(exc):
            self.state.setText(str(exc))
        else:
            error_reporting.show_error(self, exc, "The exercise was not made")
