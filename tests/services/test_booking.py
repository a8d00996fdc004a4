"""Booking rules: endorsement, one sitting a day, re-sits after a signed not-met outcome,
the centre's wait and its limit of attempts."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from db.base import utcnow
from db.engine import Database
from db.models import CentreRow, SignedDocumentRow, SittingRow
from naas_centre.errors import Conflict, NotFound, PermissionDenied, UserError
from naas_centre.services import accounts, booking, candidates, sittings
from naas_centre.services.views import Actor, Role
from tests.services.small_centre import PACK, PASSWORD

FIRST = date(2026, 3, 2)


@dataclass
class Booking:
    db: Database
    manager: Actor
    assessor: Actor
    candidate: str
    room: str

    def check(self, day: date, level: str = "practitioner") -> int:
        with self.db.read() as s:
            return booking.check_bookable(s, self.candidate, level, day)

    def plan(self, day: date) -> str:
        start = datetime.combine(day, time(9, 0), UTC)
        return sittings.plan_sitting(self.db, self.manager, self.candidate, PACK, self.room, start)

    def sign_outcome(self, sitting_id: str, *, met: bool, version: int = 1) -> None:
        """The outcome report as the signing service stores it: the snapshot says met or not."""
        with self.db.write() as s:
            sitting = s.get(SittingRow, sitting_id)
            assert sitting is not None
            snapshot = json.dumps({"met": met})
            s.add(
                SignedDocumentRow(
                    report_key=f"outcome/{sitting_id}",
                    kind="outcome",
                    sitting_id=sitting_id,
                    day=sitting.day,
                    version=version,
                    title="Candidate outcome and feedback",
                    snapshot=snapshot,
                    snapshot_sha256="0" * 64,
                    slots="[]",
                    pdf=b"%PDF-1.7",
                    sha256="0" * 64,
                    signed_by=self.manager.account_id,
                    signed_at=utcnow(),
                )
            )

    def rule(self, wait_weeks: int, max_attempts: int) -> None:
        with self.db.write() as s:
            centre = s.scalars(select(CentreRow)).one()
            centre.resit_wait_weeks, centre.max_attempts = wait_weeks, max_attempts


@pytest.fixture
def bk(sqlite_db: Database) -> Booking:
    with sqlite_db.write() as s:
        s.add(CentreRow(name="Northern Assessment Centre"))
    accounts.create_account(sqlite_db, None, "manager", "Helen Brooks", Role.CENTRE_MANAGER, PASSWORD)
    accounts.create_account(sqlite_db, None, "priya", "Priya Shah", Role.ASSESSOR, PASSWORD, "Bury Council")
    manager = accounts.authenticate(sqlite_db, "manager", PASSWORD)
    assessor = accounts.authenticate(sqlite_db, "priya", PASSWORD)
    room = sittings.add_room(sqlite_db, manager, "Room 1")
    cid = sittings.add_candidate(
        sqlite_db,
        manager,
        sittings.CandidateInput("Aisha Rahman", "SW123456", "Leeds City Council", "practitioner"),
    )
    return Booking(sqlite_db, manager, assessor, cid, room)


def endorse(
    bk: Booking, on: date = date(2026, 1, 5), level: str = "practitioner"
) -> candidates.EndorsementView:
    return candidates.record_endorsement(bk.db, bk.manager, bk.candidate, level, "Jo Bell, team manager", on)


def test_no_endorsement_no_booking(bk: Booking) -> None:
    with pytest.raises(UserError, match="Leeds City Council has not endorsed their practice at practitioner"):
        bk.check(FIRST)


def test_endorsed_first_attempt(bk: Booking) -> None:
    view = endorse(bk)
    assert (view.employer, view.endorsed_by, view.recorded_by) == (
        "Leeds City Council",
        "Jo Bell, team manager",
        "Helen Brooks",
    )
    assert bk.check(FIRST) == 1


def test_endorsement_after_the_day_or_for_another_level_does_not_count(bk: Booking) -> None:
    endorse(bk, on=date(2026, 3, 10))
    with pytest.raises(UserError, match="endorsed their practice on 10 March 2026, after that day"):
        bk.check(FIRST)
    assert bk.check(date(2026, 3, 10)) == 1
    with pytest.raises(UserError, match="at supervisor level"):
        bk.check(FIRST, "supervisor")


def test_an_endorsement_from_a_former_employer_does_not_count(bk: Booking) -> None:
    endorse(bk)
    with bk.db.write() as s:
        from db.models import CandidateRow

        row = s.get(CandidateRow, bk.candidate)
        assert row is not None
        row.employer = "Wigan Council"
    with pytest.raises(UserError, match="from Leeds City Council, and they now work for Wigan Council"):
        bk.check(FIRST)


def test_twice_a_day_is_refused(bk: Booking) -> None:
    endorse(bk)
    bk.plan(FIRST)
    with pytest.raises(UserError, match="already booked for a sitting on 2 March 2026"):
        bk.check(FIRST)


def test_a_resit_waits_for_a_signed_not_met_outcome(bk: Booking) -> None:
    endorse(bk)
    first = bk.plan(FIRST)
    with pytest.raises(UserError, match="no signed outcome yet"):
        bk.check(FIRST + timedelta(weeks=10))
    bk.sign_outcome(first, met=True)
    with pytest.raises(UserError, match="met the standard at practitioner level on 2 March 2026"):
        bk.check(FIRST + timedelta(weeks=10))


def test_the_latest_signed_version_is_the_outcome(bk: Booking) -> None:
    endorse(bk)
    first = bk.plan(FIRST)
    bk.sign_outcome(first, met=True, version=1)
    bk.sign_outcome(first, met=False, version=2)  # corrected after signing
    assert bk.check(FIRST + timedelta(days=1)) == 2


def test_too_soon_after_not_met(bk: Booking) -> None:
    endorse(bk)
    bk.rule(wait_weeks=12, max_attempts=0)
    first = bk.plan(FIRST)
    bk.sign_outcome(first, met=False)
    with pytest.raises(UserError, match=r"wait of 12 weeks .* the earliest day is 25 May 2026"):
        bk.check(date(2026, 5, 24))
    assert bk.check(date(2026, 5, 25)) == 2


def test_too_many_attempts(bk: Booking) -> None:
    endorse(bk)
    bk.rule(wait_weeks=1, max_attempts=2)
    first = bk.plan(FIRST)
    bk.sign_outcome(first, met=False)
    second = bk.plan(FIRST + timedelta(weeks=2))
    bk.sign_outcome(second, met=False)
    with pytest.raises(
        UserError, match="has had 2 attempts at practitioner level; the centre allows at most 2"
    ):
        bk.check(FIRST + timedelta(weeks=8))
    bk.rule(wait_weeks=1, max_attempts=0)  # 0: no limit
    assert bk.check(FIRST + timedelta(weeks=8)) == 3


def test_withdrawn_sittings_do_not_count(bk: Booking) -> None:
    endorse(bk)
    first = bk.plan(FIRST)
    sittings.set_status(bk.db, bk.manager, first, "withdrawn")
    assert bk.check(FIRST) == 1  # the same day is free again
    assert bk.check(FIRST + timedelta(days=7)) == 1


def test_a_later_booking_blocks_an_earlier_one(bk: Booking) -> None:
    endorse(bk)
    bk.plan(FIRST + timedelta(weeks=4))
    with pytest.raises(UserError, match="already booked at practitioner level on 30 March 2026"):
        bk.check(FIRST)


def test_unknown_candidate_and_level(bk: Booking) -> None:
    with bk.db.read() as s:
        with pytest.raises(NotFound):
            booking.check_bookable(s, "no-such-id", "practitioner", FIRST)
        with pytest.raises(UserError, match="'expert' is not a level"):
            booking.check_bookable(s, bk.candidate, "expert", FIRST)


def test_endorsements_recorded_withdrawn_and_audited(bk: Booking) -> None:
    view = endorse(bk)
    with pytest.raises(Conflict, match="already endorsed Aisha Rahman"):
        endorse(bk)
    with pytest.raises(UserError, match="in the future"):
        endorse(bk, on=utcnow().date() + timedelta(days=2), level="supervisor")
    with pytest.raises(UserError, match="Say who endorsed"):
        candidates.record_endorsement(bk.db, bk.manager, bk.candidate, "practitioner", "  ", FIRST)
    with pytest.raises(PermissionDenied):
        candidates.record_endorsement(bk.db, bk.assessor, bk.candidate, "practitioner", "Jo Bell", FIRST)
    assert [e.id for e in candidates.endorsements_of(bk.db, bk.manager, bk.candidate)] == [view.id]
    with pytest.raises(UserError, match="Say why"):
        candidates.withdraw_endorsement(bk.db, bk.manager, view.id, " ")
    candidates.withdraw_endorsement(bk.db, bk.manager, view.id, "Recorded against the wrong candidate.")
    assert candidates.endorsements_of(bk.db, bk.manager, bk.candidate) == []
    with pytest.raises(UserError, match="has not endorsed"):
        bk.check(FIRST)
    from naas_centre.services import audit

    with bk.db.read() as s:
        from db.models import AuditEntryRow

        actions = [a for a in s.scalars(select(AuditEntryRow.action)) if a.startswith("endorsement.")]
    assert actions == ["endorsement.record", "endorsement.withdraw", "endorsement.withdraw_reason"]
    assert audit.verify(bk.db).ok
