"""Recording that a candidate's employer endorsed their practice: who, for which level, when."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from naas_centre.services.views import Actor
from ui.centre.candidates.work import record_endorsement
from ui.common import error_reporting
from ui.common.widgets import label, set_role
from ui.work.tasks import TaskManager

if TYPE_CHECKING:
    from db.engine import Database
    from naas_centre.services.candidates import CandidateEntry, EndorsementView

LEVELS = (
    ("practitioner", "Practitioner"),
    ("supervisor", "Practice supervisor"),
    ("leader", "Practice leader"),
)


class EndorsementDialog(QDialog):
    recorded = Signal(object)  # EndorsementView
    failed = Signal(str)

    def __init__(
        self,
        tasks: TaskManager,
        db: Database,
        actor: Actor,
        candidate: CandidateEntry,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("EndorsementDialog")
        self.setWindowTitle("Record an endorsement")
        self.tasks, self.db, self.actor, self.candidate = tasks, db, actor, candidate
        box = QVBoxLayout(self)
        box.addWidget(
            label(
                f"{candidate.employer} endorses the practice of {candidate.full_name} "
                f"({candidate.registration_number}): they may then be booked at that level.",
                wrap=True,
            )
        )
        form = QFormLayout()
        self.level = QComboBox()
        for value, text in LEVELS:
            self.level.addItem(text, value)
        self.level.setCurrentIndex(max(0, self.level.findData(candidate.level)))
        form.addRow("Level", self.level)
        self.endorsed_by = QLineEdit()
        self.endorsed_by.setObjectName("endorsed_by")
        self.endorsed_by.setPlaceholderText("Name and role, such as Jo Bell, team manager")
        form.addRow("Endorsed by", self.endorsed_by)
        self.endorsed_on = QDateEdit(QDate.currentDate())
        self.endorsed_on.setObjectName("endorsed_on")
        self.endorsed_on.setCalendarPopup(True)
        self.endorsed_on.setDisplayFormat("d MMMM yyyy")
        form.addRow("Endorsed on", self.endorsed_on)
        box.addLayout(form)
        self.message = label("", "error", wrap=True)
        self.message.setObjectName("endorsement_message")
        box.addWidget(self.message)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        box.addWidget(self.buttons)

    def save(self) -> None:
        day = self.endorsed_on.date()
        self.buttons.setEnabled(False)
        self.message.setText("Saving…")
        set_role(self.message, "pending")
        self.tasks.write(
            record_endorsement,
            self.db,
            self.actor,
            self.candidate.id,
            str(self.level.currentData()),
            self.endorsed_by.text(),
            date(day.year(), day.month(), day.day()),
            on_done=self._saved,
            on_error=self._failed,
            owner=self,
        )

    def _saved(self, view: EndorsementView) -> None:
        self.recorded.emit(view)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.message.setText(error_reporting.plain_message(exc))
        set_role(self.message, "error")
        self.failed.emit(self.message.text())
