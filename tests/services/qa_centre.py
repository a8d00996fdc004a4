"""A centre with a short scored history for the QA analysis, built through the public
services on any database: 40 sittings over 8 past days, each scored by one of two
pairs of assessors at every station, submitted, with equality monitoring recorded.

The truth is known: candidates have an ability, one assessor (Lena Marsh) scores a level
above what she sees, and levels follow ability closely, so assessors agree well but not
perfectly. Deterministic for its seed.
"""

from __future__ import annotations

import random
import shutil
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from db.engine import Database
from naas_centre.packs.schema import Pack
from naas_centre.services import accounts, equality, scoring, sittings
from naas_centre.services.views import Actor, Role
from tests.conftest import WORKSTATION
from tests.services.small_centre import LEVELS, _criterion
from tests.services.small_centre import PASSWORD as PASSWORD

SEED = 14
SITTINGS_PER_DAY = 5
DAYS = 8
TODAY = datetime.now(UTC).date()
FIRST_DAY = TODAY - timedelta(days=30)
# A closed period holding every sitting; equality forms are recorded now, so the period
# ends after today and the services are told it is the day after it ends.
PERIOD_END = TODAY + timedelta(days=1)
AFTER = TODAY + timedelta(days=2)
LENIENT = "Lena Marsh"
ASSESSORS = (
    ("lena", LENIENT, "Bury Council"),
    ("omar", "Omar Haddad", "Wigan Council"),
    ("ruth", "Ruth Allen", "Oldham Council"),
    ("tom", "Tom Price", "Bury Council"),
)
EMPLOYERS = ("Leeds City Council", "Manchester City Council")
ETHNICITIES = ("White British", "Asian British")


def _scenario(sid: str, title: str, kind: str, prefix: str, texts: tuple[str, ...]) -> dict[str, object]:
    return {
        "id": sid,
        "title": title,
        "kind": kind,
        "candidate_brief": f"{title}: the brief.",
        "actor_brief": "Confidential: how to react.",
        "timing": {"reading": 5, "role_play": 20},
        "rubric": {
            "criteria": [_criterion(f"{prefix}-{i}", f"p{1 + i % 2}", t) for i, t in enumerate(texts)]
        },
    }


PACK = Pack.model_validate(
    {
        "format": 1,
        "name": "qa-history",
        "version": "1.0.0",
        "title": "Practitioner circuit for quality assurance",
        "level": "practitioner",
        "kss_areas": [
            {"id": "p1", "title": "Relationships and effective direct work"},
            {"id": "p2", "title": "Communication"},
        ],
        "levels": LEVELS,
        "scenarios": [
            _scenario(
                "home-visit",
                "Home visit",
                "role_play",
                "hv",
                (
                    "Explains the purpose of the visit in plain language",
                    "Keeps the child's daily experience in view",
                    "Responds to the parent's anger without escalating",
                ),
            ),
            _scenario(
                "teenager",
                "Conversation with a teenager",
                "role_play",
                "tn",
                (
                    "Asks open questions and follows the young person's lead",
                    "Notices and explores a hint of harm",
                    "Explains confidentiality and its limits",
                ),
            ),
            _scenario(
                "reflection",
                "Reflective conversation",
                "reflective",
                "rf",
                (
                    "Names what they would do differently",
                    "Links their decisions to the evidence",
                    "Recognises the limits of what they know",
                ),
            ),
        ],
        "outcome": {"area_pass_mark": 3},
    }
)
STATIONS = tuple(sc.id for sc in PACK.scenarios)


@dataclass
class QaCentre:
    db: Database
    passwords: dict[str, str] = field(default_factory=dict)
    sitting_ids: list[str] = field(default_factory=list)
    candidate_ids: list[str] = field(default_factory=list)
    # (sitting, assessor name, station) → the levels given, criterion by criterion
    given: dict[tuple[str, str, str], tuple[int, ...]] = field(default_factory=dict)

    def login(self, username: str) -> Actor:
        return accounts.authenticate(self.db, username, PASSWORD)


def _account(db: Database, username: str, name: str, role: Role, employer: str | None = None) -> Actor:
    accounts.create_account(db, None, username, name, role, PASSWORD, employer)
    return accounts.authenticate(db, username, PASSWORD)


