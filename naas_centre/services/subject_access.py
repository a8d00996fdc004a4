"""A subject access export: everything the centre holds about one candidate.

Every row that names them, or names one of their sittings (bookings, visits, scores,
judgements, moderations, evidence notes, timings, scripts, knowledge-test answers,
recordings and consents, signed reports), and every audit entry about any of those
rows, written as one JSON file (every column, as stored) and a readable PDF, with the
signed reports themselves beside them. For a manager or an administrator, who gives
their password again; the trail records who exported it and how many of each.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from db.base import Base, utcnow
from db.engine import Database
from db.models import (
    AccountRow,
    AuditEntryRow,
    CandidateRow,
    CentreRow,
    ConflictRow,
    DocumentSignatureRow,
    EndorsementRow,
    EqualityMonitoringRow,
    EvidenceNoteRow,
    JudgementRow,
    KnowledgeAnswerRow,
    KnowledgeFormRow,
    LegalHoldRow,
    ModerationRow,
    PhaseEventRow,
    RecordingBookmarkRow,
    RecordingConsentRow,
    RecordingRow,
    ScoreRow,
    ScriptRow,
    SignedDocumentRow,
    SittingActorRow,
    SittingAssessorRow,
    SittingRow,
    VisitRow,
)
from naas_centre import paths
from naas_centre.errors import NotFound, UserError
from naas_centre.services import accounts, audit, capabilities
from naas_centre.services.accounts import require
from naas_centre.services.views import Actor

EXPORTERS = capabilities.EXPORT
FORMAT = 1
# Per sitting: the tables whose rows hang on ``sitting_id``, in the order a reader follows.
_BY_SITTING: tuple[type[Base], ...] = (
    VisitRow,
    SittingAssessorRow,
    SittingActorRow,
    PhaseEventRow,
    ScoreRow,
    JudgementRow,
    ModerationRow,
    EvidenceNoteRow,
    ScriptRow,
    KnowledgeFormRow,
    RecordingConsentRow,
    RecordingRow,
    SignedDocumentRow,
)
_BY_CANDIDATE: tuple[type[Base], ...] = (
    EndorsementRow,
    ConflictRow,
    EqualityMonitoringRow,
    LegalHoldRow,
    SittingRow,
)


@dataclass(frozen=True)
class SubjectAccessExport:
    json_path: Path
    pdf_path: Path
    documents: tuple[Path, ...]  # the signed reports, as signed
    counts: dict[str, int]  # rows per table, "audit_entries" included


def value_of(value: Any) -> Any:
    """A column's value as JSON holds it: bytes by their SHA-256 and size."""
    if isinstance(value, bytes):
        return {"sha256": hashlib.sha256(value).hexdigest(), "bytes": len(value)}
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def row_dict(row: Base) -> dict[str, Any]:
    return {col.key: value_of(getattr(row, col.key)) for col in row.__table__.columns}


@dataclass
class Held:
    """What was found, table by table, with the signed PDFs apart."""

    tables: dict[str, list[dict[str, Any]]]
    pdfs: list[tuple[str, bytes]]  # (file name, PDF)
    names: dict[str, str]  # account id → display name, for the readable copy


