"""The centre's candidates: who they are, their employer's endorsements and their attempts.

"Import…" reads a spreadsheet into a preview (``ImportPreviewDialog``); "Record
endorsement…" records an employer's endorsement for the chosen candidate. Every list is
read in a worker, and the services decide who may do what (centre managers and
administrators): the screen only asks and shows.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from naas_centre.services.views import Actor
from ui.centre.candidates.endorsement_dialog import EndorsementDialog
from ui.centre.candidates.import_dialog import ImportPreviewDialog
from ui.centre.candidates.work import list_candidates
from ui.common import error_reporting, theme
from ui.common.widgets import label, set_role
from ui.work.tasks import TaskManager

if TYPE_CHECKING:
    from db.engine import Database
    from naas_centre.services.candidates import CandidateEntry, ImportResult

HEADINGS = ("Candidate", "Registration", "Employer", "Level", "Endorsement", "Attempts", "Adjustments")


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def endorsement_text(c: CandidateEntry) -> str:
    mine = [
        e for e in c.endorsements if e.level == c.level and e.employer.casefold() == c.employer.casefold()
    ]
    if not mine:
        return "Not endorsed"
    e = mine[-1]
    return f"{e.endorsed_by}, {_long(e.endorsed_on)}"


def attempts_text(c: CandidateEntry) -> str:
    if not c.attempts:
        return "None yet"
    return "; ".join(
        f"{a.attempt}: {_long(a.day)}" + (" (withdrawn)" if a.status == "withdrawn" else "")
        for a in c.attempts
    )


def adjustments_text(c: CandidateEntry) -> str:
    parts = []
    if c.extra_time_percent:
        parts.append(f"{c.extra_time_percent}% extra time")
    if c.break_between_scenarios:
        parts.append("a break between scenarios")
    if c.adjustment_notes:
        parts.append(c.adjustment_notes)
    return "; ".join(parts)


class CandidatesDialog(QDialog):
    loaded = Signal()
    preview_opened = Signal(object)  # the ImportPreviewDialog
    endorsement_opened = Signal(object)  # the EndorsementDialog

    def __init__(self, tasks: TaskManager, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CandidatesDialog")
        self.setWindowTitle("Candidates")
        self.resize(1180, 640)  # fits a 1366x768 screen
        self.tasks, self.db, self.actor = tasks, db, actor
        self.entries: list[CandidateEntry] = []

        box = QVBoxLayout(self)
        box.setContentsMargins(18, 14, 18, 12)
        box.setSpacing(8)
        top = QHBoxLayout()
        self.heading = label("Reading the candidates…", "heading")
        self.heading.setObjectName("candidates_heading")
        top.addWidget(self.heading, 1)
        self.search = QLineEdit()
        self.search.setObjectName("candidates_search")
        self.search.setPlaceholderText("Find by name, registration number or employer")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(320)
        self.search.textChanged.connect(self._show)
        top.addWidget(self.search)
        box.addLayout(top)

        self.tree = QTreeWidget()
        self.tree.setObjectName("candidates_tree")
        self.tree.setRootIsDecorated(False)
        self.tree.setHeaderLabels(list(HEADINGS))
        self.tree.setSortingEnabled(True)
        header = self.tree.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.tree.itemSelectionChanged.connect(self._selection_changed)
        self.tree.itemActivated.connect(lambda *_: self.record_endorsement())
        box.addWidget(self.tree, 1)

        self.message = label("", "muted", wrap=True)
        self.message.setObjectName("candidates_message")
        box.addWidget(self.message)
        bottom = QHBoxLayout()
        bottom.addWidget(
            label(
                "A candidate can be booked once their employer has endorsed their practice at their level.",
                "muted",
                wrap=True,
            ),
            1,
        )
        self.import_button = QPushButton("Import…")
        self.import_button.setObjectName("candidates_import")
        self.import_button.clicked.connect(self._choose_file)
        bottom.addWidget(self.import_button)
        self.endorse_button = QPushButton("Record endorsement…")
        self.endorse_button.setObjectName("candidates_endorse")
        self.endorse_button.setEnabled(False)
        self.endorse_button.clicked.connect(self.record_endorsement)
        bottom.addWidget(self.endorse_button)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        bottom.addWidget(close)
        box.addLayout(bottom)
        self.reload()

    # -- the list ---------------------------------------------------------------------

    def reload(self) -> None:
        self.tasks.run(
            list_candidates, self.db, self.actor, on_done=self._loaded, on_error=self._failed, owner=self
        )

    def _failed(self, exc: BaseException) -> None:
        self.heading.setText(error_reporting.plain_message(exc))
        set_role(self.heading, "error")
        self.loaded.emit()

    def _loaded(self, entries: list[CandidateEntry]) -> None:
        self.entries = entries
        self._show()
        self.loaded.emit()

    def _show(self) -> None:
        wanted = self.search.text().strip().casefold()
        shown = [
            c
            for c in self.entries
            if not wanted
            or any(wanted in v.casefold() for v in (c.full_name, c.registration_number, c.employer))
        ]
        endorsed = sum(1 for c in self.entries if c.endorsed)
        count = len(self.entries)
        self.heading.setText(
            f"{count} candidate{'s' if count != 1 else ''} · {endorsed} endorsed"
            + (f" · {len(shown)} shown" if wanted else "")
        )
        set_role(self.heading, "heading")
        muted = QBrush(QColor(theme.colours().muted))
        self.tree.setSortingEnabled(False)
        self.tree.clear()
        items = []
        for c in shown:
            item = QTreeWidgetItem(
                [
                    c.full_name,
                    c.registration_number,
                    c.employer,
                    c.level.capitalize(),
                    endorsement_text(c),
                    attempts_text(c),
                    adjustments_text(c),
                ]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, c.id)
            if not c.endorsed:
                item.setForeground(4, muted)
            items.append(item)
        self.tree.addTopLevelItems(items)
        self.tree.setSortingEnabled(True)
        for column in range(len(HEADINGS) - 1):
            self.tree.resizeColumnToContents(column)
        self._selection_changed()

    def shown_rows(self) -> list[list[str]]:
        """What the table shows, row by row."""
        out = []
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item is not None:
                out.append([item.text(j) for j in range(len(HEADINGS))])
        return out

    def select(self, candidate_id: str) -> None:
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item is not None and item.data(0, Qt.ItemDataRole.UserRole) == candidate_id:
                self.tree.setCurrentItem(item)
                return

    def selected(self) -> CandidateEntry | None:
        item = self.tree.currentItem()
        if item is None or not item.isSelected():
            return None
        wanted = item.data(0, Qt.ItemDataRole.UserRole)
        return next((c for c in self.entries if c.id == wanted), None)

    def _selection_changed(self) -> None:
        self.endorse_button.setEnabled(self.selected() is not None)

    # -- importing --------------------------------------------------------------------

    def _choose_file(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self, "Import candidates", str(Path.home()), "Spreadsheets (*.csv *.xlsx);;All files (*)"
        )
        if chosen:
            self.open_import(Path(chosen))

    def open_import(self, path: Path) -> ImportPreviewDialog:
        dialog = ImportPreviewDialog(self.tasks, self.db, self.actor, path, self)
        dialog.imported.connect(self._imported)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.preview_opened.emit(dialog)
        return dialog

    def _imported(self, result: ImportResult) -> None:
        self.message.setText(
            f"Imported {result.candidates} candidates and {result.endorsements} endorsements "
            f"from {Path(result.path).name}."
        )
        set_role(self.message, "saved")
        self.reload()

    # -- endorsements -----------------------------------------------------------------

    def record_endorsement(self) -> EndorsementDialog | None:
        candidate = self.selected()
        if candidate is None:
            return None
        dialog = EndorsementDialog(self.tasks, self.db, self.actor, candidate, self)
        dialog.recorded.connect(lambda view: self._endorsed(candidate, view))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.endorsement_opened.emit(dialog)
        return dialog

    def _endorsed(self, candidate: CandidateEntry, view: object) -> None:
        self.message.setText(f"Endorsement recorded for {candidate.full_name}.")
        set_role(self.message, "saved")
        self.reload()
