"""A level or judgement given at a known time (a played-through day, a replayed write)
keeps that time on its row; its audit entry is made when it is stored, as always."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from db.models import AuditEntryRow, JudgementRow, ScoreRow
from naas_centre.services import audit, packs, scoring, sittings
from tests.services.conftest import Demo

GIVEN = datetime(2026, 3, 9, 10, 41, 15, tzinfo=UTC)


def test_a_level_and_a_judgement_keep_the_time_they_were_given(demo: Demo) -> None:
    a1 = demo.login("assessor1")
    sid = sittings.list_for_assessor(demo.db, a1, demo.day)[0].id
    pack = packs.pack_for_sitting(demo.db, a1, sid)
    station, criterion = pack.criteria()[0]
    stored_from = datetime.now(UTC)

    scoring.record_level(demo.db, a1, sid, station, criterion.id, 3, at=GIVEN)
    scoring.set_judgement(demo.db, a1, sid, station, "met", "Met: the levels reach the standard.", at=GIVEN)
    with demo.db.read() as s:
        score = s.scalars(select(ScoreRow).where(ScoreRow.criterion_id == criterion.id)).one()
        judgement = s.scalars(select(JudgementRow).where(JudgementRow.station_id == station)).one()
        assert (score.level, score.created_at, score.updated_at) == (3, GIVEN, GIVEN)
        assert (judgement.judgement, judgement.created_at, judgement.updated_at) == ("met", GIVEN, GIVEN)

    later = GIVEN + timedelta(minutes=2)
    scoring.record_level(demo.db, a1, sid, station, criterion.id, 4, at=later)
    scoring.set_judgement(demo.db, a1, sid, station, "not_met", at=later)
    with demo.db.read() as s:
        score = s.scalars(select(ScoreRow).where(ScoreRow.criterion_id == criterion.id)).one()
        judgement = s.scalars(select(JudgementRow).where(JudgementRow.station_id == station)).one()
        assert (score.level, score.created_at, score.updated_at) == (4, GIVEN, later)
        assert (judgement.judgement, judgement.created_at, judgement.updated_at) == ("not_met", GIVEN, later)
        assert judgement.rationale == "Met: the levels reach the standard."  # None keeps it
        entries = s.scalars(
            select(AuditEntryRow).where(AuditEntryRow.action.in_(("score.set", "judgement.set")))
        ).all()
    assert len(entries) == 4
    assert all(e.at >= stored_from for e in entries)  # audited when stored, not when given
    assert audit.verify(demo.db).ok


def test_without_a_time_a_level_is_given_now(demo: Demo) -> None:
    a1 = demo.login("assessor1")
    sid = sittings.list_for_assessor(demo.db, a1, demo.day)[0].id
    station, criterion = packs.pack_for_sitting(demo.db, a1, sid).criteria()[0]
    stored_from = datetime.now(UTC)
    scoring.record_level(demo.db, a1, sid, station, criterion.id, 2, "Named the risk only when asked.")
    scoring.set_judgement(demo.db, a1, sid, station, "not_met")
    with demo.db.read() as s:
        score = s.scalars(select(ScoreRow).where(ScoreRow.criterion_id == criterion.id)).one()
        judgement = s.scalars(select(JudgementRow).where(JudgementRow.station_id == station)).one()
        assert score.updated_at >= stored_from and judgement.updated_at >= stored_from
