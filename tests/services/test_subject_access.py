"""Subject access: every record of one candidate, counted table by table against the
database itself, and nothing of anyone else's; a readable PDF beside the JSON."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.base import Base
from db.models import AuditEntryRow, CandidateRow, SittingRow
from naas_centre.errors import AuthenticationFailed, PermissionDenied
from naas_centre.reports.gather import refs_for_sitting
from naas_centre.services import audit, signatures, subject_access
from tests.reports import conftest as scored
from tests.reports.conftest import NAMES, PASSWORDS, Centre, observers_of

scored_template, centre = scored.scored_template, scored.centre
WHO = NAMES[2]
# Tables with a sitting_id that are not about the candidate: a workstation's heartbeat.
NOT_ABOUT_THEM = {"presence"}
# How a row leads to the candidate: a column and the table whose ids it holds.
LINKS = (
    ("candidate_id", "candidates"),
    ("sitting_id", "sittings"),
    ("knowledge_form_id", "knowledge_forms"),
    ("recording_id", "recordings"),
    ("document_id", "signed_documents"),
)


def _sign(centre: Centre) -> None:
    sid = centre.sitting_of[WHO]
    ref = refs_for_sitting(centre.db, centre.login("manager"), sid)[0]
    for user in (*observers_of(centre.db, sid, ref.station_id or ""), "manager"):
        actor = centre.login(user)
        identity = signatures.unlock_signer(centre.db, actor, PASSWORDS[user], centre.data_dir)
        signatures.sign_report(centre.db, actor, identity, ref)


def _theirs(centre: Centre, candidate_id: str) -> dict[str, set[str]]:
    """The ids of every row that leads to the candidate, found from the schema itself."""
    found: dict[str, set[str]] = {"candidates": {candidate_id}}
    with centre.db.read() as s:
        for table in Base.metadata.sorted_tables:  # parents before children
            if table.name in NOT_ABOUT_THEM or table.name == "candidates":
                continue
            for column, parent in LINKS:
                if column in table.c and parent in found:
                    ids = s.scalars(select(table.c.id).where(table.c[column].in_(found[parent])))
                    found.setdefault(table.name, set()).update(map(str, ids))
    return found


def test_every_record_of_the_candidate_and_nobody_elses(centre: Centre, tmp_path: Path) -> None:
    _sign(centre)
    manager = centre.login("manager")
    with centre.db.read() as s:
        cand = s.scalars(select(CandidateRow).where(CandidateRow.full_name == WHO)).one()
        cid, reg = cand.id, cand.registration_number
        others = s.scalars(select(CandidateRow).where(CandidateRow.id != cid)).all()
        other_marks = {o.full_name for o in others} | {o.id for o in others}
        other_marks |= set(s.scalars(select(SittingRow.id).where(SittingRow.candidate_id != cid)))
    expected = _theirs(centre, cid)
    every_id = set().union(*expected.values())
    with centre.db.read() as s:  # before the export's own entry, which it cannot hold
        about = s.scalar(select(func.count()).where(AuditEntryRow.entity_id.in_(every_id)))
    out = tmp_path / "sar"
    out.mkdir()
    result = subject_access.export_subject_access(centre.db, manager, cid, out, PASSWORDS["manager"])

    document = json.loads(result.json_path.read_text("utf-8"))
    tables = document["tables"]
    for table, ids in expected.items():
        if ids:
            assert {r["id"] for r in tables.get(table, [])} == ids, table
    held = {t: len(rows) for t, rows in tables.items() if rows and t != "audit_entries"}
    assert held == {t: len(ids) for t, ids in expected.items() if ids}
    for table in (
        "scores",
        "judgements",
        "evidence_notes",
        "scripts",
        "equality_monitoring",
        "signed_documents",
    ):
        assert held.get(table, 0) > 0, table
    # Every entry of the trail about any of those rows, and only those.
    entries = tables["audit_entries"]
    assert len(entries) == about and all(e["entity_id"] in every_id for e in entries)

    text = result.json_path.read_text("utf-8")
    assert [m for m in other_marks if m in text] == []
    assert result.pdf_path.read_bytes().startswith(b"%PDF")
    shown = subprocess.run(
        ["pdftotext", str(result.pdf_path), "-"], capture_output=True, text=True, check=True
    )
    assert reg in shown.stdout and "Everything we hold about you" in shown.stdout
    assert len(result.documents) == held["signed_documents"]
    assert all(p.read_bytes().startswith(b"%PDF") for p in result.documents)

    with centre.db.read() as s:
        noted = s.scalars(
            select(AuditEntryRow).where(AuditEntryRow.action == "candidate.subject_access")
        ).all()
    assert len(noted) == 1 and noted[0].account_id == manager.account_id and noted[0].entity_id == cid
    assert audit.verify(centre.db).ok


def test_a_wrong_password_or_role_exports_nothing(centre: Centre, tmp_path: Path) -> None:
    with centre.db.read() as s:
        cid = s.scalars(select(CandidateRow.id).where(CandidateRow.full_name == WHO)).one()
    out = tmp_path / "sar"
    out.mkdir()
    with pytest.raises(AuthenticationFailed):
        subject_access.export_subject_access(centre.db, centre.login("manager"), cid, out, "not the password")
    with pytest.raises(PermissionDenied):
        subject_access.export_subject_access(centre.db, centre.login("qa"), cid, out, PASSWORDS["qa"])
    assert list(out.iterdir()) == []
    with centre.db.read() as s:
        assert not s.scalar(select(func.count()).where(AuditEntryRow.action == "candidate.subject_access"))
