"""The rubric grid: criteria (rows, grouped under their KSS area) by levels (columns).

Each level cell shows its descriptor, wrapped and readable. A click (or a number key)
asks for that level; the cell shows it as *saving* at once and as *saved* only when the
write has come back from the database, or as *not saved yet, retrying* while the disk
cannot take it. The model keeps both: what is saved, and what is on its way, so a
refused write falls back to what the database holds.

A level below the pack's standard needs the assessor's written reason before the sheet
can be submitted: the criterion's cell says so (and shows the reason once given), and
R opens the reason field beside the grid.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QFocusEvent,
    QFont,
    QKeyEvent,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableView,
    QWidget,
)

from naas_centre.formatting import tidy
from naas_centre.packs.schema import Criterion, KssArea, LevelLabel, Pack, Rubric
from ui.common.rubric_cells import (
    CHOSEN_ROLE,
    KIND_ROLE,
    LEVEL_ROLE,
    PAINT_ROLE,
    STATE_ROLE,
    RubricDelegate,
)

Index = QModelIndex | QPersistentModelIndex


SAVING_AFTER_MS = 40  # a level not saved by then is painted as "saving" (see hold_paint)
OPEN_ROW_AFTER_MS = 40  # the row under the cursor opens this long after the cursor arrives
CRITERION_SHARE = 0.18  # of the grid's width; the levels share the rest


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
        self._retrying: set[int] = set()  # tokens of levels waiting for the disk
        self._tokens = itertools.count(1)
        self.read_only = False
        self.standard: int | None = None  # below it, a level needs a written reason
        self._reasons: dict[str, str] = {}  # the assessor's reasons (as given on this screen)

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

    def is_retrying(self, criterion_id: str) -> bool:
        pending = self._pending.get(criterion_id)
        return pending is not None and pending[0] in self._retrying

    def save_state(self, criterion_id: str) -> str:
        if criterion_id not in self._pending:
            return "saved"
        return "retrying" if self.is_retrying(criterion_id) else "saving"

    def scored(self) -> int:
        return sum(1 for cid in self._saved if self.level_of(cid) is not None)

    def total(self) -> int:
        return len(self._saved)

    def load(self, levels: dict[str, int | None]) -> None:
        """Levels as the database holds them (a sheet just read)."""
        for cid in self._saved:
            self._saved[cid] = levels.get(cid)
        self._pending.clear()
        self._retrying.clear()
        self._changed_all()  # not a reset: the cursor and the scroll position stay

    def set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only
        self._changed_all()

    # -- reasons ---------------------------------------------------------------------------

    def set_standard(self, standard: int | None) -> None:
        self.standard = standard
        self._changed_all()

    def load_reasons(self, reasons: dict[str, str]) -> None:
        self._reasons = {cid: text for cid, text in reasons.items() if cid in self._saved and text.strip()}
        self._changed_all()

    def set_reason(self, criterion_id: str, text: str) -> None:
        if text.strip():
            self._reasons[criterion_id] = text.strip()
        else:
            self._reasons.pop(criterion_id, None)
        self._changed(criterion_id)

    def has_criterion(self, criterion_id: str) -> bool:
        return criterion_id in self._saved

    def reason_of(self, criterion_id: str) -> str:
        return self._reasons.get(criterion_id, "")

    def below_standard(self, criterion_id: str) -> bool:
        level = self.level_of(criterion_id)
        return self.standard is not None and level is not None and level < self.standard

    def needs_reason(self, criterion_id: str) -> bool:
        return self.below_standard(criterion_id) and not self.reason_of(criterion_id)

    def reasons_needed(self) -> list[str]:
        return [cid for cid in self._saved if self.needs_reason(cid)]

    def level_label(self, value: int | None) -> str:
        return next((lv.label for lv in self.levels if lv.value == value), "")

    def criterion_note(self, criterion_id: str) -> str:
        """What the criterion's cell adds under its text: a reason needed, or the one given."""
        if self.needs_reason(criterion_id):
            return "✎ Below the standard: your reason is needed (R)"
        reason = self.reason_of(criterion_id)
        if reason and (self.below_standard(criterion_id) or not self.read_only):
            return f"Your reason: {reason}"
        return ""

    def begin(self, criterion_id: str, level: int | None) -> int:
        """A level on its way to the database; returns the token its answer will carry."""
        token = self.reserve(criterion_id, level)
        self.show_pending(criterion_id)
        return token

    def reserve(self, criterion_id: str, level: int | None) -> int:
        """``begin`` without telling the views yet (``show_pending`` does, just after)."""
        token = next(self._tokens)
        self._pending[criterion_id] = (token, level)
        return token

    def show_pending(self, criterion_id: str) -> None:
        self._changed(criterion_id)

    def retrying(self, criterion_id: str, token: int) -> None:
        """The write of ``token`` could not reach the disk yet; it is kept and retried."""
        self._retrying.add(token)
        if self._pending.get(criterion_id, (None,))[0] == token:
            self._changed(criterion_id)

    def confirm(self, criterion_id: str, token: int, level: int | None) -> None:
        """The write of ``token`` is on disk."""
        self._saved[criterion_id] = level
        self._retrying.discard(token)
        if self._pending.get(criterion_id, (None,))[0] == token:
            del self._pending[criterion_id]
        self._changed(criterion_id)

    def revert(self, criterion_id: str, token: int) -> None:  # type: ignore[override]
        """The write of ``token`` was refused: show what the database holds."""
        self._retrying.discard(token)
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
        if role == PAINT_ROLE:
            return self._paint_data(row, col)
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
                note = self.criterion_note(criterion.id)
                return (
                    f"{self._text[(criterion.id, None)]}. Level: {'not scored' if shown is None else shown}"
                    + (f". {note}" if note else "")
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
            return self.save_state(criterion.id)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            state = ""
            if chosen:
                state = {
                    "saving": ", chosen, saving",
                    "retrying": ", chosen, not saved yet, retrying",
                    "saved": ", chosen, saved",
                }[self.save_state(criterion.id)]
            return f"Level {level.value} {level.label}{state}: {descriptor}"
        return None

    def _paint_data(self, row: _Row, col: int) -> tuple[str, str, bool, str | None]:
        criterion = row.criterion
        if criterion is None:
            return ("area", row.area.title if col == 0 else "", False, None)
        if col == 0:
            note = self.criterion_note(criterion.id)
            text = self._text[(criterion.id, None)]
            return ("criterion", f"{text}\n\n{note}" if note else text, False, None)
        value = self.levels[col - 1].value
        chosen = self.level_of(criterion.id) == value
        text = self._text.get((criterion.id, value), "")
        return ("level", text, chosen, self.save_state(criterion.id) if chosen else None)

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


class RubricGridView(QTableView):
    """Keyboard: ↑/↓ criteria, ←/→ levels, 1–9 a level, Space/Enter the level under the
    cursor, Delete/Backspace clears, N a note about the criterion. Emits ``level_chosen``
    (criterion id, level or None) and ``note_requested`` (criterion id)."""

    level_chosen = Signal(str, object)
    note_requested = Signal(str)
    reason_requested = Signal(str)  # criterion id: R, to write the reason for its level
    current_criterion_changed = Signal(object)  # criterion id, or None

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
        header.setMinimumSectionSize(60)
        smaller = QFont(header.font())  # level names ("3 · Meets the standard") whole beside the clock
        smaller.setPointSizeF(max(8.0, smaller.pointSizeF() - 1))
        header.setFont(smaller)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setHighlightSections(False)
        self.compact = True
        self.dense = False  # every row its first lines (see rubric_cells); set before setModel
        self.holds_paint = False  # hold_paint on each choice (the owner calls release_paint)
        self._release = QTimer(self)
        self._release.setSingleShot(True)
        self._release.setInterval(SAVING_AFTER_MS)
        self._release.timeout.connect(self.release_paint)
        self._rows_to_size: set[int] = set()
        self._open_row = QTimer(self)
        self._open_row.setSingleShot(True)
        self._open_row.setInterval(OPEN_ROW_AFTER_MS)
        self._open_row.timeout.connect(self._size_rows)
        self._relayout = QTimer(self)
        self._relayout.setSingleShot(True)
        self._relayout.setInterval(0)
        self._relayout.timeout.connect(self._lay_out_rows)
        header.sectionResized.connect(lambda *_: self._relayout.start())
        self.clicked.connect(self._clicked)

    def currentChanged(self, current: Index, previous: Index) -> None:
        super().currentChanged(current, previous)
        if current.row() != previous.row():
            model = self.model()
            criterion = model.criterion_at(current.row()) if isinstance(model, RubricTableModel) else None
            self.current_criterion_changed.emit(criterion.id if criterion else None)
        if self.compact and current.row() != previous.row():
            # The row left shrinks to its preview; the row arrived at opens in full. Just
            # after, not at once: opening a row repaints the grid below it, and a click's
            # write is committed meanwhile without waiting for the painting.
            if previous.row() >= 0:
                self._rows_to_size.add(previous.row())
            self._open_row.start()

    def _size_rows(self) -> None:
        rows, self._rows_to_size = self._rows_to_size, set()
        current = self.currentIndex()
        if current.isValid():
            rows.add(current.row())
        for row in rows:
            self.resizeRowToContents(row)
        if current.isValid():
            self._show_row(current)

    def resizeEvent(self, event: QResizeEvent) -> None:
        # The criterion column a little narrower than the levels: their headings and
        # descriptors are what an assessor reads across.
        model = self.model()
        if isinstance(model, RubricTableModel) and model.columnCount() > 1:
            header = self.horizontalHeader()
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
            width = self.viewport().width() if event.size().width() <= 0 else event.size().width()
            self.setColumnWidth(0, max(140, int(width * CRITERION_SHARE)))
        super().resizeEvent(event)

    def _lay_out_rows(self) -> None:
        self.resizeRowsToContents()
        current = self.currentIndex()
        if current.isValid():
            self._show_row(current)

    def rubric(self) -> RubricTableModel:
        model = self.model()
        assert isinstance(model, RubricTableModel)
        return model

    def resizeRowToContents(self, row: int) -> None:
        if not self.dense:
            super().resizeRowToContents(row)
            return
        # Qt gives a row at least its (hidden) header's height, which pads each area's
        # heading by a third: a dense grid takes its cells' height alone.
        self.setRowHeight(row, self.sizeHintForRow(row))

    def resizeRowsToContents(self) -> None:
        if not self.dense:
            super().resizeRowsToContents()
            return
        for row in range(self.model().rowCount() if self.model() is not None else 0):
            self.setRowHeight(row, self.sizeHintForRow(row))

    def setModel(self, model: Any) -> None:
        if self.dense:
            self.verticalHeader().setMinimumSectionSize(16)
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
        if self.holds_paint:
            self.hold_paint()
        self.level_chosen.emit(criterion.id, level)

    def hold_paint(self) -> None:
        """Holds the grid's repainting while a level's write is in flight (``release_paint``
        when it is back, else after ``SAVING_AFTER_MS``). Painting runs Python on the GUI
        thread, which the write worker must share Python's lock with: painting the click
        at once made the commit itself several times slower. One repaint then shows the
        level saved, usually within a few milliseconds of the click."""
        self.viewport().setUpdatesEnabled(False)
        self._release.start()

    def release_paint(self) -> None:
        self._release.stop()
        if not self.viewport().updatesEnabled():
            self.viewport().setUpdatesEnabled(True)

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
        if key == Qt.Key.Key_R and model.criterion_at(row) is not None and not model.read_only:
            criterion = model.criterion_at(row)
            assert criterion is not None
            self.reason_requested.emit(criterion.id)
            return
        if key == Qt.Key.Key_N and model.criterion_at(row) is not None:
            criterion = model.criterion_at(row)
            assert criterion is not None
            self.note_requested.emit(criterion.id)
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

    def current_criterion(self) -> str | None:
        model = self.model()
        if not isinstance(model, RubricTableModel):
            return None
        criterion = model.criterion_at(self.currentIndex().row())
        return criterion.id if criterion else None

    def go_to(self, criterion_id: str) -> None:
        """The cursor on that criterion (at its chosen level, else its text), in view."""
        model = self.rubric()
        row = model.row_of(criterion_id)
        self._go(row, model.column_of(model.level_of(criterion_id)) or 0)

    def _go(self, row: int, col: int) -> None:
        index = self.model().index(row, col)
        self.setCurrentIndex(index)
        self._show_row(index)

    def _show_row(self, index: QModelIndex) -> None:
        """Scrolls to the row, with its KSS area's heading when that fits too."""
        model = self.model()
        above = index.row() - 1
        if isinstance(model, RubricTableModel) and model.is_area_row(above):
            self.scrollTo(model.index(above, 0))
        self.scrollTo(index)
