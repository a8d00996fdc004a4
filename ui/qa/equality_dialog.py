"""Equality monitoring, for the quality-assurance lead: counts by group, never people.

The service refuses anyone else and hands out only counts, with groups smaller than
``SMALLEST_GROUP`` suppressed; this dialog shows exactly that and nothing more.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHeaderView,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from naas_centre.services.equality import FIELDS, SMALLEST_GROUP, GroupCount
from naas_centre.services.views import Actor
from ui.common import error_reporting
from ui.common.widgets import card, label, set_role
from ui.work.tasks import TaskManager

if TYPE_CHECKING:
    from db.engine import Database

FIELD_TITLES = {"age_band": "Age band", "ethnicity": "Ethnicity", "disability": "Disability", "sex": "Sex"}
SUPPRESSED = f"fewer than {SMALLEST_GROUP}"


def read_aggregate(db: Database, actor: Actor) -> list[GroupCount]:
    from naas_centre.services import equality

    return equality.aggregate(db, actor)


class EqualityDialog(QDialog):
    loaded = Signal()

    def __init__(self, tasks: TaskManager, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("EqualityDialog")
        self.setWindowTitle("Equality monitoring")
        self.resize(960, 700)
        self.tasks = tasks
        self.db = db
        self.actor = actor
        self.tables: dict[str, QTableWidget] = {}

        box = QVBoxLayout(self)
        box.setContentsMargins(18, 14, 18, 12)
        box.setSpacing(10)
        box.addWidget(label("Equality monitoring: counts by group", "heading"))
        note = card("banner")
        note.setObjectName("equality_note")
        note_box = QVBoxLayout(note)
        note_box.setContentsMargins(12, 8, 12, 8)
        self.note = label(
            "These are counts of candidates by group, from the monitoring answers they chose to give. "
            "No individual is ever shown, here or anywhere else in naas-centre: a group of fewer "
            f"than {SMALLEST_GROUP} people is shown as “{SUPPRESSED}”, so that no one can be picked out.",
            wrap=True,
        )
        note_box.addWidget(self.note)
        box.addWidget(note)
        self.status = label("Counting…", "muted")
        self.status.setObjectName("equality_status")
        box.addWidget(self.status)

        body = QWidget()
        grid = QGridLayout(body)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(12)
        for i, field in enumerate(FIELDS):
            frame = card()
            inner = QVBoxLayout(frame)
            inner.setContentsMargins(12, 10, 12, 10)
            inner.setSpacing(6)
            inner.addWidget(label(FIELD_TITLES.get(field, field), "heading"))
            table = QTableWidget(0, 2)
            table.setObjectName(f"equality_{field}")
            table.setHorizontalHeaderLabels(["Group", "Candidates"])
            table.verticalHeader().hide()
            table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
            table.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            table.setShowGrid(False)
            table.verticalHeader().setDefaultSectionSize(28)
            table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
            table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
            inner.addWidget(table)
            inner.addStretch(1)
            self.tables[field] = table
            grid.addWidget(frame, i // 2, i % 2)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        box.addWidget(scroll, 1)

        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        box.addWidget(close)
        self.tasks.run(
            read_aggregate,
            db,
            actor,
            on_done=self._loaded,
            on_error=self._failed,
            owner=self,
            name="equality_aggregate",
        )

    def _failed(self, exc: BaseException) -> None:
        self.status.setText(error_reporting.plain_message(exc))
        set_role(self.status, "error")
        self.loaded.emit()

    def _loaded(self, counts: list[GroupCount]) -> None:
        by_field: dict[str, list[GroupCount]] = defaultdict(list)
        for gc in counts:
            by_field[gc.field].append(gc)
        for field, table in self.tables.items():
            rows = by_field.get(field, [])
            table.setRowCount(len(rows))
            for i, gc in enumerate(rows):
                table.setItem(i, 0, QTableWidgetItem(gc.group))
                shown = QTableWidgetItem(SUPPRESSED if gc.count is None else str(gc.count))
                shown.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                table.setItem(i, 1, shown)
            rows_height = sum(table.rowHeight(i) for i in range(table.rowCount()))
            # Every group in view: a count hidden below a scroll bar is easy to miss.
            table.setFixedHeight(table.horizontalHeader().sizeHint().height() + rows_height + 4)
            table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        hidden = sum(1 for gc in counts if gc.count is None)
        self.status.setText(
            f"{hidden} of {len(counts)} groups are too small to count."
            if counts
            else "No monitoring data yet."
        )
        self.loaded.emit()

    def shown(self, field: str) -> dict[str, str]:
        """group → what the dialog shows for it (for tests)."""
        table = self.tables[field]
        out = {}
        for i in range(table.rowCount()):
            group, count = table.item(i, 0), table.item(i, 1)
            if group is not None and count is not None:
                out[group.text()] = count.text()
        return out
