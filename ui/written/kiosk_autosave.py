"""Autosave for the candidate's script: every change reaches the database within two
seconds, through the same ordered, journaled write path as the scoring station
(``PendingWrites``), and "saved" is shown only after the commit.

A change starts two timers: a short quiet-time timer (typing paused) and a cap that
is not restarted by more typing, so a candidate who never pauses is still saved at
least every ``max_latency_ms``. A focus change saves at once. While all is well at most
one save is on its way at a time; changes made meanwhile go in the next one.

When the disk refuses a save (full, locked, read-only), the queue keeps it, appends it
to the journal beside the database (fsync'd) and tries it again with back-off; every
later save is queued and journaled behind it, so what the candidate typed since is on
disk in the journal too, and lands, in order, once the database takes writes again.
The text stays in the editor all the while.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from db.engine import StorageError
from naas_centre.services.written import KioskGrant
from naas_centre.writes import ops
from ui.work.pending_writes import PendingWrites

DEBOUNCE_MS = 700
MAX_LATENCY_MS = 1200


class Autosaver(QObject):
    saved = Signal(object, object)  # what the service returned, the local time of the commit
    failed = Signal(object)  # the exception: the disk refused (the save waits) or the save was refused
    saving = Signal()

    def __init__(
        self,
        pending: PendingWrites,
        grant: KioskGrant,
        text: Callable[[], str],
        parent: QObject | None = None,
        *,
        debounce_ms: int = DEBOUNCE_MS,
        max_latency_ms: int = MAX_LATENCY_MS,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(parent)
        self.pending = pending
        self.grant = grant
        self._text = text
        self._now = now
        self._changes = 0  # counts changes; a save covers every change counted before it
        self._saved_changes = 0
        self._in_flight = 0  # saves queued and not yet answered
        self._waiting = False  # the disk refused: saves wait (kept in the journal)
        self._again = False
        self._stopped = False
        self.last_saved_at: datetime | None = None
        self.quiet = self._timer(debounce_ms)
        self.cap = self._timer(max_latency_ms)
        pending.tasks.about_to_shut_down.connect(self._last_save)

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
        return self._in_flight > 0

    @property
    def waiting(self) -> bool:
        """The disk refused: what was typed is kept in the journal and tried again."""
        return self._waiting

    def changed(self) -> None:
        if self._stopped:
            return
        self._changes += 1
        self.quiet.start()
        if not self.cap.isActive():
            self.cap.start()

    def flush(self, *, now: bool = False) -> None:
        """Save now if anything changed (a focus change, a timer, before submitting).

        ``now``: queue it even while another save is on its way (before shutting down)."""
        if self._stopped or not self.dirty:
            return
        if self._in_flight and not self._waiting and not now:
            self._again = True  # the save on its way answers soon; this goes in the next one
            return
        for timer in (self.quiet, self.cap):
            timer.stop()
        upto = self._changes
        self._in_flight += 1
        self._again = False
        self.saving.emit()
        self.pending.submit(
            self.grant.actor,
            ops.save_script(self.grant.sitting_id, self.grant.station_id, self._text(), self._now()),
            label="the candidate's script",
            owner=self,
            on_saved=partial(self._done, upto),
            on_waiting=self._held,
            on_refused=self._refused,
        )

    def stop(self) -> None:
        """No more saves (the script is being submitted with its final text, or the app
        is shutting down: what is queued stays in the journal)."""
        self._stopped = True
        for timer in (self.quiet, self.cap):
            timer.stop()

    def _last_save(self) -> None:
        """The task manager is about to shut down: what is typed goes to the queue now
        (saved before it closes, or kept in the journal), then nothing more."""
        self.flush(now=True)
        self.stop()

    def _done(self, upto: int, result: Any) -> None:
        self._in_flight -= 1
        self._waiting = self._waiting and self._in_flight > 0
        self._saved_changes = max(self._saved_changes, upto)
        self.last_saved_at = datetime.now()
        self.saved.emit(result, self.last_saved_at)
        if self._again and self.dirty and not self._in_flight:
            self.flush()

    def _held(self) -> None:
        if not self._waiting:
            self._waiting = True
            trouble = self.pending.trouble or StorageError("The database is not taking writes", "unknown")
            self.failed.emit(trouble)
        if self._again and self.dirty:
            self.flush()  # what was typed meanwhile goes into the journal now, behind it

    def _refused(self, exc: BaseException) -> None:
        self._in_flight -= 1
        if self._stopped:
            return  # submitted meanwhile with the final text: an older save has nothing to add
        self.failed.emit(exc)
