"""What a backup is called, and keeping a set number of them in a folder.

``<centre>-<first 8 of its id>-<UTC time>[-n].naas-backup``: the centre's name for a person
looking at the folder, its id so two centres of one name never rotate each other's copies,
and the time to the second (``-2``, ``-3`` for more in the same second).
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

from naas_centre.errors import UserError

SUFFIX = ".naas-backup"
DEFAULT_KEEP = 10
STAMP = "%Y%m%dT%H%M%SZ"
SERVER_BACKUPS = (
    "the centre's database is on a PostgreSQL server, whose backups are the server's business: "
    "use pg_dump and pg_restore there (naas-centre backs up and restores SQLite files only)"
)


class BackupRefused(UserError):
    """A backup or a restore that was not done; the message says why, and nothing changed."""


def slug(name: str) -> str:
    """The centre's name as a file name: letters, digits and dashes, at most 40."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-").lower()
    return text[:40].strip("-") or "centre"


def prefix(centre_name: str, centre_id: str) -> str:
    return f"{slug(centre_name)}-{centre_id.replace('-', '')[:8]}"


def _pattern(start: str) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(start)}-(\d{{8}}T\d{{6}}Z)(?:-(\d+))?{re.escape(SUFFIX)}$")


def new_name(folder: Path, centre_name: str, centre_id: str, at: datetime) -> Path:
    """A name in ``folder`` that no file has yet."""
    base = f"{prefix(centre_name, centre_id)}-{at.astimezone(UTC).strftime(STAMP)}"
    candidate, n = folder / f"{base}{SUFFIX}", 1
    while candidate.exists():
        n += 1
        candidate = folder / f"{base}-{n}{SUFFIX}"
    return candidate


def copies(folder: Path, centre_name: str, centre_id: str) -> list[tuple[datetime, Path]]:
    """This centre's backups in ``folder``, oldest first, with the time in each name."""
    pattern = _pattern(prefix(centre_name, centre_id))
    found: list[tuple[datetime, int, Path]] = []
    with contextlib.suppress(OSError):
        for path in folder.iterdir():
            match = pattern.match(path.name)
            if match and path.is_file():
                at = datetime.strptime(match.group(1), STAMP).replace(tzinfo=UTC)
                found.append((at, int(match.group(2) or 1), path))
    found.sort()
    return [(at, path) for at, _, path in found]


def rotate(folder: Path, centre_name: str, centre_id: str, keep: int) -> list[Path]:
    """Removes this centre's oldest backups beyond the newest ``keep``; returns them."""
    if keep < 1:
        raise BackupRefused(f"keep must be at least 1, not {keep}")
    old = [path for _, path in copies(folder, centre_name, centre_id)[:-keep]]
    removed = []
    for path in old:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            removed.append(path)
    return removed
