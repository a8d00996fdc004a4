"""The idle lock: after a while with no key press or click, the window is covered until
the same user's password is entered. Nothing is lost: every score is saved as it is made.

A running phase clock holds the lock off. Of the two ways to keep an assessor from
losing the clock (hold the lock, or show the clock over it) this is the one that works
in the room: while a role-play runs the assessor is there, watching rather than typing,
and must be able to pause at once (a fire alarm, a candidate unwell) without typing a
password first; a lock over a running clock would protect nothing and cost those
seconds. Once the clock stops (paused, ended), the idle time counts again from then,
so an unattended workstation still locks.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from ui.common import theme
from ui.common.widgets import label, primary_button

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
    """Emits ``idle`` after ``minutes`` without user input anywhere in the application.

    ``hold(key, True)`` keeps it from going idle until ``hold(key, False)`` (a running
    phase clock does); the idle time then counts from the release. ``clock`` gives the
    time in seconds (``time.monotonic``; a test passes its own). The timer only wakes
    the watcher: whether the time is up is decided from ``clock``.
    """

    idle = Signal()
    checked = Signal(bool)  # after each decision: whether it went idle

    def __init__(
        self, minutes: float, parent: QObject | None = None, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(parent)
        self.clock = clock
        self._holds: set[str] = set()
        self._last_activity = clock()
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.check)
        self.set_minutes(minutes)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    @property
    def interval_ms(self) -> int:
        return max(1, int(self.minutes * 60_000))

    @property
    def held(self) -> bool:
        return bool(self._holds)

    def set_minutes(self, minutes: float) -> None:
        self.minutes = minutes
        if minutes <= 0:
            self.timer.stop()
            return
        self.poke()

    def set_interval_ms(self, milliseconds: int) -> None:
        """For tests and demonstrations: a lock after ``milliseconds``."""
        self.minutes = milliseconds / 60_000
        self.poke()

    def poke(self) -> None:
        """Activity: the idle time starts again."""
        self._last_activity = self.clock()
        if self.minutes > 0 and not self._holds:
            self.timer.start(self.interval_ms)

    def hold(self, key: str, on: bool) -> None:
        """While any hold is on (``key`` names who holds), the window does not go idle."""
        if on:
            self._holds.add(key)
            self.timer.stop()
        elif key in self._holds:
            self._holds.discard(key)
            if not self._holds:
                self.poke()  # the idle time counts from the moment the hold ends

    def remaining_ms(self) -> int:
        return self.interval_ms - int((self.clock() - self._last_activity) * 1000)

    def check(self) -> bool:
        """Decides now: goes idle if the time is up and nothing holds it (the timer calls this)."""
        if self.minutes <= 0 or self._holds:
            self.checked.emit(False)
            return False
        left = self.remaining_ms()
        if left > 0:
            self.timer.start(left)  # woken early (or the clock was set back): wait the rest
            self.checked.emit(False)
            return False
        self.idle.emit()
        self.checked.emit(True)
        return True

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
        parent = self.parentWidget()
        resized = event.type() == QEvent.Type.Resize
        if parent is not None and watched is parent and resized and self.isVisible():
            self.setGeometry(parent.rect())
        return False
