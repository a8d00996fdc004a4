"""Backups of a centre's database that are proven, and restoring one.

- ``names``: what a backup file is called (centre and time) and keeping a set number.
- ``take``: a consistent copy while the app runs (SQLite's backup API), checked after
  writing (``PRAGMA integrity_check`` and the audit verify on the copy), written atomically.
- ``restore``: a backup checked whole before the current database is touched; the one it
  replaces is kept aside.
- ``schedule``: when the next backup is due (at close and every hour by default), given a
  clock; no Qt, so the GUI only calls it.

A centre on a PostgreSQL server is backed up by the server's own tools (``pg_dump``);
these refuse it plainly.
"""

from naas_centre.backup.names import DEFAULT_KEEP, SUFFIX, BackupRefused
from naas_centre.backup.restore import Restored, restore
from naas_centre.backup.schedule import BackupPolicy, BackupSchedule
from naas_centre.backup.take import Backup, take

__all__ = [
    "DEFAULT_KEEP",
    "SUFFIX",
    "Backup",
    "BackupPolicy",
    "BackupRefused",
    "BackupSchedule",
    "Restored",
    "restore",
    "take",
]
