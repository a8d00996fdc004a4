"""The demo centre: accounts, employers, rooms, actors and a day of six candidates planned
as a circuit, ready to explore.

It is always created in a database of its own; a real centre never receives it
(``centre.create_centre`` with ``is_demo``). Who is in it is data: ``content/centre.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from db.engine import Database
from naas_centre.demo import data
from naas_centre.demo.data import Actor, Candidate, DemoAccount
from naas_centre.demo.history_content import HistorySize
from naas_centre.errors import UserError
from naas_centre.packs.loader import builtin_packs
from naas_centre.packs.schema import Pack
from naas_centre.services import (
    accounts,
    candidates,
    centre,
    conflicts,
    employers,
    equality,
    planning,
    resources,
    sittings,
)

if TYPE_CHECKING:
    from naas_centre.demo.history import HistorySummary

__all__ = [
    "ACCOUNTS",
    "ACTORS",
    "CANDIDATES",
    "LONDON",
    "Actor",
    "Candidate",
    "DemoAccount",
    "DemoResult",
    "HistorySize",
    "create_demo",
    "demo_packs",
]

LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class DemoResult:
    db: Database
    accounts: list[DemoAccount]
    day: date
    history: HistorySummary | None = None  # the past days, when the demo was given them


_CENTRE = data.centre()
# Demo passwords are fixed so the README can list them; a real centre sets its own.
ACCOUNTS: tuple[DemoAccount, ...] = _CENTRE.accounts
CANDIDATES: tuple[Candidate, ...] = _CENTRE.candidates
ACTORS: tuple[Actor, ...] = _CENTRE.actors


def demo_packs() -> dict[str, Pack]:
    """The first built-in pack of each level: the packs the demo day runs on."""
    packs: dict[str, Pack] = {}
    for loaded in builtin_packs():
        if loaded.pack is not None:
            packs.setdefault(loaded.pack.level.value, loaded.pack)
    return packs


def create_demo(
    target: str | Path,
    *,
    data_dir: Path | None = None,
    day: date | None = None,
    history: HistorySize = HistorySize.NONE,
) -> DemoResult:
    """Creates the demo centre in ``target``, which must hold no centre yet.

    ``history`` gives it a past before ``day`` (``demo.history``): a year of scored,
    moderated days for quality assurance to analyse. Without it, the centre has only
    the day.
    """
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
    for name in content.employers:
        employers.add_employer(db, admin, name)
    ids: dict[str, str] = {}
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

    day = day or datetime.now(LONDON).date()
    rooms = {st.room: resources.add_room(db, admin, st.room).id for st in content.stations}
    written_room = resources.add_room(db, admin, content.written_room, "written").id
    actor_ids = {
        a.name: resources.add_actor(db, admin, a.name, a.consent, a.parts).id for a in content.actors
    }

    booked: dict[str, str] = {}
    endorsed_on = day - timedelta(weeks=6)
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
        # Booking needs the employer's endorsement of the candidate's practice at the level.
        candidates.record_endorsement(db, admin, cid, c.level, f"Practice lead, {c.employer}", endorsed_on)
        booked[c.name] = cid
    for conflict in content.conflicts:
        conflicts.declare_conflict(
            db, admin, ids[conflict.assessor], booked[conflict.candidate], conflict.kind, conflict.note
        )

    pack = packs[content.pack_level]
    first = datetime.combine(day, content.first_slot, LONDON)
    lunch = planning.BreakSpec(content.lunch_after_slot, content.lunch_minutes, "Lunch")
    planning.save_plan(
        db,
        admin,
        day,
        pack,
        first,
        breaks=[lunch],
        written_room_id=written_room,
        written_seats=content.written_seats,
    )
    planning.set_stations(
        db,
        admin,
        day,
        [
            planning.StationSpec(
                rooms[st.room], st.station, tuple(ids[u] for u in st.assessors), actor_ids[st.actor]
            )
            for st in content.stations
        ],
    )
    planning.add_candidates(db, admin, day, list(booked.values()))
    planning.build(db, admin, day)
    if history == HistorySize.NONE:
        return DemoResult(db, list(content.accounts), day)
    from naas_centre.demo.history import add_history, past_accounts

    past = add_history(db, pack, day, history, data_dir=data_dir)
    return DemoResult(db, [*content.accounts, *past_accounts()], day, past)
