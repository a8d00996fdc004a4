"""A recording's MP4 as PyAV opens it: the file's path when it is plain, else a decrypting
reader over the sealed file (``protection.sealed_media``), so no clear byte reaches the disk.

A sealed file needs the passphrase it was sealed under (the encrypted centre's); without
one, or with another, the error is a plain one that names the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from naas_centre.errors import UserError
from naas_centre.protection.sealed_media import SealedMediaFile, is_sealed_media


def source(path: Path, passphrase: str | None) -> str | SealedMediaFile:
    """What ``av.open`` takes for ``path``; a sealed one is to be closed by the caller."""
    if not is_sealed_media(path):
        return str(path)
    if passphrase is None:
        raise UserError(
            f"{path}: the recording is encrypted; open it from its centre, with the database's passphrase"
        )
    return SealedMediaFile(path, passphrase)


def open_container(path: Path, passphrase: str | None, what: str = "opened") -> tuple[Any, Any]:
    """(container, sealed reader or None); both to be closed, the container first."""
    import av

    given = source(path, passphrase)
    try:
        return av.open(given), (given if isinstance(given, SealedMediaFile) else None)
    except (av.error.FFmpegError, OSError) as exc:
        if isinstance(given, SealedMediaFile):
            given.close()
        raise UserError(f"{path}: the recording cannot be {what} ({exc})") from None


@contextmanager
def opened(path: Path, passphrase: str | None, what: str = "read") -> Iterator[Any]:
    container, sealed = open_container(path, passphrase, what)
    try:
        yield container
    finally:
        container.close()
        if sealed is not None:
            sealed.close()
