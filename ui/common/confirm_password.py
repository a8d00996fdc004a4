"""The password asked again before a sensitive act: an export, an erasure, a
revocation, a bundle, a restore.

``ConfirmPasswordDialog`` only asks; the service checks the password itself
(``naas_centre.services.accounts.reconfirm``), counts a wrong one towards the lock-out
and refuses with nothing done, so the screen shows that refusal as any other.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLineEdit, QVBoxLayout, QWidget

from ui.common.widgets import label, primary_button


class ConfirmPasswordDialog(QDialog):
    """``ConfirmPasswordDialog(what, action, parent)``; ``confirmed`` carries the password
    typed (never empty) when the person presses ``action``."""

    confirmed = Signal(str)

    def __init__(self, what: str, action: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ConfirmPasswordDialog")
        self.setWindowTitle("Confirm with your password")
        self.setMinimumWidth(440)
        box = QVBoxLayout(self)
        box.setContentsMargins(20, 18, 20, 16)
        box.setSpacing(10)
        box.addWidget(label(f"{what} asks for your password again.", "heading", wrap=True))
        self.password = QLineEdit()
        self.password.setObjectName("confirm_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Your password")
        self.password.textChanged.connect(self._update)
        self.password.returnPressed.connect(self._submit)
        box.addWidget(label("Your &password", "field-name", buddy=self.password))
        box.addWidget(self.password)
        buttons = QDialogButtonBox()
        self.ok_button = primary_button(action)
        self.ok_button.setObjectName("confirm_ok")
        self.ok_button.setAutoDefault(False)
        self.ok_button.clicked.connect(self._submit)
        buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.rejected.connect(self.reject)
        box.addWidget(buttons)
        self.password.setFocus()
        self._update()

    def _update(self) -> None:
        self.ok_button.setEnabled(bool(self.password.text()))

    def _submit(self) -> None:
        typed = self.password.text()
        if typed:
            self.password.clear()  # not kept in the widget once handed over
            self.confirmed.emit(typed)
            self.accept()
