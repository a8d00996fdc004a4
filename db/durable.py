"""Making a rename durable: the folder that holds the renamed file is synced too.

One helper for every layer (``db`` may not import ``naas_centre``, so it lives here).
"""

from __future__ import annotations

import os
from pathlib import Path


def sync_folder(folder: Path | str) -> None:
    """Syncs ``folder``, so that a file just renamed into it survives a power cut.

    A no-op where a folder cannot be opened (Windows, whose rename is durable enough) or
    cannot be synced (some network and FUSE file systems refuse): the rename has been
    made all the same, and nothing more can be done about it there.
    """
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
