"""Autosave for the candidate's script: every change reaches the database within two
seconds, through the single write worker, and "saved" is shown only after the commit.

A change starts two timers: a short quiet-time timer (typing paused) and a cap that
is not restarted by more typing, so a candidate who never pauses is still saved at
least every ``max_latency_ms``. A focus change saves at once. At most one save is on
its way at a time; changes made meanwhile go in the next one. A save that fails (a
full or locked disk) is tried again, and the text stays in the editor all the while.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from ui.work.tasks import TaskManager

DEBOUNCE_MS = 700
MAX_LATENCY_MS = 1200
RETRY_MS = 1500


class Autosaver(QObject):
    saved = Signal(object, object)  # what the service returned, the local time of the commit
    failed = Signal(object)  # the exception
    saving = Signal()

    def __init__(
        self,
        tasks: TaskManager,
        save: Callable[[str], Any],
        text: Callable[[], str],
        parent: QObject | None = None,
        *,
        debounce_ms: int = DEBOUNCE_MS,
        max_latency_ms: int = MAX_LATENCY_MS,
        retry_ms: int = RETRY_MS,
    ) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self._save = save
        self._text = text
        self._changes = 0  # counts changes; a save covers every change counted before it
        self._saved_changes = 0
        self._in_flight = False
        self._again = False
        self._stopped = False
        self.last_saved_at: datetime | None = None
        self.quiet = self._timer(debounce_ms)
        self.cap = self._timer(max_latency_ms)
        self.retry = self._timer(retry_ms)

    def _timer(self, interval: int) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(interval)
        timer.timeout.connect(self.flush)
        return timer

    @property
    def dirty(self) -> bool:
        """Changes not yet on disk (or not yet known to be)."""
        return self._changes != self._saved_changes

    @property
    def busy(self) -> bool:
        return self._in_flight

    def changed(self) -> None:
        if self._stopped:
            return
        self._changes += 1
        self.quiet.start()
        if not self.cap.isActive():
            self.cap.start()

    def flush(self) -> None:
        """Save now if anything changed (a focus change, a timer, before submitting)."""
        if self._stopped or not self.dirty:
            return
        if self._in_flight:
            self._again = True
            return
        for timer in (self.quiet, self.cap, self.retry):
            timer.stop()
        upto = self._changes
        self._in_flight = True
        self._again = False
        self.saving.emit()
        self.tasks.write(
            self._save,
            self._text(),
            on_done=partial(self._done, upto),
            on_error=self._failed,
            owner=self,
            name="autosave",
        )

    def stop(self) -> None:
        """No more saves (the script is being submitted with its final text)."""
        self._stopped = True
        for timer in (self.quiet, self.cap, self.retry):
            timer.stop()

    def _done(self, upto: int, result: Any) -> None:
        self._in_flight = False
        self._saved_changes = max(self._saved_changes, upto)
        self.last_saved_at = datetime.now()
        self.saved.emit(result, self.last_saved_at)
        if self._again and self.dirty:
            self.flush()

    def _failed(self, exc: BaseException) -> None:
        self._in_flight = False
        self.failed.emit(exc)
        if not self._stopped:
            self.retry.start()
