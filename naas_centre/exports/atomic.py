"""A file written whole or not at all: a temporary file beside the target, fsync'd, renamed.

Exports can be large and are written as a stream, so ``naas_centre.paths.write_atomic``
(which takes the bytes at once) does not fit; this is the same rule for a stream. A
cancelled or failed export leaves the target as it was and no temporary file behind.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from db.durable import sync_folder
from naas_centre import paths


def check_target(target: Path) -> None:
    """Refuses, before any work, a target that could not be replaced by a file."""
    paths.check_name(target)
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, "is a folder", str(target))
    if mode is not None and not stat.S_ISREG(mode):
        raise paths.NotRegularFile(
            errno.EINVAL, "not a regular file (a device or a pipe); not replaced", str(target)
        )
    if not target.parent.is_dir():
        raise FileNotFoundError(errno.ENOENT, "no such folder", str(target.parent))


@contextlib.contextmanager
def replacing(target: Path) -> Iterator[Path]:
    """Yields a temporary path beside ``target`` to write; on a clean exit it is fsync'd
    and renamed over ``target``; on any exception it is removed."""
    check_target(target)
    try:
        existing_mode: int | None = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        existing_mode = None
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name[:200]}.", suffix=".part")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        if existing_mode is not None:
            os.chmod(tmp, existing_mode)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    sync_folder(target.parent)
