"""What day and result bundles share inside the container: JSON-lines members named by
table, a manifest first, and the centre they belong to.

Each kind raises its own error (``BadDay``, ``BadResults``) so a refusal says which
kind of bundle the file failed to be.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import CentreRow
from naas_centre.errors import UserError

MANIFEST = "manifest.json"
SPOOL_BYTES = 8 * 2**20  # a member larger than this waits on disk, not in memory


def member_name(table: str) -> str:
    return f"rows/{table}.jsonl"


def jsonl(records: Iterable[Mapping[str, Any]]) -> bytes:
    return b"".join(json.dumps(r, sort_keys=True).encode("utf-8") + b"\n" for r in records)


def spool(records: Iterable[Mapping[str, Any]]) -> IO[bytes]:
    """The records as JSON lines in a file that stays in memory while small; the caller closes it."""
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - the caller closes it
    for record in records:
        out.write(json.dumps(record, sort_keys=True).encode("utf-8"))
        out.write(b"\n")
    out.seek(0)
    return out


def read_records(where: str, member: str, raw: bytes, bad: type[UserError]) -> list[dict[str, Any]]:
    """Every record of a JSON-lines member; a line that is not a JSON object is refused."""
    out: list[dict[str, Any]] = []
    for line in raw.decode("utf-8").splitlines():
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError:
            raise bad(f"{where}: «{member}» has a line that is not JSON") from None
        if not isinstance(value, dict):
            raise bad(f"{where}: «{member}» has a line that is not a record")
        out.append(value)
    return out


def read_manifest(
    where: str,
    raw: bytes,
    *,
    kind: str,
    newest: int,
    noun: str,
    bad: type[UserError],
    needs: Mapping[str, type],
) -> dict[str, Any]:
    """The manifest, held to its kind and format and to the fields ``needs`` names (with their types)."""
    try:
        manifest = json.loads(raw)
        assert isinstance(manifest, dict)
        fmt, claimed = manifest["format"], manifest["kind"]
        assert isinstance(manifest["tables"], list)
        assert all(isinstance(manifest[field], of) for field, of in needs.items())
    except (ValueError, KeyError, TypeError, AssertionError):
        raise bad(f"{where}: its manifest cannot be read: it is not a {noun}") from None
    if claimed != kind:
        raise bad(f"{where}: it is a {claimed} bundle, not a {noun}")
    if not isinstance(fmt, int) or fmt > newest:
        raise bad(f"{where}: its contents are of a newer format ({fmt}): update this workstation")
    return manifest


def first_manifest(where: str, members: Iterator[Any], noun: str, bad: type[UserError]) -> bytes:
    """The first member's bytes, which must be the manifest."""
    first = next(members, None)
    if first is None or first.name != MANIFEST:
        raise bad(f"{where}: the bundle has no manifest first: it is not a {noun}")
    data: bytes = first.read()
    return data


def centre_id(s: Session) -> str:
    centre = s.scalar(select(CentreRow.id))
    if centre is None:
        raise UserError("This database has no centre yet: set it up before exchanging bundles.")
    return str(centre)
