"""The evidence notebook: notes typed fast while the role-play runs, newest last.

Enter saves a note; it is stamped with the phase clock (time into the phase, mm:ss)
and the wall time, and tagged to a criterion when one is chosen (the N key in the grid
chooses the criterion under the cursor). Each note says whether it is saving, saved,
or not saved yet and being retried. Double-click (or Enter on) a note to change it;
its earlier wording stays in the audit trail. Delete removes one, after asking.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QKeyEvent, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QListView,
    QMessageBox,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from naas_centre.core.timing import clock
from ui.common import theme
from ui.common.widgets import label, set_role

Index = QModelIndex | QPersistentModelIndex
ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
PAD = 8
STATE_TEXT = {
    "saving": "Saving…",
    "saved": "Saved",
    "retrying": "Not saved yet — retrying",
    "deleting": "Deleting…",
}


@dataclass(frozen=True)
class NoteEntry:
    key: int  # this screen's own handle: a note has no id until it is saved
    note_id: str | None
    text: str
    criterion_id: str | None
    phase: str | None
    phase_clock_ms: int | None
    written_at: datetime
    state: str = "saved"  # "saving", "saved", "retrying" or "deleting"
    edited: bool = False


PHASE_NAMES = {
    "reading": "reading",
    "role_play": "role-play",
    "discussion": "discussion",
    "writing": "writing",
}


def stamp(entry: NoteEntry) -> str:
    wall = entry.written_at.astimezone().strftime("%H:%M:%S")
    if entry.phase is None or entry.phase_clock_ms is None:
        return wall
    return f"{clock(entry.phase_clock_ms)} {PHASE_NAMES.get(entry.phase, entry.phase)} · {wall}"


class NoteListModel(QAbstractListModel):
    def __init__(self, criteria: dict[str, str], parent: Any = None) -> None:
        super().__init__(parent)
        self.criteria = criteria  # id → short text
        self.entries: list[NoteEntry] = []
        self._keys = itertools.count(1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.entries)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        entry = self.entries[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return entry.text
        if role == ENTRY_ROLE:
            return entry
        if role == Qt.ItemDataRole.AccessibleTextRole:
            tag = (
                f", about {self.criteria[entry.criterion_id]}" if entry.criterion_id in self.criteria else ""
            )
            return f"{stamp(entry)}{tag}: {entry.text}. {STATE_TEXT[entry.state]}"
        if role == Qt.ItemDataRole.ToolTipRole and entry.criterion_id in self.criteria:
            return self.criteria[entry.criterion_id]
        return None

    def new_key(self) -> int:
        return next(self._keys)

    def row_of(self, key: int) -> int:
        return next((i for i, e in enumerate(self.entries) if e.key == key), -1)

    def entry(self, key: int) -> NoteEntry | None:
        row = self.row_of(key)
        return self.entries[row] if row >= 0 else None

    def load(self, entries: list[NoteEntry]) -> None:
        self.beginResetModel()
        self.entries = sorted(entries, key=lambda e: e.written_at)
        self.endResetModel()

    def append(self, entry: NoteEntry) -> None:
        row = len(self.entries)
        self.beginInsertRows(QModelIndex(), row, row)
        self.entries.append(entry)
        self.endInsertRows()

    def update(self, key: int, **changes: Any) -> NoteEntry | None:
        row = self.row_of(key)
        if row < 0:
            return None
        self.entries[row] = replace(self.entries[row], **changes)
        self.dataChanged.emit(self.index(row), self.index(row))
        return self.entries[row]

    def remove(self, key: int) -> None:
        row = self.row_of(key)
        if row >= 0:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self.entries[row]
            self.endRemoveRows()


class NoteDelegate(QStyledItemDelegate):
    """A note: its stamp, its criterion, whether it is saved, then its words, wrapped."""

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont]:
        small = QFont(option.font)
        small.setPointSizeF(max(8.0, small.pointSizeF() - 1.5))
        return QFont(option.font), small

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        body, small = self._fonts(option)
        width = max(120, option.rect.width() if option.rect.width() > 0 else 300) - 2 * PAD
        entry: NoteEntry = index.data(ENTRY_ROLE)
        bounds = QFontMetrics(body).boundingRect(
            QRect(0, 0, width, 10_000), int(Qt.TextFlag.TextWordWrap), entry.text
        )
        lines = 2 if entry.criterion_id in getattr(index.model(), "criteria", {}) else 1
        return QSize(width, lines * QFontMetrics(small).height() + bounds.height() + 2 * PAD + 2)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        c = theme.colours()
        entry: NoteEntry = index.data(ENTRY_ROLE)
        model = index.model()
        criteria: dict[str, str] = getattr(model, "criteria", {})
        body, small = self._fonts(option)
        rect = option.rect
        painter.save()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.fillRect(rect, QColor(c.chosen if selected else c.surface))
        painter.setPen(QPen(QColor(c.grid), 1))
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        inner = rect.adjusted(PAD, PAD, -PAD, -PAD)
        small_height = QFontMetrics(small).height()

        state_colour = {"saving": c.pending, "deleting": c.pending, "retrying": c.error}.get(
            entry.state, c.saved
        )
        state_text = STATE_TEXT[entry.state]
        painter.setFont(small)
        metrics = QFontMetrics(small)
        state_width = metrics.horizontalAdvance(state_text) + 20
        state_rect = QRect(inner.right() - state_width, inner.top(), state_width, small_height)
        theme.icon("check" if entry.state == "saved" else "pending", state_colour).paint(
            painter, QRect(state_rect.left(), state_rect.top() + (small_height - 14) // 2, 14, 14)
        )
        painter.setPen(QColor(state_colour))
        painter.drawText(state_rect.adjusted(18, 0, 0, 0), int(Qt.AlignmentFlag.AlignVCenter), state_text)

        line = stamp(entry) + ("  · edited" if entry.edited else "")
        painter.setPen(QColor(c.muted))
        room = state_rect.left() - inner.left() - 8
        painter.drawText(
            QRect(inner.left(), inner.top(), room, small_height),
            int(Qt.AlignmentFlag.AlignVCenter),
            metrics.elidedText(line, Qt.TextElideMode.ElideRight, room),
        )
        top = inner.top() + small_height
        tag = criteria.get(entry.criterion_id or "")
        if tag:
            painter.setPen(QColor(c.accent))
            painter.drawText(
                QRect(inner.left(), top, inner.width(), small_height),
                int(Qt.AlignmentFlag.AlignVCenter),
                metrics.elidedText("▸ " + tag, Qt.TextElideMode.ElideRight, inner.width()),
            )
            top += small_height
        painter.setFont(body)
        painter.setPen(QColor(c.text))
        painter.drawText(
            QRect(inner.left(), top + 2, inner.width(), inner.bottom() - top),
            int(Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft),
            entry.text,
        )
        if option.state & QStyle.StateFlag.State_HasFocus:
            painter.setPen(QPen(QColor(c.focus), 2))
            painter.drawRect(rect.adjusted(1, 1, -1, -1))
        painter.restore()


class NoteListView(QListView):
    edit_requested = Signal(int)  # note key
    delete_requested = Signal(int)
    back_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setItemDelegate(NoteDelegate(self))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWordWrap(True)
        self.setUniformItemSizes(False)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.doubleClicked.connect(self._edit_index)
        # Newest last, and kept in view: the list follows its end unless scrolled up.
        self.follow_end = True
        self._to_end = QTimer(self)
        self._to_end.setSingleShot(True)
        self._to_end.setInterval(0)
        self._to_end.timeout.connect(self.scrollToBottom)
        bar = self.verticalScrollBar()
        bar.valueChanged.connect(lambda value: setattr(self, "follow_end", value >= bar.maximum() - 4))
        bar.rangeChanged.connect(lambda _lo, _hi: self.follow_end and self._to_end.start())

    def show_end(self) -> None:
        self.follow_end = True
        self._to_end.start()

    def _key(self, index: QModelIndex) -> int | None:
        entry = index.data(ENTRY_ROLE) if index.isValid() else None
        return entry.key if isinstance(entry, NoteEntry) else None

    def _edit_index(self, index: QModelIndex) -> None:
        key = self._key(index)
        if key is not None:
            self.edit_requested.emit(key)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = self._key(self.currentIndex())
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2) and key is not None:
            self.edit_requested.emit(key)
            return
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and key is not None:
            self.delete_requested.emit(key)
            return
        if event.key() == Qt.Key.Key_Escape:
            self.back_requested.emit()
            return
        super().keyPressEvent(event)


class NoteInput(QLineEdit):
    escaped = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.escaped.emit()
            return
        super().keyPressEvent(event)


class EvidenceNotebook(QWidget):
    note_submitted = Signal(str, object)  # text, criterion id
    note_edit_submitted = Signal(int, str, object)  # key, text, criterion id
    note_delete_confirmed = Signal(int)  # key
    back_to_grid = Signal()

    def __init__(self, criteria: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("evidence_notebook")
        self.model = NoteListModel(dict(criteria), self)
        self.editing: int | None = None
        self.confirm_box: QMessageBox | None = None
        self.read_only = False

        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(4)
        head = QHBoxLayout()
        self.title = label("Evidence notes", "heading")
        head.addWidget(self.title)
        head.addStretch(1)
        self.count = label("", "muted")
        self.count.setObjectName("note_count")
        head.addWidget(self.count)
        box.addLayout(head)

        self.list = NoteListView()
        self.list.setObjectName("note_list")
        self.list.setAccessibleName("Evidence notes")
        self.list.setModel(self.model)
        self.list.edit_requested.connect(self.begin_edit)
        self.list.delete_requested.connect(self.ask_delete)
        self.list.back_requested.connect(self.back_to_grid)
        box.addWidget(self.list, 1)
        # No word-wrapped labels in the notebook: they make its height depend on its width,
        # and a vertical layout then treats that height as a minimum and squeezes the clock.
        self.empty = label("No notes yet: type below while you watch.", "muted")
        self.empty.setObjectName("notes_empty")
        box.addWidget(self.empty)

        tag_row = QHBoxLayout()
        self.criterion = QComboBox()
        self.criterion.setObjectName("note_criterion")
        self.criterion.setToolTip("The criterion this note is evidence for (N in the grid chooses it)")
        self.criterion.addItem("No criterion", None)
        for cid, text in criteria:
            self.criterion.addItem(text, cid)
            self.criterion.setItemData(self.criterion.count() - 1, text, Qt.ItemDataRole.ToolTipRole)
        self.criterion.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.criterion.setMinimumContentsLength(12)
        tag_row.addWidget(self.criterion, 1)
        self.stamp_preview = label("", "muted")
        self.stamp_preview.setObjectName("note_stamp_preview")
        tag_row.addWidget(self.stamp_preview)
        box.addLayout(tag_row)

        self.input = NoteInput()
        self.input.setObjectName("note_input")
        self.input.setPlaceholderText("Type a note — Enter saves")
        self.input.setClearButtonEnabled(True)
        self.input.returnPressed.connect(self._enter)
        self.input.escaped.connect(self._escape)
        box.addWidget(self.input)
        self.hint = label("Enter saves · Esc to the grid · double-click to change", "muted")
        self.hint.setObjectName("note_hint")
        box.addWidget(self.hint)
        self.model.rowsInserted.connect(self._changed)
        self.model.rowsRemoved.connect(self._changed)
        self.model.modelReset.connect(self._changed)
        self._changed()

    # -- entries ------------------------------------------------------------------------------

    def _changed(self) -> None:
        n = len(self.model.entries)
        self.count.setText(f"{n} note{'s' if n != 1 else ''}" if n else "")
        self.empty.setVisible(n == 0)
        self.list.setVisible(n > 0)

    def load(self, entries: list[NoteEntry]) -> None:
        self.model.load(entries)
        self.list.show_end()

    def add(self, entry: NoteEntry) -> None:
        self.model.append(entry)
        self.list.show_end()

    def set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only
        for widget in (self.input, self.criterion, self.stamp_preview, self.hint):
            widget.setVisible(not read_only)
        if read_only:
            self.cancel_edit()

    # -- typing -------------------------------------------------------------------------------

    def focus_input(self, criterion_id: str | None = None) -> None:
        """Ready to type; with a criterion, the note is tagged to it (the grid's N key)."""
        if self.read_only:
            return
        if criterion_id is not None or self.editing is None:
            position = max(0, self.criterion.findData(criterion_id)) if criterion_id else 0
            self.criterion.setCurrentIndex(position)
        self.input.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _enter(self) -> None:
        text = self.input.text().strip()
        criterion = self.criterion.currentData()
        if self.editing is not None:
            key = self.editing
            entry = self.model.entry(key)
            if text and entry is not None and (text != entry.text or criterion != entry.criterion_id):
                self.note_edit_submitted.emit(key, text, criterion)
            self.cancel_edit()
            return
        if not text:
            return
        self.note_submitted.emit(text, criterion)
        self.input.clear()
        self.criterion.setCurrentIndex(0)  # a tag is for one note: the next starts untagged

    def _escape(self) -> None:
        if self.editing is not None:
            self.cancel_edit()
            return
        self.back_to_grid.emit()

    def begin_edit(self, key: int) -> None:
        entry = self.model.entry(key)
        if entry is None or self.read_only:
            return
        if entry.note_id is None:
            self.hint.setText("That note is still being saved; change it once it shows as saved.")
            set_role(self.hint, "pending")
            return
        self.editing = key
        self.input.setText(entry.text)
        self.criterion.setCurrentIndex(max(0, self.criterion.findData(entry.criterion_id)))
        self.hint.setText(
            f"Changing the note of {entry.written_at.astimezone():%H:%M:%S} — Enter saves, Esc cancels"
        )
        set_role(self.hint, "notice")
        self.input.setFocus()
        self.input.selectAll()

    def cancel_edit(self) -> None:
        self.editing = None
        self.input.clear()
        self.criterion.setCurrentIndex(0)
        self.hint.setText("Enter saves · Esc to the grid · double-click to change")
        set_role(self.hint, "muted")

    def ask_delete(self, key: int) -> None:
        entry = self.model.entry(key)
        if entry is None or self.read_only or entry.note_id is None:
            return
        box = QMessageBox(self)
        box.setObjectName("delete_note_box")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Delete the note")
        box.setText("Delete this note?")
        box.setInformativeText(f"“{entry.text}”\n\nIts wording stays in the audit trail.")
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.button(QMessageBox.StandardButton.Yes).setText("Delete")
        box.accepted.connect(lambda: self.note_delete_confirmed.emit(key))
        box.finished.connect(box.deleteLater)
        self.confirm_box = box
        box.open()
