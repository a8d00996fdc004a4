"""The demo centre: accounts, two rooms and a day of six candidates, ready to explore.

It is always created in a database of its own; a real centre never receives it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from db.engine import Database
from naas_centre.errors import UserError
from naas_centre.packs.loader import builtin_packs
from naas_centre.packs.schema import Pack
from naas_centre.services import accounts, centre, equality, sittings
from naas_centre.services.views import Role

LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: Role
    display_name: str


@dataclass(frozen=True)
class DemoResult:
    db: Database
    accounts: list[DemoAccount]
    day: date


# Demo passwords are fixed so the README can list them; a real centre sets its own.
ACCOUNTS = (
    DemoAccount("admin", "demo-admin-2026", Role.ADMINISTRATOR, "Demo Administrator"),
    DemoAccount("manager", "demo-manager-2026", Role.CENTRE_MANAGER, "Ngozi Okafor"),
    DemoAccount("assessor1", "demo-assessor-2026", Role.ASSESSOR, "Helen Brady"),
    DemoAccount("assessor2", "demo-assessor-2026", Role.ASSESSOR, "Tomasz Nowicki"),
    DemoAccount("assessor3", "demo-assessor-2026", Role.ASSESSOR, "Priya Raman"),
    DemoAccount("assessor4", "demo-assessor-2026", Role.ASSESSOR, "Gareth Hughes"),
    DemoAccount("qa", "demo-quality-2026", Role.QA_LEAD, "Dr Miriam Adeyemi"),
    DemoAccount("kiosk", "demo-kiosk-2026", Role.CANDIDATE_KIOSK, "Candidate workstation"),
)
ASSESSOR_EMPLOYERS = {
    "assessor1": "Stockport Council",
    "assessor2": "Salford City Council",
    "assessor3": "Leeds City Council",
    "assessor4": "Kirklees Council",
}
# Social Work England registrations of the staff who sign (fictional, in SWE's format).
STAFF_REGISTRATIONS = {
    "manager": "SW064418",
    "assessor1": "SW071932",
    "assessor2": "SW088157",
    "assessor3": "SW079604",
    "assessor4": "SW092286",
}

# name, registration, employer, level, extra time %, break, notes, monitoring
CANDIDATES = (
    (
        "Gwenllian Prŷs-Dafydd",
        "SW118204",
        "Wigan Council",
        "practitioner",
        25,
        False,
        "25% extra time on the written exercise (dyslexia).",
        equality.Monitoring("35-44", "White Welsh", "Yes", "Female"),
    ),
    (
        "Małgorzata Żółkowska",
        "SW120377",
        "Leeds City Council",
        "practitioner",
        0,
        False,
        "",
        equality.Monitoring("45-54", "White other", "No", "Female"),
    ),
    (
        "ليلى حداد",
        "SW115962",
        "Manchester City Council",
        "practitioner",
        0,
        True,
        "A short break between scenarios.",
        equality.Monitoring("25-34", "Arab", "No", "Female"),
    ),
    (
        "Daniel Okonkwo-Reid",
        "SW109851",
        "Bury Council",
        "practitioner",
        0,
        False,
        "",
        equality.Monitoring("55-64", "Black British", "No", "Male"),
    ),
    (
        "陈美玲",
        "SW121640",
        "Oldham Council",
        "supervisor",
        0,
        False,
        "",
        equality.Monitoring("35-44", "Chinese", "Prefer not to say", "Female"),
    ),
    (
        "Rhodri ap Iorwerth",
        "SW098733",
        "Leeds City Council",
        "leader",
        0,
        False,
        "",
        equality.Monitoring("45-54", None, "No", "Male"),
    ),
)

# Room of each candidate above: the Leeds candidates sit in room 1, whose assessors do
# not work for Leeds, so no pair has to be broken up for a conflict of interest.
ROOM_OF = (0, 0, 1, 1, 1, 0)

# Actors (name, consent to video for training), each cast to the part their age and
# presence suit: a mother in her late twenties, a teenager (played by a young adult),
# a health visitor in her fifties, and so on. Each room has its own company, since
# both rooms run the same stations at the same time.
ACTORS = (
    ("Sinéad Gallagher", True),  # Shannon Doyle, 27, a mother (room 1)
    ("Tia Robinson", True),  # Maya Clarke, 14 (plays teenagers; room 1)
    ("Abena Owusu", True),  # Grace Mensah, 52, a health visitor (room 1)
    ("Amira Khalil", False),  # DI Nadia Iqbal, 44, police (room 1)
    ("Imran Sheikh", True),  # Councillor Tariq Mahmood, 58 (room 1)
    ("Marcus Bell", True),  # Delroy Francis, 52, a team manager (room 1)
    ("Kirsty Lowe", True),  # Shannon Doyle (room 2)
    ("Jasmine Oduya", True),  # Maya Clarke (plays teenagers; room 2)
    ("Esi Boateng", False),  # Grace Mensah (room 2)
    ("Joe Whitworth", True),  # Ryan Doherty, 31, a social worker (room 2)
    ("Hannah Siddiqui", True),  # Aisha Rahman, 24, a newly qualified social worker (room 2)
    ("Delano Grant", True),  # Kwame Asante, 45, a senior practitioner (room 2)
)
# (room index, scenario id) → the actor who plays that scenario's part in that room.
CAST = {
    (0, "home-visit"): "Sinéad Gallagher",
    (0, "young-person"): "Tia Robinson",
    (0, "professional"): "Abena Owusu",
    (0, "incident-partner-meeting"): "Amira Khalil",
    (0, "member-briefing"): "Imran Sheikh",
    (0, "audit-conversation"): "Marcus Bell",
    (1, "home-visit"): "Kirsty Lowe",
    (1, "young-person"): "Jasmine Oduya",
    (1, "professional"): "Esi Boateng",
    (1, "drift-supervision"): "Joe Whitworth",
    (1, "nqsw-feedback"): "Hannah Siddiqui",
    (1, "stepdown-disagreement"): "Delano Grant",
}


def demo_packs() -> dict[str, Pack]:
    packs: dict[str, Pack] = {}
    for loaded in builtin_packs():
        if loaded.pack is not None:
            packs.setdefault(loaded.pack.level.value, loaded.pack)
    return packs


def create_demo(target: str | Path, *, data_dir: Path | None = None, day: date | None = None) -> DemoResult:
    """Creates the demo centre in ``target``, which must hold no centre yet."""
    packs = demo_packs()
    missing = {"practitioner", "supervisor", "leader"} - set(packs)
    if missing:
        raise UserError(f"The built-in packs for {', '.join(sorted(missing))} did not load.")
    admin_acc = ACCOUNTS[0]
    db = centre.create_centre(
        target,
        "Pennine Assessment Centre (demo)",
        admin_acc.username,
        admin_acc.display_name,
        admin_acc.password,
        data_dir=data_dir,
        is_demo=True,
    )
    admin = accounts.authenticate(db, admin_acc.username, admin_acc.password)
    ids: dict[str, str] = {}
    for acc in ACCOUNTS[1:]:
        view = accounts.create_account(
            db,
            admin,
            acc.username,
            acc.display_name,
            acc.role,
            acc.password,
            ASSESSOR_EMPLOYERS.get(acc.username),
            registration_number=STAFF_REGISTRATIONS.get(acc.username),
            temporary=False,  # the demo's passwords are published; nothing real is signed
        )
        ids[acc.username] = view.id

    day = day or datetime.now(LONDON).date()
    rooms = [sittings.add_room(db, admin, "Room 1 · Oak"), sittings.add_room(db, admin, "Room 2 · Ash")]
    actor_ids = {name: sittings.add_actor(db, admin, name, consent) for name, consent in ACTORS}
    pairs = [("assessor1", "assessor2"), ("assessor3", "assessor4")]

    for i, (name, reg, employer, level, extra, brk, notes, monitoring) in enumerate(CANDIDATES):
        cid = sittings.add_candidate(
            db,
            admin,
            sittings.CandidateInput(
                full_name=name,
                registration_number=reg,
                employer=employer,
                level=level,
                extra_time_percent=extra,
                break_between_scenarios=brk,
                adjustment_notes=notes,
            ),
        )
        equality.record(db, admin, cid, monitoring)
        room = ROOM_OF[i]
        slot = ROOM_OF[:i].count(room)
        # A carousel: candidates in one room start 45 minutes apart.
        local = datetime.combine(day, time(9, 0), LONDON) + timedelta(minutes=45 * slot)
        pack = packs[level]
        sid = sittings.plan_sitting(
            db, admin, cid, pack, rooms[room], local.astimezone(ZoneInfo("UTC")), day=day
        )
        first, second = pairs[room]
        for username in (first, second):
            if ASSESSOR_EMPLOYERS[username] == employer:
                # Never an assessor from the candidate's own employer: swap in the other room's.
                username = pairs[1 - room][0]
            sittings.assign_assessor(db, admin, sid, ids[username])
        for scenario in pack.scenarios:
            sittings.assign_actor(db, admin, sid, scenario.id, actor_ids[CAST[(room, scenario.id)]])
    return DemoResult(db, list(ACCOUNTS), day)
