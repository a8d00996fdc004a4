"""A calibration exercise in the scoring screen: the recorded station's rubric grid (the
same station panel an assessor scores a sitting in) beside the recording's player.

Each level goes through ``PendingWrites`` like any score, shown as saved only once the
database has it; levels a crash left in the journal are replayed when the exercise
opens. "Finish" fixes the levels (every criterion scored) and shows where the
assessor stands: per criterion, their level, the level the panel agreed, and how many
colleagues who have finished chose the same level. Colleagues are counted, never named.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from naas_centre.services import calibration, recordings
from naas_centre.services.calibration import AttemptView, Standing
from naas_centre.services.views import Actor, StationView
from naas_centre.writes import ops
from ui.common import error_reporting
from ui.common.widgets import label, primary_button
from ui.scoring.station_panel import StationPanel
from ui.video.recording_player import PlayerSource, RecordingPlayer, player_source
from ui.work.pending_writes import PendingWrites, WriteItem

if TYPE_CHECKING:
    from db.engine import Database
    from ui.work.tasks import TaskManager


@dataclass(frozen=True)
class Opened:
    attempt: AttemptView
    source: PlayerSource | None
    standing: Standing | None  # once finished
    why_no_player: str


def open_exercise(db: Database, actor: Actor, data_dir: Path, exercise_id: str) -> Opened:
    """Runs on the write worker: the attempt (begun if new), the recording's index, and
    the standing when the attempt is finished."""
    attempt = calibration.open_attempt(db, actor, exercise_id)
    source, why = None, ""
    try:
        source = player_source(data_dir / attempt.folder, passphrase=recordings.media_passphrase(db))
    except Exception as exc:  # a missing or damaged folder: the grid still works
        why = str(exc) if error_reporting.is_user_error(exc) else "The recording could not be read."
    done = calibration.standing(db, actor, exercise_id) if attempt.finished else None
    return Opened(attempt, source, done, why)


class CalibrationView(QWidget):
    loaded = Signal()
    level_saved = Signal(str, object)  # criterion id, level
    finished = Signal(object)  # Standing

    def __init__(
        self,
        tasks: TaskManager,
        db: Database,
        actor: Actor,
        data_dir: Path,
        exercise_id: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("CalibrationView")
        self.tasks, self.db, self.actor, self.exercise_id = tasks, db, actor, exercise_id
        self.pending = PendingWrites.for_database(tasks, db)
        self.panel: StationPanel | None = None
        self.attempt: AttemptView | None = None
        self.standing: Standing | None = None
        box = QVBoxLayout(self)
        box.setContentsMargins(10, 6, 10, 4)
        self.heading = label("Opening the exercise…", "heading", wrap=True)
        self.heading.setObjectName("calibration_heading")
        box.addWidget(self.heading)
        self.explain = label(
            "Watch the recording and score it as you would on the day. When you finish, your "
            "levels are fixed and you see the levels the panel agreed.",
            "muted",
            wrap=True,
        )
        box.addWidget(self.explain)
        self.body = QVBoxLayout()
        box.addLayout(self.body, 1)
        self.result = QTableWidget(0, 4)
        self.result.setObjectName("calibration_standing")
        self.result.setHorizontalHeaderLabels(["Criterion", "Your level", "Agreed level", "Colleagues"])
        self.result.verticalHeader().hide()
        self.result.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.result.setWordWrap(True)
        header = self.result.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.result.hide()
        self.summary = label("", "heading", wrap=True)
        self.summary.setObjectName("calibration_summary")
        self.summary.hide()
        box.addWidget(self.summary)
        box.addWidget(self.result, 1)
        bottom = QHBoxLayout()
        self.progress = label("", "muted")
        self.progress.setObjectName("calibration_progress")
        bottom.addWidget(self.progress, 1)
        self.finish_button = primary_button("Finish and see where I stand")
        self.finish_button.setObjectName("calibration_finish")
        self.finish_button.setEnabled(False)
        self.finish_button.clicked.connect(self.finish)
        bottom.addWidget(self.finish_button)
        box.addLayout(bottom)
        self.player = RecordingPlayer()
        tasks.write(
            open_exercise,
            db,
            actor,
            data_dir,
            exercise_id,
            on_done=self._opened,
            on_error=self._failed,
            owner=self,
            name="open_calibration",
        )

    def close_down(self) -> None:
        self.player.release()

    # -- opening ---------------------------------------------------------------------------

    def _failed(self, exc: BaseException) -> None:
        self.heading.setText(
            str(exc) if error_reporting.is_user_error(exc) else "The exercise could not be opened."
        )
        if not error_reporting.is_user_error(exc):
            error_reporting.log_bug(exc)

    def _opened(self, opened: Opened) -> None:
        attempt = self.attempt = opened.attempt
        ex = attempt.exercise
        self.heading.setText(f"Calibration: {ex.title} ({ex.station_title})")
        station = StationView(ex.station_id, ex.station_title, "role_play", None)
        panel = StationPanel(attempt.pack, station, attempt.rubric, can_run_clock=False, notes=False)
        # Levels only: no clock runs and no overall judgement is given in calibration.
        panel.timer.hide()
        panel.judgement.hide()
        panel.keys_hint.setText(f"Keys: ↑ ↓ criterion · 1–{len(panel.model.levels)} level · Del clears")
        panel.model.load(attempt.levels)
        panel.level_chosen.connect(self._record_level)
        panel.add_beside_clock(self.player)
        panel.splitter.setSizes([760, 600])
        self.panel = panel
        self.body.addWidget(panel)
        if opened.source is not None:
            self.player.load(opened.source)
        else:
            self.player.say(opened.why_no_player)
        if opened.standing is not None:
            self._show_standing(opened.standing)
        self._update_progress()
        # Levels kept in the journal by an earlier run that died before they reached the
        # disk (this account's, as a sitting replays them): queued again, shown when saved.
        self.pending.item_saved.connect(self._replayed_saved)
        if opened.standing is None:
            self.pending.replay_journal(self.actor)
        self.loaded.emit()

    # -- levels ----------------------------------------------------------------------------

    def _record_level(self, _station_id: str, criterion_id: str, level: int | None) -> None:
        if self.panel is None or self.standing is not None:
            return
        model = self.panel.model
        token = model.reserve(criterion_id, level)
        self.pending.submit(
            self.actor,
            ops.record_calibration_level(self.exercise_id, criterion_id, level),
            label=f"calibration level {level} for {criterion_id}" if level else f"clearing {criterion_id}",
            owner=self,
            on_saved=partial(self._level_saved, criterion_id, token, level),
            on_waiting=partial(model.retrying, criterion_id, token),
            on_refused=partial(self._level_failed, criterion_id, token),
        )
        model.show_pending(criterion_id)
        self.pending.settle_briefly()

    def _level_saved(self, criterion_id: str, token: int, level: int | None, _result: object) -> None:
        assert self.panel is not None
        self.panel.model.confirm(criterion_id, token, level)
        self.panel.grid.release_paint()
        self._update_progress()
        self.level_saved.emit(criterion_id, level)

    def _level_failed(self, criterion_id: str, token: int, exc: BaseException) -> None:
        assert self.panel is not None
        self.panel.model.revert(criterion_id, token)
        self.panel.grid.release_paint()
        self._update_progress()
        error_reporting.show_error(self, exc, "The level was not saved")

    def _replayed_saved(self, item: WriteItem) -> None:
        args = item.args
        if (
            self.panel is None
            or not item.replayed
            or item.op != "record_calibration_level"
            or args.get("exercise_id") != self.exercise_id
        ):
            return
        cid, level = str(args["criterion_id"]), args["level"]
        model = self.panel.model
        model.confirm(cid, model.reserve(cid, level), level)
        self._update_progress()
        self.level_saved.emit(cid, level)

    def _update_progress(self) -> None:
        if self.panel is None:
            return
        model = self.panel.model
        done, total = model.scored(), model.total()
        if self.standing is not None:
            self.progress.setText("Finished: your levels are fixed.")
        else:
            self.progress.setText(f"{done} of {total} criteria scored")
        self.finish_button.setEnabled(self.standing is None and done == total and total > 0)

    # -- finishing -------------------------------------------------------------------------

    def finish(self) -> None:
        if self.panel is None or self.attempt is None or self.standing is not None:
            return
        model = self.panel.model
        if any(model.is_saving(c.id) for c in self.attempt.rubric.criteria):
            self.progress.setText("Wait until every level is saved, then finish.")
            return
        self.finish_button.setEnabled(False)
        self.tasks.write(
            calibration.finish,
            self.db,
            self.actor,
            self.exercise_id,
            on_done=self._show_standing,
            on_error=self._finish_failed,
            owner=self,
            name="finish_calibration",
        )

    def _finish_failed(self, exc: BaseException) -> None:
        self._update_progress()
        error_reporting.show_error(self, exc, "The exercise was not finished")

    def _show_standing(self, standing: Standing) -> None:
        self.standing = standing
        if self.panel is not None:
            self.panel.set_read_only(True)
            self.panel.keys_hint.hide()
        self.explain.hide()
        n = len(standing.criteria)
        self.summary.setText(
            f"You chose the agreed level for {standing.agreed_count} of {n} criteria. "
            + _leaning(standing.mean_difference)
        )
        self.summary.show()
        self.result.setRowCount(n)
        for row, c in enumerate(standing.criteria):
            mark = "  ✓" if c.matches else ""
            cells = (c.text, f"{c.mine}{mark}", str(c.agreed), c.colleagues_text)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col in (1, 2):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.result.setItem(row, col, item)
        self.result.resizeRowsToContents()
        self.result.show()
        self._update_progress()
        self.finished.emit(standing)


def _leaning(mean: float) -> str:
    if abs(mean) < 0.25:
        return "On average your levels sit with the panel's."
    way = "above" if mean > 0 else "below"
    return f"On average your levels sit {abs(mean):.1f} of a level {way} the panel's."
