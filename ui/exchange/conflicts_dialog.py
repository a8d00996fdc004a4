"""The open conflicts: records changed both on this workstation and in a room, each shown
as what it is and what each side holds, resolved by keeping one version, for a reason.

Listing and resolving are the services' (``naas_centre.exchange.conflicts``): only a
centre manager or an administrator sees them, a reason is required, and every choice
goes into the audit trail. A resolved conflict leaves the list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from naas_centre.exchange.conflicts import list_conflicts, resolve_conflict
from naas_centre.services.views import Actor
from naas_centre.writes.changes import Changes
from ui.common import error_reporting
from ui.common.widgets import label, set_role
from ui.exchange.exchange_words import ConflictLine, describe_conflicts
from ui.work.tasks import TaskManager

if TYPE_CHECKING:
    from db.engine import Database

RESOLVED = Changes(scores=True, notes=True, clocks=True, scripts=True, status=True, reports=True)
COLUMNS = ("What", "Record", "On this workstation", "From the room")

Index = QModelIndex | QPersistentModelIndex


def _open_conflicts(db: Database, actor: Actor) -> list[ConflictLine]:
    """In a worker: the open conflicts, in words."""
    return describe_conflicts(db, actor, list_conflicts(db, actor))


class ConflictsTableModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lines: list[ConflictLine] = []

    def set_lines(self, lines: list[ConflictLine]) -> None:
        self.beginResetModel()
        self.lines = list(lines)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's names
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        line = self.lines[index.row()]
        text = (line.kind, line.record, line.here, line.room)[index.column()]
        return text[:1].upper() + text[1:] if index.column() == 0 else text

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None


class ConflictsDialog(QDialog):
    """``ConflictsDialog(tasks, db, actor, parent)``; ``loaded`` after each reading of the
    list, ``resolved`` with the service's ``ConflictView`` after each resolution."""

    loaded = Signal()
    resolved = Signal(object)  # naas_centre.exchange.conflicts.ConflictView
    refused = Signal(str)

    def __init__(self, tasks: TaskManager, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ConflictsDialog")
        self.setWindowTitle("Conflicts")
        self.tasks, self.db, self.actor = tasks, db, actor
        self._busy = False

        box = QVBoxLayout(self)
        box.addWidget(
            label(
                "Each record below was changed both on this workstation and in a room before the "
                "room's results were collected. Neither version was overwritten. Choose which one "
                "is kept and say why; the choice and the reason go into the audit trail.",
                wrap=True,
            )
        )
        self.model = ConflictsTableModel(self)
        self.table = QTableView()
        self.table.setObjectName("conflicts_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(2, 190)
        header.resizeSection(3, 190)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        box.addWidget(self.table, 1)

        form = QFormLayout()
        self.reason = QLineEdit()
        self.reason.setObjectName("conflict_reason")
        self.reason.setPlaceholderText("For example: the room's sheet was checked with the assessor")
        form.addRow(label("&Reason", buddy=self.reason), self.reason)
        box.addLayout(form)
        self.status = label("", wrap=True)
        self.status.setObjectName("conflicts_status")
        box.addWidget(self.status)

        buttons = QHBoxLayout()
        self.keep_local = QPushButton("Keep &this workstation's version")
        self.keep_local.clicked.connect(lambda: self.resolve("local"))
        self.keep_incoming = QPushButton("Keep the r&oom's version")
        self.keep_incoming.clicked.connect(lambda: self.resolve("incoming"))
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        buttons.addWidget(self.keep_local)
        buttons.addWidget(self.keep_incoming)
        buttons.addStretch(1)
        buttons.addWidget(close)
        box.addLayout(buttons)
        self.resize(900, 480)
        self._enable()
        self.reload()

    # -- reading ---------------------------------------------------------------------

    def reload(self) -> None:
        self._say("Reading the open conflicts…", "pending")
        self.tasks.run(
            _open_conflicts, self.db, self.actor, on_done=self._loaded, on_error=self._load_failed, owner=self
        )

    def _loaded(self, lines: list[ConflictLine]) -> None:
        self.model.set_lines(lines)
        self.table.resizeRowsToContents()
        if lines:
            self.table.selectRow(0)
            self._say(f"{len(lines)} open conflict(s).", "")
        else:
            self._say("No open conflicts: every record agrees with the rooms' results.", "saved")
        self._enable()
        self.loaded.emit()

    def _load_failed(self, exc: BaseException) -> None:
        self._say(error_reporting.plain_message(exc), "error")
        self.loaded.emit()

    # -- resolving -------------------------------------------------------------------

    def selected(self) -> ConflictLine | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.lines[rows[0].row()] if rows else None

    def select(self, conflict_id: str) -> None:
        for n, line in enumerate(self.model.lines):
            if line.id == conflict_id:
                self.table.selectRow(n)
                return
        raise ValueError(f"conflict {conflict_id} is not listed")

    def resolve(self, keep: str) -> None:
        line = self.selected()
        if line is None or self._busy:
            return
        self._busy = True
        self._enable()
        self._say("Keeping the chosen version…", "pending")
        self.tasks.write(
            resolve_conflict,
            self.db,
            self.actor,
            line.id,
            keep,
            self.reason.text(),  # the service refuses an empty reason, plainly
            on_done=self._resolved,
            on_error=self._refused,
            owner=self,
            name="resolve_conflict",
            changes=RESOLVED,
        )

    def _resolved(self, view: object) -> None:
        self._busy = False
        self.reason.clear()
        self.resolved.emit(view)
        self.reload()

    def _refused(self, exc: BaseException) -> None:
        self._busy = False
        message = error_reporting.plain_message(exc)
        self._say(message, "error")
        self._enable()
        self.refused.emit(message)

    def _selection_changed(self, *_: object) -> None:
        self._enable()

    def _enable(self) -> None:
        ok = self.selected() is not None and not self._busy
        self.keep_local.setEnabled(ok)
        self.keep_incoming.setEnabled(ok)

    def _say(self, text: str, role: str) -> None:
        self.status.setText(text)
        set_role(self.status, role)
