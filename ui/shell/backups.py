"""Scheduled backups while the app runs: every hour, and at close when anything was
written since the last one (``naas_centre.backup.schedule`` says when; ``take`` copies
and proves the copy). Off the GUI thread: the hourly copy on the read pool, the closing
one on the write worker, after every write before it, so it holds the last of them.

Only for a centre in a SQLite file: a server's backups are its own (``pg_dump``). Not
for the demo. A failure is logged and tried again after a few minutes; it never
interrupts an assessor.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from naas_centre.backup import names
from naas_centre.backup.schedule import BackupPolicy, BackupSchedule

if TYPE_CHECKING:
    from naas_centre.opening import OpenedCentre
    from ui.common.settings import Settings
    from ui.work.tasks import TaskManager

log = logging.getLogger("naas_centre.ui")
TICK_MS = 60_000


def _utcnow() -> datetime:
    return datetime.now(UTC)


def backup_folder(settings: Settings, data_dir: Path) -> Path:
    chosen = str(settings.get("backup_folder") or "").strip()
    return Path(chosen).expanduser() if chosen else data_dir / "backups"


class BackupKeeper(QObject):
    """``BackupKeeper(tasks, opened, settings, now=...)``; ``close()`` before the tasks shut down."""

    backed_up = Signal(object)  # naas_centre.backup.take.Backup
    backup_failed = Signal(str)

    def __init__(
        self,
        tasks: TaskManager,
        opened: OpenedCentre,
        settings: Settings,
        *,
        now: Callable[[], datetime] = _utcnow,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.tasks, self.target, self.now = tasks, Path(opened.target), now
        self.folder = backup_folder(settings, opened.data_dir)
        self.keep = int(settings.get("backup_keep"))
        info = opened.info
        newest = None
        if info is not None and self.folder.is_dir():
            found = names.copies(self.folder, info.name, info.id)
            newest = found[-1][0] if found else None
        self.schedule = BackupSchedule(BackupPolicy(self.folder, keep=self.keep), newest, now())
        self.running = False
        self.last: Any = None  # the newest naas_centre.backup.take.Backup this session
        tasks.changed.connect(lambda *_: self.schedule.written())
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.tick)
        self._timer.start()
        tasks.about_to_shut_down.connect(self._timer.stop)

    def tick(self) -> None:
        if self.running or self.tasks.closed or not self.schedule.due(self.now()):
            return
        self.running = True
        from naas_centre.backup.take import take

        self.tasks.run(
            take,
            self.target,
            self.folder,
            keep=self.keep,
            now=self.now,
            on_done=self._taken,
            on_error=self._failed,
            name="backup",
        )

    def close(self) -> None:
        """At close: one more copy if anything was written since the last, after every write."""
        self._timer.stop()
        if self.tasks.closed or not self.schedule.due_at_close():
            return
        from naas_centre.backup.take import take

        self.tasks.write(
            take,
            self.target,
            self.folder,
            keep=self.keep,
            now=self.now,
            on_done=self._taken,
            on_error=self._failed,
            name="backup",
        )

    def _taken(self, backup: Any) -> None:
        self.running = False
        self.last = backup
        self.schedule.taken(backup.taken_at)
        log.info("backed up to %s", backup.path)
        self.backed_up.emit(backup)

    def _failed(self, exc: BaseException) -> None:
        self.running = False
        self.schedule.failed(self.now(), str(exc))
        log.warning("backup failed: %s", exc)
        self.backup_failed.emit(str(exc))