def build(db: Database) -> QaCentre:
    rng = random.Random(SEED)
    centre = QaCentre(db)
    _account(db, "admin", "Sam Okafor", Role.ADMINISTRATOR)
    manager = _account(db, "manager", "Helen Brooks", Role.CENTRE_MANAGER)
    _account(db, "qa", "Dev Patel", Role.QA_LEAD)
    assessors = [_account(db, u, n, Role.ASSESSOR, e) for u, n, e in ASSESSORS]
    pairs = ((assessors[0], assessors[1]), (assessors[2], assessors[3]))
    room = sittings.add_room(db, manager, "Room 1")
    n = 0
    for d in range(DAYS):
        day = FIRST_DAY + timedelta(days=d)
        for k in range(SITTINGS_PER_DAY):
            employer = EMPLOYERS[n % 2]
            cid = sittings.add_candidate(
                db,
                manager,
                sittings.CandidateInput(f"Candidate {n:02d}", f"SW7{n:05d}", employer, "practitioner"),
            )
            equality.record(
                db,
                manager,
                cid,
                equality.Monitoring(
                    ("25-34", "45-54")[n % 3 == 0], ETHNICITIES[(n // 2) % 2], "No", "Female"
                ),
            )
            starts = datetime.combine(day, time(9 + k), UTC)
            sid = sittings.plan_sitting(db, manager, cid, PACK, room, starts, day=day)
            pair = pairs[(d + k) % 2]
            for a in pair:
                sittings.assign_assessor(db, manager, sid, a.account_id)
            sittings.set_status(db, manager, sid, "checked_in")
            ability = rng.gauss(2.8, 0.7)
            for station in STATIONS:
                seen = [ability + rng.gauss(0, 0.35) for _ in range(3)]
                for a in pair:
                    lift = 1.5 if a.display_name == LENIENT else 0.0
                    levels = tuple(max(1, min(4, round(x + lift + rng.gauss(0, 0.3)))) for x in seen)
                    _score(db, a, sid, station, levels)
                    centre.given[(sid, a.display_name, station)] = levels
            for a in pair:
                scoring.submit(db, a, sid)
            centre.sitting_ids.append(sid)
            centre.candidate_ids.append(cid)
            n += 1
    return centre


def _score(db: Database, who: Actor, sid: str, station: str, levels: tuple[int, ...]) -> None:
    rubric = dict(PACK.rubrics())[station]
    for c, level in zip(rubric.criteria, levels, strict=True):
        reason = "Seen only in part, as the notes show." if level < 3 else None
        scoring.record_level(db, who, sid, station, c.id, level, reason)
    met, borderline = judged(levels)
    scoring.set_judgement(
        db, who, sid, station, "met" if met else "not_met", "As the notes show.", borderline=borderline
    )


def judged(levels: tuple[int, ...]) -> tuple[bool, bool]:
    """(met, borderline) for a station's levels: met from a mean of 2.5, and "only just"
    either way within a sixth of a level of it."""
    mean = sum(levels) / len(levels)
    return mean >= 2.5, abs(mean - 2.5) < 1 / 6 + 1e-9


def grade(levels: tuple[int, ...]) -> float:
    """The grade standard setting gives the judgement: met 3, borderline 2, not met 1."""
    met, borderline = judged(levels)
    return 2.0 if borderline else 3.0 if met else 1.0


def day_of(i: int) -> date:
    return FIRST_DAY + timedelta(days=i // SITTINGS_PER_DAY)


PERIOD_START = FIRST_DAY - timedelta(days=1)


def built(folder: Path, template: Path) -> tuple[Path, QaCentre]:
    """The centre built once in ``folder`` from the migrated empty ``template``."""
    path = folder / "qa.db"
    shutil.copy(template, path)
    db = Database(path, WORKSTATION)
    try:
        centre = build(db)
    finally:
        db.dispose()
    return path, centre


def pair_levels(
    centre: QaCentre, first: str, second: str, station: str | None = None
) -> tuple[list[int], list[int]]:
    """Every criterion level two assessors both gave, straight from what was scored."""
    a: list[int] = []
    b: list[int] = []
    for (sid, who, st), levels in centre.given.items():
        if who == first and (station is None or st == station):
            other = centre.given.get((sid, second, st))
            if other is not None:
                a += levels
                b += other
    return a, b


def station_scores(centre: QaCentre, first: str, second: str) -> list[tuple[int, int]]:
    return [
        (sum(levels), sum(centre.given[(sid, second, st)]))
        for (sid, who, st), levels in centre.given.items()
        if who == first and (sid, second, st) in centre.given
    ]
