"""Calibration…: the exercises open to the assessor, and one of them in the scoring screen.

The list says of each whether they have started or finished it; opening one shows it
in ``CalibrationView`` (the grid beside the recording), where a finished one shows
where they stood.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from naas_centre.services import calibration
from naas_centre.services.calibration import ExerciseView
from naas_centre.services.views import Actor
from ui.common import error_reporting
from ui.common.widgets import label, primary_button
from ui.scoring.calibration_view import CalibrationView

if TYPE_CHECKING:
    from db.engine import Database
    from ui.work.tasks import TaskManager

STATES = {"not started": "not started", "started": "started, not finished", "finished": "finished"}


class CalibrationDialog(QDialog):
    listed = Signal()
    opened = Signal(object)  # the CalibrationView

    def __init__(
        self, tasks: TaskManager, db: Database, actor: Actor, data_dir: Path, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("CalibrationDialog")
        self.setWindowTitle("Calibration")
        self.tasks, self.db, self.actor, self.data_dir = tasks, db, actor, data_dir
        self.view: CalibrationView | None = None
        self.resize(1360, 780)
        screen = self.screen()
        if screen is not None:
            room = screen.availableGeometry()
            self.resize(min(1360, room.width() - 40), min(780, room.height() - 48))
        outer = QVBoxLayout(self)
        self.stack = QStackedWidget()
        outer.addWidget(self.stack)

        page = QWidget()
        box = QVBoxLayout(page)
        box.addWidget(label("Calibration exercises", "heading"))
        box.addWidget(
            label(
                "Score a recorded role-play before the day, then compare your levels with the "
                "levels a panel agreed. Colleagues' choices are shown as counts only.",
                "muted",
                wrap=True,
            )
        )
        self.list = QListWidget()
        self.list.setObjectName("calibration_exercises")
        self.list.itemActivated.connect(lambda _item: self.open_current())
        self.list.currentRowChanged.connect(lambda _row: self._update())
        box.addWidget(self.list, 1)
        self.empty = label("", "muted", wrap=True)
        box.addWidget(self.empty)
        row = QHBoxLayout()
        row.addStretch(1)
        self.open_button = primary_button("Open")
        self.open_button.setObjectName("calibration_open")
        self.open_button.clicked.connect(self.open_current)
        row.addWidget(self.open_button)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        row.addWidget(close)
        box.addLayout(row)
        self.stack.addWidget(page)
        self.exercises: list[ExerciseView] = []
        self.reload()

    def reload(self) -> None:
        self.tasks.run(
            calibration.exercises,
            self.db,
            self.actor,
            on_done=self._listed,
            on_error=lambda exc: error_reporting.show_error(self, exc, "The exercises could not be read"),
            owner=self,
            name="calibration_exercises",
        )

    def _listed(self, exercises: list[ExerciseView]) -> None:
        self.exercises = exercises
        self.list.clear()
        for ex in exercises:
            item = QListWidgetItem(
                f"{ex.title} — {ex.station_title} ({STATES.get(ex.mine, ex.mine)})", self.list
            )
            item.setData(Qt.ItemDataRole.UserRole, ex.id)
        self.empty.setText("" if exercises else "There is no calibration exercise to do yet.")
        if exercises:
            self.list.setCurrentRow(0)
        self._update()
        self.listed.emit()

    def _update(self) -> None:
        self.open_button.setEnabled(self.list.currentRow() >= 0)

    def open_current(self) -> None:
        row = self.list.currentRow()
        if row < 0:
            return
        self.open_exercise(self.exercises[row].id)

    def open_exercise(self, exercise_id: str) -> None:
        view = CalibrationView(self.tasks, self.db, self.actor, self.data_dir, exercise_id)
        back = QPushButton("← All exercises")
        back.setObjectName("calibration_back")
        back.clicked.connect(self.back_to_list)
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(back, 0, Qt.AlignmentFlag.AlignLeft)
        box.addWidget(view, 1)
        self.view = view
        self.stack.addWidget(page)
        self.stack.setCurrentWidget(page)
        self.opened.emit(view)

    def back_to_list(self) -> None:
        page = self.stack.currentWidget()
        if self.view is not None:
            self.view.close_down()
            self.view = None
        self.stack.setCurrentIndex(0)
        if page is not None and self.stack.indexOf(page) > 0:
            self.stack.removeWidget(page)
            page.deleteLater()
        self.reload()

    def done(self, result: int) -> None:
        if self.view is not None:
            self.view.close_down()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.view is not None:
            self.view.close_down()
        super().closeEvent(event)
