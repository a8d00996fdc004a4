"""The rubric grid: criteria (rows, grouped under their KSS area) by levels (columns).

Each level cell shows its descriptor, wrapped and readable. A click (or a number key)
asks for that level; the cell shows it as *saving* at once and as *saved* only when the
write has come back from the database. The model keeps both: what is saved, and what
is on its way, so a failed write falls back to what the database holds.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

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
from PySide6.QtGui import QColor, QFocusEvent, QFont, QFontMetrics, QKeyEvent, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from naas_centre.packs.schema import Criterion, KssArea, LevelLabel, Pack, Rubric
from ui import theme
from ui.formatting import tidy

Index = QModelIndex | QPersistentModelIndex

KIND_ROLE = Qt.ItemDataRole.UserRole + 1  # "area", "criterion" or "level"
CHOSEN_ROLE = Qt.ItemDataRole.UserRole + 2  # this level is the criterion's level
STATE_ROLE = Qt.ItemDataRole.UserRole + 3  # "saving" or "saved" on the chosen cell
LEVEL_ROLE = Qt.ItemDataRole.UserRole + 4

PAD = 10
BADGE_HEIGHT = 22


@dataclass(frozen=True)
class _Row:
    area: KssArea
    criterion: Criterion | None  # None: the area's header row


class RubricTableModel(QAbstractTableModel):
    """One station's rubric and one assessor's levels for it."""

    def __init__(self, pack: Pack, station_id: str, rubric: Rubric, parent: Any = None) -> None:
        super().__init__(parent)
        self.station_id = station_id
        self.levels: list[LevelLabel] = sorted(pack.levels_for(rubric), key=lambda lv: lv.value)
        self._rows: list[_Row] = []
        self._text: dict[tuple[str, int | None], str] = {}  # (criterion, level or None) → tidy text
        for criterion in rubric.criteria:
            self._text[(criterion.id, None)] = tidy(criterion.text)
            for value, descriptor in criterion.descriptors.items():
                self._text[(criterion.id, value)] = tidy(descriptor)
        for area in pack.kss_areas:
            criteria = [c for c in rubric.criteria if c.kss == area.id]
            if criteria:
                self._rows.append(_Row(area, None))
                self._rows.extend(_Row(area, c) for c in criteria)
        self._saved: dict[str, int | None] = {c.id: None for c in rubric.criteria}
        self._pending: dict[str, tuple[int, int | None]] = {}
        self._tokens = itertools.count(1)
        self.read_only = False

    # -- shape ----------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 1 + len(self.levels)

    def is_area_row(self, row: int) -> bool:
        return 0 <= row < len(self._rows) and self._rows[row].criterion is None

    def criterion_at(self, row: int) -> Criterion | None:
        return self._rows[row].criterion if 0 <= row < len(self._rows) else None

    def row_of(self, criterion_id: str) -> int:
        return next(i for i, r in enumerate(self._rows) if r.criterion and r.criterion.id == criterion_id)

    def criterion_rows(self) -> list[int]:
        return [i for i, r in enumerate(self._rows) if r.criterion is not None]

    def level_at(self, column: int) -> int | None:
        return self.levels[column - 1].value if 1 <= column <= len(self.levels) else None

    def column_of(self, level: int | None) -> int | None:
        for i, lv in enumerate(self.levels):
            if lv.value == level:
                return i + 1
        return None

    def level_for_key(self, digit: int) -> int | None:
        """A number key: the level with that value, else the level in that place."""
        values = [lv.value for lv in self.levels]
        if digit in values:
            return digit
        return values[digit - 1] if 1 <= digit <= len(values) else None

    # -- state --------------------------------------------------------------------------

    def level_of(self, criterion_id: str) -> int | None:
        """What the grid shows: the level on its way if there is one, else the saved one."""
        if criterion_id in self._pending:
            return self._pending[criterion_id][1]
        return self._saved[criterion_id]

    def saved_level_of(self, criterion_id: str) -> int | None:
        return self._saved[criterion_id]

    def is_saving(self, criterion_id: str) -> bool:
        return criterion_id in self._pending

    def scored(self) -> int:
        return sum(1 for cid in self._saved if self.level_of(cid) is not None)

    def total(self) -> int:
        return len(self._saved)

    def load(self, levels: dict[str, int | None]) -> None:
        """Levels as the database holds them (a sheet just read)."""
        for cid in self._saved:
            self._saved[cid] = levels.get(cid)
        self._pending.clear()
        self._changed_all()  # not a reset: the cursor and the scroll position stay

    def set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only
        self._changed_all()

    def begin(self, criterion_id: str, level: int | None) -> int:
        """A level on its way to the database; returns the token its answer will carry."""
        token = next(self._tokens)
        self._pending[criterion_id] = (token, level)
        self._changed(criterion_id)
        return token

    def confirm(self, criterion_id: str, token: int, level: int | None) -> None:
        """The write of ``token`` is on disk."""
        self._saved[criterion_id] = level
        if self._pending.get(criterion_id, (None,))[0] == token:
            del self._pending[criterion_id]
        self._changed(criterion_id)

    def revert(self, criterion_id: str, token: int) -> None:
        """The write of ``token`` failed: show what the database holds."""
        if self._pending.get(criterion_id, (None,))[0] == token:
            del self._pending[criterion_id]
        self._changed(criterion_id)

    def _changed(self, criterion_id: str) -> None:
        row = self.row_of(criterion_id)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.levels)))

    def _changed_all(self) -> None:
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(self.levels)))

    # -- data ------------------------------------------------------------------------------

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid() or self.is_area_row(index.row()):
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        col = index.column()
        criterion = row.criterion
        if criterion is None:
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
                return row.area.title if col == 0 else None
            if role == KIND_ROLE:
                return "area"
            return None
        if col == 0:
            if role == Qt.ItemDataRole.DisplayRole:
                return self._text[(criterion.id, None)]
            if role == KIND_ROLE:
                return "criterion"
            if role == Qt.ItemDataRole.ToolTipRole and criterion.evidence_examples:
                return "Evidence, for example:\n• " + "\n• ".join(criterion.evidence_examples)
            if role == Qt.ItemDataRole.AccessibleTextRole:
                shown = self.level_of(criterion.id)
                return (
                    f"{self._text[(criterion.id, None)]}. Level: {'not scored' if shown is None else shown}"
                )
            return None
        level = self.levels[col - 1]
        chosen = self.level_of(criterion.id) == level.value
        descriptor = self._text.get((criterion.id, level.value), "")
        if role == Qt.ItemDataRole.DisplayRole:
            return descriptor
        if role == KIND_ROLE:
            return "level"
        if role == LEVEL_ROLE:
            return level.value
        if role == CHOSEN_ROLE:
            return chosen
        if role == STATE_ROLE:
            if not chosen:
                return None
            return "saving" if self.is_saving(criterion.id) else "saved"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            state = ""
            if chosen:
                state = ", chosen, saving" if self.is_saving(criterion.id) else ", chosen, saved"
            return f"Level {level.value} {level.label}{state}: {descriptor}"
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if section == 0:
                return "Criterion"
            level = self.levels[section - 1]
            return f"{level.value} · {level.label}"
        if role == Qt.ItemDataRole.ToolTipRole and section > 0:
            return self.levels[section - 1].meaning
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        return None


class RubricDelegate(QStyledItemDelegate):
    """Paints descriptors wrapped with room around them, the chosen level and its state."""

    def _text_rect(self, rect: QRect, kind: str) -> QRect:
        bottom = BADGE_HEIGHT if kind == "level" else 0
        return rect.adjusted(PAD + (4 if kind == "criterion" else 0), PAD, -PAD, -PAD - bottom)

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        kind = index.data(KIND_ROLE)
        metrics = QFontMetrics(self._font(option, kind))
        if kind == "area":
            return QSize(200, metrics.height() + 2 * PAD)
        width = max(80, option.rect.width()) - 2 * PAD - (4 if kind == "criterion" else 0)
        text = index.data(Qt.ItemDataRole.DisplayRole) or ""
        bounds = metrics.boundingRect(QRect(0, 0, width, 10_000), int(Qt.TextFlag.TextWordWrap), text)
        extra = BADGE_HEIGHT if kind == "level" else 0
        return QSize(width + 2 * PAD, bounds.height() + 2 * PAD + extra)

    def _font(self, option: QStyleOptionViewItem, kind: str | None) -> QFont:
        font = QFont(option.font)
        if kind in ("area", "criterion"):
            font.setWeight(QFont.Weight.DemiBold)
        return font

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        c = theme.colours()
        kind = index.data(KIND_ROLE)
        rect = option.rect
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setFont(self._font(option, kind))
        read_only = bool(getattr(index.model(), "read_only", False))

        if kind == "area":
            painter.fillRect(rect, QColor(c.area))
            painter.setPen(QColor(c.area_text))
            painter.drawText(
                rect.adjusted(PAD, 0, -PAD, 0),
                int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                index.data(Qt.ItemDataRole.DisplayRole) or "",
            )
            painter.restore()
            return

        chosen = bool(index.data(CHOSEN_ROLE))
        state = index.data(STATE_ROLE)
        has_focus = bool(option.state & QStyle.StateFlag.State_HasFocus)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver) and kind == "level" and not read_only

        painter.fillRect(rect, QColor(c.surface))
        if chosen:
            painter.fillRect(rect.adjusted(1, 1, -1, -1), QColor(c.chosen))
            pen = QPen(QColor(c.chosen_border), 2)
            if state == "saving":
                pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.drawRoundedRect(rect.adjusted(2, 2, -2, -2), 4, 4)
        elif hovered:
            tint = QColor(c.chosen)
            tint.setAlpha(110)
            painter.fillRect(rect.adjusted(1, 1, -1, -1), tint)

        text_colour = QColor(c.text)
        if kind == "level" and not chosen and read_only:
            text_colour = QColor(c.muted)
        painter.setPen(text_colour)
        painter.drawText(
            self._text_rect(rect, kind),
            int(Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft),
            index.data(Qt.ItemDataRole.DisplayRole) or "",
        )

        if kind == "level" and chosen:
            self._paint_badge(painter, rect, state, c)
        if has_focus:
            painter.setPen(QPen(QColor(c.focus if not chosen else c.accent), 3))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect.adjusted(3, 3, -3, -3), 4, 4)
        if kind == "criterion" and has_focus:
            painter.fillRect(QRect(rect.left(), rect.top(), 4, rect.height()), QColor(c.accent))
        painter.restore()

    def _paint_badge(self, painter: QPainter, rect: QRect, state: str | None, c: theme.Colours) -> None:
        saving = state == "saving"
        colour = c.pending if saving else c.saved
        text = "Saving…" if saving else "Saved"
        font = QFont(painter.font())
        font.setWeight(QFont.Weight.DemiBold)
        font.setPointSizeF(max(8.0, font.pointSizeF() - 1))
        painter.setFont(font)
        icon = theme.icon("pending" if saving else "check", colour)
        badge = QRect(
            rect.left() + PAD, rect.bottom() - BADGE_HEIGHT - PAD // 2 + 2, rect.width() - 2 * PAD, 18
        )
        icon.paint(painter, QRect(badge.left(), badge.top() + 1, 16, 16))
        painter.setPen(QColor(colour))
        painter.drawText(
            badge.adjusted(20, 0, 0, 0), int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text
        )


class RubricGridView(QTableView):
    """Keyboard: ↑/↓ criteria, ←/→ levels, 1–9 a level, Space/Enter the level under the
    cursor, Delete/Backspace clears. Emits ``level_chosen`` (criterion id, level or None)."""

    level_chosen = Signal(str, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setItemDelegate(RubricDelegate(self))
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWordWrap(True)
        self.setMouseTracking(True)
        self.setTabKeyNavigation(False)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setHighlightSections(False)
        self._relayout = QTimer(self)
        self._relayout.setSingleShot(True)
        self._relayout.setInterval(0)
        self._relayout.timeout.connect(self.resizeRowsToContents)
        header.sectionResized.connect(lambda *_: self._relayout.start())
        self.clicked.connect(self._clicked)

    def rubric(self) -> RubricTableModel:
        model = self.model()
        assert isinstance(model, RubricTableModel)
        return model

    def setModel(self, model: Any) -> None:
        super().setModel(model)
        if isinstance(model, RubricTableModel):
            for row in range(model.rowCount()):
                if model.is_area_row(row):
                    self.setSpan(row, 0, 1, model.columnCount())
            model.modelReset.connect(self._relayout.start)
            rows = model.criterion_rows()
            if rows:
                self.setCurrentIndex(model.index(rows[0], 0))
        self._relayout.start()

    # -- choosing ---------------------------------------------------------------------------

    def choose(self, row: int, level: int | None) -> None:
        model = self.rubric()
        criterion = model.criterion_at(row)
        if criterion is None or model.read_only:
            return
        if model.level_of(criterion.id) == level:
            return  # already shown (and saved or on its way)
        self.level_chosen.emit(criterion.id, level)

    def _clicked(self, index: QModelIndex) -> None:
        model = self.rubric()
        level = model.level_at(index.column())
        if level is not None:
            self.choose(index.row(), level)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        model = self.rubric()
        current = self.currentIndex()
        row = current.row() if current.isValid() else -1
        col = current.column() if current.isValid() else 0
        key = event.key()
        text = event.text()
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if mods not in (Qt.KeyboardModifier.NoModifier,):
            super().keyPressEvent(event)
            return
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            rows = model.criterion_rows()
            if rows:
                if row not in rows:
                    target = rows[0]
                else:
                    i = rows.index(row) + (1 if key == Qt.Key.Key_Down else -1)
                    target = rows[max(0, min(len(rows) - 1, i))]
                self._go(target, col)
            return
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right) and model.criterion_at(row) is not None:
            step = 1 if key == Qt.Key.Key_Right else -1
            self._go(row, max(0, min(model.columnCount() - 1, col + step)))
            return
        if text.isdigit() and model.criterion_at(row) is not None:
            level = model.level_for_key(int(text))
            if level is not None:
                column = model.column_of(level)
                if column is not None:
                    self._go(row, column)
                self.choose(row, level)
            return
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and model.criterion_at(row) is not None:
            self.choose(row, None)
            return
        if key in (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            level = model.level_at(col)
            if level is not None:
                self.choose(row, level)
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        model = self.model()
        if isinstance(model, RubricTableModel) and model.criterion_at(self.currentIndex().row()) is None:
            rows = model.criterion_rows()
            if rows:
                self.setCurrentIndex(model.index(rows[0], 0))

    def _go(self, row: int, col: int) -> None:
        index = self.model().index(row, col)
        self.setCurrentIndex(index)
        self.scrollTo(index)
