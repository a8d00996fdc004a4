"""The live board of a circuit day: stations across, slots down, a card per candidate.

Each card names the candidate and says in words where their visit stands (not started,
under way, scores missing, waiting for moderation, ready, signed) with the counts; a
coloured stripe repeats the state for a glance, never alone.

The board keeps itself current without blocking the screen: every two seconds it asks,
off the GUI thread, for ``board.data_version`` (one cheap query) and re-reads the day
only when that has changed, so a score recorded on another workstation shows here on
its own. A write made on this workstation arrives sooner, through the task manager's
change notification. The timer stops when the task manager shuts down.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionHeader,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from naas_centre.formatting import local_time
from naas_centre.services.board import BoardCard, CardState, DayBoard
from naas_centre.services.views import Actor
from naas_centre.writes.changes import Changes
from ui.common import theme
from ui.common.widgets import label
from ui.work.changes import ChangeWatcher
from ui.work.tasks import TaskManager

if TYPE_CHECKING:
    from db.engine import Database

log = logging.getLogger(__name__)
Index = QModelIndex | QPersistentModelIndex
CARDS_ROLE = Qt.ItemDataRole.UserRole + 30
POLL_MS = 2000


def read_board(db: Database, actor: Actor, day: date) -> tuple[str, DayBoard]:
    """In a worker: the data version first, then the board, so a write that lands in
    between is seen by the next poll rather than lost."""
    from naas_centre.services import board

    version = board.data_version(db)
    return version, board.day_board(db, actor, day)


def _data_version(db: Database) -> str:
    from naas_centre.services import board

    return board.data_version(db)


def state_colour(state: CardState, c: theme.Colours) -> str:
    return {
        CardState.NOT_STARTED: c.grid,
        CardState.IN_PROGRESS: c.progress,
        CardState.SCORING: c.pending,
        CardState.MODERATION: c.error,
        CardState.READY: c.saved,
        CardState.SIGNED: c.accent,
        CardState.WITHDRAWN: c.muted,
    }[state]


def card_text(card: BoardCard) -> str:
    """The whole card in one sentence, for a tooltip and a screen reader."""
    time = f"{local_time(card.starts_at)} to {local_time(card.ends_at)}"
    text = f"{card.candidate}, {card.employer}, {time}: {card.words}."
    if card.not_submitted:
        text += (
            f" {card.not_submitted} assessor{'s have' if card.not_submitted != 1 else ' has'} not submitted."
        )
    return text


class CircuitBoardTableModel(QAbstractTableModel):
    """Slots are rows and stations columns; a cell holds the cards of that visit."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.board: DayBoard | None = None

    def set_board(self, board: DayBoard) -> None:
        self.beginResetModel()
        self.board = board
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() or self.board is None else len(self.board.slots)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self.board is None else len(self.board.stations)

    def cards_at(self, row: int, column: int) -> tuple[BoardCard, ...]:
        b = self.board
        if b is None or not (0 <= row < len(b.slots) and 0 <= column < len(b.stations)):
            return ()
        return b.cells.get((b.stations[column].key, b.slots[row].number), ())

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not self.cards_at(index.row(), index.column()):
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        b = self.board
        if b is None:
            return None
        if orientation == Qt.Orientation.Horizontal:
            st = b.stations[section]
            people = ", ".join(st.assessors)
            if st.actor:
                people = f"{people} · actor {st.actor}" if people else f"actor {st.actor}"
            if role == Qt.ItemDataRole.DisplayRole:
                return f"{st.room}: {st.title}" + (f"\n{people}" if people else "")
            if role == Qt.ItemDataRole.ToolTipRole:
                return (
                    f"{st.title} in {st.room}. "
                    + (f"Assessors: {', '.join(st.assessors)}. " if st.assessors else "")
                    + (f"Actor: {st.actor}." if st.actor else "")
                )
            return None
        slot = b.slots[section]
        if role == Qt.ItemDataRole.DisplayRole:
            text = f"{local_time(slot.starts_at)}–{local_time(slot.ends_at)}"
            return text + (f"\nthen {slot.break_after}" if slot.break_after else "")
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        cards = self.cards_at(index.row(), index.column())
        if not cards:
            return None
        if role == CARDS_ROLE:
            return cards
        if role == Qt.ItemDataRole.DisplayRole:
            return "; ".join(c.candidate for c in cards)
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return "\n".join(card_text(c) for c in cards)
        return None


