"""The QA dashboard's tables: a read-only view of one table of figures, and its export to
CSV or XLSX, chosen in a save dialog and written in the background through the
export writers (``naas_centre.exports.writers``), whole or not at all.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from naas_centre.errors import UserError
from naas_centre.exports import writers
from naas_centre.exports.score_sheets import Value
from naas_centre.services.qa_tables import Table
from ui.common import error_reporting
from ui.common.widgets import label, set_role
from ui.work.tasks import Task, TaskManager

ROWS_IN_VIEW = 14  # a longer table scrolls inside itself; a shorter one shows every row


def shown(value: Value) -> str:
    """A value as the screen shows it: dates as ISO dates, nothing for missing."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _numeric(value: Value) -> bool:
    if isinstance(value, int):
        return True
    if not isinstance(value, str) or not value:
        return False
    try:
        float(value.rstrip("%"))
    except ValueError:
        return False
    return True


def write_table(task: Task[Any], table: Table, target: Path, fmt: writers.Format) -> Path | None:
    """In a worker: the table to ``target`` as the command line writes it; None when
    stopped (nothing written). A file that cannot be written is said plainly."""
    from naas_centre.services import qa_tables

    try:
        qa_tables.write(table, target, fmt, cancelled=lambda: task.cancelled)
    except writers.ExportCancelled:
        return None
    except IsADirectoryError:
        raise UserError(
            f"{target} is a folder; give a file name such as {target / file_name(table, fmt)}."
        ) from None
    except FileNotFoundError:
        raise UserError(f"{target.parent}: no such folder.") from None
    except OSError as exc:
        raise UserError(f"{target}: {exc.strerror or exc}.") from None
    return target


def file_name(table: Table, fmt: str) -> str:
    return f"qa-{table.name}.{fmt}"


class FiguresTableModel(QAbstractTableModel):
    def __init__(self, table: Table, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = table

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.table.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.table.headers)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        row = self.table.rows[index.row()]
        value = row[index.column()] if index.column() < len(row) else None
        if role == Qt.ItemDataRole.DisplayRole:
            return shown(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and _numeric(value):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.table.headers[section]
        return None


class FiguresTable(QWidget):
    """One table of figures with its two export buttons; ``exported`` carries the path
    once the file is on the disk."""

    exported = Signal(object)  # Path
    export_failed = Signal(str)

    def __init__(self, tasks: TaskManager, table: Table, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"qa_table_{table.name}")
        self.tasks = tasks
        self.table = table
        self._task: Task[Path | None] | None = None
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(6)
        head = QHBoxLayout()
        # The title wraps: a long one must not make the page wider than the window.
        head.addWidget(label(table.title or table.name, "field-name", wrap=True), 1)
        self.status = label("", "muted")
        head.addWidget(self.status)
        self.buttons: dict[str, QPushButton] = {}
        for fmt, text in (("csv", "Export CSV…"), ("xlsx", "Export XLSX…")):
            button = QPushButton(text)
            button.setAccessibleName(f"{text[:-1]}: {table.title or table.name}")
            button.clicked.connect(lambda _=False, f=fmt: self.choose_and_export(f))
            head.addWidget(button)
            self.buttons[fmt] = button
        box.addLayout(head)
        self.view = QTableView()
        self.view.setModel(FiguresTableModel(table, self.view))
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(26)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        rows = min(ROWS_IN_VIEW, max(1, len(table.rows)))
        self.view.setFixedHeight(header.sizeHint().height() + 26 * rows + 6)
        box.addWidget(self.view)

    @property
    def running(self) -> bool:
        return self._task is not None

    def choose_and_export(self, fmt: str) -> None:
        chosen, _ = QFileDialog.getSaveFileName(
            self,
            f"Save “{self.table.title or self.table.name}” as",
            str(Path.home() / file_name(self.table, fmt)),
            f"{fmt.upper()} files (*.{fmt})",
        )
        if chosen:
            path = Path(chosen)
            self.export(path if path.suffix.lower() == f".{fmt}" else path.with_name(path.name + f".{fmt}"))

    def export(self, target: Path) -> None:
        """Writes the table to ``target`` (its suffix says CSV or XLSX) in the background."""
        if self._task is not None:
            return
        fmt: writers.Format = "xlsx" if target.suffix.lower() == ".xlsx" else "csv"
        for button in self.buttons.values():
            button.setEnabled(False)
        self._say("Writing…", "pending")
        task = self._task = self.tasks.long(
            write_table,
            self.table,
            target,
            fmt,
            on_done=self._done,
            on_error=self._failed,
            owner=self,
            name="qa_export_table",
        )
        self.destroyed.connect(lambda *_: task.cancel())

    def _done(self, path: Path | None) -> None:
        self._finish()
        if path is None:
            self._say("Stopped: no file was written.", "pending")
            return
        self._say(f"Saved {path.name}", "saved")
        self.exported.emit(path)

    def _failed(self, exc: BaseException) -> None:
        self._finish()
        message = error_reporting.plain_message(exc)
        self._say(message, "error")
        self.export_failed.emit(message)

    def _finish(self) -> None:
        self._task = None
        for button in self.buttons.values():
            button.setEnabled(True)

    def _say(self, text: str, role: str) -> None:
        self.status.setText(text)
        set_role(self.status, role)
