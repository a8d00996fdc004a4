"""The dashboard's knowledge-test page: each item's figures and flags, each form's KR-20.

The figures are ``services.item_statistics``' (the QA lead's alone, as the service
requires), read off the GUI thread; numpy is imported there, when the page asks, not
at start. Items are named by their id, never by their stem: the page is a list to
review in the bank's file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from naas_centre.services.qa_tables import Table
from naas_centre.services.views import Actor
from ui.common import error_reporting
from ui.common.widgets import label, set_role
from ui.qa.qa_tables import FiguresTable
from ui.qa.qa_words import plural
from ui.work.tasks import TaskManager

if TYPE_CHECKING:
    from db.engine import Database

TITLE = "Knowledge items"


@dataclass(frozen=True)
class ItemFigures:
    pack_name: str
    items: Table
    forms: Table
    sat: int  # item versions sat
    flagged: int


def read_packs(db: Database, actor: Actor) -> tuple[str, ...]:
    from naas_centre.services import item_statistics

    return item_statistics.packs_with_tests(db, actor)


def read_figures(db: Database, actor: Actor, pack_name: str) -> ItemFigures:
    from naas_centre.services import item_statistics

    report = item_statistics.item_statistics(db, actor, pack_name)
    items, forms = item_statistics.tables(report)
    return ItemFigures(pack_name, items, forms, len(report.items), len(report.flagged()))


class KnowledgeItemsPage(QWidget):
    """``loaded`` carries the ``ItemFigures`` once shown; ``failed`` the plain refusal."""

    loaded = Signal(object)
    failed = Signal(str)

    def __init__(self, tasks: TaskManager, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("qa_knowledge_items")
        self.tasks, self.db, self.actor = tasks, db, actor
        self.figures: ItemFigures | None = None
        self.tables: list[FiguresTable] = []
        box = QVBoxLayout(self)
        box.setContentsMargins(4, 10, 4, 4)
        box.setSpacing(8)
        box.addWidget(
            label(
                "How each question of a pack's knowledge test behaved, from every form submitted: "
                "facility (the share who got it right), discrimination (whether stronger candidates "
                "got it right more often) and the questions flagged for review in the bank.",
                "muted",
                wrap=True,
            )
        )
        row = QHBoxLayout()
        self.pack = QComboBox()
        self.pack.setAccessibleName("Scenario pack")
        self.show_button = QPushButton("Show figures")
        self.show_button.clicked.connect(self.load)
        self.show_button.setEnabled(False)
        row.addWidget(label("Pack", buddy=self.pack))
        row.addWidget(self.pack)
        row.addWidget(self.show_button)
        row.addStretch(1)
        box.addLayout(row)
        self.status = label("Reading the packs with a knowledge test…", "muted", wrap=True)
        self.status.setObjectName("qa_items_status")
        box.addWidget(self.status)
        self.body = QVBoxLayout()
        box.addLayout(self.body, 1)
        box.addStretch(1)
        tasks.run(
            read_packs,
            db,
            actor,
            on_done=self._packs,
            on_error=self._failed,
            owner=self,
            name="qa_item_packs",
        )

    def _packs(self, names: tuple[str, ...]) -> None:
        self.pack.addItems(list(names))
        self.show_button.setEnabled(bool(names))
        if names:
            self._say("Choose a pack and press Show figures.", "")
        else:
            self._say("No stored pack has a knowledge test yet.", "")

    def load(self) -> None:
        name = self.pack.currentText()
        if not name:
            return
        self.show_button.setEnabled(False)
        self._say(f"Reading every submitted form of {name}…", "pending")
        self.tasks.run(
            read_figures,
            self.db,
            self.actor,
            name,
            on_done=self._show,
            on_error=self._failed,
            owner=self,
            name="qa_item_figures",
        )

    def _show(self, figures: ItemFigures) -> None:
        self.show_button.setEnabled(True)
        for old in self.tables:
            self.body.removeWidget(old)
            old.deleteLater()
        self.tables = [
            FiguresTable(self.tasks, figures.items, self),
            FiguresTable(self.tasks, figures.forms, self),
        ]
        for table in self.tables:
            self.body.addWidget(table)
        self.figures = figures
        if figures.sat:
            self._say(
                f"{plural(figures.sat, 'question version')} sat; {figures.flagged} flagged for review.", ""
            )
        else:
            self._say(f"No form of {figures.pack_name} has been submitted yet.", "")
        self.loaded.emit(figures)

    def _failed(self, exc: BaseException) -> None:
        self.show_button.setEnabled(self.pack.count() > 0)
        message = error_reporting.plain_message(exc)
        self._say(message, "error")
        self.failed.emit(message)

    def _say(self, text: str, role: str) -> None:
        self.status.setText(text)
        set_role(self.status, role)