class LineElidingHeader(QHeaderView):
    """Column headings of two lines (station, then who is in the room), each ending in "…"
    where the column is too narrow, the whole in the tooltip: Qt elides the lines as one
    text, which cut them mid-word or lost the second."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)  # done here, line by line
        self.setSectionsClickable(True)
        self.setHighlightSections(True)

    def paintSection(self, painter: QPainter, rect: QRect, logical_index: int) -> None:
        if not rect.isValid():
            return
        option = QStyleOptionHeader()
        self.initStyleOption(option)
        self.initStyleOptionForIndex(option, logical_index)
        option.rect = rect
        room = rect.width() - 2 * self.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, option, self)
        bold = QFont(self.font())
        bold.setWeight(QFont.Weight.DemiBold)  # as the style sheet draws headings
        metrics = QFontMetrics(bold)
        option.text = "\n".join(
            metrics.elidedText(line, Qt.TextElideMode.ElideRight, max(20, room - HEADER_PADDING))
            for line in option.text.split("\n")
        )
        self.style().drawControl(QStyle.ControlElement.CE_Header, option, painter, self)


HEADER_PADDING = 18  # the style sheet's padding either side of a heading, and a little more


class CircuitCardDelegate(QStyledItemDelegate):
    PAD = 8
    STRIPE = 6

    def _card_height(self, font: QFont) -> int:
        return 3 * QFontMetrics(font).height() + 2 * self.PAD

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        cards = index.data(CARDS_ROLE) or ()
        return QSize(220, max(1, len(cards)) * (self._card_height(option.font) + 6) + 6)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        cards: tuple[BoardCard, ...] = index.data(CARDS_ROLE) or ()
        c = theme.colours()
        painter.save()
        painter.fillRect(option.rect, QColor(c.window))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        height = self._card_height(option.font)
        line = QFontMetrics(option.font).height()
        flags = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        bold = QFont(option.font)
        bold.setWeight(QFont.Weight.DemiBold)
        for i, card in enumerate(cards):
            rect = QRect(
                option.rect.left() + 4,
                option.rect.top() + 4 + i * (height + 6),
                option.rect.width() - 8,
                height,
            )
            painter.setBrush(QColor(c.chosen if selected else c.surface))
            painter.setPen(QPen(QColor(c.accent if selected else c.grid), 2 if selected else 1))
            painter.drawRoundedRect(rect, 5, 5)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(state_colour(card.state, c)))
            painter.drawRoundedRect(
                QRect(rect.left() + 1, rect.top() + 1, self.STRIPE, rect.height() - 2), 3, 3
            )
            inner = rect.adjusted(self.STRIPE + self.PAD, self.PAD, -self.PAD, -self.PAD)
            painter.setFont(bold)
            painter.setPen(QColor(c.text))
            painter.drawText(
                QRect(inner.left(), inner.top(), inner.width(), line),
                flags,
                QFontMetrics(bold).elidedText(card.candidate, Qt.TextElideMode.ElideRight, inner.width()),
            )
            painter.setFont(option.font)
            plain = QFontMetrics(option.font)
            state = QRect(inner.left(), inner.top() + line, inner.width(), line)
            painter.setPen(
                QColor(state_colour(card.state, c) if card.state != CardState.NOT_STARTED else c.muted)
            )
            painter.drawText(
                state, flags, plain.elidedText(card.words, Qt.TextElideMode.ElideRight, inner.width())
            )
            painter.setPen(QColor(c.muted))
            times = f"{local_time(card.starts_at)}–{local_time(card.ends_at)} · {card.employer}"
            painter.drawText(
                QRect(inner.left(), inner.top() + 2 * line, inner.width(), line),
                flags,
                plain.elidedText(times, Qt.TextElideMode.ElideRight, inner.width()),
            )
        if cards and option.state & QStyle.StateFlag.State_HasFocus:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(QColor(c.focus), 3))
            painter.drawRoundedRect(option.rect.adjusted(2, 2, -2, -2), 6, 6)
        painter.restore()


class CircuitBoard(QWidget):
    """``CircuitBoard(tasks, db, actor, parent)``; ``set_day`` chooses the day it follows.

    ``board_refreshed`` is emitted with each ``DayBoard`` it shows; ``sitting_opened``
    with a sitting's id when a card is activated (double-click or Enter)."""

    board_refreshed = Signal(object)  # DayBoard
    sitting_opened = Signal(str)
    card_chosen = Signal(str)  # a sitting id: the person chose a card (not a refresh keeping it)

    def __init__(
        self,
        tasks: TaskManager,
        db: Database,
        actor: Actor,
        parent: QWidget | None = None,
        *,
        poll_ms: int = POLL_MS,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("CircuitBoard")
        self.tasks = tasks
        self.db = db
        self.actor = actor
        self.day: date | None = None
        self.version: str | None = None
        self._asking = False  # a poll or a read is on its way: never two at once
        self._again = False  # a refresh was asked for while one was on its way
        self._token = 0
        self._stopped = False
        self._shown_token = -1
        self._restoring = False

        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        self.model = CircuitBoardTableModel(self)
        self.table = QTableView()
        self.table.setObjectName("circuit_board")
        self.table.setAccessibleName("The day's circuit: rooms across, times down")
        self.table.setTabKeyNavigation(False)  # arrows move between sittings; Tab moves on
        self.table.setModel(self.model)
        self.table.setItemDelegate(CircuitCardDelegate(self.table))
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        header = LineElidingHeader(self.table)
        self.table.setHorizontalHeader(header)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter
        )
        self.table.activated.connect(self._activated)
        self.table.selectionModel().currentChanged.connect(self._current_changed)
        box.addWidget(self.table, 1)
        self.note = label("", "muted", wrap=True)
        self.note.setObjectName("circuit_board_note")
        box.addWidget(self.note)

        self.timer = QTimer(self)
        self.timer.setInterval(poll_ms)
        self.timer.timeout.connect(self._poll)
        self.changes = ChangeWatcher(tasks, self, lambda _c: True, self._changed)
        tasks.about_to_shut_down.connect(self.stop)

    # -- what the day view calls ----------------------------------------------------------

    def set_day(self, day: date, board: tuple[str, DayBoard] | None = None) -> None:
        """Follow ``day``: show ``board`` (a version and a board already read) or read it."""
        self.day = day
        self._token += 1
        if board is not None:
            self._show(self._token, board)
        else:
            self.reload()
        if not self._stopped:
            self.timer.start()

    def reload(self) -> None:
        if self.day is None or self._stopped:
            return
        if self._asking:
            self._again = True
            return
        self._asking = True
        token = self._token
        self.tasks.run(
            read_board,
            self.db,
            self.actor,
            self.day,
            on_done=lambda result: self._show(token, result),
            on_error=self._failed,
            owner=self,
            name="read_circuit_board",
        )

    def stop(self) -> None:
        """Stop asking: on the task manager's shutdown, or when the view goes away."""
        if self._stopped:
            return
        self._stopped = True
        self.timer.stop()
        self.changes.stop()
        self.tasks.about_to_shut_down.disconnect(self.stop)

    def selected_sitting_id(self) -> str | None:
        index = self.table.currentIndex()
        cards = self.model.cards_at(index.row(), index.column()) if index.isValid() else ()
        return cards[0].sitting_id if cards else None

    def focus_body(self) -> None:
        self.table.setFocus()

    # -- inside ---------------------------------------------------------------------------

    def _poll(self) -> None:
        if self._stopped or self._asking or self.day is None or not self.isVisible() or self.tasks.closed:
            return
        self._asking = True
        self.tasks.run(_data_version, self.db, on_done=self._polled, on_error=self._failed, owner=self)

    def _polled(self, version: str) -> None:
        self._asking = False
        if version != self.version:
            self.reload()

    def _changed(self, _changes: Changes) -> None:
        self.reload()

    def _show(self, token: int, result: tuple[str, DayBoard]) -> None:
        self._asking = False
        if token != self._token:
            self.reload()  # the day changed while this one was read
            return
        version, board = result
        self.version = version
        current = self.table.currentIndex()
        chosen = (current.row(), current.column()) if current.isValid() else None
        # A refresh of the day shown keeps the choice quietly; a new day makes one.
        self._restoring = token == self._shown_token
        self._shown_token = token
        self.model.set_board(board)
        self.note.setText(
            "" if board.planned else "This day has no circuit plan; the list shows its sittings."
        )
        self._choose(chosen if self._restoring else None)
        self._restoring = False
        self.board_refreshed.emit(board)
        if self._again:
            self._again = False
            self.reload()

    def _choose(self, at: tuple[int, int] | None) -> None:
        """Keep the same cell chosen across a refresh, else the first with a card."""
        if at is not None and self.model.cards_at(*at):
            self.table.setCurrentIndex(self.model.index(*at))
            return
        for row in range(self.model.rowCount()):
            for column in range(self.model.columnCount()):
                if self.model.cards_at(row, column):
                    self.table.setCurrentIndex(self.model.index(row, column))
                    return

    def _failed(self, exc: BaseException) -> None:
        # A busy or unreachable database: say so and try again at the next tick.
        self._asking = False
        log.warning("The day board could not be read: %s", exc)
        self.note.setText(f"The board could not be brought up to date ({exc}); trying again.")

    def _current_changed(self, index: QModelIndex, _previous: QModelIndex) -> None:
        cards = self.model.cards_at(index.row(), index.column()) if index.isValid() else ()
        if cards and not self._restoring:
            self.card_chosen.emit(cards[0].sitting_id)

    def _activated(self, index: QModelIndex) -> None:
        cards = self.model.cards_at(index.row(), index.column())
        if cards:
            self.sitting_opened.emit(cards[0].sitting_id)
