"""The journal of changes that could not be saved yet: JSON lines, each one fsync'd.

When the database cannot take a write (full, locked, read-only), what the assessor
recorded is kept in memory *and* appended here, so that it survives a crash of the
app as well. A line is either an item (a change waiting to be saved) or a ``done``
mark for an item that has since been saved or refused. When nothing is waiting any
more the journal is rewritten with only what is still open (usually: deleted).

The file sits beside the database it belongs to (``centre.db.pending.jsonl``), so a
journal can never be replayed into another centre's database. No Qt here.
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

if TYPE_CHECKING:
    from db.engine import Database

VERSION = 1


def journal_path(db: Database) -> Path:
    """Beside a SQLite database; in the data folder (named after the URL) for a server."""
    if db.url.startswith("sqlite:///"):
        path = Path(db.url.removeprefix("sqlite:///"))
        return path.with_name(path.name + ".pending.jsonl")
    from naas_centre import paths

    digest = hashlib.sha256(db.url.encode()).hexdigest()[:12]
    return paths.data_dir() / f"pending-{digest}.jsonl"


class Journal:
    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, records: list[dict[str, Any]]) -> None:
        """Appends and forces the lines to the disk. Raises OSError when it cannot."""
        if not records:
            return
        new = not self.path.exists()
        data = "".join(json.dumps({"v": VERSION, **r}, ensure_ascii=False) + "\n" for r in records)
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if new:
            _fsync_dir(self.path.parent)

    def open_items(self) -> list[dict[str, Any]]:
        """Items with no ``done`` mark, in the order they were written.

        A torn last line (the app killed while writing it) is skipped: its item was
        never reported as kept, and it is still in the window that was killed.
        """
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        items: dict[str, dict[str, Any]] = {}
        for line in text.splitlines():
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
        tmp = self.path.with_name(self.path.name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            for record in keep:
                f.write(json.dumps(record, ensure_ascii=False) + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
        _fsync_dir(self.path.parent)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # Windows cannot open a folder; its rename is durable enough
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


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
