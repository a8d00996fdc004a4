"""A day's sittings as a table (an assessor's list), and the progress bar painted in it.

In a circuit an assessor observes only some stations of each sitting: the row says
which, and shows the time and room of their own first station (its visit), not the
sitting's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from naas_centre.formatting import local_time
from naas_centre.services.sittings import AssessorSitting
from naas_centre.services.views import SittingSummary
from ui.common import theme

Index = QModelIndex | QPersistentModelIndex
PROGRESS_ROLE = Qt.ItemDataRole.UserRole + 10
ID_ROLE = Qt.ItemDataRole.UserRole + 11

COLUMNS = ("Time", "Room", "Your stations", "Candidate", "Employer", "Level", "Attempt", "Scored", "Status")
SCORED_COLUMN = COLUMNS.index("Scored")
# "Your stations" can run to three stations with times and rooms: it shares the width
# (cut short with "…", the whole in the row's tooltip) rather than push the candidate off
# a 1366-pixel screen.
STRETCHED_COLUMNS = (COLUMNS.index("Your stations"), COLUMNS.index("Candidate"), COLUMNS.index("Employer"))


def when_and_where(s: SittingSummary) -> tuple[str, str]:
    """The time and room an assessor goes to: their first station's, else the sitting's."""
    if isinstance(s, AssessorSitting) and s.observed:
        first = min(s.observed, key=lambda st: st.starts_at)
        return local_time(first.starts_at), first.room
    return local_time(s.starts_at), s.room


def stations_text(s: SittingSummary) -> str:
    """Which stations are the assessor's: "All stations", or each with its time and room."""
    if not isinstance(s, AssessorSitting) or s.every_station:
        return "All stations"
    if not s.observed:
        return "None"
    return "; ".join(f"{st.title}, {local_time(st.starts_at)}, {st.room}" for st in s.observed)


def status_text(s: SittingSummary) -> str:
    sheets = len(s.assessors)
    if s.status == "withdrawn":
        return "Withdrawn"
    if sheets and s.submitted >= sheets:
        return "Submitted"
    if s.submitted:
        return f"{s.submitted} of {sheets} submitted"
    if s.criteria_scored:
        return "In progress"
    return "Not started"


class SittingsTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.sittings: list[SittingSummary] = []

    def set_sittings(self, sittings: Sequence[SittingSummary]) -> None:
        self.beginResetModel()
        self.sittings = list(sittings)
        self.endResetModel()

    def sitting_at(self, row: int) -> SittingSummary | None:
        return self.sittings[row] if 0 <= row < len(self.sittings) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.sittings)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def sitting_id(self, row: int) -> str | None:
        return self.sittings[row].id if 0 <= row < len(self.sittings) else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        s = self.sittings[index.row()]
        col = index.column()
        if role == ID_ROLE:
            return s.id
        if role == PROGRESS_ROLE and col == SCORED_COLUMN:
            return s.criteria_scored / s.criteria_total if s.criteria_total else 0.0
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            time, room = when_and_where(s)
            return (
                time,
                room,
                stations_text(s),
                s.candidate_name,
                s.candidate_employer,
                s.level.capitalize(),
                str(s.attempt),
                f"{s.criteria_scored} / {s.criteria_total}",
                status_text(s),
            )[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            return (
                f"{s.pack_title}\nYour stations: {stations_text(s)}\n"
                f"Assessors: {', '.join(s.assessors) or 'none yet'}"
            )
        return None


class ProgressDelegate(QStyledItemDelegate):
    """A thin bar under the "12 / 30" text: how much of the sheet is scored."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        fraction = index.data(PROGRESS_ROLE)
        if fraction is None:
            super().paint(painter, option, index)
            return
        c = theme.colours()
        painter.save()
        style = option.widget.style() if option.widget else None
        if style is not None:
            style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, option.widget)
        rect = option.rect.adjusted(8, 6, -8, -6)
        painter.setPen(QColor(c.text))
        text_rect = QRect(rect.left(), rect.top(), rect.width(), rect.height() - 8)
        painter.drawText(
            text_rect,
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            index.data(Qt.ItemDataRole.DisplayRole),
        )
        bar = QRect(rect.left(), rect.bottom() - 5, min(rect.width(), 140), 5)
        painter.fillRect(bar, QColor(c.grid))
        done = QRect(bar.left(), bar.top(), int(bar.width() * float(fraction)), bar.height())
        painter.fillRect(done, QColor(c.saved if fraction >= 1 else c.progress))
        painter.restore()