def gather(s: Session, candidate_id: str) -> Held:
    """Every row about the candidate, every audit entry about any of them."""
    cand = s.get(CandidateRow, candidate_id)
    if cand is None:
        raise NotFound("No such candidate.")
    tables: dict[str, list[dict[str, Any]]] = {"candidates": [row_dict(cand)]}
    ids: set[str] = {cand.id}
    for model in _BY_CANDIDATE:
        rows = list(s.scalars(select(model).where(model.candidate_id == cand.id)))  # type: ignore[attr-defined]
        tables[model.__tablename__] = [row_dict(r) for r in rows]
        ids |= {r.id for r in rows}  # type: ignore[attr-defined]
    sittings = [r["id"] for r in tables["sittings"]]
    pdfs: list[tuple[str, bytes]] = []
    for model in _BY_SITTING:
        rows = list(
            s.scalars(select(model).where(model.sitting_id.in_(sittings)).order_by(model.created_at))  # type: ignore[attr-defined]
        )
        tables[model.__tablename__] = [row_dict(r) for r in rows]
        ids |= {r.id for r in rows}  # type: ignore[attr-defined]
        if model is SignedDocumentRow:
            for doc in rows:
                assert isinstance(doc, SignedDocumentRow)
                pdfs.append(
                    (f"{doc.report_key.replace(':', '_').replace('/', '_')}_v{doc.version}.pdf", doc.pdf)
                )
    forms = [r["id"] for r in tables["knowledge_forms"]]
    tables["knowledge_answers"] = [
        row_dict(r)
        for r in s.scalars(select(KnowledgeAnswerRow).where(KnowledgeAnswerRow.knowledge_form_id.in_(forms)))
    ]
    recordings = [r["id"] for r in tables["recordings"]]
    tables["recording_bookmarks"] = [
        row_dict(r)
        for r in s.scalars(
            select(RecordingBookmarkRow).where(RecordingBookmarkRow.recording_id.in_(recordings))
        )
    ]
    documents = [r["id"] for r in tables["signed_documents"]]
    tables["document_signatures"] = [
        row_dict(r)
        for r in s.scalars(
            select(DocumentSignatureRow).where(DocumentSignatureRow.document_id.in_(documents))
        )
    ]
    for name in ("knowledge_answers", "recording_bookmarks", "document_signatures"):
        ids |= {r["id"] for r in tables[name]}
    entries = s.scalars(
        select(AuditEntryRow)
        .where(or_(*(AuditEntryRow.entity_id.in_(chunk) for chunk in _chunks(sorted(ids)))))
        .order_by(AuditEntryRow.seq)
    )
    tables["audit_entries"] = [row_dict(e) for e in entries]
    names = {str(i): str(n) for i, n in s.execute(select(AccountRow.id, AccountRow.display_name))}
    return Held(tables, pdfs, names)


def _chunks(ids: list[str], size: int = 500) -> list[list[str]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)] or [[]]


def export_subject_access(
    db: Database, actor: Actor, candidate_id: str, out_dir: Path, password: str
) -> SubjectAccessExport:
    """Writes ``subject-access-<registration>.json`` and ``.pdf`` (and the signed reports)
    into ``out_dir``, a folder that exists. Refused, with nothing written, for a wrong
    password or a folder that cannot take the files."""
    require(actor, *EXPORTERS)
    if not out_dir.is_dir():
        raise UserError(f"{out_dir}: not a folder to export into")
    accounts.reconfirm(db, actor, password, doing="a subject access export")
    from naas_centre.reports.subject_access import render_subject_access

    with db.write() as s:
        held = gather(s, candidate_id)
        centre = s.scalar(select(CentreRow.name).limit(1)) or ""
        cand = held.tables["candidates"][0]
        counts = {table: len(rows) for table, rows in held.tables.items()}
        audit.note(
            s,
            actor,
            "candidate.subject_access",
            CandidateRow.__tablename__,
            candidate_id,
            {"exported_by": actor.display_name, "counts": counts, "reports": len(held.pdfs)},
        )
    made = utcnow()
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in str(cand["registration_number"]))
    stem = f"subject-access-{safe[:60] or candidate_id[:8]}"
    document = {
        "format": FORMAT,
        "centre": centre,
        "made_at": made.isoformat(),
        "made_by": actor.display_name,
        "candidate_id": candidate_id,
        "tables": held.tables,
        "signed_reports": [name for name, _ in held.pdfs],
    }
    written: list[Path] = []
    for name, pdf in held.pdfs:
        written.append(paths.write_atomic(out_dir / f"{stem}-{name}", pdf))
    json_path = paths.write_atomic(
        out_dir / f"{stem}.json", json.dumps(document, indent=1, ensure_ascii=False, sort_keys=True).encode()
    )
    pdf_path = paths.write_atomic(
        out_dir / f"{stem}.pdf",
        render_subject_access(centre, made, actor.display_name, held.tables, held.names),
    )
    return SubjectAccessExport(json_path, pdf_path, tuple(written), counts)
