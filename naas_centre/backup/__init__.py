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

Nothing is imported here, so that building the command line's parser (which reads
``names.DEFAULT_KEEP``) imports no database code.
"""
