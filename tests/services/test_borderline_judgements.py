"""A judgement marked borderline ("only just" met or not met): stored, audited with the
judgement, read back by its assessor only, and shown in the observation report."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from db.models import AuditEntryRow, JudgementRow
from naas_centre.errors import PermissionDenied, UserError
from naas_centre.reports import gather
from naas_centre.reports.render import _jw
from naas_centre.services import access, packs, scoring, sittings
from naas_centre.services.views import Actor
from tests.services.conftest import Demo


def _place(demo: Demo, who: Actor) -> tuple[str, str]:
    sid = sittings.list_for_assessor(demo.db, who, demo.day)[0].id
    pack = packs.pack_for_sitting(demo.db, who, sid)
    with demo.db.read() as s:
        station = access.observed_stations(s, sid, who.account_id, pack)[0]
    return sid, station


def _row(demo: Demo, who: Actor, sid: str, station: str) -> JudgementRow:
    with demo.db.read() as s:
        row = s.scalar(
            select(JudgementRow).where(
                JudgementRow.sitting_id == sid,
                JudgementRow.assessor_id == who.account_id,
                JudgementRow.station_id == station,
            )
        )
        assert row is not None
        s.expunge(row)
        return row


def test_a_borderline_judgement_is_stored_audited_and_cleared_with_it(demo: Demo) -> None:
    who = demo.login("assessor1")
    sid, station = _place(demo, who)
    scoring.set_judgement(demo.db, who, sid, station, "met", borderline=True)
    assert _row(demo, who, sid, station).borderline is True
    assert scoring.my_borderline(demo.db, who, sid) == {station}

    # Changing the judgement without the mark takes it off, in one audited change.
    scoring.set_judgement(demo.db, who, sid, station, "not_met")
    row = _row(demo, who, sid, station)
    assert (row.judgement, row.borderline) == ("not_met", False)
    with demo.db.read() as s:
        entries = s.scalars(
            select(AuditEntryRow)
            .where(AuditEntryRow.action == "judgement.set", AuditEntryRow.entity_id == row.id)
            .order_by(AuditEntryRow.chain_seq)
        ).all()
    assert [json.loads(e.after or "{}")["borderline"] for e in entries] == [True, False]
    assert json.loads(entries[1].before or "{}")["borderline"] is True

    scoring.set_judgement(demo.db, who, sid, station, "not_met", borderline=True)
    scoring.set_judgement(demo.db, who, sid, station, None)
    assert _row(demo, who, sid, station).borderline is False
    assert scoring.my_borderline(demo.db, who, sid) == frozenset()


def test_borderline_without_a_judgement_is_refused_and_changes_nothing(demo: Demo) -> None:
    who = demo.login("assessor1")
    sid, station = _place(demo, who)
    scoring.set_judgement(demo.db, who, sid, station, "met")
    with pytest.raises(UserError, match="Only a judgement of met or not met can be marked borderline"):
        scoring.set_judgement(demo.db, who, sid, station, None, borderline=True)
    row = _row(demo, who, sid, station)
    assert (row.judgement, row.borderline) == ("met", False)


def test_only_an_assessor_reads_their_own_borderline_marks(demo: Demo) -> None:
    who = demo.login("assessor1")
    sid, station = _place(demo, who)
    scoring.set_judgement(demo.db, who, sid, station, "met", borderline=True)
    with pytest.raises(PermissionDenied):
        scoring.my_borderline(demo.db, demo.login("manager"), sid)
    other = demo.login("assessor2")
    assert scoring.my_borderline(demo.db, other, sid) == frozenset()


def test_the_observation_report_says_met_borderline(demo: Demo) -> None:
    who = demo.login("assessor1")
    sid, station = _place(demo, who)
    scoring.set_judgement(
        demo.db, who, sid, station, "met", "Only just explained her rights.", borderline=True
    )
    manager = demo.login("manager")
    with demo.db.read() as s:
        context = gather._Context.load(s, manager, sid)
        judgements = context._judgements(station)
    mine = next(j for j in judgements if j.judgement is not None)
    assert mine.borderline is True
    assert _jw(mine.judgement, mine.borderline) == "Met (borderline)"
    assert _jw("not_met", True) == "Not met (borderline)"
    assert _jw(None, True) == "No judgement given"
