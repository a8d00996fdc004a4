"""Where data lives: the platform's user data folder, unless told otherwise.

``--data-dir`` (or ``NAAS_DATA_DIR``, read here and nowhere else) overrides it for tests,
demos and portable use. A folder that cannot be used (a file, an unwritable place, a name
too long for the file system) is a ``UserError`` saying so.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
import uuid
from pathlib import Path

from platformdirs import user_data_path, user_log_path

from naas_centre.errors import UserError

APP = "naas-centre"
ENV = "NAAS_DATA_DIR"
NAME_MAX = 255  # bytes in one file name, on every file system the app supports
PATH_MAX = 4096


def data_dir_override(override: os.PathLike[str] | str | None = None) -> Path | None:
    """The folder given with ``--data-dir`` or ``NAAS_DATA_DIR``, if any (not checked)."""
    chosen = override or os.environ.get(ENV)
    return Path(chosen).expanduser() if chosen else None


def data_dir(override: Path | str | None = None) -> Path:
    path = data_dir_override(override) or user_data_path(APP, appauthor=False)
    return usable_folder(path, "the data folder")


def log_dir(override: Path | str | None = None) -> Path:
    """The platform's log folder; with a data folder given, ``logs`` inside it."""
    given = data_dir_override(override)
    path = given / "logs" if given is not None else user_log_path(APP, appauthor=False)
    return usable_folder(path, "the log folder")


def check_name(path: Path | str, what: str = "") -> Path:
    """The path, or a UserError if a part of it is longer than the file system allows."""
    path = Path(path)
    label = f"{what} {path}" if what else str(path)
    if any(len(os.fsencode(part)) > NAME_MAX for part in path.parts):
        raise UserError(f"{_short(label)}: a name in it is longer than {NAME_MAX} bytes")
    if len(os.fsencode(path)) >= PATH_MAX:
        raise UserError(f"{_short(label)}: the path is longer than {PATH_MAX} bytes")
    return path


def usable_folder(path: Path, what: str) -> Path:
    """``path`` made if need be, and proven writable; otherwise a plain UserError."""
    check_name(path, what)
    if path.exists() and not path.is_dir():
        raise UserError(f"{what} {_short(str(path))} is a file, not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
        # os.access says yes to root everywhere; only writing tells the truth.
        fd, probe = tempfile.mkstemp(dir=path, prefix=".write-test-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            reason = "it cannot be written to"
        raise UserError(f"{what} {_short(str(path))} cannot be used: {reason}") from None
    return path


class NotRegularFile(OSError):
    """A pipe, a device or a socket where a file was wanted: never read or written."""


def read_regular(path: Path | str, limit: int = -1) -> bytes:
    """The bytes of a regular file (at most ``limit`` of them).

    A FIFO or a device is refused before anything is read, so a named pipe cannot make
    a command wait for ever: the file is opened without blocking, checked, then read.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "is a folder", str(path))
        if not stat.S_ISREG(mode):
            raise NotRegularFile(errno.EINVAL, "not a regular file (a pipe or a device)", str(path))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        with os.fdopen(fd, "rb") as fh:
            fd = -1
            return fh.read(limit)
    finally:
        if fd >= 0:
            os.close(fd)


def write_atomic(target: Path | str, data: bytes) -> Path:
    """``data`` in ``target``, whole or not at all: a temporary file beside it, fsync'd, renamed.

    An existing target that is not a regular file (``/dev/full``, a FIFO) is refused, never
    replaced. A failed write (a full disk) leaves the target as it was and no temporary file.
    """
    target = Path(target)
    check_name(target)
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, "is a folder", str(target))
    if mode is not None and not stat.S_ISREG(mode):
        why = "not a regular file (a device or a pipe); not replaced"
        raise NotRegularFile(errno.EINVAL, why, str(target))
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name[:200]}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, stat.S_IMODE(mode))
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise type(exc)(exc.errno, exc.strerror, str(target)) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_folder(target.parent)
    return target


def fsync_folder(folder: Path | str) -> None:
    """Makes a rename in ``folder`` durable (POSIX; a no-op where folders cannot be opened)."""
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


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else f"{text[: limit // 2]}...{text[-limit // 2 :]}"


def default_db_path(folder: Path) -> Path:
    return folder / "centre.db"


def demo_db_path(folder: Path) -> Path:
    # A file of its own, so a real centre's database never receives demo data.
    return folder / "demo-centre.db"


def packs_dir(folder: Path) -> Path:
    """Extra scenario packs a centre adds beside the built-in ones."""
    return folder / "packs"


def workstation_id(folder: Path) -> str:
    """This workstation's id: made once, kept in the data folder, stamped on every row."""
    path = folder / "workstation-id"
    try:
        text = path.read_text(encoding="ascii").strip()
        return str(uuid.UUID(text))
    except (OSError, ValueError):
        pass
    new = str(uuid.uuid4())
    tmp = path.with_suffix(".tmp")
    tmp.write_text(new + "\n", encoding="ascii")
    os.replace(tmp, path)
    return new
