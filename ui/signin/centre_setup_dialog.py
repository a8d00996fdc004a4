"""Setting up a real centre: its name, its first administrator, and how its data is kept.

Encrypted or not is a choice made here, never a default taken unseen: neither is
selected until someone chooses, and the plain one says what it means.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QLineEdit,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ui.common.widgets import label

MIN_PASSWORD_HINT = 12


@dataclass(frozen=True)
class CentreSetup:
    centre_name: str
    admin_username: str
    admin_display_name: str
    password: str
    encrypt: bool
    passphrase: str  # empty when not encrypted
    remember: bool  # keep the passphrase in this computer's keyring


class CentreSetupDialog(QDialog):
    """Stays open while the centre is created, so a refused password can be corrected."""

    submitted = Signal(object)  # CentreSetup

    def __init__(self, parent: QWidget | None = None, keyring: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Set up a real centre")
        self.setMinimumWidth(480)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(20, 16, 20, 14)
        outer.setSpacing(12)
        # The fields scroll when large text makes them taller than a small screen; the
        # error and the buttons stay in view below them.
        inner = QWidget()
        box = QVBoxLayout(inner)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(8)
        intro = label(
            "The centre's database is kept in the data folder, apart from the demo. "
            "The administrator then adds the other accounts.",
            "muted",
            wrap=True,
        )
        box.addWidget(intro)

        form = QFormLayout()
        form.setSpacing(8)
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
        self._add_protection(box, keyring)
        scroll = QScrollArea()
        scroll.setObjectName("setup_fields")
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(inner)
        # As wide as the fields need (never cut across), as tall as they are where it fits.
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the fields in it
        bar = scroll.verticalScrollBar().sizeHint().width()
        wide = inner.minimumSizeHint().width()
        scroll.setMinimumWidth(wide + bar)
        # Its wrapped sentences are taller at the width they get than their hint says.
        tall = max(inner.heightForWidth(max(wide, self.minimumWidth() - 40)), inner.sizeHint().height())
        self._fields, self._fields_height = scroll, tall
        scroll.setMinimumHeight(min(tall, 200))  # the dialog is sized to the screen when shown
        outer.addWidget(scroll, 1)

        self.error = label("", "error", wrap=True)
        self.error.setObjectName("setup_error")
        self.error.hide()
        outer.addWidget(self.error)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.create_button = self.buttons.addButton(
            "Create the centre", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.create_button.setProperty("role", "primary")
        self.create_button.setDefault(True)
        # Enter in a field creates the centre, never cancels it: Cancel would otherwise take
        # over as the default while "Create" was disabled for a refused attempt.
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAutoDefault(False)
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        outer.addWidget(self.buttons)
        self.centre_name.setFocus()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.property("sized"):
            return
        self.setProperty("sized", True)
        # All the fields in view where the screen is tall enough; otherwise they scroll,
        # within what the screen leaves below a title bar.
        rest = self.sizeHint().height() - self._fields.sizeHint().height()
        free = self.screen().availableGeometry().height() - 80
        wide = max(self.width(), self.minimumSizeHint().width())
        self.resize(wide, max(self.minimumSizeHint().height(), min(self._fields_height + rest, free)))

    def _add_protection(self, box: QVBoxLayout, keyring: str | None) -> None:
        box.addWidget(label("How the centre's data is kept", "field-name"))
        self.encrypt = QRadioButton("&Encrypt the centre's data (recommended)")
        self.encrypt.setObjectName("encrypt")
        self.plain = QRadioButton("Keep it &without encryption")
        self.plain.setObjectName("no_encryption")
        self.choice = QButtonGroup(self)
        self.choice.addButton(self.encrypt)
        self.choice.addButton(self.plain)  # exclusive, and neither checked until chosen
        box.addWidget(self.encrypt)

        crypt = QFormLayout()
        crypt.setContentsMargins(24, 0, 0, 0)
        crypt.setSpacing(8)
        self.passphrase = QLineEdit()
        self.passphrase.setObjectName("passphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText(f"At least {MIN_PASSWORD_HINT} characters")
        self.passphrase_repeat = QLineEdit()
        self.passphrase_repeat.setObjectName("passphrase_repeat")
        self.passphrase_repeat.setEchoMode(QLineEdit.EchoMode.Password)
        crypt.addRow(label("Pa&ssphrase", "field-name", buddy=self.passphrase), self.passphrase)
        crypt.addRow(
            label("Repea&t passphrase", "field-name", buddy=self.passphrase_repeat), self.passphrase_repeat
        )
        self.remember = QCheckBox("Re&member on this computer")
        self.remember.setObjectName("remember_passphrase")
        self._keyring = keyring
        self.remember.setToolTip(
            f"Keep the passphrase in {keyring}, so that this computer opens the centre without it "
            "being typed. Anyone who signs in to this computer account could then open it."
            if keyring is not None
            else "This computer has no keyring to keep the passphrase in."
        )
        crypt.addRow(self.remember)
        crypt.addRow(
            label(
                "Without the passphrase the centre's records cannot be read: keep it safe.",
                "muted",
                wrap=True,
            )
        )
        box.addLayout(crypt)
        box.addWidget(self.plain)
        self.plain_consequence = label(
            "Anyone with this computer, or a copy of its files, can read the candidates' data.",
            "muted",
            wrap=True,
        )
        self.plain_consequence.setContentsMargins(24, 0, 0, 0)
        box.addWidget(self.plain_consequence)
        self.encrypt.toggled.connect(self._chosen)
        self._chosen(False)

    def _chosen(self, encrypt: bool) -> None:
        for field in (self.passphrase, self.passphrase_repeat):
            field.setEnabled(encrypt)
        self.remember.setEnabled(encrypt and self._keyring is not None)
        if self._keyring is None:
            self.remember.setChecked(False)

    def values(self) -> CentreSetup:
        encrypt = self.encrypt.isChecked()
        return CentreSetup(
            self.centre_name.text().strip(),
            self.admin_username.text().strip(),
            self.admin_display_name.text().strip(),
            self.password.text(),
            encrypt,
            self.passphrase.text() if encrypt else "",
            encrypt and self.remember.isChecked(),
        )

    def _submit(self) -> None:
        values = self.values()
        problem = None
        field: QWidget = self.centre_name
        if not values.centre_name:
            problem, field = "The centre needs a name.", self.centre_name
        elif not values.admin_username:
            problem, field = "The administrator needs a username.", self.admin_username
        elif not values.admin_display_name:
            problem, field = "The administrator needs a display name.", self.admin_display_name
        elif values.password != self.repeat.text():
            problem, field = "The two passwords differ.", self.repeat
        elif self.choice.checkedButton() is None:
            problem, field = "Choose how the centre's data is kept: encrypted, or not.", self.encrypt
        elif values.encrypt and values.passphrase != self.passphrase_repeat.text():
            problem, field = "The two passphrases differ.", self.passphrase_repeat
        if problem is not None:
            self.fail(problem)
            field.setFocus()
            return
        self.error.hide()
        self.set_busy(True)
        self.submitted.emit(values)

    def set_busy(self, busy: bool) -> None:
        self.create_button.setEnabled(not busy)
        self.create_button.setDefault(True)  # disabling it dropped it as the default
        self.create_button.setText("Creating…" if busy else "Create the centre")

    def fail(self, message: str) -> None:
        self.set_busy(False)
        self.error.setText(message)
        self.error.show()
