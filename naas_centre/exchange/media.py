"""Recordings' media in a result bundle, carried only when asked.

Out: each file of this workstation's finished (or self-stopped) recordings becomes a
member ``media/<path>``, ``path`` relative to the data folder as ``RecordingRow.folder``
gives it; the file is streamed, never read whole, and must keep the size it had when
listed. The manifest's ``media`` names each file's recording, path, member and size.

In: every path is checked before anything is read (a relative path under
``recordings/``, inside the data folder, within its own recording's folder), so a
bundle that would write elsewhere is refused whole. A file not held here is streamed
into a staging folder inside the data folder and fsync'd; only after the database
transaction commits is it linked into place (never over a file). A file already held
with the same bytes is left alone; with other bytes it is a conflict, listed and never
overwritten. A refused import removes the staging folder: no file is left behind.

Sealed recordings (an encrypted centre's, ``protection.sealed_media``) travel in clear
inside the bundle, which is itself encrypted: each is decrypted as it is streamed out,
and sealed under the receiving centre's passphrase as it is staged, when that centre is
encrypted too (a plain centre takes it plain, as it would have recorded it). Sizes and
the comparison with a file already held are of the clear MP4.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.durable import sync_folder
from db.models import RecordingRow
from naas_centre.errors import UserError
from naas_centre.protection import sealed_media
from naas_centre.services.recordings import GONE, RECORDINGS_FOLDER

PREFIX = "media/"
CARRIED = ("finished", "stopped")  # a recording still running, or gone, has no media to send
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class MediaFile:
    recording_id: str
    path: str  # relative to the data folder, '/' between parts
    size: int

    @property
    def member(self) -> str:
        return PREFIX + self.path

    def to_json(self) -> dict[str, Any]:
        return {"recording": self.recording_id, "path": self.path, "member": self.member, "size": self.size}


def safe_path(path: object) -> bool:
    """A relative path under the recordings folder, with nothing that climbs out of it."""
    if not isinstance(path, str) or not path or path.startswith("/"):
        return False
    if any(c in path for c in "\\:\x00"):
        return False
    parts = path.split("/")
    return parts[0] == RECORDINGS_FOLDER and len(parts) >= 2 and all(p not in ("", ".", "..") for p in parts)


# Out ----------------------------------------------------------------------------------


def gather(s: Session, data_dir: Path, workstation_id: str, passphrase: str | None = None) -> list[MediaFile]:
    """Every file of this workstation's recordings that have media, oldest recording first;
    ``passphrase`` opens the sealed ones (their clear size is the one listed)."""
    rows = s.execute(
        select(RecordingRow.id, RecordingRow.folder)
        .where(RecordingRow.workstation_id == workstation_id, RecordingRow.status.in_(CARRIED))
        .order_by(RecordingRow.started_at, RecordingRow.id)
    ).all()
    found: list[MediaFile] = []
    for rid, folder in rows:
        base = data_dir / folder
        if not safe_path(folder) or not base.is_dir():
            raise UserError(
                f"{base}: the folder of a finished recording is missing; nothing was written "
                "(send the results without recordings)."
            )
        for file in sorted(p for p in base.rglob("*") if p.is_file()):
            rel = f"{folder}/{file.relative_to(base).as_posix()}"
            found.append(MediaFile(rid, rel, _clear_size(file, passphrase)))
    return found


class _Exact:
    """A file read as a member, refusing one whose size changed since it was listed."""

    def __init__(self, fh: IO[bytes], file: MediaFile) -> None:
        self.fh, self.file, self.read_so_far = fh, file, 0

    def read(self, size: int = -1, /) -> bytes:
        data = self.fh.read(min(size, _CHUNK) if size >= 0 else _CHUNK)
        self.read_so_far += len(data)
        if self.read_so_far > self.file.size or (not data and self.read_so_far != self.file.size):
            raise UserError(f"{self.file.path}: the file changed while being written; nothing was written.")
        return data


def streams(
    data_dir: Path, files: list[MediaFile], passphrase: str | None = None
) -> Iterator[tuple[str, _Exact]]:
    """(member, stream) for each file, opened only when its turn comes and closed after;
    a sealed one is read through its decrypting reader."""
    for file in files:
        with _open_clear(data_dir / file.path, passphrase) as fh:
            yield file.member, _Exact(fh, file)


def _open_clear(path: Path, passphrase: str | None, identity: str | None = None) -> IO[bytes]:
    if not sealed_media.is_sealed_media(path):
        return open(path, "rb")
    if passphrase is None:
        raise UserError(f"{path}: the recording is encrypted, and this centre's database is not")
    return cast(IO[bytes], sealed_media.SealedMediaFile(path, passphrase, identity))


def _clear_size(path: Path, passphrase: str | None) -> int:
    if not sealed_media.is_sealed_media(path):
        return path.stat().st_size
    with _open_clear(path, passphrase) as media:
        return media.seek(0, os.SEEK_END)


# In -----------------------------------------------------------------------------------


def plan(where: str, manifest: dict[str, Any], bad: type[UserError]) -> dict[str, MediaFile]:
    """The media the manifest lists, by member; any unsafe or unreadable entry refuses it all."""
    listed = manifest.get("media", {"files": []})
    files = listed.get("files") if isinstance(listed, dict) else None
    if not isinstance(files, list):
        raise bad(f"{where}: its manifest cannot be read: its media list is not a list")
    out: dict[str, MediaFile] = {}
    paths: set[str] = set()
    for entry in files:
        ok = isinstance(entry, dict) and isinstance(entry.get("recording"), str)
        ok = ok and isinstance(entry.get("member"), str) and isinstance(entry.get("size"), int)
        if not ok:
            raise bad(f"{where}: its manifest cannot be read: a media entry is incomplete")
        if not safe_path(entry.get("path")):
            raise bad(
                f"{where}: it would write {str(entry.get('path'))[:80]!r} outside the data folder's "
                "recordings; nothing was imported."
            )
        if entry["member"] in out or entry["path"] in paths:
            raise bad(f"{where}: its manifest lists one media file twice; nothing was imported.")
        out[entry["member"]] = MediaFile(entry["recording"], entry["path"], entry["size"])
        paths.add(entry["path"])
    return out


@dataclass
class Landing:
    """Media taken from one bundle: staged during the transaction, placed after it commits."""

    data_dir: Path
    passphrase: str | None = None  # the receiving centre's, when encrypted: media sealed under it
    staged: list[tuple[Path, MediaFile]] = field(default_factory=list)
    placed: int = 0
    same: int = 0
    not_placed: int = 0  # the recording was deleted here: its media stay out
    conflicts: list[str] = field(default_factory=list)
    _staging: Path | None = None

    def take(
        self,
        s: Session,
        where: str,
        file: MediaFile,
        folders: dict[str, str],
        member: Any,
        bad: type[UserError],
    ) -> None:
        """Reads one member: stages it, or compares it with the file already here."""
        folder = folders.get(file.recording_id)
        if folder is None or not file.path.startswith(folder.rstrip("/") + "/"):
            raise bad(
                f"{where}: {file.path!r} is not a file of a recording it carries; nothing was imported."
            )
        final = self.data_dir / file.path
        root = self.data_dir.resolve()
        if root not in final.resolve().parents:  # a link inside the data folder pointing out
            raise bad(f"{where}: it would write {file.path!r} outside the data folder; nothing was imported.")
        row = s.get(RecordingRow, file.recording_id)
        if row is None or row.status in GONE:
            _drain(member, file, where, bad)
            self.not_placed += 1
            return
        if final.exists():
            digest = _drain(member, file, where, bad)
            if _clear_size(final, self.passphrase) == file.size and self._digest(final) == digest:
                self.same += 1
            else:
                self.conflicts.append(file.path)
            return
        staging = self._staging_folder()
        part = staging / f"{len(self.staged)}.part"
        if self.passphrase is not None and file.path.endswith(".mp4"):
            # Sealed as it lands, for the folder it is linked into (its identity).
            sink = sealed_media.SealingFile(part, self.passphrase, final.parent.name)
            try:
                _drain(member, file, where, bad, cast(IO[bytes], sink))
            finally:
                sink.close()  # each record fsync'd as it is sealed
        else:
            with open(part, "xb") as out:
                _drain(member, file, where, bad, out)
                out.flush()
                os.fsync(out.fileno())
        self.staged.append((part, file))

    def _digest(self, path: Path, identity: str | None = None) -> str:
        """The SHA-256 of a file's clear bytes (a sealed one decrypted as it is read)."""
        digest = hashlib.sha256()
        with _open_clear(path, self.passphrase, identity) as fh:
            while chunk := fh.read(_CHUNK):
                digest.update(chunk)
        return digest.hexdigest()

    def _staging_folder(self) -> Path:
        if self._staging is None:
            self._staging = self.data_dir / f".incoming-{secrets.token_hex(8)}"
            self._staging.mkdir(parents=True)
        return self._staging

    def place(self) -> None:
        """After the commit: each staged file linked into place (never over another)."""
        try:
            for part, file in self.staged:
                final = self.data_dir / file.path
                made = not final.parent.exists()
                final.parent.mkdir(parents=True, exist_ok=True)
                try:
                    os.link(part, final)
                except FileExistsError:  # arrived meanwhile: the same rule as before staging
                    same = self._digest(final) == self._digest(part, final.parent.name)
                    if same:
                        self.same += 1
                    else:
                        self.conflicts.append(file.path)
                    continue
                self.placed += 1
                sync_folder(final.parent)
                if made:
                    sync_folder(final.parent.parent)
        finally:
            self.discard()

    def discard(self) -> None:
        if self._staging is not None:
            shutil.rmtree(self._staging, ignore_errors=True)
            self._staging = None

    def summary(self) -> list[str]:
        if not (self.placed or self.same or self.not_placed or self.conflicts):
            return []
        line = f"recording files: {self.placed} added, {self.same} already there"
        if self.not_placed:
            line += f", {self.not_placed} left out (deleted here)"
        line += f", {len(self.conflicts)} conflict{'' if len(self.conflicts) == 1 else 's'}"
        return [line, *(f"  kept as it is here, the bundle's differs: {p}" for p in self.conflicts)]


def _drain(
    member: Any, file: MediaFile, where: str, bad: type[UserError], out: IO[bytes] | None = None
) -> str:
    """Reads a member to its end a chunk at a time (written to ``out`` if given): its SHA-256."""
    digest = hashlib.sha256()
    got = 0
    while chunk := member.read(_CHUNK):
        digest.update(chunk)
        got += len(chunk)
        if out is not None:
            out.write(chunk)
    if got != file.size:
        raise bad(f"{where}: {file.path!r} is not the size its manifest gives; nothing was imported.")
    return digest.hexdigest()
