"""Retention: each kind goes after its own period, counted per table; a hold stops it;
the trail says what kind and how many, never what was removed, and still verifies."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from db.base import Base
from db.engine import Database
from db.models import (
    AuditEntryRow,
    CandidateRow,
    ConflictRow,
    DocumentSignatureRow,
    EndorsementRow,
    EqualityMonitoringRow,
    EvidenceNoteRow,
    ScoreRow,
    ScriptRow,
    SignedDocumentRow,
)
from naas_centre.errors import Conflict, PermissionDenied, UserError
from naas_centre.reports.gather import refs_for_sitting
from naas_centre.services import audit, retention, signatures
from naas_centre.services.retention import Kind
from tests.reports import conftest as scored
from tests.reports.conftest import NAMES, PASSWORDS, Centre, observers_of

# The scored demo day (every sitting scored and submitted), a fresh copy per test.
scored_template, centre = scored.scored_template, scored.centre


def _count(db: Database, model: type[Base], *where: object) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)  # type: ignore[arg-type]


def _adjusted(db: Database) -> int:
    with db.read() as s:
        return sum(retention.has_adjustments(c) for c in s.scalars(select(CandidateRow)))


def _sign_one(centre: Centre) -> None:
    sid = centre.sitting_of[NAMES[2]]
    ref = refs_for_sitting(centre.db, centre.login("manager"), sid)[0]
    for user in (*observers_of(centre.db, sid, ref.station_id or ""), "manager"):
        actor = centre.login(user)
        identity = signatures.unlock_signer(centre.db, actor, PASSWORDS[user], centre.data_dir)
        signatures.sign_report(centre.db, actor, identity, ref)


def test_the_periods_have_written_defaults_and_refuse_too_short_a_report_period(centre: Centre) -> None:
    manager, admin = centre.login("manager"), centre.login("admin")
    periods = {p.kind: p for p in retention.retention_periods(centre.db, manager)}
    assert set(periods) == set(Kind) and all(p.default for p in periods.values())
    assert periods[Kind.REPORTS].amount == 72 and periods[Kind.RECORDINGS].unit == "days"
    with pytest.raises(UserError, match="six years"):
        retention.set_period(centre.db, admin, Kind.REPORTS, 12)
    with pytest.raises(PermissionDenied):
        retention.set_period(centre.db, manager, Kind.SCRIPTS, 6)
    assert retention.set_period(centre.db, admin, Kind.SCRIPTS, 6).amount == 6
    assert not {p.kind: p for p in retention.retention_periods(centre.db, manager)}[Kind.SCRIPTS].default
    assert audit.verify(centre.db).ok


def test_each_kind_goes_after_its_own_period_counted_per_table(centre: Centre) -> None:
    db, manager, day = centre.db, centre.login("manager"), centre.day
    _sign_one(centre)
    scripts, adjusted = _count(db, ScriptRow, ScriptRow.text != ""), _adjusted(db)
    equality, candidates = _count(db, EqualityMonitoringRow), _count(db, CandidateRow)
    endorsements, conflicts = _count(db, EndorsementRow), _count(db, ConflictRow)
    notes, scores = _count(db, EvidenceNoteRow), _count(db, ScoreRow)
    documents, signed = _count(db, SignedDocumentRow), _count(db, DocumentSignatureRow)
    assert min(scripts, adjusted, equality, endorsements, conflicts, notes, documents, signed) > 0

    assert retention.apply_retention(db, manager, day).total == 0
    assert retention.apply_retention(db, manager, day + timedelta(days=364)).total == 0

    # A year on: adjustments and scripts, nothing else.
    year = retention.apply_retention(db, manager, retention.months_before(day, -12) + timedelta(days=1))
    assert {(r.kind, r.table): r.count for r in year.removed} == {
        (Kind.ADJUSTMENTS, "candidates"): adjusted,
        (Kind.SCRIPTS, "scripts"): scripts,
    }
    assert _adjusted(db) == 0 and _count(db, ScriptRow, ScriptRow.text != "") == 0
    assert _count(db, ScriptRow) > 0  # blanked, not deleted: the sitting still says it was submitted
    assert _count(db, EqualityMonitoringRow) == equality

    two = retention.apply_retention(db, manager, retention.months_before(day, -24) + timedelta(days=1))
    assert {(r.kind, r.table): r.count for r in two.removed} == {
        (Kind.EQUALITY, "equality_monitoring"): equality
    }
    assert _count(db, EqualityMonitoringRow) == 0

    six = retention.apply_retention(db, manager, retention.months_before(day, -72) + timedelta(days=1))
    assert {(r.kind, r.table): r.count for r in six.removed} == {
        (Kind.IDENTITY, "candidates"): candidates,
        (Kind.IDENTITY, "endorsements"): endorsements,
        (Kind.IDENTITY, "conflicts"): conflicts,
        (Kind.REPORTS, "document_signatures"): signed,
        (Kind.REPORTS, "signed_documents"): documents,
        (Kind.REPORTS, "evidence_notes"): notes,
    }
    with db.read() as s:
        names = set(s.scalars(select(CandidateRow.full_name)))
    assert not names & set(NAMES) and all(n.startswith("Erased candidate ") for n in names)
    assert _count(db, ScoreRow) == scores  # anonymous figures stay for quality assurance
    assert retention.apply_retention(db, manager, day + timedelta(days=9000)).total == 0  # nothing twice
    assert audit.verify(db).ok


def test_the_trail_says_what_kind_and_how_many_and_holds_no_removed_value(centre: Centre) -> None:
    db, manager = centre.db, centre.login("manager")
    with db.read() as s:
        first = int(s.scalar(select(func.max(AuditEntryRow.seq))) or 0)
        removed_values = {c.full_name for c in s.scalars(select(CandidateRow))}
        removed_values |= {c.registration_number for c in s.scalars(select(CandidateRow))}
        removed_values |= {c.adjustment_notes for c in s.scalars(select(CandidateRow)) if c.adjustment_notes}
        removed_values |= {e.ethnicity for e in s.scalars(select(EqualityMonitoringRow)) if e.ethnicity}
        removed_values |= {t[:40] for t in s.scalars(select(ScriptRow.text)) if t}
        removed_values |= {t for t in s.scalars(select(EvidenceNoteRow.text))}
    result = retention.apply_retention(db, manager, centre.day + timedelta(days=9000))
    assert result.total > 0
    with db.read() as s:
        entries = s.scalars(select(AuditEntryRow).where(AuditEntryRow.seq > first)).all()
    assert entries and [e.action for e in entries if e.before is not None] == []
    text = "\n".join(f"{e.after}" for e in entries)
    leaked = [v for v in removed_values if v in text]
    assert leaked == []
    summary = [e for e in entries if e.action == "retention.applied"]
    assert len(summary) == 1 and summary[0].account_id == manager.account_id
    assert f'"count":{result.count(Kind.IDENTITY, "candidates")}' in (summary[0].after or "")
    assert audit.verify(db).ok


def test_a_hold_stops_retention_for_that_candidate_until_released(centre: Centre) -> None:
    db, manager = centre.db, centre.login("manager")
    with db.read() as s:
        held = s.scalars(select(CandidateRow).where(CandidateRow.full_name == NAMES[0])).one()
        held_id, reg, notes = held.id, held.registration_number, held.adjustment_notes
    assert retention.candidate_by_registration(db, manager, reg) == held_id
    with pytest.raises(UserError, match="why"):
        retention.place_hold(db, manager, held_id, "  ")
    retention.place_hold(db, manager, held_id, "Appeal lodged 3 March")
    with pytest.raises(Conflict):
        retention.place_hold(db, manager, held_id, "again")
    later = centre.day + timedelta(days=9000)
    dry = retention.apply_retention(db, manager, later, dry_run=True)
    result = retention.apply_retention(db, manager, later)
    assert dry.removed == result.removed and dry.dry_run and reg in result.held
    assert result.count(Kind.IDENTITY, "candidates") == _count(db, CandidateRow) - 1
    with db.read() as s:
        kept = s.get(CandidateRow, held_id)
        assert kept is not None and (kept.full_name, kept.adjustment_notes) == (NAMES[0], notes)
    assert _count(db, EqualityMonitoringRow) == 1
    assert [h.candidate_id for h in retention.holds(db, manager)] == [held_id]

    retention.release_hold(db, manager, held_id, "Appeal decided")
    after = retention.apply_retention(db, manager, later)
    assert after.count(Kind.IDENTITY, "candidates") == 1 and after.count(Kind.EQUALITY) == 1
    assert _count(db, EqualityMonitoringRow) == 0
    assert audit.verify(db).ok


def test_a_dry_run_changes_nothing(centre: Centre) -> None:
    db, manager = centre.db, centre.login("manager")
    db.checkpoint()  # the sign-in's write folded in first
    before = centre.path.read_bytes()
    dry = retention.apply_retention(db, manager, centre.day + timedelta(days=9000), dry_run=True)
    assert dry.total > 0
    db.checkpoint()
    assert centre.path.read_bytes() == before


def test_months_before_keeps_the_day_or_takes_the_last_of_the_month() -> None:
    assert retention.months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert retention.months_before(date(2026, 1, 15), 13) == date(2024, 12, 15)
    assert retention.months_before(date(2026, 1, 15), -12) == date(2027, 1, 15)
