"""The demo centre: accounts, two rooms and a day of six candidates, ready to explore.

It is always created in a database of its own; a real centre never receives it
(``centre.create_centre`` with ``is_demo``). Who is in it is data: ``content/centre.yaml``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from db.engine import Database
from naas_centre.demo import data
from naas_centre.demo.data import Actor, Candidate, DemoAccount
from naas_centre.errors import UserError
from naas_centre.packs.loader import builtin_packs
from naas_centre.packs.schema import Pack
from naas_centre.services import accounts, centre, equality, sittings

__all__ = [
    "ACCOUNTS",
    "ACTORS",
    "CANDIDATES",
    "CAST",
    "LONDON",
    "Actor",
    "Candidate",
    "DemoAccount",
    "DemoResult",
    "create_demo",
    "demo_packs",
]

LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class DemoResult:
    db: Database
    accounts: list[DemoAccount]
    day: date


_CENTRE = data.centre()
# Demo passwords are fixed so the README can list them; a real centre sets its own.
ACCOUNTS: tuple[DemoAccount, ...] = _CENTRE.accounts
CANDIDATES: tuple[Candidate, ...] = _CENTRE.candidates
ACTORS: tuple[Actor, ...] = _CENTRE.actors
# (room index, scenario id) → the actor who plays that scenario's part in that room.
CAST: Mapping[tuple[int, str], str] = _CENTRE.cast


def demo_packs() -> dict[str, Pack]:
    """The first built-in pack of each level: the packs the demo day runs on."""
    packs: dict[str, Pack] = {}
    for loaded in builtin_packs():
        if loaded.pack is not None:
            packs.setdefault(loaded.pack.level.value, loaded.pack)
    return packs


def create_demo(target: str | Path, *, data_dir: Path | None = None, day: date | None = None) -> DemoResult:
    """Creates the demo centre in ``target``, which must hold no centre yet."""
    content = _CENTRE
    packs = demo_packs()
    missing = {c.level for c in content.candidates} - set(packs)
    if missing:
        raise UserError(f"The built-in packs for {', '.join(sorted(missing))} did not load.")
    admin_acc = content.accounts[0]
    db = centre.create_centre(
        target,
        content.name,
        admin_acc.username,
        admin_acc.display_name,
        admin_acc.password,
        data_dir=data_dir,
        is_demo=True,
    )
    admin = accounts.authenticate(db, admin_acc.username, admin_acc.password)
    ids: dict[str, str] = {}
    employers: dict[str, str | None] = {}
    for acc in content.accounts[1:]:
        view = accounts.create_account(
            db,
            admin,
            acc.username,
            acc.display_name,
            acc.role,
            acc.password,
            acc.employer,
            registration_number=acc.registration_number,
            temporary=False,  # the demo's passwords are published; nothing real is signed
        )
        ids[acc.username] = view.id
        employers[acc.username] = acc.employer

    day = day or datetime.now(LONDON).date()
    rooms = [sittings.add_room(db, admin, room.name) for room in content.rooms]
    actor_ids = {a.name: sittings.add_actor(db, admin, a.name, a.consent) for a in content.actors}

    placed: list[int] = []
    for c in content.candidates:
        cid = sittings.add_candidate(
            db,
            admin,
            sittings.CandidateInput(
                full_name=c.name,
                registration_number=c.registration,
                employer=c.employer,
                level=c.level,
                extra_time_percent=c.extra_time_percent,
                break_between_scenarios=c.break_between_scenarios,
                adjustment_notes=c.adjustment_notes,
            ),
        )
        equality.record(db, admin, cid, c.monitoring)
        slot = placed.count(c.room)
        placed.append(c.room)
        # A carousel: candidates in one room start a fixed interval apart.
        local = datetime.combine(day, content.first_start, LONDON) + timedelta(
            minutes=content.carousel_minutes * slot
        )
        pack = packs[c.level]
        sid = sittings.plan_sitting(
            db, admin, cid, pack, rooms[c.room], local.astimezone(ZoneInfo("UTC")), day=day
        )
        for username in content.rooms[c.room].assessors:
            if employers[username] == c.employer:
                # Never an assessor from the candidate's own employer: the other room's stands in.
                username = content.rooms[(c.room + 1) % len(content.rooms)].assessors[0]
            sittings.assign_assessor(db, admin, sid, ids[username])
        for scenario in pack.scenarios:
            sittings.assign_actor(db, admin, sid, scenario.id, actor_ids[content.cast[(c.room, scenario.id)]])
    return DemoResult(db, list(content.accounts), day)
