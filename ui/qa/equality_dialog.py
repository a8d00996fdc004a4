"""Equality monitoring, for the quality-assurance lead: counts by group, never people.

The service refuses anyone else and hands out only counts, with groups smaller than
``SMALLEST_GROUP`` suppressed; this dialog shows exactly that and nothing more.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from naas_centre.qa.disclosure import Period
from naas_centre.services.equality import FIELDS, SMALLEST_GROUP, GroupCount
from naas_centre.services.views import Actor
from ui.common import error_reporting
from ui.common.widgets import card, label, set_role
from ui.work.tasks import TaskManager

if TYPE_CHECKING:
    from db.engine import Database

FIELD_TITLES = {"age_band": "Age band", "ethnicity": "Ethnicity", "disability": "Disability", "sex": "Sex"}
SUPPRESSED = f"fewer than {SMALLEST_GROUP}"


def read_aggregate(db: Database, actor: Actor, period: Period, today: date) -> list[GroupCount]:
    from naas_centre.services import equality

    return equality.aggregate(db, actor, period, today=today)


def _today() -> date:
    """The centre's date (its days run in the centre's time zone, as the services' do)."""
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("Europe/London")).date()


class EqualityDialog(QDialog):
    loaded = Signal()

    def __init__(
        self,
        tasks: TaskManager,
        db: Database,
        actor: Actor,
        parent: QWidget | None = None,
        *,
        today: Callable[[], date] = _today,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("EqualityDialog")
        self.setWindowTitle("Equality monitoring")
        self.resize(960, 700)
        self.tasks = tasks
        self.db = db
        self.actor = actor
        self.tables: dict[str, QTableWidget] = {}
        self.today = today

        box = QVBoxLayout(self)
        box.setContentsMargins(18, 14, 18, 12)
        box.setSpacing(10)
        box.addWidget(label("Equality monitoring: counts by group", "heading"))
        note = card("banner")
        note.setObjectName("equality_note")
        note_box = QVBoxLayout(note)
        note_box.setContentsMargins(12, 8, 12, 8)
        self.note = label(
            "These are counts of candidates by group, from the monitoring answers they chose to give, "
            "for a period that has ended. No individual is ever shown, here or anywhere else in "
            f"naas-centre: a group of fewer than {SMALLEST_GROUP} people, and any count that would let "
            f"one be worked out, is shown as “{SUPPRESSED}”, so that no one can be picked out.",
            wrap=True,
        )
        note_box.addWidget(self.note)
        box.addWidget(note)
        # Figures are given for a period that has ended only: counts over all time would
        # change with each new candidate, and comparing them before and after would tell
        # that one candidate's answers.
        last = today() - timedelta(days=1)
        self.start = QDateEdit(QDate(last.year, last.month, last.day).addYears(-1))
        self.end = QDateEdit(QDate(last.year, last.month, last.day))
        for edit, name in ((self.start, "From"), (self.end, "To")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
            edit.setAccessibleName(f"{name} (the days the figures cover)")
        self.show_button = QPushButton("Show")
        self.show_button.clicked.connect(self.reload)
        period = QHBoxLayout()
        for text, widget in (("From", self.start), ("to", self.end)):
            period.addWidget(label(text, buddy=widget))
            period.addWidget(widget)
        period.addWidget(self.show_button)
        period.addStretch(1)
        box.addLayout(period)
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
        self.reload()

    def period(self) -> Period:
        start, end = self.start.date(), self.end.date()
        return Period(
            date(start.year(), start.month(), start.day()), date(end.year(), end.month(), end.day())
        )

    def reload(self) -> None:
        self.status.setText("Counting…")
        set_role(self.status, "muted")
        self.tasks.run(
            read_aggregate,
            self.db,
            self.actor,
            self.period(),
            self.today(),
            on_done=self._loaded,
            on_error=self._failed,
            owner=self,
            name="equality_aggregate",
        )

    def _failed(self, exc: BaseException) -> None:
        for table in self.tables.values():
            table.setRowCount(0)
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
