"""The centre's day for managers, administrators and quality assurance.

A day planned as a circuit opens on its live board (``circuit_board``: stations by
slots, a card per candidate's visit). The list beside it, and the only view of a day
without a plan, has each room as a column and each start time as a row; a cell is one
sitting, with its candidate, assessors and how far the scoring has got. Once every sheet is in, the cell
says whether the sitting is ready for its reports, or what it still lacks (differences
to moderate, a script not submitted), from ``completeness``: the same rule the reports
apply, so the board never calls a sitting ready that the reports would refuse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from naas_centre.core.completeness import Missing, MissingKind, in_words
from naas_centre.formatting import local_time
from naas_centre.services.board import DayBoard
from naas_centre.services.views import Actor, DayOverview, SittingSummary
from ui.common import theme
from ui.common.widgets import label
from ui.day.circuit_board import CircuitBoard, read_board
from ui.day.day_page import DayPage
from ui.day.sittings_table_model import status_text
from ui.work.tasks import TaskManager

if TYPE_CHECKING:
    from db.engine import Database

Index = QModelIndex | QPersistentModelIndex
SITTING_ROLE = Qt.ItemDataRole.UserRole + 20
READINESS_ROLE = Qt.ItemDataRole.UserRole + 21


@dataclass(frozen=True)
class BoardDay:
    """What the board shows of a day: the sittings, and what each still lacks."""

    overview: DayOverview
    lacking: dict[str, tuple[Missing, ...]] = field(default_factory=dict)
    circuit: tuple[str, DayBoard] | None = None  # the data version and the circuit board


def readiness_text(s: SittingSummary, lacking: tuple[Missing, ...] | None) -> str:
    """A few words for the card once every sheet is in; "" while scoring goes on."""
    if lacking is None or s.status == "withdrawn" or not s.assessors or s.submitted < len(s.assessors):
        return ""
    if not lacking:
        return "ready for reports"
    moderate = sum(1 for m in lacking if m.kind == MissingKind.MODERATION_OUTSTANDING)
    if moderate:
        return f"{moderate} to moderate"
    if any(m.kind == MissingKind.WRITTEN_NOT_SUBMITTED for m in lacking):
        return "not ready: script not submitted"
    if any(m.kind == MissingKind.WRITTEN_NOT_WRITTEN for m in lacking):
        return "not ready: no written script"
    if any(m.kind == MissingKind.STATION_NOT_STARTED for m in lacking):
        return "not ready: a station was not held"
    if any(m.kind == MissingKind.KNOWLEDGE_NOT_SUBMITTED for m in lacking):
        return "not ready: knowledge test not submitted"
    if any(m.kind == MissingKind.KNOWLEDGE_NOT_SAT for m in lacking):
        return "not ready: knowledge test not sat"
    return f"not ready: {len(lacking)} missing"


class DayBoardTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rooms: list[str] = []
        self.slots: list[str] = []
        self.cells: dict[tuple[int, int], SittingSummary] = {}
        self.lacking: dict[str, tuple[Missing, ...]] = {}

    def set_overview(
        self, overview: DayOverview, lacking: dict[str, tuple[Missing, ...]] | None = None
    ) -> None:
        self.beginResetModel()
        self.lacking = dict(lacking or {})
        used = {s.room for s in overview.sittings}
        self.rooms = [r for r in overview.rooms if r in used] or list(overview.rooms)
        ordered = sorted(overview.sittings, key=lambda s: (s.starts_at, s.candidate_name))
        # Sittings that start together in one room (a circuit day's candidates all
        # "sit" in their first room) each get a row of their own: none is hidden.
        keyed: list[tuple[tuple[str, int], SittingSummary]] = []
        seen: dict[tuple[str, str], int] = {}
        for s in ordered:
            if s.room not in self.rooms:
                continue
            time = local_time(s.starts_at)
            n = seen[(time, s.room)] = seen.get((time, s.room), -1) + 1
            keyed.append(((time, n), s))
        rows = list(dict.fromkeys(key for key, _s in keyed))
        self.slots = [time for time, _n in rows]
        self.cells = {(rows.index(key), self.rooms.index(s.room)): s for key, s in keyed}
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.slots)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rooms)

    def sitting_at(self, row: int, column: int) -> SittingSummary | None:
        return self.cells.get((row, column))

    def flags(self, index: Index) -> Qt.ItemFlag:
        if self.sitting_at(index.row(), index.column()) is None:
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return self.rooms[section] if orientation == Qt.Orientation.Horizontal else self.slots[section]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        s = self.sitting_at(index.row(), index.column())
        if s is None:
            return None
        if role == SITTING_ROLE:
            return s
        if role == READINESS_ROLE:
            return readiness_text(s, self.lacking.get(s.id))
        if role == Qt.ItemDataRole.DisplayRole:
            return s.candidate_name
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            text = (
                f"{local_time(s.starts_at)}, {s.room}: {s.candidate_name}, {s.candidate_employer}. "
                f"{s.pack_title}. Assessors: {', '.join(s.assessors) or 'none'}. "
                f"{s.criteria_scored} of {s.criteria_total} scored; {status_text(s)}."
            )
            ready = readiness_text(s, self.lacking.get(s.id))
            if ready == "ready for reports":
                text += " Nothing is missing: the reports can be made and signed."
            elif ready:
                text += " " + in_words(self.lacking.get(s.id, ()))
            return text
        return None


class DayBoardDelegate(QStyledItemDelegate):
    PAD = 10

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        height = QFontMetrics(option.font).height()
        return QSize(240, 4 * height + 2 * self.PAD + 16)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        s: SittingSummary | None = index.data(SITTING_ROLE)
        c = theme.colours()
        painter.save()
        painter.fillRect(option.rect, QColor(c.window))
        if s is None:
            painter.restore()
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        card = option.rect.adjusted(5, 5, -5, -5)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.setBrush(QColor(c.chosen if selected else c.surface))
        painter.setPen(QPen(QColor(c.accent if selected else c.grid), 2 if selected else 1))
        painter.drawRoundedRect(card, 6, 6)

        inner = card.adjusted(self.PAD, self.PAD - 2, -self.PAD, -self.PAD)
        line = QFontMetrics(option.font).height()
        bold = QFont(option.font)
        bold.setWeight(QFont.Weight.DemiBold)
        painter.setFont(bold)
        painter.setPen(QColor(c.text))
        flags = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        metrics = QFontMetrics(bold)
        painter.drawText(
            QRect(inner.left(), inner.top(), inner.width(), line),
            flags,
            metrics.elidedText(s.candidate_name, Qt.TextElideMode.ElideRight, inner.width()),
        )
        painter.setFont(option.font)
        plain = QFontMetrics(option.font)
        painter.setPen(QColor(c.muted))
        rows = (
            f"{s.candidate_employer} · {s.level.capitalize()} · attempt {s.attempt}",
            "Assessors: " + (", ".join(s.assessors) or "none yet"),
        )
        for i, text in enumerate(rows, start=1):
            painter.drawText(
                QRect(inner.left(), inner.top() + i * line, inner.width(), line),
                flags,
                plain.elidedText(text, Qt.TextElideMode.ElideRight, inner.width()),
            )
        fraction = s.criteria_scored / s.criteria_total if s.criteria_total else 0.0
        top = inner.top() + 3 * line + 6
        bar = QRect(inner.left(), top + line // 2 - 3, min(120, inner.width() // 2), 6)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(c.grid))
        painter.drawRoundedRect(bar, 3, 3)
        painter.setBrush(QColor(c.saved if fraction >= 1 else c.progress))
        painter.drawRoundedRect(QRect(bar.left(), bar.top(), int(bar.width() * fraction), bar.height()), 3, 3)
        painter.setPen(QColor(c.text))
        progress = f"{s.criteria_scored}/{s.criteria_total} · {status_text(s)}"
        ready = index.data(READINESS_ROLE)
        if ready:
            progress += f" · {ready}"
        text_rect = QRect(bar.right() + 10, top, inner.right() - bar.right() - 10, line)
        painter.drawText(
            text_rect, flags, plain.elidedText(progress, Qt.TextElideMode.ElideRight, text_rect.width())
        )
        if option.state & QStyle.StateFlag.State_HasFocus:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(QColor(c.focus), 3))
            painter.drawRoundedRect(card.adjusted(1, 1, -1, -1), 6, 6)
        painter.restore()


class CentreDayView(DayPage):
    heading = "The centre's day"

    def __init__(self, tasks: TaskManager, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(tasks, db, actor, parent)
        self.setObjectName("CentreDayView")
        self.summary = label("", wrap=True)
        self.summary.setObjectName("day_summary")
        self.box.addWidget(self.summary)
        # Two views of the day: the circuit's board (when the day has a plan) and the list.
        switch = QHBoxLayout()
        switch.setSpacing(4)
        self.view_choice = QButtonGroup(self)
        self.board_button = QPushButton("Board")
        self.list_button = QPushButton("List")
        for i, (button, tip) in enumerate(
            (
                (
                    self.board_button,
                    "The circuit: each station by each slot, with every candidate's progress",
                ),
                (self.list_button, "Each room's sittings by start time"),
            )
        ):
            button.setCheckable(True)
            button.setToolTip(tip)
            self.view_choice.addButton(button, i)
            switch.addWidget(button)
        switch.addStretch(1)
        self.view_choice.idClicked.connect(self._view_chosen)
        self.box.addLayout(switch)
        self._list_chosen = False  # the person chose the list: keep it across days
        self._sittings: dict[str, SittingSummary] = {}
        self.pages = QStackedWidget()
        self.circuit = CircuitBoard(tasks, db, actor)
        self.circuit.sitting_opened.connect(self.sitting_opened)
        # The chosen sitting is the last one chosen in either view, so switching views
        # keeps it and the day's actions act on what the person last pointed at.
        self._chosen: str | None = None
        self.circuit.card_chosen.connect(self._choose)
        self.circuit.board_refreshed.connect(lambda _b: self._show_views())
        self.pages.addWidget(self.circuit)
        self.model = DayBoardTableModel(self)
        self.board = QTableView()
        self.board.setObjectName("day_board")
        self.board.setModel(self.model)
        self.board.setItemDelegate(DayBoardDelegate(self.board))
        self.board.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.board.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.board.setShowGrid(False)
        self.board.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.board.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.board.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.board.verticalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter
        )
        self.board.activated.connect(self._open)  # a double-click, or Enter
        self.board.selectionModel().currentChanged.connect(self._list_current_changed)
        self.pages.addWidget(self.board)
        self.box.addWidget(self.pages, 1)
        self._show_views()
        self.people = label("", "muted", wrap=True)
        self.people.setObjectName("day_people")
        self.box.addWidget(self.people)

    @staticmethod
    def read_day(db: Database, actor: Actor, day: date) -> BoardDay:
        from naas_centre.services import completeness, sittings

        overview = sittings.day_overview(db, actor, day)
        # Only sittings whose sheets are all in: before that, progress says enough.
        lacking = {
            s.id: completeness.for_report(db, actor, s.id, None)
            for s in overview.sittings
            if s.assessors and s.submitted >= len(s.assessors)
        }
        return BoardDay(overview, lacking, read_board(db, actor, day))

    def show_day(self, day: date, board: BoardDay) -> None:
        self._chosen = None
        self._show_list(board)
        self.circuit.set_day(day, board.circuit)
        if not self.showing_board:  # the list's choice stands
            self._list_current_changed(self.board.currentIndex(), QModelIndex())

    def _show_list(self, board: BoardDay) -> None:
        result = board.overview
        self.model.set_overview(result, board.lacking)
        self._sittings = {s.id: s for s in result.sittings}
        sittings = result.sittings
        if not sittings:
            self.status.setText("No sittings on this day.")
            self.summary.setText("")
            self.people.setText("")
            return
        self.status.setText("Double-click a sitting, or choose it and press Enter, to see its scores.")
        scored = sum(s.criteria_scored for s in sittings)
        total = sum(s.criteria_total for s in sittings)
        sheets = sum(len(s.assessors) for s in sittings)
        submitted = sum(s.submitted for s in sittings)
        percent = round(100 * scored / total) if total else 0
        self.summary.setText(
            f"<b>{len(sittings)}</b> sittings in <b>{len(self.model.rooms)}</b> rooms · "
            f"<b>{percent}%</b> of criteria scored · <b>{submitted}</b> of {sheets} score sheets submitted"
        )
        self.people.setText(
            f"Assessors: {', '.join(result.assessors) or 'none'}\n"
            f"Actors: {', '.join(result.actors) or 'none'}"
        )
        first = next(iter(sorted(self.model.cells)), None)
        if first is not None:
            self.board.setCurrentIndex(self.model.index(*first))

    @property
    def planned(self) -> bool:
        """Whether the day shown has a circuit plan (and so a board)."""
        b = self.circuit.model.board
        return b is not None and b.planned

    @property
    def showing_board(self) -> bool:
        return self.pages.currentWidget() is self.circuit

    def show_board(self, board: bool) -> None:
        """Show the circuit's board (if the day has one) or the list."""
        self._list_chosen = not board
        self._show_views()

    def _view_chosen(self, which: int) -> None:
        self.show_board(which == 0)
        self.focus_body()

    def _show_views(self) -> None:
        board = self.planned and not self._list_chosen
        for button in (self.board_button, self.list_button):
            button.setVisible(self.planned)
        (self.board_button if board else self.list_button).setChecked(True)
        self.pages.setCurrentWidget(self.circuit if board else self.board)

    def focus_body(self) -> None:
        if self.showing_board:
            self.circuit.focus_body()
        else:
            self.board.setFocus()

    def selected_sitting(self) -> SittingSummary | None:
        return self._sittings.get(self._chosen) if self._chosen else None

    def _choose(self, sitting_id: str) -> None:
        self._chosen = sitting_id

    def _list_current_changed(self, index: QModelIndex, _previous: QModelIndex) -> None:
        sitting = self.model.sitting_at(index.row(), index.column()) if index.isValid() else None
        if sitting is not None:
            self._chosen = sitting.id

    def _open(self, index: QModelIndex) -> None:
        sitting = self.model.sitting_at(index.row(), index.column())
        if sitting is not None:
            self.sitting_opened.emit(sitting.id)
