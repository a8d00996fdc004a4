"""Scenario packs in the database: each stored once, frozen, by content hash.

A sitting points at the stored copy it was planned with, so a later version of a pack
never changes a past sitting.
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import PackRow
from naas_centre.errors import NotFound
from naas_centre.packs.loader import canonical_json, content_hash, parse_pack_json
from naas_centre.packs.schema import Pack
from naas_centre.services import access
from naas_centre.services.views import Actor, Role


def store(session: Session, pack: Pack) -> PackRow:
    """The stored row for this exact content, adding it if it is new."""
    digest = content_hash(pack)
    row = session.scalar(select(PackRow).where(PackRow.content_hash == digest))
    if row is None:
        row = PackRow(
            name=pack.name,
            version=pack.version,
            content_hash=digest,
            level=pack.level.value,
            title=pack.title,
            content=canonical_json(pack),
        )
        session.add(row)
        session.flush()
    return row


@lru_cache(maxsize=32)
def _parse(digest: str, content: str) -> Pack:
    # Keyed by hash: stored packs never change, so a parsed copy stays right.
    return parse_pack_json(content, expected_hash=digest)


def pack_of_row(row: PackRow) -> Pack:
    return _parse(row.content_hash, row.content)


def pack_for_sitting(db: Database, actor: Actor, sitting_id: str) -> Pack:
    """The pack as the sitting used it. Assessors only for their own sittings."""
    with db.read() as s:
        sitting = access.open_sitting(
            s,
            actor,
            sitting_id,
            (Role.CENTRE_MANAGER, Role.ADMINISTRATOR, Role.QA_LEAD),
            "open scenario packs",
        )
        row = s.get(PackRow, sitting.pack_id)
        assert row is not None  # a foreign key
        return pack_of_row(row)


def stored_packs(db: Database) -> list[tuple[str, str, str, str]]:
    """(name, version, hash, title) of every stored pack."""
    with db.read() as s:
        return [
            (r.name, r.version, r.content_hash, r.title)
            for r in s.scalars(select(PackRow).order_by(PackRow.name, PackRow.version))
        ]


_by_id: dict[str, Pack] = {}


def pack_by_id(session: Session, pack_id: str) -> Pack:
    """A stored pack, parsed once per process: stored packs never change."""
    pack = _by_id.get(pack_id)
    if pack is None:
        row = session.get(PackRow, pack_id)
        if row is None:
            raise NotFound("No such scenario pack.")
        pack = _by_id[pack_id] = pack_of_row(row)
    return pack
