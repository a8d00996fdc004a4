"""Erasure on request (UK GDPR Article 17): what may go goes, what must stay stays, and
the answer says which is which and why.

Goes: the candidate's identity (replaced by a pseudonym made from nothing of theirs),
adjustments and their reasons, equality monitoring, endorsements and declared
conflicts, the written script's text, the assessors' evidence notes, and recordings
(rows marked deleted, media removed). Stays: signed reports exactly as signed (the
outcome the employer relies on, and what an appeal or a claim turns on: Article
17(3)(b) and (e)), the scores, judgements and moderations they were drawn from, now
about a pseudonym, and the audit trail, whose past entries cannot be rewritten without
ending its proof that nothing else was. A legal hold refuses the erasure.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.base import Base, utcnow
from db.engine import Database
from db.models import (
    AuditEntryRow,
    CandidateRow,
    ConflictRow,
    EndorsementRow,
    EqualityMonitoringRow,
    EvidenceNoteRow,
    JudgementRow,
    LegalHoldRow,
    ModerationRow,
    RecordingRow,
    ScoreRow,
    ScriptRow,
    SignedDocumentRow,
    SittingRow,
)
from naas_centre.errors import Conflict, NotFound, UserError
from naas_centre.services import accounts, audit, capabilities, retention
from naas_centre.services.accounts import require
from naas_centre.services.views import Actor

ERASERS = capabilities.RUN_CENTRE


@dataclass(frozen=True)
class Gone:
    what: str
    table: str
    count: int


@dataclass(frozen=True)
class Kept:
    what: str
    count: int
    why: str


@dataclass(frozen=True)
class ErasureResult:
    candidate_id: str
    pseudonym: str
    removed: tuple[Gone, ...]
    kept: tuple[Kept, ...]

    def lines(self) -> list[str]:
        """What was done, in words, for the screen and the command line."""
        out = [f"Erased; the candidate is now {self.pseudonym}."]
        out += [f"  removed: {g.what}: {g.count}" for g in self.removed]
        out += [f"  kept: {k.what}: {k.count} ({k.why})" for k in self.kept]
        return out


KEPT_WHY = {
    "signed reports": "the outcome as signed, which the employer relies on and an appeal or a claim "
    "turns on; kept for the reports' retention period (UK GDPR Art. 17(3)(b), (e))",
    "scores, judgements and moderations": "what the signed outcome was drawn from, now about a pseudonym",
    "audit trail entries": "the tamper-evident record of every change; an entry cannot be removed "
    "without breaking the proof that nothing else was (Art. 17(3)(b), (e))",
}


def _count(s: Session, model: type[Base], *where: object) -> int:
    return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)  # type: ignore[arg-type]


def erase_candidate(
    db: Database,
    actor: Actor,
    candidate_id: str,
    reason: str,
    password: str,
    *,
    data_dir: Path | None = None,
) -> ErasureResult:
    """Erases what may go of one candidate's data, in one transaction, after the acting
    person's password again. Refused whole under a legal hold."""
    require(actor, *ERASERS)
    why = " ".join(reason.split())
    if not why:
        raise UserError("Say why the data is erased (the request, its date): the reason is kept.")
    with db.read() as s:
        if s.get(CandidateRow, candidate_id) is None:
            raise NotFound("No such candidate.")
    accounts.reconfirm(db, actor, password, doing="erasing a candidate's data")
    now = utcnow()
    folders: list[str] = []
    with db.write() as s:
        cand = s.get(CandidateRow, candidate_id)
        if cand is None:
            raise NotFound("No such candidate.")
        hold = s.scalar(
            select(LegalHoldRow).where(
                LegalHoldRow.candidate_id == candidate_id, LegalHoldRow.released_at.is_(None)
            )
        )
        if hold is not None:
            raise Conflict(
                f"{cand.full_name}'s data is under a legal hold ({hold.reason}): nothing was erased. "
                "Release the hold first, once what it is for is over."
            )
        sittings = list(s.scalars(select(SittingRow.id).where(SittingRow.candidate_id == candidate_id)))
        on_sittings = [
            ("written scripts (text)", retention.Kind.SCRIPTS, ScriptRow, ScriptRow.text != ""),
            ("evidence notes", retention.Kind.REPORTS, EvidenceNoteRow, None),
            (
                "recordings (media)",
                retention.Kind.RECORDINGS,
                RecordingRow,
                RecordingRow.status.not_in(retention.GONE_RECORDINGS),
            ),
        ]
        removed: list[Gone] = []
        for what, model, where in (
            ("endorsements", EndorsementRow, EndorsementRow.candidate_id == candidate_id),
            ("declared conflicts", ConflictRow, ConflictRow.candidate_id == candidate_id),
            (
                "equality monitoring",
                EqualityMonitoringRow,
                EqualityMonitoringRow.candidate_id == candidate_id,
            ),
        ):
            rows = list(s.scalars(select(model).where(where)))
            for row in rows:
                retention.remove(s, actor, "candidate.erase", retention.Kind.IDENTITY, row, now)
            if rows:
                removed.append(Gone(what, model.__tablename__, len(rows)))
        for what, kind, table_model, extra in on_sittings:
            query = select(table_model).where(table_model.__table__.c.sitting_id.in_(sittings))
            found = list(s.scalars(query.where(extra) if extra is not None else query))
            for row in found:
                if isinstance(row, RecordingRow):
                    row.status, row.deleted_at, row.deleted_by = "deleted", now, actor.account_id
                    audit.record(s, actor, "candidate.erase", row, None)
                    folders.append(row.folder)
                else:
                    retention.remove(s, actor, "candidate.erase", kind, row, now)
            if found:
                removed.append(Gone(what, table_model.__tablename__, len(found)))
        if retention.has_adjustments(cand):
            removed.append(Gone("adjustments and their reasons", "candidates", 1))
        retention.blank_adjustments(cand)
        retention.pseudonymise(cand)
        removed.insert(0, Gone("identity (name, registration number, email, prior results)", "candidates", 1))
        retention.record_left(s, actor, "candidate.erase", [cand])
        counted = {
            "signed reports": _count(s, SignedDocumentRow, SignedDocumentRow.sitting_id.in_(sittings)),
            "scores, judgements and moderations": sum(
                _count(s, m, m.__table__.c.sitting_id.in_(sittings))
                for m in (ScoreRow, JudgementRow, ModerationRow)
            ),
        }
        kept = [Kept(what, n, KEPT_WHY[what]) for what, n in counted.items() if n]
        entries = _count(s, AuditEntryRow, AuditEntryRow.entity_id.in_([candidate_id, *sittings]))
        kept.append(Kept("audit trail entries", entries, KEPT_WHY["audit trail entries"]))
        audit.note(
            s,
            actor,
            "candidate.erased",
            CandidateRow.__tablename__,
            candidate_id,
            {
                "reason": why,
                "removed": [{"what": g.what, "table": g.table, "count": g.count} for g in removed],
                "kept": [{"what": k.what, "count": k.count} for k in kept],
            },
        )
        pseudonym = cand.full_name
    if data_dir is not None:
        for folder in folders:  # last: a refused write leaves the media
            retention.remove_media(data_dir, folder)
    return ErasureResult(candidate_id, pseudonym, tuple(removed), tuple(kept))
