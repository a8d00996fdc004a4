"""The idle lock: after a while with no key press or click, the window is covered until
the same user's password is entered. Nothing is lost: every score is saved as it is made.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from ui import theme
from ui.widgets import label, primary_button

ACTIVITY = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)


class IdleWatcher(QObject):
    """Emits ``idle`` after ``minutes`` without user input anywhere in the application."""

    idle = Signal()

    def __init__(self, minutes: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.idle)
        self.set_minutes(minutes)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def set_minutes(self, minutes: float) -> None:
        self.minutes = minutes
        if minutes <= 0:
            self.timer.stop()
            return
        self.timer.setInterval(max(1, int(minutes * 60_000)))
        self.timer.start()

    def set_interval_ms(self, milliseconds: int) -> None:
        """For tests and demonstrations: a lock after ``milliseconds``."""
        self.minutes = milliseconds / 60_000
        self.timer.setInterval(milliseconds)
        self.timer.start()

    def poke(self) -> None:
        if self.minutes > 0:
            self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in ACTIVITY:
            self.poke()
        return False


class LockOverlay(QWidget):
    """Covers its parent window; asks for the password of the user who is signed in."""

    unlock_requested = Signal(str)
    sign_out_requested = Signal()

    def __init__(self, parent: QWidget, display_name: str) -> None:
        super().__init__(parent)
        self.setObjectName("LockOverlay")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        column = QVBoxLayout()
        column.setSpacing(12)
        icon = QLabel()
        icon.setPixmap(theme.icon("lock", "#f4f6f9").pixmap(48, 48))
        icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column.addWidget(icon)
        title = label("Locked", "title")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column.addWidget(title)
        who = label(f"{display_name} is signed in. Enter your password to carry on.\nEvery score is saved.")
        who.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column.addWidget(who)
        self.password = QLineEdit()
        self.password.setObjectName("unlock_password")
        self.password.setAccessibleName("Password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setMinimumWidth(300)
        self.password.returnPressed.connect(self._ask)
        column.addWidget(self.password, 0, Qt.AlignmentFlag.AlignCenter)
        self.error = label("", "error")
        self.error.setObjectName("unlock_error")
        self.error.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.error.hide()
        column.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.unlock_button = primary_button("Unlock")
        self.unlock_button.setObjectName("unlock")
        self.unlock_button.clicked.connect(self._ask)
        buttons.addWidget(self.unlock_button)
        self.sign_out_button = QPushButton("Sign out instead")
        self.sign_out_button.setObjectName("lock_sign_out")
        self.sign_out_button.clicked.connect(self.sign_out_requested)
        buttons.addWidget(self.sign_out_button)
        buttons.addStretch(1)
        column.addLayout(buttons)
        outer.addLayout(column)
        outer.addStretch(2)
        parent.installEventFilter(self)
        self.hide()

    @property
    def locked(self) -> bool:
        return self.isVisible()

    def cover(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.password.clear()
        self.error.hide()
        self.set_busy(False)
        self.show()
        self.raise_()
        self.password.setFocus()

    def set_busy(self, busy: bool) -> None:
        self.unlock_button.setEnabled(not busy)
        self.password.setEnabled(not busy)
        self.unlock_button.setText("Checking…" if busy else "Unlock")

    def refuse(self, message: str) -> None:
        self.set_busy(False)
        self.error.setText(message)
        self.error.show()
        self.password.selectAll()
        self.password.setFocus()

    def _ask(self) -> None:
        if not self.password.text():
            self.refuse("Enter your password.")
            return
        self.set_busy(True)
        self.unlock_requested.emit(self.password.text())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize and self.isVisible():
            self.setGeometry(self.parentWidget().rect())
        return False
