"""What keeps a candidate inside the kiosk, application-wide, while it is open.

An event filter on the application swallows the keys that close or leave a window
(Escape, Alt+F4, Ctrl+F4, Ctrl+W, Ctrl+Q) before any widget or shortcut sees them,
and drops keyboard and mouse input aimed at any widget outside the kiosk. The kiosk
itself ignores close requests; the rest of the application's windows are hidden.

What an application cannot stop on its own (switching virtual terminals, the
desktop's own shortcuts such as Alt+Tab or Ctrl+Alt+Delete) is the job of the
workstation's locked-down kiosk session (a dedicated account with no other programs).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

_INPUT = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,
        QEvent.Type.ShortcutOverride,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.Wheel,
        QEvent.Type.ContextMenu,
    }
)
_KEYS = (QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.ShortcutOverride)
Mod = Qt.KeyboardModifier


def is_leaving_key(event: QKeyEvent) -> bool:
    """Keys that close, quit or leave: never passed on while the kiosk is open."""
    key = event.key()
    mods = event.modifiers() & ~Mod.KeypadModifier
    if key == Qt.Key.Key_Escape:
        return True
    if key == Qt.Key.Key_F4 and mods & (Mod.AltModifier | Mod.ControlModifier):
        return True
    return key in (Qt.Key.Key_W, Qt.Key.Key_Q) and bool(mods & Mod.ControlModifier)


def inside(widget: QWidget, home: QWidget) -> bool:
    """``widget`` belongs to ``home``: a child, or a popup (a context menu) opened from one."""
    w: QWidget | None = widget
    while w is not None:
        if w is home:
            return True
        w = w.parentWidget()
    return False


class KioskGuard(QObject):
    def __init__(self, home: QWidget) -> None:
        super().__init__(home)
        self.home = home
        self.swallowed = 0  # for tests and the log
        self._on = False

    def start(self) -> None:
        app = QApplication.instance()
        if app is not None and not self._on:
            app.installEventFilter(self)
            self._on = True

    def stop(self) -> None:
        app = QApplication.instance()
        if app is not None and self._on:
            app.removeEventFilter(self)
            self._on = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in _INPUT or not isinstance(watched, QWidget):
            return False
        if not inside(watched, self.home):
            self.swallowed += 1
            return True
        if kind in _KEYS and isinstance(event, QKeyEvent) and is_leaving_key(event):
            if kind == QEvent.Type.ShortcutOverride:
                event.accept()  # taken here, so no shortcut anywhere fires for it
            self.swallowed += 1
            return True
        return False
