"""Where data lives: the platform's user data folder, unless told otherwise.

``--data-dir`` (or ``NAAS_DATA_DIR``, read here and nowhere else) overrides it for tests,
demos and portable use. A folder that cannot be used (a file, an unwritable place, a name
too long for the file system) is a ``UserError`` saying so.

The data folder holds candidates' records and the CA's passphrase, so it is its owner's
alone: made 0700, and a looser folder, or a file in it readable by others, is tightened
(0700, 0600) with a log line. ``owner_only_umask`` makes every file the process creates
0600 from the start.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import stat
import tempfile
import uuid
from pathlib import Path

from platformdirs import user_data_path, user_log_path

from db.durable import sync_folder
from naas_centre.errors import UserError

APP = "naas-centre"
ENV = "NAAS_DATA_DIR"
NAME_MAX = 255  # bytes in one file name, on every file system the app supports
PATH_MAX = 4096
OWNER_ONLY_UMASK = 0o077  # files 0600, folders 0700
log = logging.getLogger(__name__)
# Kept for the log file the app installs; never printed on a command's stderr instead.
log.addHandler(logging.NullHandler())


def owner_only_umask() -> None:
    """Every file and folder this process makes is its owner's alone (called at start)."""
    os.umask(OWNER_ONLY_UMASK)


def data_dir_override(override: os.PathLike[str] | str | None = None) -> Path | None:
    """The folder given with ``--data-dir`` or ``NAAS_DATA_DIR``, if any (not checked)."""
    chosen = override or os.environ.get(ENV)
    return Path(chosen).expanduser() if chosen else None


def data_dir(override: Path | str | None = None) -> Path:
    """The data folder, made if need be, proven writable and made owner-only."""
    return owner_only_folder(usable_folder(data_dir_location(override), "the data folder", mode=0o700))


def data_dir_location(override: Path | str | None = None) -> Path:
    """Where the data folder is, or would be: nothing checked, nothing made."""
    return data_dir_override(override) or user_data_path(APP, appauthor=False)


def default_db_in(override: Path | str | None = None) -> Path:
    """The centre database's usual path in the data folder. A folder not there yet is only
    proven makeable, not made: naming a database makes nothing. A command that reads then
    finds no database and says so, leaving no empty folder behind; one that creates a
    centre has the folder made as it opens it (``services.centre.open_database``)."""
    if data_dir_made(override):
        return default_db_path(data_dir(override))
    return default_db_path(could_be_made(data_dir_location(override), "the data folder"))


def data_dir_made(override: Path | str | None = None) -> bool:
    """Whether the data folder is there already (its name checked first)."""
    folder = check_name(data_dir_location(override), "the data folder")
    return folder.exists() or folder.is_symlink()


def log_dir(override: Path | str | None = None) -> Path:
    """The platform's log folder; with a data folder given, ``logs`` inside it."""
    given = data_dir_override(override)
    path = given / "logs" if given is not None else user_log_path(APP, appauthor=False)
    return owner_only_folder(usable_folder(path, "the log folder", mode=0o700))


def owner_only_folder(folder: Path) -> Path:
    """``folder`` 0700 and each file directly in it 0600, tightened with a log line where
    they were looser (other users could read them); a file that is not ours is left."""
    _tighten(folder)
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return folder
    for entry in entries:
        if entry.is_file(follow_symlinks=False) or entry.is_dir(follow_symlinks=False):
            _tighten(Path(entry.path))
    return folder


def _tighten(path: Path) -> None:
    """Group and others lose every permission; the owner keeps theirs."""
    try:
        mode = stat.S_IMODE(os.lstat(path).st_mode)
        if mode & 0o077:
            os.chmod(path, mode & 0o700)
            log.warning(
                "%s was open to other users (mode %o); made owner-only (%o)", path, mode, mode & 0o700
            )
    except OSError as exc:
        log.warning("%s: cannot be made owner-only: %s", path, exc.strerror or exc)


def check_name(path: Path | str, what: str = "") -> Path:
    """The path, or a UserError if a part of it is longer than the file system allows."""
    path = Path(path)
    label = f"{what} {path}" if what else str(path)
    if any(len(os.fsencode(part)) > NAME_MAX for part in path.parts):
        raise UserError(f"{_short(label)}: a name in it is longer than {NAME_MAX} bytes")
    if len(os.fsencode(path)) >= PATH_MAX:
        raise UserError(f"{_short(label)}: the path is longer than {PATH_MAX} bytes")
    return path


def usable_folder(path: Path, what: str, *, mode: int = 0o777) -> Path:
    """``path`` made if need be (with ``mode``, less the umask), and proven writable;
    otherwise a plain UserError."""
    check_name(path, what)
    if path.exists() and not path.is_dir():
        raise UserError(f"{what} {_short(str(path))} is a file, not a folder")
    try:
        path.mkdir(mode=mode, parents=True, exist_ok=True)
        # os.access says yes to root everywhere; only writing tells the truth.
        fd, probe = tempfile.mkstemp(dir=path, prefix=".write-test-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise _unusable(path, what, exc) from None
    return path


def could_be_made(path: Path, what: str) -> Path:
    """``path``, a folder not there yet, proven makeable without making it: its nearest
    existing parent is a folder that takes a new one (a probe folder made there and removed
    at once). Otherwise the UserError ``usable_folder`` would give."""
    check_name(path, what)
    parent = path
    while not (parent.exists() or parent.is_symlink()) and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise UserError(f"{what} {_short(str(path))} cannot be used: {_short(str(parent))} is a file")
    try:
        os.rmdir(tempfile.mkdtemp(dir=parent, prefix=".write-test-"))
    except OSError as exc:
        raise _unusable(path, what, exc) from None
    return path


def _unusable(path: Path, what: str, exc: OSError) -> UserError:
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason = "it cannot be written to"
    return UserError(f"{what} {_short(str(path))} cannot be used: {reason}")


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
    sync_folder(target.parent)
    return target


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
    """This workstation's id: made once, kept in the data folder, stamped on every row.

    Two programs starting at once get the same id: the new one is written whole to a file
    of its own and linked into place only if no id is there yet; the loser reads the winner's.
    """
    path = folder / "workstation-id"
    try:
        text = path.read_text(encoding="ascii").strip()
        return str(uuid.UUID(text))
    except FileNotFoundError:
        damaged = False
    except (OSError, ValueError):
        damaged = True
    new = str(uuid.uuid4())
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".workstation-id.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:  # mkstemp makes it 0600
            fh.write(new + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        if damaged:
            os.replace(tmp, path)
            return new
        try:
            os.link(tmp, path)
        except FileExistsError:
            return str(uuid.UUID(path.read_text(encoding="ascii").strip()))
        return new
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
