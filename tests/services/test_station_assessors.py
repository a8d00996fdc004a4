"""A sitting run as a circuit: each station has its own assessors.

Priya observes the home visit (and marks the case record), Gareth and Ruth the call
with the young person, Tom the reflective conversation. Everything that scores, checks
and reports honours that; a sitting whose assessors observe every station ("") behaves
as it always has (the rest of tests/services and tests/reports).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from db.engine import Database
from db.models import RoomRow, SittingAssessorRow, SittingRow, VisitRow
from naas_centre.errors import Conflict, PermissionDenied
from naas_centre.packs.schema import Pack
from naas_centre.reports.data import ReportKind
from naas_centre.reports.gather import NotReady, ReportRef, gather
from naas_centre.services import (
    access,
    accounts,
    completeness,
    moderation,
    scoring,
    signatures,
    sittings,
    timing,
    written,
)
from naas_centre.services.completeness import MissingKind
from naas_centre.services.views import Actor, Role
from tests.services.small_centre import LEVELS, PASSWORD, _criterion

CIRCUIT = Pack.model_validate(
    {
        "format": 1,
        "name": "test-circuit",
        "version": "1.0.0",
        "title": "Circuit test pack",
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
                "id": "young-person",
                "title": "Young person",
                "candidate_brief": "Talk with Jade (15) before her review.",
                "actor_brief": "You hint at trouble at home only if asked gently.",
                "timing": {"reading": 10, "role_play": 20},
                "rubric": {
                    "criteria": [
                        _criterion("yp-views", "p1", "Gathers the young person's own views"),
                        _criterion("yp-words", "p2", "Speaks without jargon"),
                    ]
                },
            },
            {
                "id": "reflection",
                "title": "Reflective conversation",
                "kind": "reflective",
                "candidate_brief": "Talk through the day with the assessors.",
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
HOME, YOUNG, TALK, CASE = "home-visit", "young-person", "reflection", "case-record"
STARTS = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class Circuit:
    """One sitting of the circuit pack and the people of the day."""

    def __init__(self, db: Database, observes: dict[str, str]) -> None:
        self.db = db
        self.manager = self._account("manager", "Helen Brooks", Role.CENTRE_MANAGER)
        self.qa = self._account("qa", "Dev Patel", Role.QA_LEAD)
        self.priya = self._account("priya", "Priya Shah", Role.ASSESSOR, "Bury Council")
        self.gareth = self._account("gareth", "Gareth Hughes", Role.ASSESSOR, "Wigan Council")
        self.ruth = self._account("ruth", "Ruth Allen", Role.ASSESSOR, "Oldham Council")
        self.tom = self._account("tom", "Tom Byrne", Role.ASSESSOR, "Manchester City Council")
        self.outsider = self._account("ann", "Ann Kerr", Role.ASSESSOR, "Bury Council")
        self.room = sittings.add_room(db, self.manager, "Room 1")
        candidate = sittings.add_candidate(
            db,
            self.manager,
            sittings.CandidateInput("Aisha Rahman", "SW123456", "Leeds City Council", "practitioner"),
        )
        self.sid = sittings.plan_sitting(db, self.manager, candidate, CIRCUIT, self.room, STARTS)
        by_name = {"priya": self.priya, "gareth": self.gareth, "ruth": self.ruth, "tom": self.tom}
        # As the day's planner writes them: one link per assessor, naming their stations.
        with db.write() as s:
            for name, stations in observes.items():
                s.add(
                    SittingAssessorRow(
                        sitting_id=self.sid, assessor_id=by_name[name].account_id, stations=stations
                    )
                )
                s.flush()

    def _account(self, username: str, name: str, role: Role, employer: str | None = None) -> Actor:
        accounts.create_account(self.db, None, username, name, role, PASSWORD, employer)
        return accounts.authenticate(self.db, username, PASSWORD)

    def score(self, who: Actor, stations: tuple[str, ...], level: int = 3, judgement: str = "met") -> None:
        rubrics = dict(CIRCUIT.rubrics())
        for station in stations:
            for c in rubrics[station].criteria:
                reason = "Seen only in part." if level < 3 else None
                scoring.record_level(self.db, who, self.sid, station, c.id, level, reason)
            scoring.set_judgement(self.db, who, self.sid, station, judgement, "As the notes show.")

    def hold_the_day(self) -> None:
        for station in (HOME, YOUNG, TALK):
            for phase in ("reading", "role_play"):
                timing.record_event(self.db, self.manager, self.sid, station, phase, "start")
                timing.record_event(self.db, self.manager, self.sid, station, phase, "end")
        grant = written.open_kiosk(self.db, self.manager, self.sid)
        timing.record_event(self.db, grant.actor, self.sid, CASE, "writing", "start")
        text = "Visited Ms Lewis at home with her consent. Tom (4) was at nursery."
        written.submit(self.db, grant, text, "candidate")

    def missing(self, who: Actor | None = None) -> tuple[completeness.Missing, ...]:
        return completeness.missing(self.db, who or self.manager, self.sid)


FOUR = {"priya": f"{HOME},{CASE}", "gareth": YOUNG, "ruth": YOUNG, "tom": TALK}


@pytest.fixture
def circuit(any_db: Database) -> Circuit:
    return Circuit(any_db, FOUR)


def _everyone_scores(c: Circuit, ruth_level: int = 3) -> None:
    c.hold_the_day()
    c.score(c.priya, (HOME, CASE))
    c.score(c.gareth, (YOUNG,))
    c.score(c.ruth, (YOUNG,), level=ruth_level)
    c.score(c.tom, (TALK,))


# 1. Which stations an assessor observes -------------------------------------------------


def test_observed_stations_are_the_links_in_sitting_order_and_blank_is_every_station(
    circuit: Circuit,
) -> None:
    with circuit.db.read() as s:
        seen = {
            who.display_name: access.observed_stations(s, circuit.sid, who.account_id, CIRCUIT)
            for who in (circuit.priya, circuit.gareth, circuit.tom, circuit.outsider)
        }
        assert access.observers(s, circuit.sid, CIRCUIT) == {
            HOME: (circuit.priya.account_id,),
            YOUNG: (circuit.gareth.account_id, circuit.ruth.account_id),
            TALK: (circuit.tom.account_id,),
            CASE: (circuit.priya.account_id,),
        }
    assert seen == {
        "Priya Shah": (HOME, CASE),
        "Gareth Hughes": (YOUNG,),
        "Tom Byrne": (TALK,),
        "Ann Kerr": (),
    }
    every = (HOME, YOUNG, TALK, CASE)
    assert access.stations_in("", CIRCUIT) == every
    assert access.stations_in(f" {CASE} , {HOME},", CIRCUIT) == (HOME, CASE)  # pack order, spaces trimmed
    assert access.stations_in("no-such-station", CIRCUIT) == ()


# 2. Scoring --------------------------------------------------------------------------------


def test_an_assessor_records_only_on_the_stations_they_observe(circuit: Circuit) -> None:
    db, sid, priya = circuit.db, circuit.sid, circuit.priya
    scoring.record_level(db, priya, sid, HOME, "hv-purpose", 3)
    refused = "You do not observe “Young person” in this sitting."
    with pytest.raises(PermissionDenied, match=refused):
        scoring.record_level(db, priya, sid, YOUNG, "yp-views", 3)
    with pytest.raises(PermissionDenied, match=refused):
        scoring.set_judgement(db, priya, sid, YOUNG, "met", "Seen.")
    with pytest.raises(PermissionDenied, match=refused):
        scoring.add_note(db, priya, sid, YOUNG, "Asked Jade what she wanted from the review")
    with pytest.raises(PermissionDenied, match="You do not observe “Home visit”"):
        scoring.record_level(db, circuit.gareth, sid, HOME, "hv-purpose", 2)
    # What was refused left nothing behind; what was allowed is there.
    detail = sittings.sitting_detail(db, priya, sid)
    assert detail.mine is not None and detail.mine.levels == {
        HOME: {"hv-purpose": 3, "hv-child": None},
        CASE: {"wr-analysis": None},
    }
    assert scoring.my_notes(db, priya, sid) == []


def test_submit_needs_only_the_assessors_own_stations(circuit: Circuit) -> None:
    db, sid = circuit.db, circuit.sid
    circuit.score(circuit.priya, (HOME,))
    with pytest.raises(Conflict, match="1 criteria are not scored yet \\(Case record"):
        scoring.submit(db, circuit.priya, sid)
    circuit.score(circuit.priya, (CASE,))
    scoring.submit(db, circuit.priya, sid)
    circuit.score(circuit.tom, (TALK,))
    scoring.submit(db, circuit.tom, sid)
    with pytest.raises(Conflict, match="not scored yet"):
        scoring.submit(db, circuit.gareth, sid)


# 3. Completeness --------------------------------------------------------------------------


def test_each_sheet_is_expected_over_its_own_stations(circuit: Circuit) -> None:
    missing = circuit.missing()
    unscored = {(m.assessor_name, m.station_id) for m in missing if m.kind == MissingKind.UNSCORED}
    assert unscored == {
        ("Priya Shah", HOME),
        ("Priya Shah", CASE),
        ("Gareth Hughes", YOUNG),
        ("Ruth Allen", YOUNG),
        ("Tom Byrne", TALK),
    }
    assert MissingKind.NO_ASSESSOR not in {m.kind for m in missing}
    circuit.score(circuit.tom, (TALK,))
    assert not [m for m in circuit.missing(circuit.tom) if m.kind in completeness.ON_THE_SHEET]


def test_a_station_no_one_observes_is_missing(any_db: Database) -> None:
    c = Circuit(any_db, {"priya": f"{HOME},{CASE}", "gareth": YOUNG})
    [item] = [m for m in c.missing() if m.kind == MissingKind.NO_ASSESSOR]
    assert item.station_id == TALK
    assert (
        item.text
        == "No assessor observes “Reflective conversation” in this sitting; assign one to the station."
    )
    # It holds the station's report and the outcome back, and no one's sheet.
    assert item in completeness.for_report(c.db, c.manager, c.sid, TALK)
    assert item not in completeness.for_report(c.db, c.manager, c.sid, HOME)
    c.hold_the_day()
    c.score(c.priya, (HOME, CASE))
    c.score(c.gareth, (YOUNG,))
    scoring.submit(c.db, c.priya, c.sid)
    scoring.submit(c.db, c.gareth, c.sid)
    assert [m.kind for m in c.missing()] == [MissingKind.NO_ASSESSOR]
    with pytest.raises(NotReady, match="No assessor observes “Reflective conversation”"):
        gather(c.db, c.manager, ReportRef(ReportKind.OUTCOME, c.sid))


def test_independence_holds_until_every_assessor_of_the_sitting_has_submitted(circuit: Circuit) -> None:
    _everyone_scores(circuit, ruth_level=2)
    for who in (circuit.priya, circuit.gareth, circuit.ruth):
        scoring.submit(circuit.db, who, circuit.sid)
    detail = sittings.sitting_detail(circuit.db, circuit.gareth, circuit.sid)
    assert detail.others == ()  # Tom has not submitted: no one sees another's scores
    kinds = [m.kind for m in circuit.missing()]
    assert kinds == [MissingKind.ASSESSOR_NOT_SUBMITTED]  # and nothing is compared yet
    with pytest.raises(Conflict, match="Tom Byrne has not submitted"):
        moderation.differences(circuit.db, circuit.manager, circuit.sid)
    scoring.submit(circuit.db, circuit.tom, circuit.sid)
    others = sittings.sitting_detail(circuit.db, circuit.gareth, circuit.sid).others
    assert [(sh.assessor_name, list(sh.levels)) for sh in others] == [
        ("Priya Shah", [HOME, CASE]),
        ("Ruth Allen", [YOUNG]),
        ("Tom Byrne", [TALK]),
    ]


# 4. Moderation ----------------------------------------------------------------------------


def test_differences_are_between_the_assessors_of_one_station(circuit: Circuit) -> None:
    # Priya gives 4 at the home visit where no one else observes: nothing to moderate there.
    circuit.hold_the_day()
    circuit.score(circuit.priya, (HOME, CASE), level=4)
    circuit.score(circuit.gareth, (YOUNG,))
    circuit.score(circuit.ruth, (YOUNG,), level=2)
    circuit.score(circuit.tom, (TALK,))
    for who in (circuit.priya, circuit.gareth, circuit.ruth, circuit.tom):
        scoring.submit(circuit.db, who, circuit.sid)
    diffs = moderation.differences(circuit.db, circuit.manager, circuit.sid)
    assert [(d.station_id, d.criterion_id) for d in diffs] == [(YOUNG, "yp-views"), (YOUNG, "yp-words")]
    assert [s.assessor_name for s in diffs[0].sides] == ["Gareth Hughes", "Ruth Allen"]
    assert diffs[0].levels == (("Gareth Hughes", 3), ("Ruth Allen", 2))
    outstanding = [m for m in circuit.missing() if m.kind == MissingKind.MODERATION_OUTSTANDING]
    assert [m.text for m in outstanding] == [
        "Young person: the assessors differ on “Gathers the young person's own views” "
        "(Gareth Hughes 3, Ruth Allen 2); agree a level at moderation.",
        "Young person: the assessors differ on “Speaks without jargon” "
        "(Gareth Hughes 3, Ruth Allen 2); agree a level at moderation.",
    ]
    with pytest.raises(Conflict, match="Only Priya Shah observed “Home visit” in this sitting"):
        moderation.agree(circuit.db, circuit.manager, circuit.sid, HOME, "hv-purpose", 3, "Notes")
    with pytest.raises(Conflict, match="Only Tom Byrne observed “Reflective conversation”"):
        moderation.agree_judgement(circuit.db, circuit.manager, circuit.sid, TALK, "met", "Notes")
    for cid in ("yp-views", "yp-words"):
        moderation.agree(circuit.db, circuit.manager, circuit.sid, YOUNG, cid, 3, "The notes support 3")
    assert circuit.missing() == ()
    with circuit.db.read() as s:
        pack_id = s.scalar(select(SittingRow.pack_id).where(SittingRow.id == circuit.sid))
        assert pack_id is not None
        final, disputed = moderation.final_levels_in(s, circuit.sid, CIRCUIT)
    assert disputed == []
    assert final == {
        "hv-purpose": 4,
        "hv-child": 4,
        "yp-views": 3,
        "yp-words": 3,
        "rf-learning": 3,
        "wr-analysis": 4,
    }


# 5. Reports and signatures ------------------------------------------------------------------


def test_a_station_report_is_named_and_signed_by_that_stations_assessors(circuit: Circuit) -> None:
    _everyone_scores(circuit)
    for who in (circuit.priya, circuit.gareth, circuit.ruth, circuit.tom):
        scoring.submit(circuit.db, who, circuit.sid)
    young = ReportRef(ReportKind.OBSERVATION, circuit.sid, YOUNG)
    data = gather(circuit.db, circuit.manager, young)
    assert data.header.assessors == ("Gareth Hughes", "Ruth Allen")
    assert [s.account_id for s in data.header.slots if s.role == "assessor"] == [
        circuit.gareth.account_id,
        circuit.ruth.account_id,
    ]
    assert "independently of the other assessor" in data.header.slots[0].declaration
    assert {sc.assessor for row in data.rubric for sc in row.scores} == {"Gareth Hughes", "Ruth Allen"}
    assert [j.assessor for j in data.judgements] == ["Gareth Hughes", "Ruth Allen"]
    home = gather(circuit.db, circuit.manager, ReportRef(ReportKind.OBSERVATION, circuit.sid, HOME))
    assert home.header.assessors == ("Priya Shah",)
    assert "independently" not in home.header.slots[0].declaration
    case = gather(circuit.db, circuit.manager, ReportRef(ReportKind.WRITTEN, circuit.sid, CASE))
    assert case.header.assessors == ("Priya Shah",)
    # The outcome rests on every station: all four assessors sign it.
    outcome = gather(circuit.db, circuit.manager, ReportRef(ReportKind.OUTCOME, circuit.sid))
    assert outcome.met is True
    assert outcome.header.assessors == ("Priya Shah", "Gareth Hughes", "Ruth Allen", "Tom Byrne")
    assert [(st.station, [a for a, _ in st.judgements]) for st in outcome.stations] == [
        ("Home visit", ["Priya Shah"]),
        ("Young person", ["Gareth Hughes", "Ruth Allen"]),
        ("Reflective conversation", ["Tom Byrne"]),
        ("Case record", ["Priya Shah"]),
    ]
    # Who may sign: the station's own assessors, each in their slot.
    job = signatures.plan(circuit.db, circuit.ruth, young)
    assert job.data.header.slots[job.slot].account_id == circuit.ruth.account_id
    with pytest.raises(PermissionDenied, match="Only an assessor who observed this station"):
        signatures.plan(circuit.db, circuit.priya, young)
    with pytest.raises(PermissionDenied, match="This sitting is not assigned to you"):
        signatures.plan(circuit.db, circuit.outsider, young)
    tom_outcome = signatures.plan(circuit.db, circuit.tom, ReportRef(ReportKind.OUTCOME, circuit.sid))
    assert tom_outcome.data.header.slots[tom_outcome.slot].account_id == circuit.tom.account_id


def test_the_agreed_level_comes_from_the_stations_assessors(circuit: Circuit) -> None:
    # Priya's 1s at the home visit are hers alone: no moderation, and the outcome uses them.
    circuit.hold_the_day()
    rubrics = dict(CIRCUIT.rubrics())
    for c in rubrics[HOME].criteria:
        scoring.record_level(circuit.db, circuit.priya, circuit.sid, HOME, c.id, 1, "Not seen at all.")
    scoring.set_judgement(circuit.db, circuit.priya, circuit.sid, HOME, "not_met", "Not seen.")
    circuit.score(circuit.priya, (CASE,))
    circuit.score(circuit.gareth, (YOUNG,))
    circuit.score(circuit.ruth, (YOUNG,))
    circuit.score(circuit.tom, (TALK,))
    for who in (circuit.priya, circuit.gareth, circuit.ruth, circuit.tom):
        scoring.submit(circuit.db, who, circuit.sid)
    assert circuit.missing() == ()
    outcome = gather(circuit.db, circuit.manager, ReportRef(ReportKind.OUTCOME, circuit.sid))
    levels = {x.title: x.level for area in outcome.areas for x in area.criteria}
    assert levels["Explains the purpose of the visit in plain language"] == 1
    assert levels["Gathers the young person's own views"] == 3
    assert outcome.met is False


# 6. The day list ----------------------------------------------------------------------------


def test_the_day_list_shows_each_assessors_stations_and_their_visit_times(circuit: Circuit) -> None:
    with circuit.db.write() as s:
        room2 = RoomRow(name="Room 2")
        s.add(room2)
        s.flush()
        s.add(
            VisitRow(
                sitting_id=circuit.sid,
                station_id=YOUNG,
                room_id=room2.id,
                starts_at=datetime(2026, 12, 1, 10, 30, tzinfo=UTC),
                ends_at=datetime(2026, 12, 1, 11, 15, tzinfo=UTC),
                slot=2,
            )
        )
    [gareths] = sittings.list_for_assessor(circuit.db, circuit.gareth, STARTS.date())
    assert isinstance(gareths, sittings.AssessorSitting)
    assert not gareths.every_station
    assert gareths.observed == (
        sittings.ObservedStation(YOUNG, "Young person", datetime(2026, 12, 1, 10, 30, tzinfo=UTC), "Room 2"),
    )
    assert gareths.first_at == datetime(2026, 12, 1, 10, 30, tzinfo=UTC)
    assert gareths.criteria_total == 2
    # No visit for Priya's stations: the sitting's own time and room.
    [priyas] = sittings.list_for_assessor(circuit.db, circuit.priya, STARTS.date())
    assert isinstance(priyas, sittings.AssessorSitting)
    assert [(st.title, st.starts_at, st.room) for st in priyas.observed] == [
        ("Home visit", STARTS, "Room 1"),
        ("Case record", STARTS, "Room 1"),
    ]
    assert priyas.criteria_total == 3
    assert sittings.list_for_assessor(circuit.db, circuit.outsider, STARTS.date()) == []
    detail = sittings.sitting_detail(circuit.db, circuit.tom, circuit.sid)
    assert isinstance(detail.summary, sittings.AssessorSitting)
    assert [st.title for st in detail.summary.observed] == ["Reflective conversation"]
    # The manager's board counts every sheet over its own stations.
    board = sittings.day_overview(circuit.db, circuit.manager, STARTS.date())
    assert board.sittings[0].criteria_total == 2 + 1 + 2 + 2 + 1
    assert not isinstance(board.sittings[0], sittings.AssessorSitting)


def test_an_assessor_of_every_station_is_listed_as_such(any_db: Database) -> None:
    c = Circuit(any_db, {"priya": "", "gareth": ""})
    [row] = sittings.list_for_assessor(c.db, c.priya, STARTS.date())
    assert isinstance(row, sittings.AssessorSitting) and row.every_station
    assert [st.station_id for st in row.observed] == [HOME, YOUNG, TALK, CASE]
    assert row.criteria_total == len(CIRCUIT.criteria())
    scoring.record_level(c.db, c.priya, c.sid, YOUNG, "yp-views", 3)  # every station is hers
