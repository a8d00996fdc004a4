"""Signing the QA report: drawn from one analysis, signed by whoever ran it, and kept
with the centre's other signed documents, so ``naas-centre verify`` finds it in the
records as it finds a candidate's report.

Each signing is a new version of the report for its period (the key names the period),
naming the version before it; what it was drawn from (every table and reading, as
plain values) is stored beside it, as for every signed report.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from db.base import utcnow
from db.engine import Database
from db.models import CentreRow, DocumentSignatureRow, SignedDocumentRow
from naas_centre.reports import qa_report
from naas_centre.reports.data import DEFAULT_TIMEZONE
from naas_centre.services import audit, capabilities, certificates
from naas_centre.services.accounts import require
from naas_centre.services.qa_analysis import QaAnalysis, tables
from naas_centre.services.qa_readings import readings
from naas_centre.services.views import Actor
from naas_centre.signing.pdf import RequiredSigner, SignerIdentity, sign_pdf

KIND = "qa_report"
ROLE = "signer"  # the one signature slot's role in the document's list of required signers


@dataclass(frozen=True)
class SignedQaReport:
    document_id: str
    report_key: str
    version: int
    pdf: bytes
    sha256: str
    title: str
    signed_at: datetime


def report_key(analysis: QaAnalysis) -> str:
    period = analysis.scope.period
    return f"qa/{period.start.isoformat()}/{period.end.isoformat()}" if period is not None else "qa/all"


def snapshot(analysis: QaAnalysis) -> str:
    """What the report says, as plain JSON: its tables and its readings."""
    return json.dumps(
        {
            "period": analysis.scope.in_words(),
            "tables": [{"name": t.name, "headers": t.headers, "rows": t.rows} for t in tables(analysis)],
            "readings": [asdict(r) for r in readings(analysis)],
        },
        ensure_ascii=False,
        sort_keys=True,
        default=str,
    )


def sign_qa_report(
    db: Database,
    actor: Actor,
    identity: SignerIdentity,
    analysis: QaAnalysis,
    *,
    when: datetime | None = None,
) -> SignedQaReport:
    """Draws the report, signs it with ``identity`` (the actor's, unlocked), and records it."""
    require(actor, *capabilities.OVERSEE)
    require(actor, *capabilities.SIGN_QA_REPORT)
    at = (when or utcnow()).replace(microsecond=0)
    with db.read() as s:
        centre = s.execute(select(CentreRow.name, CentreRow.logo).limit(1)).first()
    name, logo = (centre[0], centre[1]) if centre is not None else ("Assessment centre", None)
    rendered = qa_report.render(
        analysis,
        centre=name,
        signer=qa_report.Signer(actor.display_name, actor.role.label, identity.registration),
        made_at=at,
        logo=logo,
    )
    pdf = sign_pdf(
        rendered.pdf,
        identity,
        0,
        rendered.slots[0],
        at,
        reason=f"{identity.role}: signed the quality assurance report",
        location=name,
        tz=DEFAULT_TIMEZONE,
        required=[RequiredSigner(0, ROLE, actor.display_name, actor.account_id)],
    )
    digest = hashlib.sha256(pdf).hexdigest()
    key = report_key(analysis)
    content = snapshot(analysis)
    period = analysis.scope.period
    day: date = period.end if period is not None else at.date()
    with db.write() as s:
        certificates.ensure_signing_allowed(s, identity.certificate_id)
        latest = s.scalar(
            select(SignedDocumentRow)
            .where(SignedDocumentRow.report_key == key)
            .order_by(SignedDocumentRow.version.desc())
            .limit(1)
        )
        version = (
            s.scalar(select(func.max(SignedDocumentRow.version)).where(SignedDocumentRow.report_key == key))
            or 0
        ) + 1
        row = SignedDocumentRow(
            report_key=key,
            kind=KIND,
            sitting_id=None,
            station_id=None,
            day=day,
            version=version,
            supersedes_id=latest.id if latest is not None else None,
            reason="the analysis run again" if latest is not None else None,
            title=rendered.title[:300],
            snapshot=content,
            snapshot_sha256=hashlib.sha256(content.encode()).hexdigest(),
            slots=json.dumps([r.__dict__ for r in rendered.slots]),
            pdf=pdf,
            sha256=digest,
            signed_by=actor.account_id,
            signed_at=at,
        )
        s.add(row)
        s.flush()
        s.add(
            DocumentSignatureRow(
                document_id=row.id,
                account_id=actor.account_id,
                certificate_id=identity.certificate_id,
                slot=0,
                role=ROLE,
                signed_at=at,
                sha256=digest,
            )
        )
        s.flush()
        audit.note(
            s,
            actor,
            "report.sign",
            "signed_documents",
            row.id,
            {
                "report": key,
                "version": version,
                "supersedes": row.supersedes_id,
                "sha256": digest,
                "slot": 0,
                "certificate": identity.serial,
            },
        )
        return SignedQaReport(row.id, key, version, pdf, digest, rendered.title, at)
