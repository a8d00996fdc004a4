"""Views that refresh themselves from the task manager's change notification.

After each write that says what it changed, ``TaskManager.changed`` carries a
``Changes`` value (``naas_centre.writes.changes``) and the object that made it. A
``ChangeWatcher`` belongs to one view: it lets pass what the view made itself (the view
already shows it) and what the view does not show (``wants``), gathers a burst of
changes into one refresh on the next turn of the event loop, and, while the view is
hidden, keeps them until it is shown again. It stops with the task manager.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget
from shiboken6 import Shiboken

from naas_centre.writes.changes import NOTHING, Changes
from ui.work.tasks import TaskManager


def made_by(origin: QObject | None, view: QObject) -> bool:
    """Whether ``origin`` is ``view`` or one of its children (a cell, its clocks, its notes)."""
    while origin is not None:
        if origin is view:
            return True
        origin = origin.parent()
    return False


class ChangeWatcher(QObject):
    def __init__(
        self,
        tasks: TaskManager,
        view: QWidget,
        wants: Callable[[Changes], bool],
        refresh: Callable[[Changes], object],
    ) -> None:
        super().__init__(view)
        self.tasks = tasks
        self.view = view
        self._wants = wants
        self._refresh = refresh
        self._pending: Changes = NOTHING
        self._stopped = False
        self._soon = QTimer(self)
        self._soon.setSingleShot(True)
        self._soon.setInterval(0)
        self._soon.timeout.connect(self._fire)
        tasks.changed.connect(self._changed)
        tasks.about_to_shut_down.connect(self.stop)
        view.installEventFilter(self)

    @property
    def waiting(self) -> Changes:
        """Changes seen but not yet refreshed for (the view is hidden, or the loop has not turned)."""
        return self._pending

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._soon.stop()
        self._pending = NOTHING
        if Shiboken.isValid(self.view):
            self.view.removeEventFilter(self)
        self.tasks.changed.disconnect(self._changed)
        self.tasks.about_to_shut_down.disconnect(self.stop)

    def _changed(self, changes: Changes, origin: QObject | None) -> None:
        if self._stopped or made_by(origin, self.view) or not self._wants(changes):
            return
        self._pending = self._pending | changes
        if self.view.isVisible():
            self._soon.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Qt can still call the filter while the watcher's Python side is being torn down
        # (its attributes gone before its C++ object): then there is nothing to do.
        view = getattr(self, "view", None)
        pending = getattr(self, "_pending", NOTHING)
        if view is not None and watched is view and event.type() == QEvent.Type.Show and not pending.empty:
            self._soon.start()
        return False

    def _fire(self) -> None:
        if self._stopped or self._pending.empty or not Shiboken.isValid(self.view):
            return
        if self.tasks.closed:
            return
        changes, self._pending = self._pending, NOTHING
        self._refresh(changes)
