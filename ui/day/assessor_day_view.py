"""An assessor's day: the sittings assigned to them, nearest day first, to open and score.

Each row says which of the sitting's stations are the assessor's, and when and where.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from naas_centre.services.views import Actor, SittingSummary
from ui.common.widgets import label
from ui.day.day_page import DayPage
from ui.day.sittings_table_model import (
    SCORED_COLUMN,
    STRETCHED_COLUMNS,
    ProgressDelegate,
    SittingsTableModel,
)
from ui.work.tasks import TaskManager

if TYPE_CHECKING:
    from db.engine import Database


class AssessorDayView(DayPage):
    heading = "Your sittings"

    def __init__(self, tasks: TaskManager, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(tasks, db, actor, parent)
        self.setObjectName("AssessorDayView")
        self.title.setText(f"Sittings assigned to {actor.display_name}")
        self.model = SittingsTableModel(self)
        self.table = QTableView()
        self.table.setObjectName("assessor_sittings")
        self.table.setAccessibleName("Your sittings on this day")
        self.table.setTabKeyNavigation(False)  # arrows move between sittings; Tab moves on
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(SCORED_COLUMN, ProgressDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(46)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for column in STRETCHED_COLUMNS:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(70)
        self.table.activated.connect(self._open)  # a double-click, or Enter
        self.box.addWidget(self.table, 1)
        self.hint = label(
            "Double-click a sitting, or choose it and press Enter, to open its rubric.", "muted"
        )
        self.box.addWidget(self.hint)

    @staticmethod
    def read_day(db: Database, actor: Actor, day: date) -> list[SittingSummary]:
        from naas_centre.services import sittings

        return sittings.list_for_assessor(db, actor, day)

    def show_day(self, day: date, result: list[SittingSummary]) -> None:
        self.model.set_sittings(result)
        if result:
            self.status.setText(
                f"{len(result)} sitting{'s' if len(result) != 1 else ''} for you on this day."
            )
            self.table.selectRow(0)
        else:
            self.status.setText("No sittings for you on this day.")

    def focus_body(self) -> None:
        self.table.setFocus()

    def selected_sitting(self) -> SittingSummary | None:
        return self.model.sitting_at(self.table.currentIndex().row())

    def _open(self, index: QModelIndex) -> None:
        sitting_id = self.model.sitting_id(index.row())
        if sitting_id:
            self.sitting_opened.emit(sitting_id)
