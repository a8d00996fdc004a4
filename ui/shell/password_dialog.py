"""Choosing one's own password: the current one, then the new one twice.

A password an administrator set is temporary: it signs in but unlocks no signing key,
so the sign dialog sends its owner here first. Changing one's own password re-encrypts
one's signing key under the new one (``accounts.set_password``, on the write worker).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QVBoxLayout, QWidget

from naas_centre.services import accounts
from naas_centre.services.views import Actor
from ui.common import error_reporting
from ui.common.widgets import label, primary_button
from ui.work.tasks import TaskManager

if TYPE_CHECKING:
    from db.engine import Database


def _field(name: str, accessible: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setAccessibleName(accessible)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class PasswordDialog(QDialog):
    changed = Signal()

    def __init__(self, tasks: TaskManager, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PasswordDialog")
        self.setWindowTitle("Change my password")
        self.setMinimumWidth(480)
        self.tasks = tasks
        self.db = db
        self.actor = actor
        box = QVBoxLayout(self)
        box.setContentsMargins(20, 18, 20, 16)
        box.setSpacing(10)
        box.addWidget(
            label(
                f"Choose a password only you know, of at least {accounts.MIN_PASSWORD} characters. "
                "Your signing key is locked under it.",
                "muted",
                wrap=True,
            )
        )
        form = QFormLayout()
        self.current = _field("password_current", "Current password")
        self.new = _field("password_new", "New password")
        self.repeat = _field("password_repeat", "New password again")
        form.addRow(label("&Current password", "field-name", buddy=self.current), self.current)
        form.addRow(label("&New password", "field-name", buddy=self.new), self.new)
        form.addRow(label("New password &again", "field-name", buddy=self.repeat), self.repeat)
        box.addLayout(form)
        self.error = label("", "error", wrap=True)
        self.error.setObjectName("password_error")
        self.error.hide()
        box.addWidget(self.error)
        buttons = QDialogButtonBox()
        self.ok_button = primary_button("Change password")
        self.ok_button.setObjectName("password_ok")
        self.ok_button.setAutoDefault(False)
        self.ok_button.clicked.connect(self._submit)
        buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.rejected.connect(self.reject)
        box.addWidget(buttons)
        self.repeat.returnPressed.connect(self._submit)
        self.current.setFocus()

    def _fail(self, message: str) -> None:
        self.ok_button.setEnabled(True)
        self.error.setText(message)
        self.error.show()

    def _submit(self) -> None:
        if not self.ok_button.isEnabled():
            return
        if not self.current.text():
            self._fail("Enter your current password.")
            return
        if self.new.text() != self.repeat.text():
            self._fail("The two new passwords differ; type the new one again.")
            return
        if self.new.text() == self.current.text():
            self._fail("The new password is the same as the current one.")
            return
        self.ok_button.setEnabled(False)
        self.error.hide()
        self.tasks.write(
            accounts.set_password,
            self.db,
            self.actor,
            self.actor.account_id,
            self.new.text(),
            self.current.text(),
            on_done=lambda _r: self._changed(),
            on_error=lambda exc: self._fail(error_reporting.plain_message(exc)),
            owner=self,
            name="set_password",
        )

    def _changed(self) -> None:
        self.changed.emit()
        self.accept()
