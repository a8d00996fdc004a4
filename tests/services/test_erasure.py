"""Erasure on request: what may go goes, the signed outcome stays verifiable, a hold or
a wrong password refuses it with no change, the trail holds no erased value."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.base import Base
from db.models import (
    AuditEntryRow,
    CandidateRow,
    EqualityMonitoringRow,
    EvidenceNoteRow,
    ScoreRow,
    ScriptRow,
    SignedDocumentRow,
    SittingRow,
)
from naas_centre.errors import AuthenticationFailed, Conflict
from naas_centre.reports.gather import refs_for_sitting
from naas_centre.services import audit, erasure, retention, signatures
from tests.reports import conftest as scored
from tests.reports.conftest import NAMES, PASSWORDS, Centre, observers_of

scored_template, centre = scored.scored_template, scored.centre
ROOT = Path(__file__).resolve().parents[2]
WHO = NAMES[2]


def _signed_report(centre: Centre, tmp_path: Path) -> tuple[Path, Path]:
    """An observation report of WHO signed by its assessors and countersigned: complete."""
    sid = centre.sitting_of[WHO]
    ref = refs_for_sitting(centre.db, centre.login("manager"), sid)[0]
    for user in (*observers_of(centre.db, sid, ref.station_id or ""), "manager"):
        actor = centre.login(user)
        identity = signatures.unlock_signer(centre.db, actor, PASSWORDS[user], centre.data_dir)
        view = signatures.sign_report(centre.db, actor, identity, ref)
    path = tmp_path / "report.pdf"
    path.write_bytes(signatures.document_pdf(centre.db, actor, view.id))
    ca = tmp_path / "ca.pem"
    signatures.export_ca(centre.db, centre.data_dir, ca)
    return path, ca


def _verify(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "naas_centre.cli", "verify", *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=ROOT,
    )


def _candidate(centre: Centre) -> CandidateRow:
    with centre.db.read() as s:
        row = s.scalars(select(CandidateRow).where(CandidateRow.registration_number == _reg(centre))).one()
        s.expunge(row)
        return row


def _reg(centre: Centre) -> str:
    with centre.db.read() as s:
        sitting = s.get(SittingRow, centre.sitting_of[WHO])
        assert sitting is not None
        cand = s.get(CandidateRow, sitting.candidate_id)
        assert cand is not None
        return cand.registration_number


def _counts(centre: Centre) -> dict[str, int]:
    with centre.db.read() as s:
        return {
            m.__tablename__: int(s.scalar(select(func.count()).select_from(m)) or 0)
            for m in (CandidateRow, EqualityMonitoringRow, EvidenceNoteRow, ScoreRow, SignedDocumentRow)
        } | {"script_text": int(s.scalar(select(func.count()).where(ScriptRow.text != "")) or 0)}


def _sitting_rows(centre: Centre, model: type[Base]) -> int:
    with centre.db.read() as s:
        col = model.__table__.c.sitting_id
        return int(s.scalar(select(func.count()).where(col == centre.sitting_of[WHO])) or 0)


def test_erasure_removes_what_may_go_and_the_signed_outcome_still_verifies(
    centre: Centre, tmp_path: Path
) -> None:
    report, ca = _signed_report(centre, tmp_path)
    assert _verify("--ca", str(ca), str(report)).returncode == 0
    manager = centre.login("manager")
    cand = _candidate(centre)
    with centre.db.read() as s:
        first = int(s.scalar(select(func.max(AuditEntryRow.seq))) or 0)
        equality = s.scalars(
            select(EqualityMonitoringRow).where(EqualityMonitoringRow.candidate_id == cand.id)
        ).one()
        script = s.scalars(select(ScriptRow.text).where(ScriptRow.sitting_id == centre.sitting_of[WHO])).one()
        notes = list(
            s.scalars(
                select(EvidenceNoteRow.text).where(EvidenceNoteRow.sitting_id == centre.sitting_of[WHO])
            )
        )
    erased_values = {cand.full_name, cand.registration_number, script[:40], *notes}
    erased_values |= {v for v in (cand.email, cand.adjustment_notes, equality.ethnicity) if v}
    before = _counts(centre)
    scores, documents = _sitting_rows(centre, ScoreRow), _sitting_rows(centre, SignedDocumentRow)
    assert notes and scores and documents

    result = erasure.erase_candidate(
        centre.db, manager, cand.id, "Request by email, 2 December", PASSWORDS["manager"]
    )

    after = _counts(centre)
    assert after["candidates"] == before["candidates"]  # pseudonymised, not deleted
    assert after["equality_monitoring"] == before["equality_monitoring"] - 1
    assert after["evidence_notes"] == before["evidence_notes"] - len(notes)
    assert after["script_text"] == before["script_text"] - 1
    assert (after["scores"], after["signed_documents"]) == (before["scores"], before["signed_documents"])
    left = _candidate_by_id(centre, cand.id)
    assert left.full_name == result.pseudonym and left.full_name.startswith("Erased candidate ")
    assert not retention.has_adjustments(left) and left.email is None
    kept = {k.what: k for k in result.kept}
    assert kept["signed reports"].count == documents and "appeal" in kept["signed reports"].why
    assert kept["scores, judgements and moderations"].count >= scores
    assert "audit trail entries" in kept
    assert any("kept: signed reports" in line for line in result.lines())

    with centre.db.read() as s:
        entries = s.scalars(select(AuditEntryRow).where(AuditEntryRow.seq > first)).all()
    assert [e.action for e in entries if e.before is not None] == []
    text = "\n".join(str(e.after) for e in entries)
    assert [v for v in erased_values if v in text] == []
    assert [e.action for e in entries].count("candidate.erased") == 1
    assert audit.verify(centre.db).ok
    # The signed outcome, as the employer holds it, still verifies; and against the database.
    assert _verify("--ca", str(ca), str(report)).returncode == 0
    run = _verify("--db", str(centre.path), "--data-dir", str(centre.data_dir), str(report))
    assert run.returncode == 0, run.stdout + run.stderr


def _candidate_by_id(centre: Centre, cid: str) -> CandidateRow:
    with centre.db.read() as s:
        row = s.get(CandidateRow, cid)
        assert row is not None
        s.expunge(row)
        return row


def test_a_wrong_password_or_a_hold_refuses_erasure_with_no_change(centre: Centre) -> None:
    manager = centre.login("manager")
    cand = _candidate(centre)
    before = _counts(centre)
    with pytest.raises(AuthenticationFailed, match="nothing was done"):
        erasure.erase_candidate(centre.db, manager, cand.id, "Request", "not my password at all")
    retention.place_hold(centre.db, manager, cand.id, "Appeal in progress")
    with pytest.raises(Conflict, match="legal hold"):
        erasure.erase_candidate(centre.db, manager, cand.id, "Request", PASSWORDS["manager"])
    assert _counts(centre) == before
    assert _candidate_by_id(centre, cand.id).full_name == cand.full_name
    with centre.db.read() as s:
        assert not s.scalar(select(func.count()).where(AuditEntryRow.action.like("candidate.eras%")))
