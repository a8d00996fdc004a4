"""The page before the sign-in when the centre's database is encrypted: its passphrase.

It only asks and shows; the application proves the passphrase and opens the centre in
the background, then tells this page whether it did. The field is cleared as soon as the
passphrase is handed on: the widget keeps no copy of it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QFormLayout, QFrame, QLineEdit, QVBoxLayout, QWidget

from ui.common.widgets import label, primary_button

REASON = (
    "This centre's database is encrypted on this computer. Enter its passphrase to open it; "
    "then sign in as usual."
)


class UnlockPage(QFrame):
    unlock_requested = Signal(str, bool)  # the passphrase; whether to remember it here

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("role", "card")
        self._busy = False
        box = QVBoxLayout(self)
        box.setContentsMargins(28, 24, 28, 24)
        box.setSpacing(14)
        box.addWidget(label("Unlock the centre", "heading"))
        self.reason = label(REASON, "muted", wrap=True)
        box.addWidget(self.reason)

        form = QFormLayout()
        form.setSpacing(10)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.passphrase = QLineEdit()
        self.passphrase.setObjectName("db_passphrase")
        self.passphrase.setAccessibleName("Database passphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(label("Pass&phrase", "field-name", buddy=self.passphrase), self.passphrase)
        box.addLayout(form)

        # Off unless asked: whoever signs in to this computer's account could then open it.
        self.remember = QCheckBox("&Remember on this computer")
        self.remember.setObjectName("remember_passphrase")
        box.addWidget(self.remember)
        self.set_keyring(None)

        self.error = label("", "error", wrap=True)
        self.error.setObjectName("unlock_error")
        self.error.hide()
        box.addWidget(self.error)

        self.unlock_button = primary_button("Unlock")
        self.unlock_button.setObjectName("unlock")
        self.unlock_button.clicked.connect(self._ask)
        self.passphrase.returnPressed.connect(self._ask)
        box.addWidget(self.unlock_button)
        box.addStretch(1)  # the stack is as tall as its tallest page: the room goes below

    def reset(self) -> None:
        self.set_busy(False)
        self.error.hide()
        self.passphrase.clear()
        self.passphrase.setFocus()

    def set_keyring(self, name: str | None) -> None:
        """What could keep the passphrase on this computer (None: nothing, so no choice)."""
        self.remember.setChecked(False)
        self.remember.setEnabled(name is not None)
        self.remember.setToolTip(
            f"Keep the passphrase in {name}, so that this computer opens the centre without it "
            "being typed. Anyone who signs in to this computer account could then open it; "
            "`naas-centre db forget` removes it."
            if name is not None
            else "This computer has no keyring to keep the passphrase in."
        )

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.passphrase.setEnabled(not busy)
        self.remember.setEnabled(not busy and self.remember.toolTip().startswith("Keep"))
        self.unlock_button.setEnabled(not busy)
        self.unlock_button.setText("Unlocking…" if busy else "Unlock")
        if busy:
            self.error.hide()

    def show_error(self, message: str) -> None:
        self.set_busy(False)
        self.error.setText(message)
        self.error.show()
        self.passphrase.setFocus()

    def _ask(self) -> None:
        if self._busy:
            return
        passphrase = self.passphrase.text()
        if not passphrase:
            self.show_error("Enter the passphrase.")
            return
        self.passphrase.clear()
        self.set_busy(True)
        self.unlock_requested.emit(passphrase, self.remember.isChecked())
