"""The journal of changes that could not be saved yet: JSON lines, each one fsync'd.

When the database cannot take a write (full, locked, read-only), what the assessor
recorded is kept in memory *and* appended here, so that it survives a crash of the
app as well. A line is either an item (a change waiting to be saved) or a ``done``
mark for an item that has since been saved or refused. When nothing is waiting any
more the journal is rewritten with only what is still open (usually: deleted).

The file sits beside the database it belongs to (``centre.db.pending.jsonl``), so a
journal can never be replayed into another centre's database. No Qt here.

Beside an encrypted database the journal is sealed under that database's passphrase
(``naas_centre.protection.sealed``): the same records, each line sealed on its own, so
scores, notes and a candidate's text are never on the disk in clear. A clear journal met
beside an encrypted database (written before it was encrypted) is still read, and is
sealed whole before anything is appended to it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from db.durable import sync_folder
from naas_centre.protection import sealed

if TYPE_CHECKING:
    from db.engine import Database

VERSION = 1
SUFFIX = ".pending.jsonl"


def journal_path(db: Database) -> Path:
    """Beside a SQLite database; in the data folder (named after the URL) for a server."""
    if db.url.startswith("sqlite:///"):
        path = Path(db.url.removeprefix("sqlite:///"))
        return path.with_name(path.name + SUFFIX)
    from naas_centre import paths

    digest = hashlib.sha256(db.url.encode()).hexdigest()[:12]
    return paths.data_dir() / f"pending-{digest}.jsonl"


def database_of(path: Path) -> Path | None:
    """The SQLite database a journal belongs to, or None (a server's journal)."""
    if not path.name.endswith(SUFFIX) or path.name == SUFFIX:
        return None
    return path.with_name(path.name.removesuffix(SUFFIX))


def sealing_passphrase(path: Path) -> str | None:
    """The passphrase the journal at ``path`` is sealed under: its database's, if encrypted."""
    from db import cipher

    database = database_of(path)
    return cipher.passphrase_for(database) if database is not None else None


class Journal:
    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, records: list[dict[str, Any]]) -> None:
        """Appends and forces the lines to the disk. Raises OSError when it cannot."""
        if not records:
            return
        lines = [json.dumps({"v": VERSION, **r}, ensure_ascii=False).encode("utf-8") for r in records]
        passphrase = sealing_passphrase(self.path)
        if passphrase is not None:
            self._append_sealed(lines, passphrase)
            return
        new = not self.path.exists()
        data = "".join(line.decode("utf-8") + "\n" for line in lines)
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if new:
            sync_folder(self.path.parent)

    def _append_sealed(self, lines: list[bytes], passphrase: str) -> None:
        new = not self.path.exists()
        if not new:
            if not sealed.file_is_sealed(self.path) and self.path.stat().st_size > 0:
                # Written in clear before the database was encrypted: sealed whole first.
                sealed.write_records(self.path, self.lines(None), passphrase)
            else:
                sealed.cut_torn_tail(self.path)
        sealer, with_header = sealed.sealer_for_append(self.path, passphrase)
        data = (sealer.header + b"\n" if with_header else b"") + b"".join(sealer.seal(x) for x in lines)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "ab") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if new:
            sync_folder(self.path.parent)

    def lines(self, passphrase: str | None) -> list[bytes]:
        """Every record line, opened if sealed; none when there is no file."""
        try:
            if sealed.file_is_sealed(self.path):
                if passphrase is None:
                    raise sealed.SealError(
                        f"{self.path} is sealed: it opens only with its database's passphrase"
                    )
                return sealed.read_records(self.path, passphrase)
            return self.path.read_bytes().splitlines()
        except FileNotFoundError:
            return []

    def open_items(self) -> list[dict[str, Any]]:
        """Items with no ``done`` mark, in the order they were written.

        A torn last line (the app killed while writing it) is skipped: its item was
        never reported as kept, and it is still in the window that was killed.
        """
        items: dict[str, dict[str, Any]] = {}
        for line in self.lines(sealing_passphrase(self.path)):
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if not isinstance(record, dict) or record.get("v") != VERSION:
                continue
            if record.get("type") == "item" and isinstance(record.get("id"), str):
                items.setdefault(record["id"], record)
            elif record.get("type") == "done":
                items.pop(str(record.get("id")), None)
        return list(items.values())

    def rewrite(self, keep: list[dict[str, Any]]) -> None:
        """Only ``keep`` remains (atomically: a temporary file, then a rename); none: no file."""
        if not keep:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
            return
        passphrase = sealing_passphrase(self.path)
        if passphrase is not None:
            lines = [json.dumps(r, ensure_ascii=False).encode("utf-8") for r in keep]
            sealed.write_records(self.path, lines, passphrase)
            return
        tmp = self.path.with_name(self.path.name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            for record in keep:
                f.write(json.dumps(record, ensure_ascii=False) + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
        sync_folder(self.path.parent)

    def reseal(self, old: str | None, new: str | None) -> None:
        """The journal written again under ``new`` (None: in clear), as its database changes
        passphrase; read with ``old`` (None: it is in clear). No file: nothing to do."""
        if not self.path.exists():
            return
        lines = self.lines(old)
        if new is not None:
            sealed.write_records(self.path, lines, new)
        else:
            sealed.write_atomically(self.path, b"".join(x + b"\n" for x in lines))


@dataclass(frozen=True)
class KeptScript:
    """A candidate's text kept in the journal and newer than what the database has."""

    text: str
    at: datetime
    ids: tuple[str, ...]  # every journaled save of that script, to be replayed in order


def kept_script(
    records: list[dict[str, Any]], sitting_id: str, station_id: str, saved_at: datetime | None
) -> KeptScript | None:
    """The newest journaled save of one script, if the database has not caught up with it.

    A kiosk that crashed while the disk refused writes reopens with this text, not the
    older one on disk, so the candidate's next autosave cannot overwrite what they typed.
    """
    ids: list[str] = []
    newest: tuple[datetime, str] | None = None
    for record in records:
        args = record.get("args")
        if record.get("op") != "save_script" or not isinstance(args, dict):
            continue
        if args.get("sitting_id") != sitting_id or args.get("station_id") != station_id:
            continue
        try:
            at = datetime.fromisoformat(str(args["at"]))
            text = str(args["text"])
        except (KeyError, ValueError):
            continue  # a damaged line: the rest of the journal still counts
        ids.append(str(record["id"]))
        if newest is None or at >= newest[0]:
            newest = (at, text)
    if newest is None or (saved_at is not None and saved_at >= newest[0]):
        return None
    return KeptScript(newest[1], newest[0], tuple(ids))
