"""The centre's rooms and its actors, as an administrator or centre manager keeps them.

A room is for role-play (a station with an actor, or the discussion) or for the written
exercise; an actor has their video consent and the parts they can play, each written
"pack-name/station-id" after a role-play scenario of an installed pack. Neither is ever
deleted, since past sittings name them: each is deactivated instead, and every change
is audited.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import ActorRow, PackRow, RoomRow
from naas_centre.errors import Conflict, NotFound, UserError
from naas_centre.packs.loader import discover_packs
from naas_centre.packs.schema import Pack
from naas_centre.services import audit, capabilities, packs
from naas_centre.services.accounts import require
from naas_centre.services.views import Actor

KEEPERS = capabilities.RUN_CENTRE
ROOM_KINDS: dict[str, str] = {"role_play": "Role-play", "written": "Written exercise"}
MAX_NAME = 100


@dataclass(frozen=True)
class RoomEntry:
    id: str
    name: str
    kind: str
    active: bool

    @property
    def kind_label(self) -> str:
        return ROOM_KINDS.get(self.kind, self.kind)


@dataclass(frozen=True)
class ActorEntry:
    id: str
    full_name: str
    video_consent: bool
    parts: tuple[str, ...]  # "pack-name/station-id"
    active: bool


@dataclass(frozen=True)
class Part:
    """A part an actor can play: a role-play scenario of an installed pack."""

    key: str  # "pack-name/station-id"
    pack_title: str
    station_title: str

    @property
    def label(self) -> str:
        return f"{self.station_title} ({self.pack_title})"


# Rooms ---------------------------------------------------------------------------------


def _room_entry(row: RoomRow) -> RoomEntry:
    return RoomEntry(row.id, row.name, row.kind, row.active)


def _room_name(name: str) -> str:
    clean = " ".join(name.split())
    if not clean:
        raise UserError("A room needs a name, such as Room 1.")
    if len(clean) > MAX_NAME:
        raise UserError(f"A room's name has at most {MAX_NAME} characters.")
    return clean


def _room_kind(kind: str) -> str:
    if kind not in ROOM_KINDS:
        known = ", ".join(ROOM_KINDS)
        raise UserError(f"There is no kind of room called {kind!r} (kinds: {known}).")
    return kind


def _same_room(s: Session, name: str, other_than: str | None = None) -> None:
    for row in s.scalars(select(RoomRow)):
        if row.id != other_than and row.name.casefold() == name.casefold():
            raise Conflict(f"There is already a room called {row.name!r}.")


def list_rooms(db: Database, actor: Actor) -> list[RoomEntry]:
    require(actor, *KEEPERS)
    with db.read() as s:
        return [_room_entry(r) for r in s.scalars(select(RoomRow).order_by(RoomRow.name))]


def add_room(db: Database, actor: Actor, name: str, kind: str = "role_play") -> RoomEntry:
    require(actor, *KEEPERS)
    clean, kind = _room_name(name), _room_kind(kind)
    with db.write() as s:
        _same_room(s, clean)
        row = RoomRow(name=clean, kind=kind, active=True)
        s.add(row)
        audit.record(s, actor, "room.create", row, None)
        return _room_entry(row)


def update_room(db: Database, actor: Actor, room_id: str, *, name: str, kind: str, active: bool) -> RoomEntry:
    require(actor, *KEEPERS)
    clean, kind = _room_name(name), _room_kind(kind)
    with db.write() as s:
        row = s.get(RoomRow, room_id)
        if row is None:
            raise NotFound("No such room: it may have been changed on another workstation.")
        _same_room(s, clean, other_than=row.id)
        before = audit.snapshot(row)
        row.name, row.kind, row.active = clean, kind, active
        if audit.snapshot(row) != before:
            audit.record(s, actor, "room.update", row, before)
        return _room_entry(row)


# Actors --------------------------------------------------------------------------------


def _parts_of(pack: Pack, title: str | None = None) -> list[Part]:
    return [
        Part(f"{pack.name}/{sc.id}", title or pack.title, sc.title)
        for sc in pack.scenarios
        if sc.kind == "role_play"
    ]


def playable_parts(db: Database, pack_dirs: Sequence[Path] = ()) -> list[Part]:
    """Every role-play part of the installed packs: built in, in ``pack_dirs`` (the
    centre's packs folder) and stored in the database by the sittings that used them."""
    found: dict[str, Part] = {}
    for lp in discover_packs(list(pack_dirs)):
        if lp.ok and lp.pack is not None:
            for part in _parts_of(lp.pack):
                found.setdefault(part.key, part)
    with db.read() as s:
        for row in s.scalars(select(PackRow)):
            for part in _parts_of(packs.pack_of_row(row)):
                found.setdefault(part.key, part)
    return sorted(found.values(), key=lambda p: (p.pack_title, p.station_title, p.key))


def _actor_entry(row: ActorRow) -> ActorEntry:
    return ActorEntry(row.id, row.full_name, row.video_consent, tuple(_stored_parts(row)), row.active)


def _stored_parts(row: ActorRow) -> list[str]:
    try:
        value = json.loads(row.roles or "[]")
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []


def _clean_parts(parts: Iterable[str], known: set[str] | None, kept: set[str]) -> list[str]:
    """Each part once, in order; a part must be an installed pack's role-play scenario,
    or one the actor already had (a pack since removed from this workstation)."""
    out: list[str] = []
    for raw in parts:
        part = raw.strip()
        if not part or part in out:
            continue
        name, slash, station = part.partition("/")
        if not slash or not name or not station or "/" in station:
            raise UserError(
                f"{part!r} is not a part: write it pack-name/station-id "
                "(such as naas-practitioner/home-visit)."
            )
        if known is not None and part not in known and part not in kept:
            raise UserError(f"No installed pack has a role-play scenario {part!r}.")
        out.append(part)
    return out


def _actor_name(full_name: str) -> str:
    clean = " ".join(full_name.split())
    if not clean:
        raise UserError("An actor needs a name.")
    if len(clean) > 200:
        raise UserError("An actor's name has at most 200 characters.")
    return clean


def list_actors(db: Database, actor: Actor) -> list[ActorEntry]:
    require(actor, *KEEPERS)
    with db.read() as s:
        return [_actor_entry(r) for r in s.scalars(select(ActorRow).order_by(ActorRow.full_name))]


def add_actor(
    db: Database,
    actor: Actor,
    full_name: str,
    video_consent: bool,
    parts: Iterable[str] = (),
    *,
    pack_dirs: Sequence[Path] = (),
) -> ActorEntry:
    require(actor, *KEEPERS)
    clean = _actor_name(full_name)
    wanted = list(parts)
    known = {p.key for p in playable_parts(db, pack_dirs)} if wanted else None
    chosen = _clean_parts(wanted, known, set())
    with db.write() as s:
        row = ActorRow(full_name=clean, video_consent=video_consent, roles=json.dumps(chosen), active=True)
        s.add(row)
        audit.record(s, actor, "actor.create", row, None)
        return _actor_entry(row)


def update_actor(
    db: Database,
    actor: Actor,
    actor_id: str,
    *,
    full_name: str,
    video_consent: bool,
    parts: Iterable[str],
    active: bool,
    pack_dirs: Sequence[Path] = (),
) -> ActorEntry:
    require(actor, *KEEPERS)
    clean = _actor_name(full_name)
    wanted = list(parts)
    known = {p.key for p in playable_parts(db, pack_dirs)} if wanted else None
    with db.write() as s:
        row = s.get(ActorRow, actor_id)
        if row is None:
            raise NotFound("No such actor: they may have been changed on another workstation.")
        chosen = _clean_parts(wanted, known, set(_stored_parts(row)))
        before = audit.snapshot(row)
        row.full_name, row.video_consent, row.active = clean, video_consent, active
        row.roles = json.dumps(chosen)
        if audit.snapshot(row) != before:
            audit.record(s, actor, "actor.update", row, before)
        return _actor_entry(row)
