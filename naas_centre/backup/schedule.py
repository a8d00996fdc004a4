"""When a backup is due: every ``every`` (an hour by default) while the app runs, and at
close, given a clock. No Qt and no I/O: the GUI asks ``due(now)`` on a timer tick and at
close, runs ``take`` off the GUI thread, and tells the schedule how it went.

A failed backup (a drive taken out) is tried again after ``retry``, not a whole period
later; the first backup of a session is due one period after the newest copy already in
the folder, so restarting the app does not take one at every start.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from naas_centre.backup.names import DEFAULT_KEEP

HOURLY = timedelta(hours=1)
RETRY = timedelta(minutes=5)


@dataclass(frozen=True)
class BackupPolicy:
    """Where and how often; ``folder`` None means no scheduled backups."""

    folder: Path | None
    every: timedelta = HOURLY
    at_close: bool = True
    keep: int = DEFAULT_KEEP
    retry: timedelta = RETRY


class BackupSchedule:
    def __init__(self, policy: BackupPolicy, newest: datetime | None, started: datetime) -> None:
        """``newest``: the time of the newest copy in the folder (``names.copies``), if any."""
        self.policy = policy
        self.last_taken = newest
        self._next = (newest + policy.every) if newest is not None else started
        self.last_failure: str | None = None
        self._changed_since = newest is None

    def next_due(self) -> datetime | None:
        """When the next timed backup is due; None when scheduled backups are off."""
        return self._next if self.policy.folder is not None else None

    def due(self, now: datetime) -> bool:
        due = self.next_due()
        return due is not None and now >= due

    def due_at_close(self) -> bool:
        """At close, a backup unless nothing was written since the last one."""
        return self.policy.folder is not None and self.policy.at_close and self._changed_since

    def written(self) -> None:
        """The app wrote to the database (a commit): the close backup has something to keep."""
        self._changed_since = True

    def taken(self, at: datetime) -> None:
        self.last_taken, self.last_failure = at, None
        self._next = at + self.policy.every
        self._changed_since = False

    def failed(self, at: datetime, why: str) -> None:
        self.last_failure = why
        self._next = at + min(self.policy.retry, self.policy.every)
