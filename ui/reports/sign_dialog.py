"""Signing asks for the signer's password every time, and for a reason when a new version is due.

The password unlocks the signer's own key (kept encrypted under it); it is not stored.
The dialog only collects what is needed and shows what happens: the work itself runs
on the write worker, and the dialog closes only once the signed version is committed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ui.common.widgets import card, label, primary_button


class SignDialog(QDialog):
    submitted = Signal(str, str)  # password, reason ("" when none is asked)

    def __init__(
        self,
        title: str,
        what: str,
        consequence: str,
        *,
        action: str = "Sign",
        ask_reason: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("SignDialog")
        self.setWindowTitle(title)
        self.setMinimumWidth(580)
        self.action = action
        box = QVBoxLayout(self)
        box.setSpacing(12)
        box.setContentsMargins(20, 18, 20, 16)
        heading = label(what, "heading", wrap=True)
        heading.setObjectName("sign_what")
        box.addWidget(heading)
        info = label(consequence, "muted", wrap=True)
        info.setObjectName("sign_consequence")
        box.addWidget(info)

        form = QFormLayout()
        form.setSpacing(10)
        self.reason: QPlainTextEdit | None = None
        if ask_reason:
            notice = card("banner")
            notice_box = QVBoxLayout(notice)
            notice_box.setContentsMargins(12, 8, 12, 8)
            notice_box.addWidget(
                label(
                    "The data behind the signed version has changed. Say why a new version is "
                    "needed: the reason is printed in the signature and kept in the audit trail.",
                    wrap=True,
                )
            )
            box.addWidget(notice)
            self.reason = QPlainTextEdit()
            self.reason.setObjectName("sign_reason")
            self.reason.setAccessibleName("Reason for a new version")
            self.reason.setPlaceholderText("For example: levels agreed at moderation after the first signing")
            self.reason.setTabChangesFocus(True)
            self.reason.setFixedHeight(72)
            self.reason.textChanged.connect(self._update)
            form.addRow(label("&Reason", "field-name", buddy=self.reason), self.reason)
        self.password = QLineEdit()
        self.password.setObjectName("sign_password")
        self.password.setAccessibleName("Your password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.textChanged.connect(self._update)
        self.password.returnPressed.connect(self._submit)
        form.addRow(label("Your &password", "field-name", buddy=self.password), self.password)
        box.addLayout(form)

        self.error = label("", "error", wrap=True)
        self.error.setObjectName("sign_error")
        self.error.hide()
        box.addWidget(self.error)

        buttons = QDialogButtonBox()
        self.sign_button = primary_button(action)
        self.sign_button.setObjectName("sign_button")
        self.sign_button.setAutoDefault(False)
        self.sign_button.clicked.connect(self._submit)
        buttons.addButton(self.sign_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.rejected.connect(self.reject)
        box.addWidget(buttons)
        self._busy = False
        (self.reason or self.password).setFocus(Qt.FocusReason.OtherFocusReason)
        self._update()

    def reason_text(self) -> str:
        return self.reason.toPlainText().strip() if self.reason is not None else ""

    def _ready(self) -> bool:
        return bool(self.password.text()) and (self.reason is None or bool(self.reason_text()))

    def _update(self) -> None:
        self.sign_button.setEnabled(self._ready() and not self._busy)

    def _submit(self) -> None:
        if not self._ready() or self._busy:
            if self.reason is not None and not self.reason_text():
                self.fail("Give the reason for a new version first.")
            return
        self.set_busy(True)
        self.submitted.emit(self.password.text(), self.reason_text())

    def set_busy(self, busy: bool, text: str = "Signing…") -> None:
        self._busy = busy
        self.sign_button.setText(text if busy else self.action)
        self.password.setEnabled(not busy)
        if self.reason is not None:
            self.reason.setEnabled(not busy)
        self.cancel_button.setEnabled(not busy)
        if busy:
            self.error.hide()
        self._update()

    def fail(self, message: str) -> None:
        """Stays open: says what went wrong, and lets the signer try again."""
        self.set_busy(False)
        self.error.setText(message)
        self.error.show()
        self.password.selectAll()
        self.password.setFocus()

    def reject(self) -> None:
        if self._busy:
            return  # the signature is being made and will be committed; wait for it
        super().reject()
