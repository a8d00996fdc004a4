"""The preview of a candidate file: every row, its problems, and Import only when clean.

Rows with an error are shown in the error colour, with their problems in the tooltip;
the problem list below names file, row and column for each. Nothing is written until
Import is pressed, and the services refuse a file with any error whatever the screen
shows. Reading, importing and saving the list all run in workers.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from naas_centre.services.views import Actor
from ui.centre.candidates.work import import_file, preview, save_problems
from ui.common import error_reporting, theme
from ui.common.widgets import label, primary_button, set_role
from ui.work.tasks import TaskManager

if TYPE_CHECKING:
    from db.engine import Database
    from naas_centre.imports.problems import Problem
    from naas_centre.services.candidates import ImportPreview, ImportResult

# The preview's columns: (key in the row's ``shown``, heading).
SHOWN = (
    ("full_name", "Full name"),
    ("registration_number", "Registration"),
    ("employer", "Employer"),
    ("level", "Level"),
    ("email", "Email"),
    ("endorsed_by", "Endorsed by"),
    ("endorsed_on", "Endorsed on"),
    ("extra_time_percent", "Extra time (%)"),
    ("break_between_scenarios", "Break"),
    ("adjustment_notes", "Adjustment notes"),
)
SEVERITY_TEXT = {"error": "Error", "warning": "Changed", "note": "Note"}


class ImportPreviewDialog(QDialog):
    previewed = Signal()
    imported = Signal(object)  # ImportResult
    problems_saved = Signal(int)
    failed = Signal(str)

    def __init__(
        self, tasks: TaskManager, db: Database, actor: Actor, path: Path, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ImportPreviewDialog")
        self.setWindowTitle(f"Import candidates: {path.name}")
        self.resize(1240, 660)  # fits a 1366x768 screen with the task bar
        self.tasks, self.db, self.actor, self.path = tasks, db, actor, path
        self.preview: ImportPreview | None = None
        self.outcome: ImportResult | None = None

        box = QVBoxLayout(self)
        box.setContentsMargins(18, 14, 18, 12)
        box.setSpacing(8)
        self.heading = label(f"Reading {path.name}…", "heading", wrap=True)
        self.heading.setObjectName("import_heading")
        box.addWidget(self.heading)
        box.addWidget(
            label(
                "Nothing is imported until you press Import, and a file with any error is refused whole: "
                "correct the spreadsheet, save it and read it again.",
                "muted",
                wrap=True,
            )
        )
        split = QSplitter(Qt.Orientation.Vertical)
        self.rows = QTreeWidget()
        self.rows.setObjectName("import_rows")
        self.rows.setRootIsDecorated(False)
        self.rows.setHeaderLabels(["Row", *(h for _, h in SHOWN)])
        self.rows.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        split.addWidget(self.rows)
        self.problems = QTreeWidget()
        self.problems.setObjectName("import_problems")
        self.problems.setRootIsDecorated(False)
        self.problems.setWordWrap(True)
        self.problems.setHeaderLabels(["Row", "Column", "Kind", "Problem"])
        self.problems.header().setStretchLastSection(True)
        self.problems.itemActivated.connect(self._go_to_row)
        split.addWidget(self.problems)
        split.setSizes([380, 200])
        box.addWidget(split, 1)

        bottom = QHBoxLayout()
        self.status = label("", "muted", wrap=True)
        self.status.setObjectName("import_status")
        bottom.addWidget(self.status, 1)
        self.save_button = QPushButton("Save problems…")
        self.save_button.setObjectName("import_save_problems")
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self._choose_problems_file)
        bottom.addWidget(self.save_button)
        self.import_button = primary_button("Import")
        self.import_button.setObjectName("import_accept")
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.accept_import)
        bottom.addWidget(self.import_button)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.reject)
        bottom.addWidget(self.cancel_button)
        box.addLayout(bottom)
        self.reload()

    # -- reading ----------------------------------------------------------------------

    def reload(self) -> None:
        self.import_button.setEnabled(False)
        self.tasks.run(
            preview,
            self.db,
            self.actor,
            self.path,
            on_done=self._shown,
            on_error=self._failed,
            owner=self,
        )

    def _failed(self, exc: BaseException) -> None:
        message = error_reporting.plain_message(exc)
        self.heading.setText(message)
        set_role(self.heading, "error")
        self.cancel_button.setEnabled(True)
        self.failed.emit(message)

    def _shown(self, preview: ImportPreview) -> None:
        self.preview = preview
        errors, total = len(preview.errors), len(preview.problems)
        rows = len(preview.rows)
        if preview.clean:
            self.heading.setText(
                f"{rows} candidate{'s' if rows != 1 else ''} ready to import"
                f" ({preview.endorsements} with an endorsement)"
            )
            set_role(self.heading, "heading")
        else:
            self.heading.setText(
                f"{errors} error{'s' if errors != 1 else ''} in {Path(preview.path).name}: nothing can be "
                "imported until the file is corrected"
            )
            set_role(self.heading, "error")
        changed = total - errors
        self.status.setText(
            f"{rows} row{'s' if rows != 1 else ''} read · {errors} error{'s' if errors != 1 else ''}"
            + (f" · {changed} change{'s' if changed != 1 else ''} and notes" if changed else "")
        )
        self._fill(preview)
        self.save_button.setEnabled(bool(preview.problems))
        self.import_button.setEnabled(preview.clean and bool(preview.rows))
        self.previewed.emit()

    def _fill(self, preview: ImportPreview) -> None:
        error = QBrush(QColor(theme.colours().error))
        by_row: dict[int, list[Problem]] = {}
        for p in preview.problems:
            if p.row is not None:
                by_row.setdefault(p.row, []).append(p)
        self.rows.clear()
        items = []
        for r in preview.rows:
            item = QTreeWidgetItem([str(r.row), *(r.shown.get(key, "") for key, _ in SHOWN)])
            item.setData(0, Qt.ItemDataRole.UserRole, r.row)
            own = by_row.get(r.row, [])
            if own:
                item.setToolTip(
                    0, "\n".join(f"{p.column}: {p.message}" if p.column else p.message for p in own)
                )
            if r.errors:
                item.setIcon(0, theme.icon("warning", theme.colours().error))
                for column in range(item.columnCount()):
                    item.setForeground(column, error)
            items.append(item)
        self.rows.addTopLevelItems(items)
        for column in range(self.rows.columnCount()):
            self.rows.resizeColumnToContents(column)
        self.problems.clear()
        lines = []
        for p in preview.problems:
            line = QTreeWidgetItem(
                ["" if p.row is None else str(p.row), p.column, SEVERITY_TEXT[p.severity.value], p.message]
            )
            line.setData(0, Qt.ItemDataRole.UserRole, p.row)
            line.setToolTip(3, p.message)
            if p.is_error:
                for column in range(4):
                    line.setForeground(column, error)
            lines.append(line)
        self.problems.addTopLevelItems(lines)
        for column in range(3):
            self.problems.resizeColumnToContents(column)

    def _go_to_row(self, item: QTreeWidgetItem) -> None:
        wanted = item.data(0, Qt.ItemDataRole.UserRole)
        for i in range(self.rows.topLevelItemCount()):
            row = self.rows.topLevelItem(i)
            if row is not None and row.data(0, Qt.ItemDataRole.UserRole) == wanted:
                self.rows.setCurrentItem(row)
                self.rows.scrollToItem(row)
                return

    def highlighted_rows(self) -> list[int]:
        """The spreadsheet rows shown as having an error."""
        if self.preview is None:
            return []
        return [r.row for r in self.preview.rows if r.errors]

    def problem_lines(self) -> list[str]:
        return [p.line() for p in self.preview.problems] if self.preview else []

    # -- saving the problem list ------------------------------------------------------

    def _choose_problems_file(self) -> None:
        suggested = self.path.with_name(f"{self.path.stem}-problems.csv")
        target, _ = QFileDialog.getSaveFileName(
            self, "Save the problem list", str(suggested), "CSV files (*.csv)"
        )
        if target:
            self.save_problems_to(Path(target))

    def save_problems_to(self, target: Path) -> None:
        if self.preview is None:
            return
        self.tasks.run(
            save_problems,
            self.preview.problems,
            target,
            on_done=lambda n: self._saved(n, target),
            on_error=self._save_failed,
            owner=self,
        )

    def _saved(self, count: int, target: Path) -> None:
        self.status.setText(f"{count} problem{'s' if count != 1 else ''} saved to {target}")
        set_role(self.status, "saved")
        self.problems_saved.emit(count)

    def _save_failed(self, exc: BaseException) -> None:
        self.status.setText(error_reporting.plain_message(exc))
        set_role(self.status, "error")
        self.failed.emit(self.status.text())

    # -- importing --------------------------------------------------------------------

    def accept_import(self) -> None:
        if self.preview is None or not self.preview.clean:
            return
        self.import_button.setEnabled(False)
        self.cancel_button.setEnabled(False)
        self.status.setText("Importing…")
        set_role(self.status, "pending")
        self.tasks.write(
            import_file,
            self.db,
            self.actor,
            self.path,
            on_done=self._imported,
            on_error=self._import_failed,
            owner=self,
        )

    def _imported(self, result: ImportResult) -> None:
        self.outcome = result
        self.imported.emit(result)
        self.accept()

    def _import_failed(self, exc: BaseException) -> None:
        # The file changed since the preview, or the disk refused: nothing was written.
        self.cancel_button.setEnabled(True)
        self._save_failed(exc)
        self.reload()
