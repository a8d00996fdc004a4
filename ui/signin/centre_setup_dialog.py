"""Setting up a real centre: its name and its first administrator."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QVBoxLayout, QWidget

from ui.common.widgets import label

MIN_PASSWORD_HINT = 12


@dataclass(frozen=True)
class CentreSetup:
    centre_name: str
    admin_username: str
    admin_display_name: str
    password: str


class CentreSetupDialog(QDialog):
    """Stays open while the centre is created, so a refused password can be corrected."""

    submitted = Signal(object)  # CentreSetup

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Set up a real centre")
        self.setMinimumWidth(480)
        box = QVBoxLayout(self)
        box.setContentsMargins(20, 16, 20, 14)
        box.setSpacing(12)
        intro = label(
            "The centre's database is kept in the data folder, apart from the demo. "
            "The administrator then adds the other accounts.",
            "muted",
            wrap=True,
        )
        box.addWidget(intro)

        form = QFormLayout()
        form.setSpacing(10)
        self.centre_name = QLineEdit()
        self.centre_name.setObjectName("centre_name")
        self.centre_name.setPlaceholderText("e.g. Northern Assessment Centre")
        self.admin_username = QLineEdit("admin")
        self.admin_username.setObjectName("admin_username")
        self.admin_display_name = QLineEdit()
        self.admin_display_name.setObjectName("admin_display_name")
        self.admin_display_name.setPlaceholderText("The administrator's full name")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(f"At least {MIN_PASSWORD_HINT} characters")
        self.repeat = QLineEdit()
        self.repeat.setObjectName("repeat")
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(label("Centre &name", "field-name", buddy=self.centre_name), self.centre_name)
        form.addRow(
            label("Administrator &username", "field-name", buddy=self.admin_username), self.admin_username
        )
        form.addRow(
            label("&Display name", "field-name", buddy=self.admin_display_name), self.admin_display_name
        )
        form.addRow(label("&Password", "field-name", buddy=self.password), self.password)
        form.addRow(label("&Repeat password", "field-name", buddy=self.repeat), self.repeat)
        box.addLayout(form)

        self.error = label("", "error", wrap=True)
        self.error.setObjectName("setup_error")
        self.error.hide()
        box.addWidget(self.error)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.create_button = self.buttons.addButton(
            "Create the centre", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.create_button.setProperty("role", "primary")
        self.create_button.setDefault(True)
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        box.addWidget(self.buttons)
        self.centre_name.setFocus()

    def values(self) -> CentreSetup:
        return CentreSetup(
            self.centre_name.text().strip(),
            self.admin_username.text().strip(),
            self.admin_display_name.text().strip(),
            self.password.text(),
        )

    def _submit(self) -> None:
        values = self.values()
        problem = None
        if not values.centre_name:
            problem, field = "The centre needs a name.", self.centre_name
        elif not values.admin_username:
            problem, field = "The administrator needs a username.", self.admin_username
        elif not values.admin_display_name:
            problem, field = "The administrator needs a display name.", self.admin_display_name
        elif values.password != self.repeat.text():
            problem, field = "The two passwords differ.", self.repeat
        if problem is not None:
            self.fail(problem)
            field.setFocus()
            return
        self.error.hide()
        self.set_busy(True)
        self.submitted.emit(values)

    def set_busy(self, busy: bool) -> None:
        self.create_button.setEnabled(not busy)
        self.create_button.setText("Creating…" if busy else "Create the centre")

    def fail(self, message: str) -> None:
        self.set_busy(False)
        self.error.setText(message)
        self.error.show()
