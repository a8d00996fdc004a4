"""The log file: every warning and error, the kiosk's included, kept on disk.

A rotating file in the platform's log folder (``paths.log_dir``; inside the data folder
when ``--data-dir`` or ``NAAS_DATA_DIR`` is given, so tests and demos keep theirs apart).
The error dialog names it, so a bug can be reported with its trace.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from naas_centre import paths

FILE_NAME = "naas-centre.log"
MAX_BYTES = 1024 * 1024
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)s %(process)d %(name)s: %(message)s"

_current: Path | None = None


def install(data_dir: Path | str | None = None, level: int = logging.WARNING) -> Path:
    """Sends every record at ``level`` or above, from any logger, to the log file.

    Idempotent: a second call keeps the one file. Returns its path.
    """
    global _current
    path = paths.log_dir(data_dir) / FILE_NAME
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler, logging.handlers.RotatingFileHandler) and Path(handler.baseFilename) == path:
            _current = path
            return path
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True
    )
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
    _current = path
    return path


def current() -> Path | None:
    """The log file records go to, once ``install`` has run."""
    return _current
