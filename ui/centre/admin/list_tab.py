"""What every administration tab shares: a table read in a worker, buttons acting on the
selected row, writes on the write worker, and one status line where a refusal reads
plainly. The services decide who may do what; a tab only shows their answer."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from db.engine import Database
from naas_centre.services.views import Actor
from ui.centre.admin.form_dialog import FormDialog
from ui.common import error_reporting
from ui.common.widgets import label, set_role
from ui.work.tasks import TaskManager

E = TypeVar("E")
T = TypeVar("T")


class ListTab(QWidget, Generic[E]):
    """A table of entries (``E``) with buttons; subclasses say how to read and show them."""

    loaded = Signal()  # the table shows what was just read
    saved = Signal()  # a write committed (the table is reloaded after it)
    refused = Signal(str)  # a write or a read was refused: the message shown

    columns: Sequence[str] = ()

    def __init__(self, tasks: TaskManager, db: Database, actor: Actor, intro: str) -> None:
        super().__init__()
        self.tasks, self.db, self.actor = tasks, db, actor
        self.entries: list[E] = []
        box = QVBoxLayout(self)
        box.setContentsMargins(12, 10, 12, 10)
        box.setSpacing(8)
        box.addWidget(label(intro, "muted", wrap=True))
        self.table = QTableWidget(0, len(self.columns))
        self.table.setHorizontalHeaderLabels(list(self.columns))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _index: self.on_activated())
        box.addWidget(self.table, 1)
        self.status = label("Reading…", "muted", wrap=True)
        self.status.setObjectName("admin_status")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addWidget(self.status)
        self.buttons = QHBoxLayout()
        box.addLayout(self.buttons)
        self._row_buttons: list[QPushButton] = []

    # building ------------------------------------------------------------------------

    def add_button(
        self, text: str, name: str, handler: Callable[[], None], *, needs_row: bool
    ) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(handler)
        self.buttons.addWidget(button)
        if needs_row:
            button.setEnabled(False)
            self._row_buttons.append(button)
        return button

    def finish_buttons(self) -> None:
        self.buttons.addStretch(1)

    # what subclasses provide -----------------------------------------------------------

    # Every tab defines both (a QWidget cannot also be an ABC: Shiboken has its own metaclass).
    read: Callable[[], list[E]]  # the tab's entries; runs in a worker
    cells: Callable[[E], Sequence[str]]  # one entry's row, as shown

    def on_activated(self) -> None:
        """A double-click on a row: by default nothing."""

    def summary(self) -> str:
        count = len(self.entries)
        return f"{count} {'entry' if count == 1 else 'entries'}."

    # reading ---------------------------------------------------------------------------

    def reload(self) -> None:
        self.tasks.run(
            self.read, on_done=self._show, on_error=self._read_failed, owner=self, name="admin.read"
        )

    def _show(self, entries: list[E]) -> None:
        chosen = self.selected()
        keep = getattr(chosen, "id", None)
        self.entries = list(entries)
        self.table.setRowCount(len(self.entries))
        again = -1
        for r, entry in enumerate(self.entries):
            for c, text in enumerate(self.cells(entry)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(r, c, item)
            if keep is not None and getattr(entry, "id", None) == keep:
                again = r
        if again >= 0:
            self.table.selectRow(again)
        self._selection_changed()
        if self.status.text() == "Reading…":  # the first read; later a line says what was done
            self.say(self.summary())
        self.loaded.emit()

    def _read_failed(self, exc: BaseException) -> None:
        self.entries = []
        self.table.setRowCount(0)
        self.refuse(exc)
        self.loaded.emit()

    # writing ---------------------------------------------------------------------------

    def write(
        self,
        fn: Callable[..., T],
        *args: Any,
        done: Callable[[T], str],
        form: FormDialog | None = None,
        **kwargs: Any,
    ) -> None:
        """Runs a service call on the write worker; ``done`` says in one line what it did.

        With a ``form``, a refusal is shown in the form, which stays open to be put right;
        it closes once the change is saved."""

        def finished(value: T) -> None:
            if form is not None:
                form.accept()
            self.say(done(value), "saved")
            self.saved.emit()
            self.reload()

        def failed(exc: BaseException) -> None:
            if form is not None and form.isVisible():
                form.show_refusal(error_reporting.plain_message(exc))
                self.refused.emit(form.error.text())
            else:
                self.refuse(exc)

        if form is not None:
            form.set_busy(True)
        self.tasks.write(
            fn, *args, on_done=finished, on_error=failed, owner=self, name="admin.write", **kwargs
        )

    def say(self, text: str, role: str = "muted") -> None:
        self.status.setText(text)
        set_role(self.status, role)

    def refuse(self, exc: BaseException) -> None:
        message = error_reporting.plain_message(exc)
        self.say(message, "error")
        self.refused.emit(message)

    # selection -------------------------------------------------------------------------

    def selected(self) -> E | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self.entries):
            return None
        return self.entries[rows[0].row()]

    def select(self, predicate: Callable[[E], bool]) -> bool:
        """Selects the first row whose entry matches (for keyboard users and tests)."""
        for r, entry in enumerate(self.entries):
            if predicate(entry):
                self.table.selectRow(r)
                return True
        return False

    def _selection_changed(self) -> None:
        has = self.selected() is not None
        for button in self._row_buttons:
            button.setEnabled(has)
        self.selection_changed()

    def selection_changed(self) -> None:
        """Subclasses relabel buttons for the selected entry (Disable or Enable, say)."""
