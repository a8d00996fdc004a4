"""What keeps a candidate inside the kiosk, application-wide, while it is open.

An event filter on the application swallows the keys that close or leave a window
(Escape, Alt+F4, Ctrl+F4, Ctrl+W, Ctrl+Q) before any widget or shortcut sees them,
and drops keyboard and mouse input aimed at any widget outside the kiosk. The kiosk
itself ignores close requests; the rest of the application's windows are hidden.

Text committed through an input method in one piece longer than composing produces is
refused as a paste is (the script editor's own notice shows), and a minimised kiosk is
put back full screen, in front and active. Where no window manager acts on the
full-screen request (the kiosk workstation's own X session runs none), the guard sizes
the window to the screen itself.

What an application cannot stop on its own (switching virtual terminals, the
desktop's own shortcuts such as Alt+Tab or Ctrl+Alt+Delete) is the job of the
workstation's locked-down kiosk session (a dedicated account with no other programs).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QInputMethodEvent, QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

from ui.written.script_editor import ScriptEditor

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

# An input method commits a character per keystroke, or (Chinese, Japanese, Korean) a
# word or short phrase composed from several; text pasted through one (ibus and fcitx
# can paste the clipboard) arrives as hundreds at once. Longer than this is a paste.
LONGEST_COMPOSED_COMMIT = 12


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


def is_pasted_commit(event: QInputMethodEvent) -> bool:
    """An input method's commit longer than composing makes: pasted text."""
    return len(event.commitString()) > LONGEST_COMPOSED_COMMIT


def editor_of(widget: QWidget) -> ScriptEditor | None:
    """The script editor ``widget`` is, or is part of (its viewport)."""
    w: QWidget | None = widget
    while w is not None:
        if isinstance(w, ScriptEditor):
            return w
        w = w.parentWidget()
    return None


class KioskGuard(QObject):
    reclaimed = Signal()  # the kiosk was minimised and has been put back full screen

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
        if kind in (QEvent.Type.WindowStateChange, QEvent.Type.Show) and watched is self.home:
            if self.home.windowState() & Qt.WindowState.WindowMinimized:
                QTimer.singleShot(0, self._reclaim)  # after the window system has finished minimising
            elif self.home.windowState() & Qt.WindowState.WindowFullScreen:
                # Before the window is mapped when it is shown, so it never appears small.
                self._fill_screen()
            return False
        if kind == QEvent.Type.InputMethod and isinstance(event, QInputMethodEvent):
            return isinstance(watched, QWidget) and self._refuse_commit(watched, event)
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

    def _refuse_commit(self, target: QWidget, event: QInputMethodEvent) -> bool:
        if not inside(target, self.home):
            self.swallowed += 1
            return True
        if not is_pasted_commit(event):
            return False
        editor = editor_of(target)
        if editor is not None and editor.allow_paste:
            return False  # the pack allows pasting, so this is allowed too
        self.swallowed += 1
        # An empty event ends the composition the refused one would have ended, so no
        # half-composed text is left showing in the editor.
        QApplication.sendEvent(target, QInputMethodEvent())
        if editor is not None:
            editor.paste_blocked.emit()
        return True

    def _fill_screen(self) -> None:
        """Full screen even where no window manager makes it so: the kiosk's own X
        session runs none, so nothing else reads the full-screen request."""
        if not self._on or not self.home.isFullScreen():
            return
        screen = self.home.screen().geometry()
        if self.home.geometry() != screen:
            self.home.setGeometry(screen)  # which Qt takes as leaving full screen, so say it again
            self.home.setWindowState(self.home.windowState() | Qt.WindowState.WindowFullScreen)

    def _reclaim(self) -> None:
        if not self._on or not self.home.isVisible():  # a minimised window is still visible
            return  # released, or closed, in the meantime
        self.home.showFullScreen()
        self.home.raise_()
        self.home.activateWindow()
        self.reclaimed.emit()
