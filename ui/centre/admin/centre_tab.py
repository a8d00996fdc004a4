"""The centre's own settings: its name, its logo on every report, its re-sit rule."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from db.engine import Database
from naas_centre.services import centre_settings
from naas_centre.services.centre_settings import CentreSettings
from naas_centre.services.views import Actor
from ui.common import error_reporting
from ui.common.widgets import label, set_role
from ui.work.tasks import TaskManager

LOGO_SHOWN = (220, 80)
FIELD_WIDTH = 260  # short numbers and buttons need not span the window


class CentreTab(QWidget):
    loaded = Signal()
    saved = Signal()
    refused = Signal(str)

    def __init__(self, tasks: TaskManager, db: Database, actor: Actor) -> None:
        super().__init__()
        self.tasks, self.db, self.actor = tasks, db, actor
        self.settings: CentreSettings | None = None
        box = QVBoxLayout(self)
        box.setContentsMargins(12, 10, 12, 10)
        box.setSpacing(10)

        named = QGroupBox("Name")
        row = QHBoxLayout(named)
        self.name = QLineEdit()
        self.name.setObjectName("centre_name")
        self.name.setPlaceholderText("as it heads every report")
        row.addWidget(self.name, 1)
        self.name_button = QPushButton("Save the name")
        self.name_button.setObjectName("centre_name_save")
        self.name_button.clicked.connect(self.save_name)
        row.addWidget(self.name_button)
        box.addWidget(named)

        logo = QGroupBox("Logo on the first page of every report")
        row = QHBoxLayout(logo)
        self.logo = label("No logo", "muted")
        self.logo.setObjectName("centre_logo")
        self.logo.setFixedSize(*LOGO_SHOWN)
        self.logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        row.addWidget(self.logo)
        side = QVBoxLayout()
        side.addWidget(label("A PNG or JPEG picture of at most 1 MB.", "muted", wrap=True))
        self.choose_button = QPushButton("Choose a logo…")
        self.choose_button.setObjectName("centre_logo_choose")
        self.choose_button.clicked.connect(self._choose_logo)
        side.addWidget(self.choose_button)
        self.remove_button = QPushButton("Remove the logo")
        self.remove_button.setObjectName("centre_logo_remove")
        self.remove_button.clicked.connect(self.remove_logo)
        side.addWidget(self.remove_button)
        side.addStretch(1)
        for button in (self.choose_button, self.remove_button):
            button.setMaximumWidth(FIELD_WIDTH)
        row.addLayout(side, 1)
        box.addWidget(logo)

        resits = QGroupBox("Re-sits, checked at booking")
        form = QFormLayout(resits)
        self.wait_weeks = QSpinBox()
        self.wait_weeks.setObjectName("centre_wait_weeks")
        self.wait_weeks.setRange(0, centre_settings.MAX_WAIT_WEEKS)
        self.wait_weeks.setSuffix(" weeks")
        self.wait_weeks.setSpecialValueText("no wait")
        form.addRow(
            label("Wait after a not-met outcome", "field-name", buddy=self.wait_weeks), self.wait_weeks
        )
        self.max_attempts = QSpinBox()
        self.max_attempts.setObjectName("centre_max_attempts")
        self.max_attempts.setRange(0, centre_settings.MAX_ATTEMPTS)
        self.max_attempts.setSpecialValueText("no limit")
        form.addRow(
            label("Most attempts at one level", "field-name", buddy=self.max_attempts), self.max_attempts
        )
        self.rule_button = QPushButton("Save the re-sit rule")
        self.rule_button.setObjectName("centre_rule_save")
        self.rule_button.clicked.connect(self.save_rule)
        form.addRow("", self.rule_button)
        for widget in (self.wait_weeks, self.max_attempts, self.rule_button):
            widget.setMaximumWidth(FIELD_WIDTH)
        box.addWidget(resits)

        self.status = label("Reading…", "muted", wrap=True)
        self.status.setObjectName("admin_status")
        box.addWidget(self.status)
        box.addStretch(1)

    # reading ------------------------------------------------------------------------------

    def reload(self) -> None:
        self.tasks.run(
            centre_settings.centre_settings,
            self.db,
            self.actor,
            on_done=self._show,
            on_error=self._read_failed,
            owner=self,
            name="centre.settings",
        )

    def _show(self, settings: CentreSettings) -> None:
        self.settings = settings
        self.name.setText(settings.name)
        self.wait_weeks.setValue(settings.resit_wait_weeks)
        self.max_attempts.setValue(settings.max_attempts)
        self._show_logo(settings.logo)
        if self.status.text() == "Reading…":
            self._say(settings.resit_rule_text)
        self.loaded.emit()

    def _show_logo(self, data: bytes | None) -> None:
        self.remove_button.setEnabled(data is not None)
        picture = QPixmap()
        if data is None or not picture.loadFromData(data):
            self.logo.clear()
            self.logo.setText("No logo")
            return
        self.logo.setPixmap(
            picture.scaled(
                *LOGO_SHOWN, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
        )

    def _read_failed(self, exc: BaseException) -> None:
        for widget in (self.name_button, self.choose_button, self.remove_button, self.rule_button):
            widget.setEnabled(False)
        self._refuse(exc)
        self.loaded.emit()

    # writing ------------------------------------------------------------------------------

    def save_name(self) -> None:
        self._write(
            centre_settings.rename_centre, self.name.text(), said=lambda s: f"The centre is now {s.name}."
        )

    def save_rule(self) -> None:
        self._write(
            centre_settings.set_resit_rule,
            self.wait_weeks.value(),
            self.max_attempts.value(),
            said=lambda s: f"Re-sit rule saved. {s.resit_rule_text}",
        )

    def _choose_logo(self) -> None:
        dialog = QFileDialog(self, "Choose the centre's logo")
        dialog.setNameFilters(["Pictures (*.png *.jpg *.jpeg)", "All files (*)"])
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(lambda chosen: self.set_logo_file(Path(chosen)))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def set_logo_file(self, path: Path) -> None:
        """The file is read and checked on the write worker; a refusal names it."""
        self._write(
            centre_settings.set_logo_from_file, path, said=lambda _s: f"The logo from {path.name} is saved."
        )

    def remove_logo(self) -> None:
        self._write(centre_settings.set_logo, None, said=lambda _s: "The logo is removed: reports show none.")

    def _write(
        self, fn: Callable[..., CentreSettings], *args: Any, said: Callable[[CentreSettings], str]
    ) -> None:
        def done(settings: CentreSettings) -> None:
            self._show(settings)
            self._say(said(settings), "saved")
            self.saved.emit()

        self.tasks.write(
            fn,
            self.db,
            self.actor,
            *args,
            on_done=done,
            on_error=self._refuse,
            owner=self,
            name="centre.write",
        )

    def _say(self, text: str, role: str = "muted") -> None:
        self.status.setText(text)
        set_role(self.status, role)

    def _refuse(self, exc: BaseException) -> None:
        message = error_reporting.plain_message(exc)
        self._say(message, "error")
        self.refused.emit(message)
