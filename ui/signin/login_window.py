"""The first window: sign in, or, on a first start, choose the demo or set up a centre.

It only shows and asks; the application (``ui.shell.app``) opens databases and checks
passwords in the background and tells this window what happened.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui.common import theme
from ui.common.widgets import label, primary_button, scroll_when_small
from ui.signin.unlock_page import UnlockPage

SIGN_IN, FIRST_START, UNLOCK = 0, 1, 2  # the pages, in the order they are added


class LoginWindow(QWidget):
    sign_in_requested = Signal(str, str)
    demo_chosen = Signal()
    set_up_chosen = Signal()
    bundle_chosen = Signal()  # set this workstation up from a day bundle
    demo_accounts_requested = Signal()
    unlock_requested = Signal(str, bool)  # the database's passphrase; remember it here
    first_painted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("LoginWindow")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setWindowTitle("Sign in · naas-centre")
        self.setWindowIcon(theme.icon("app"))
        self.resize(560, 540)
        self._painted = False
        self._busy = False

        outer = QVBoxLayout(self)
        outer.setContentsMargins(40, 32, 40, 24)
        outer.setSpacing(18)

        brand = QHBoxLayout()
        logo = QLabel()
        logo.setPixmap(theme.icon("app").pixmap(48, 48))
        brand.addWidget(logo)
        names = QVBoxLayout()
        names.setSpacing(0)
        names.addWidget(label("naas-centre", "title"))
        names.addWidget(label("Observed practice assessment", "muted"))
        brand.addLayout(names, 1)
        outer.addLayout(brand)

        self.pages = QStackedWidget()
        self.pages.addWidget(self._sign_in_page())
        self.pages.addWidget(self._first_start_page())
        self.unlock_page = UnlockPage()
        self.unlock_page.unlock_requested.connect(self.unlock_requested)
        self.pages.addWidget(self.unlock_page)
        outer.addWidget(self.pages)
        outer.addStretch(1)

        self.footer = label("", "muted")
        self.footer.setWordWrap(True)
        self.footer.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        outer.addWidget(self.footer)
        # At twice the text size on a 1366×768 screen the window is taller than the screen:
        # it scrolls, so "Sign in" stays reachable (and the window within the screen).
        scroll_when_small(self)

        QShortcut(QKeySequence(QKeySequence.StandardKey.Quit), self, self.close)
        self.set_opening()

    # -- pages ------------------------------------------------------------------------

    def _sign_in_page(self) -> QWidget:
        card = QFrame()
        card.setProperty("role", "card")
        box = QVBoxLayout(card)
        box.setContentsMargins(28, 24, 28, 24)
        box.setSpacing(14)

        self.centre_label = label("Opening the centre…", "heading")
        self.centre_label.setWordWrap(True)
        box.addWidget(self.centre_label)
        self.centre_note = label("", "muted")
        self.centre_note.setWordWrap(True)
        box.addWidget(self.centre_note)

        form = QFormLayout()
        form.setSpacing(10)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.username.setAccessibleName("Username")
        self.username.setAutoFillBackground(True)
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setAccessibleName("Password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(label("&Username", "field-name", buddy=self.username), self.username)
        form.addRow(label("&Password", "field-name", buddy=self.password), self.password)
        box.addLayout(form)

        self.error = label("", "error")
        self.error.setObjectName("login_error")
        self.error.setWordWrap(True)
        self.error.hide()
        box.addWidget(self.error)

        self.sign_in_button = primary_button("Sign in")
        self.sign_in_button.setObjectName("sign_in")
        self.sign_in_button.setDefault(True)
        self.sign_in_button.clicked.connect(self._ask_sign_in)
        box.addWidget(self.sign_in_button)
        self.username.returnPressed.connect(self.password.setFocus)
        self.password.returnPressed.connect(self._ask_sign_in)

        self.demo_accounts_button = QPushButton("Show the demo accounts")
        self.demo_accounts_button.setObjectName("demo_accounts")
        self.demo_accounts_button.setFlat(True)
        self.demo_accounts_button.clicked.connect(self.demo_accounts_requested)
        self.demo_accounts_button.hide()
        box.addWidget(self.demo_accounts_button, 0, Qt.AlignmentFlag.AlignLeft)
        return card

    def _first_start_page(self) -> QWidget:
        card = QFrame()
        card.setProperty("role", "card")
        box = QVBoxLayout(card)
        box.setContentsMargins(28, 24, 28, 24)
        box.setSpacing(14)
        box.addWidget(label("Welcome", "heading"))
        intro = label("There is no centre on this computer yet. Choose how to begin.", "muted")
        intro.setWordWrap(True)
        box.addWidget(intro)

        self.demo_button = _choice_button(
            "Explore the demo centre",
            "A day's circuit of four rooms, six candidates and ready-made accounts, in a file of its own.",
        )
        self.demo_button.setObjectName("choose_demo")
        self.demo_button.clicked.connect(self.demo_chosen)
        box.addWidget(self.demo_button)
        self.set_up_button = _choice_button(
            "Set up a real centre",
            "Your centre's name and its first administrator. No demo data is ever added to it.",
        )
        self.set_up_button.setObjectName("choose_set_up")
        self.set_up_button.clicked.connect(self.set_up_chosen)
        box.addWidget(self.set_up_button)
        self.bundle_button = _choice_button(
            "Set up a room from a day bundle",
            "The file the centre manager prepared for this room's workstation.",
        )
        self.bundle_button.setObjectName("choose_bundle")
        self.bundle_button.clicked.connect(self.bundle_chosen)
        box.addWidget(self.bundle_button)

        self.first_start_status = label("", "muted")
        self.first_start_status.setWordWrap(True)
        box.addWidget(self.first_start_status)
        self.first_start_error = label("", "error")
        self.first_start_error.setWordWrap(True)
        self.first_start_error.hide()
        box.addWidget(self.first_start_error)
        return card

    # -- what the application tells it --------------------------------------------------

    def set_opening(self) -> None:
        self._show_page(SIGN_IN)
        self.centre_label.setText("Opening the centre…")
        self.centre_note.setText("")
        self.username.setFocus()

    def set_locked(self, where: str, keyring: str | None = None) -> None:
        """The centre's file is encrypted: its passphrase before anything else."""
        self._show_page(UNLOCK)
        self.unlock_page.reset()
        self.unlock_page.set_keyring(keyring)
        self.footer.setText(f"Database: {where}")
        self.setWindowTitle("Unlock · naas-centre")

    def set_centre(self, name: str, is_demo: bool, where: str = "") -> None:
        self._show_page(SIGN_IN)
        self.centre_label.setText(name)
        self.centre_note.setText(
            "A demo centre: nothing here is real." if is_demo else "Sign in with your account."
        )
        self.demo_accounts_button.setVisible(is_demo)
        self.footer.setText(f"Database: {where}" if where else "")
        self.setWindowTitle(f"Sign in · {name}")
        (self.password if self.username.text() else self.username).setFocus()

    def set_first_start(self, demo_allowed: bool, where: str) -> None:
        self._show_page(FIRST_START)
        self.demo_button.setVisible(demo_allowed)
        self.first_start_status.setText("")
        self.first_start_error.hide()
        self.footer.setText(f"Data folder: {where}")
        (self.demo_button if demo_allowed else self.set_up_button).setFocus()

    def set_first_start_busy(self, text: str) -> None:
        self.first_start_status.setText(text)
        self.first_start_error.hide()
        self.demo_button.setEnabled(not text)
        self.set_up_button.setEnabled(not text)

    def show_first_start_error(self, message: str) -> None:
        self.set_first_start_busy("")
        self.first_start_error.setText(message)
        self.first_start_error.show()

    def set_busy(self, busy: bool, text: str = "Signing in…") -> None:
        self._busy = busy
        self.sign_in_button.setEnabled(not busy)
        self.sign_in_button.setText(text if busy else "Sign in")
        if busy:
            self.error.hide()

    def show_error(self, message: str) -> None:
        self.set_busy(False)
        self.error.setText(message)
        self.error.show()
        self.password.selectAll()
        self.password.setFocus()

    def show_fatal(self, message: str) -> None:
        """The centre cannot be opened at all: say why; signing in is not possible."""
        self._show_page(SIGN_IN)
        self.centre_label.setText("The centre could not be opened")
        self.centre_note.setText("")
        self.show_error(message)
        self.sign_in_button.setEnabled(False)

    def reset_for_next_user(self, username: str = "") -> None:
        self.password.clear()
        self.username.setText(username)
        self.error.hide()
        self.set_busy(False)
        (self.password if username else self.username).setFocus()

    # -- inside ---------------------------------------------------------------------------

    def _show_page(self, index: int) -> None:
        """Only the page on show takes room, so the window fits it."""
        for i in range(self.pages.count()):
            policy = QSizePolicy.Policy.Preferred if i == index else QSizePolicy.Policy.Ignored
            page = self.pages.widget(i)
            if page is not None:
                page.setSizePolicy(policy, policy)
        self.pages.setCurrentIndex(index)
        self.pages.adjustSize()

    def _ask_sign_in(self) -> None:
        if self._busy:
            return
        username = self.username.text().strip()
        if not username:
            self.show_error("Enter your username.")
            self.username.setFocus()
            return
        if not self.password.text():
            self.show_error("Enter your password.")
            return
        self.set_busy(True)
        self.sign_in_requested.emit(username, self.password.text())

    def event(self, e: QEvent) -> bool:
        handled = super().event(e)
        # The top level's update request paints the whole window into its backing store,
        # whichever child covers it (a scroll area's content does, when the window scrolls).
        if e.type() == QEvent.Type.UpdateRequest and not self._painted:
            self._painted = True
            QTimer.singleShot(0, self.first_painted.emit)  # once the frame is out
        return handled


class _ChoiceButton(QPushButton):
    """A large button with a title and a wrapped line saying what it does. A button does
    not take its height from the lines wrapped inside it, so it asks them at each width."""

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        inner = self.layout()
        if inner is not None and inner.hasHeightForWidth():
            needed = inner.heightForWidth(self.width())
            if needed > 0 and needed != self.minimumHeight():
                self.setMinimumHeight(needed)


def _choice_button(title: str, detail: str) -> QPushButton:
    """A large button with a title and a wrapped line saying what it does."""
    button = _ChoiceButton()
    button.setProperty("role", "choice")
    button.setAccessibleName(title)
    button.setAccessibleDescription(detail)
    button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
    inner = QVBoxLayout(button)
    inner.setContentsMargins(16, 10, 16, 10)
    inner.setSpacing(2)
    for text, role in ((title, "heading"), (detail, "muted")):
        part = label(text, role, wrap=True)
        part.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        inner.addWidget(part)
    button.setMinimumHeight(inner.sizeHint().height() + 8)
    return button
