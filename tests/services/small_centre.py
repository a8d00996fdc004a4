"""A small centre for the completeness and moderation tests, built through the public
services on any database: one sitting of a three-station pack, two assessors, a
manager, an administrator, a QA lead and an assessor not assigned to the sitting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from db.engine import Database
from naas_centre.packs.schema import Pack
from naas_centre.services import accounts, completeness, scoring, sittings, timing, written
from naas_centre.services.completeness import MissingKind
from naas_centre.services.views import Actor, Role

PASSWORD = "a long enough password"
LEVELS = [
    {"value": 1, "label": "Not yet evident"},
    {"value": 2, "label": "Developing"},
    {"value": 3, "label": "Meets the standard"},
    {"value": 4, "label": "Exceeds"},
]


def _criterion(cid: str, kss: str, text: str) -> dict[str, object]:
    return {
        "id": cid,
        "kss": kss,
        "text": text,
        "descriptors": {
            1: "Little or none of this was seen.",
            2: "Seen in part, or only when prompted.",
            3: "Seen clearly and consistently.",
            4: "Seen throughout, and adapted to the family.",
        },
    }


PACK = Pack.model_validate(
    {
        "format": 1,
        "name": "test-completeness",
        "version": "1.0.0",
        "title": "Completeness test pack",
        "level": "practitioner",
        "kss_areas": [
            {"id": "p1", "title": "Relationships and effective direct work"},
            {"id": "p2", "title": "Communication"},
        ],
        "levels": LEVELS,
        "scenarios": [
            {
                "id": "home-visit",
                "title": "Home visit",
                "candidate_brief": "Visit Ms Lewis and explain why children's services are involved.",
                "actor_brief": "You are tired and wary; open up only if your rights are explained.",
                "timing": {"reading": 10, "role_play": 25},
                "rubric": {
                    "criteria": [
                        _criterion("hv-purpose", "p2", "Explains the purpose of the visit in plain language"),
                        _criterion("hv-child", "p1", "Keeps the child's daily experience in view"),
                    ]
                },
            },
            {
                "id": "reflection",
                "title": "Reflective conversation",
                "kind": "reflective",
                "candidate_brief": "Talk through the home visit with the assessors.",
                "actor_brief": "No actor: the assessors lead the conversation.",
                "timing": {"reading": 5, "role_play": 15},
                "rubric": {
                    "criteria": [_criterion("rf-learning", "p1", "Names what they would do differently")]
                },
            },
        ],
        "written_exercise": {
            "id": "case-record",
            "title": "Case record",
            "prompt": "Write up the home visit as a case record.",
            "case_material": "Referral from the health visitor, 12 November.",
            "minutes": 45,
            "rubric": {"criteria": [_criterion("wr-analysis", "p2", "Weighs risks against strengths")]},
        },
        "outcome": {"area_pass_mark": 3},
    }
)
CRITERIA = [(station, c.id) for station, c in PACK.criteria()]
STATIONS = [station for station, _ in PACK.rubrics()]


@dataclass
class Centre:
    db: Database
    sitting_id: str
    admin: Actor
    manager: Actor
    qa: Actor
    a1: Actor  # Priya Shah
    a2: Actor  # Gareth Hughes
    outsider: Actor  # an assessor not assigned to the sitting

    def missing(self, who: Actor | None = None) -> tuple[completeness.Missing, ...]:
        return completeness.missing(self.db, who or self.manager, self.sitting_id)

    def kinds(self, who: Actor | None = None) -> list[MissingKind]:
        return [m.kind for m in self.missing(who)]

    def run_station(self, station: str) -> None:
        for phase in ("reading", "role_play"):
            timing.record_event(self.db, self.manager, self.sitting_id, station, phase, "start")
            timing.record_event(self.db, self.manager, self.sitting_id, station, phase, "end")

    def script(self, text: str, *, submit: bool) -> None:
        grant = written.open_kiosk(self.db, self.manager, self.sitting_id)
        timing.record_event(self.db, grant.actor, self.sitting_id, "case-record", "writing", "start")
        written.save(self.db, grant, text)
        if submit:
            written.submit(self.db, grant, text, "candidate")

    def score(self, who: Actor, level: int = 3, judgement: str = "met", **overrides: int) -> None:
        for station, cid in CRITERIA:
            scoring.record_level(self.db, who, self.sitting_id, station, cid, overrides.get(cid, level))
        for station in STATIONS:
            scoring.set_judgement(self.db, who, self.sitting_id, station, judgement, "As the notes show.")

    def everything_but_scores(self) -> None:
        self.run_station("home-visit")
        self.run_station("reflection")
        self.script("Visited Ms Lewis at home with her consent. Tom (4) was at nursery.", submit=True)


def _account(db: Database, username: str, name: str, role: Role, employer: str | None = None) -> Actor:
    accounts.create_account(db, None, username, name, role, PASSWORD, employer)
    return accounts.authenticate(db, username, PASSWORD)


def make_centre(db: Database, *, assessors: int = 2) -> Centre:
    admin = _account(db, "admin", "Sam Okafor", Role.ADMINISTRATOR)
    manager = _account(db, "manager", "Helen Brooks", Role.CENTRE_MANAGER)
    qa = _account(db, "qa", "Dev Patel", Role.QA_LEAD)
    a1 = _account(db, "priya", "Priya Shah", Role.ASSESSOR, "Bury Council")
    a2 = _account(db, "gareth", "Gareth Hughes", Role.ASSESSOR, "Wigan Council")
    outsider = _account(db, "ruth", "Ruth Allen", Role.ASSESSOR, "Oldham Council")
    room = sittings.add_room(db, manager, "Room 1")
    candidate = sittings.add_candidate(
        db, manager, sittings.CandidateInput("Aisha Rahman", "SW123456", "Leeds City Council", "practitioner")
    )
    sid = sittings.plan_sitting(db, manager, candidate, PACK, room, datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    for who in (a1, a2)[:assessors]:
        sittings.assign_assessor(db, manager, sid, who.account_id)
    sittings.set_status(db, manager, sid, "checked_in")
    return Centre(db, sid, admin, manager, qa, a1, a2, outsider)
