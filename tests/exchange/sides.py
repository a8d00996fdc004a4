"""Two workstations from one demo centre: the manager's and a room's, as bundles move
between them. The demo gets its centre CA first, so both copies hold the same one (as
a room set up from a day bundle does), and the room a trail of its own."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from db.engine import Database
from naas_centre.demo.centre import ACCOUNTS, create_demo
from naas_centre.services import access, accounts, audit, authority, packs, scoring, sittings
from naas_centre.services.views import Actor

CENTRE_WS = "00000000-0000-4000-8000-0000000000c0"
ROOM_WS = "00000000-0000-4000-8000-0000000000a1"
PASSWORDS = {a.username: a.password for a in ACCOUNTS}


@dataclass
class Side:
    db: Database
    day: date
    data_dir: Path

    def login(self, username: str) -> Actor:
        return accounts.authenticate(self.db, username, PASSWORDS[username])


def demo_with_ca(folder: Path) -> tuple[Path, date]:
    """The demo centre in ``folder``, with its certificate authority made."""
    made = create_demo(folder / "demo.db", data_dir=folder)
    authority.ensure_ca(made.db, folder)
    made.db.dispose()
    return folder / "demo.db", made.day


def copy_side(demo: tuple[Path, date], to: Path, workstation: str, *, own_trail: bool = False) -> Side:
    """A copy of the demo's database and data folder (the CA's key with it)."""
    shutil.copytree(demo[0].parent, to)
    side = Side(Database(to / "demo.db", workstation), demo[1], to)
    if own_trail:
        with side.db.write() as s:
            audit.start_own_chain(s)
    return side


def score_a_station(room: Side, username: str = "assessor1", *, cycle: int = 4) -> tuple[str, str, list[str]]:
    """An assessor scores every criterion of one station they observe: (sitting, station, criteria)."""
    who = room.login(username)
    sid = sittings.list_for_assessor(room.db, who, room.day)[0].id
    pack = packs.pack_for_sitting(room.db, who, sid)
    with room.db.read() as s:
        station = access.observed_stations(s, sid, who.account_id, pack)[0]
    criteria = [c.id for st, c in pack.criteria() if st == station]
    for k, c in enumerate(criteria):
        scoring.record_level(room.db, who, sid, station, c, 1 + k % cycle)
    return sid, station, criteria
