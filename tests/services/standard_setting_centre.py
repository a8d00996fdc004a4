"""A centre with a month of scored sittings for standard setting, built through the
public services: 24 candidates of the small centre's pack (``small_centre.PACK``) over
two days in January 2027, four of each of six hand-worked profiles, each sitting held,
written, scored, judged and submitted by one assessor, with equality monitoring.

The profiles, worked by hand against the pack's rule (area pass mark 3, the mean of an
area's levels; p1 = hv-child and rf-learning, p2 = hv-purpose and wr-analysis):

=======  ==========  ========  =========  ======  =============================
profile  hv-purpose  hv-child  rf / wr    home    home-visit judgement, outcome
=======  ==========  ========  =========  ======  =============================
A        4           4         4 / 4      8       met; met
B        4           3         3 / 3      7       met; met
C        3           3         3 / 3      6       met, borderline; met
D        3           2         4 / 3      5       met, borderline; met (p1 3.0, p2 3.0)
E        2           3         3 / 4      5       not met, borderline; met (p1 3.0, p2 3.0)
F        2           2         3 / 3      4       not met; not met (p1 2.5, p2 2.5)
=======  ==========  ========  =========  ======  =============================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from db.engine import Database
from naas_centre.services import accounts, equality, scoring, sittings, timing, written
from naas_centre.services.views import Actor, Role
from tests.services.small_centre import PACK, PASSWORD

FIRST_DAY, SECOND_DAY = date(2027, 1, 11), date(2027, 1, 18)
# (hv-purpose, hv-child, rf-learning, wr-analysis, home-visit judgement, borderline)
PROFILES: dict[str, tuple[int, int, int, int, str, bool]] = {
    "A": (4, 4, 4, 4, "met", False),
    "B": (4, 3, 3, 3, "met", False),
    "C": (3, 3, 3, 3, "met", True),
    "D": (3, 2, 4, 3, "met", True),
    "E": (2, 3, 3, 4, "not_met", True),
    "F": (2, 2, 3, 3, "not_met", False),
}
HOME_SCORE = {k: v[0] + v[1] for k, v in PROFILES.items()}
AGE_BANDS = ("25-34", "45-54")
REASON = "Named the concern only when asked; no plan agreed with her."


@dataclass
class Month:
    db: Database
    admin: Actor
    manager: Actor
    qa: Actor
    assessor: Actor
    sittings: dict[str, list[str]] = field(default_factory=dict)  # profile → sitting ids
    days: dict[str, date] = field(default_factory=dict)  # sitting id → day


def _account(db: Database, username: str, name: str, role: Role, employer: str | None = None) -> Actor:
    accounts.create_account(db, None, username, name, role, PASSWORD, employer)
    return accounts.authenticate(db, username, PASSWORD)


def hold_and_score(db: Database, manager: Actor, assessor: Actor, sid: str, profile: str) -> None:
    """The sitting runs, the script is in, and the assessor scores it as ``profile``."""
    purpose, child, learning, analysis, judgement, borderline = PROFILES[profile]
    sittings.set_status(db, manager, sid, "checked_in")
    for station in ("home-visit", "reflection"):
        for phase in ("reading", "role_play"):
            timing.record_event(db, manager, sid, station, phase, "start")
            timing.record_event(db, manager, sid, station, phase, "end")
    grant = written.open_kiosk(db, manager, sid)
    timing.record_event(db, grant.actor, sid, "case-record", "writing", "start")
    written.submit(
        db, grant, "Visited Ms Lewis at home with her consent; Tom (4) was at nursery.", "candidate"
    )
    levels = {
        ("home-visit", "hv-purpose"): purpose,
        ("home-visit", "hv-child"): child,
        ("reflection", "rf-learning"): learning,
        ("case-record", "wr-analysis"): analysis,
    }
    for (station, cid), level in levels.items():
        scoring.record_level(db, assessor, sid, station, cid, level, REASON if level < 3 else None)
    scoring.set_judgement(
        db, assessor, sid, "home-visit", judgement, "As the notes show.", borderline=borderline
    )
    for station in ("reflection", "case-record"):
        scoring.set_judgement(db, assessor, sid, station, "met", "As the notes show.")
    scoring.submit(db, assessor, sid)


def make_month(db: Database, rounds: int = 4) -> Month:
    """``rounds`` candidates of each profile, the first half of them on ``FIRST_DAY``."""
    month = Month(
        db,
        _account(db, "admin", "Sam Okafor", Role.ADMINISTRATOR),
        _account(db, "manager", "Helen Brooks", Role.CENTRE_MANAGER),
        _account(db, "qa", "Dev Patel", Role.QA_LEAD),
        _account(db, "priya", "Priya Shah", Role.ASSESSOR, "Bury Council"),
    )
    room = sittings.add_room(db, month.manager, "Room 1")
    n = 0
    for round_ in range(rounds):
        for profile in PROFILES:
            day = FIRST_DAY if round_ < rounds // 2 else SECOND_DAY
            candidate = sittings.add_candidate(
                db,
                month.manager,
                sittings.CandidateInput(
                    f"Candidate {n + 1}", f"SW9{n:05d}", "Leeds City Council", "practitioner"
                ),
            )
            equality.record(db, month.manager, candidate, equality.Monitoring(age_band=AGE_BANDS[n % 2]))
            starts = datetime(day.year, day.month, day.day, 9 + n % 8, 0, tzinfo=UTC)
            sid = sittings.plan_sitting(db, month.manager, candidate, PACK, room, starts)
            sittings.assign_assessor(db, month.manager, sid, month.assessor.account_id)
            hold_and_score(db, month.manager, month.assessor, sid, profile)
            month.sittings.setdefault(profile, []).append(sid)
            month.days[sid] = day
            n += 1
    return month
