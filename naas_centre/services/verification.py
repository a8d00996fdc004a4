"""What the centre's own records say about a signed report (``naas-centre verify --db``).

The file alone proves who signed it and that nothing changed since; the database adds
what only the centre knows:

- whether the centre issued this document at all: the hash of the whole file, or of
  the file as it was just after each signature, must be one the centre recorded when
  it signed (``SignedDocumentRow.sha256``, ``DocumentSignatureRow.sha256``). A PDF
  made elsewhere and signed with an assessor's key fails here;
- whether a newer version supersedes it (version, date, reason): shown, not a failure,
  since the older version stays a true record of what was signed then;
- each signing certificate's status: revoked or replaced (retired) before the signing
  time, or the signer's account deactivated before it;
- the centre's revocation lists (the ``crls`` table), for the file check itself.

Reading only: nothing here writes to the database.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography import x509
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import (
    AccountRow,
    AuditEntryRow,
    CertificateRow,
    CrlRow,
    DocumentSignatureRow,
    SignedDocumentRow,
)
from naas_centre.errors import UserError
from naas_centre.reports.data import ReportKind
from naas_centre.services import audit, checkpoints
from naas_centre.signing import ca
from naas_centre.signing.pdf import signed_checkpoint
from naas_centre.signing.verify import FileVerdict

READ_ONLY_WORKSTATION = "00000000-0000-0000-0000-000000000000"  # never stamped: nothing is written


@dataclass(frozen=True)
class NewerVersion:
    version: int
    signed_at: datetime
    reason: str | None


@dataclass(frozen=True)
class RecordVerdict:
    """The centre's records about one file."""

    ok: bool
    issued: bool  # the centre issued this document (all of it, or up to some signature)
    title: str | None = None
    version: int | None = None
    kind: str | None = None  # the report kind, as a person reads it
    newer: tuple[NewerVersion, ...] = ()
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def open_for_reading(target: str | Path) -> Database:
    """The centre database, opened to read only: never created, upgraded or stamped.

    ``services.centre.open_database`` would upgrade an older database (and make a
    workstation id in the data folder); a check must leave everything as it found it,
    so an older or newer database is refused with what to do instead.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from db.engine import is_sqlite, to_url
    from db.migrate import current_revision, head_revision

    url = to_url(target)
    if is_sqlite(url):
        path = Path(url.removeprefix("sqlite:///"))
        if path.is_dir():
            raise UserError(f"{path} is a folder, not a database file")
        if not path.is_file():
            raise UserError(f"{path}: no such database")
    db = Database(url, READ_ONLY_WORKSTATION)
    try:
        found = current_revision(db.engine)
    except SQLAlchemyError as exc:
        db.dispose()
        raise UserError(
            f"{target}: cannot open the database ({str(getattr(exc, 'orig', None) or exc).strip()})"
        ) from None
    if found != head_revision():
        db.dispose()
        raise UserError(
            f"{target} was written by another version of naas-centre; verify never changes a database, "
            "so upgrade it first with: naas-centre db upgrade --db " + str(target)
        )
    return db


def trusted_material(db: Database) -> tuple[list[x509.Certificate], list[x509.CertificateRevocationList]]:
    """Every CA certificate the centre ever had, and every revocation list it issued.

    Only a certificate the audit trail vouches for is trusted: a CA row written into the
    file behind the app would otherwise make its own reports verify."""
    with db.read() as s:
        rows = s.scalars(select(CertificateRow).where(CertificateRow.kind == "ca")).all()
        cas = [ca.load_pem(row.pem) for row in audit.attested(s, rows) if isinstance(row, CertificateRow)]
        crls = []
        for der in s.scalars(select(CrlRow.der).order_by(CrlRow.number)):
            try:
                crls.append(ca.load_crl(der))
            except ValueError:
                continue
        return cas, crls


def has_ca(db: Database) -> bool:
    """Whether the database holds any CA certificate at all, vouched for or not."""
    with db.read() as s:
        return s.scalar(select(CertificateRow.id).where(CertificateRow.kind == "ca").limit(1)) is not None


UNVOUCHED_CA = (
    "the centre's audit trail vouches for none of the centre's CA certificates (changed behind "
    "the app: run naas-centre audit verify), so nothing can be verified against this database"
)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _deactivated_at(s: Session, account: AccountRow) -> datetime | None:
    """When an inactive account was last deactivated (from the audit trail; failing
    that, its last update)."""
    if account.active:
        return None
    found = None
    for at, after in s.execute(
        select(AuditEntryRow.at, AuditEntryRow.after)
        .where(AuditEntryRow.entity == "accounts", AuditEntryRow.entity_id == account.id)
        .order_by(AuditEntryRow.seq)
    ):
        try:
            value = json.loads(after or "{}")
        except ValueError:
            continue
        if isinstance(value, dict) and "active" in value:
            found = at if value["active"] is False else None
    return found or account.updated_at


def _check_history(s: Session, data: bytes, problems: list[str], notes: list[str]) -> None:
    """Whether the database still holds the audit history the report was signed on: the
    trail's head its first signer signed into it (see ``checkpoints``)."""
    raw = signed_checkpoint(data)
    if raw is None:
        notes.append("the report holds no checkpoint of the audit trail (signed before they were kept)")
        return
    try:
        held = checkpoints.from_json(json.loads(raw), "the report's checkpoint")
    except (ValueError, checkpoints.CheckpointRefused) as exc:
        problems.append(f"the report's checkpoint of the audit trail cannot be used: {exc}")
        return
    standing = checkpoints.check(s, [("held in the report", held)])
    if standing.problem is not None:
        problems.append(
            f"this database no longer holds the history the report was signed on: {standing.problem}"
        )
    else:
        notes.append(
            f"this database still holds the history the report was signed on (its audit trail up to "
            f"entry {held.head.seq}, as the report's checkpoint has it)"
        )


def check(db: Database, data: bytes, verdict: FileVerdict) -> RecordVerdict:
    """Checks one file (already verified on its own as ``verdict``) against the records."""
    whole = _sha(data)
    prefixes = [_sha(data[: sig.covered_bytes]) for sig in verdict.signatures if sig.covered_bytes]
    problems: list[str] = []
    notes: list[str] = []
    with db.read() as s:
        doc = s.scalar(select(SignedDocumentRow).where(SignedDocumentRow.sha256 == whole).limit(1))
        sig_rows = {
            row.sha256: row
            for row in s.scalars(
                select(DocumentSignatureRow).where(DocumentSignatureRow.sha256.in_([whole, *prefixes]))
            )
        }
        if doc is None and sig_rows:
            ids = {r.document_id for r in sig_rows.values()}
            if len(ids) == 1:
                doc = s.get(SignedDocumentRow, ids.pop())
        if doc is None:
            return RecordVerdict(
                ok=False,
                issued=False,
                problems=(
                    "the centre did not issue this document: neither the file nor any signed revision of it "
                    "is in the centre's records",
                ),
            )
        kind = ReportKind(doc.kind).label if doc.kind in {k.value for k in ReportKind} else doc.kind
        if doc.sha256 != whole:
            matched = [i for i, h in enumerate(prefixes, 1) if h in sig_rows]
            upto = max(matched) if matched else 0
            notes.append(
                f"the centre's copy of this version has more signatures than this file; it matches the "
                f"centre's records up to signature {upto}"
                if _sha(doc.pdf[: len(data)]) == whole
                else f"this file matches the centre's records up to signature {upto} only"
            )
        recorded = {
            r.sha256: r
            for r in s.scalars(select(DocumentSignatureRow).where(DocumentSignatureRow.document_id == doc.id))
        }
        for i, (sig, prefix) in enumerate(zip(verdict.signatures, prefixes, strict=False), 1):
            row = recorded.get(prefix)
            if row is None:
                problems.append(
                    f"signature {i} ({sig.signer}) is not in the centre's records for this report: "
                    "the centre did not make it"
                )
                continue
            cert = s.get(CertificateRow, row.certificate_id)
            account = s.get(AccountRow, row.account_id)
            when = row.signed_at
            if cert is not None:
                if cert.serial != sig.serial:
                    problems.append(
                        f"signature {i} ({sig.signer}) was made with a certificate other than the one the "
                        "centre recorded"
                    )
                if cert.revoked_at is not None and cert.revoked_at <= when:
                    problems.append(
                        f"signature {i} ({sig.signer}): the certificate was revoked on "
                        f"{cert.revoked_at:%d %B %Y at %H:%M} UTC, before this signature"
                        + (f" ({cert.revocation_reason})" if cert.revocation_reason else "")
                    )
                elif cert.revoked_at is not None:
                    notes.append(
                        f"signature {i} ({sig.signer}): the certificate was revoked on "
                        f"{cert.revoked_at:%d %B %Y} UTC, after this signature"
                        + (f" ({cert.revocation_reason})" if cert.revocation_reason else "")
                        + "; the signature stands"
                    )
                if cert.retired_at is not None and cert.retired_at <= when:
                    problems.append(
                        f"signature {i} ({sig.signer}): the certificate had been replaced on "
                        f"{cert.retired_at:%d %B %Y at %H:%M} UTC, before this signature"
                    )
            if account is not None:
                off = _deactivated_at(s, account)
                if off is not None and off <= when:
                    problems.append(
                        f"signature {i} ({sig.signer}): {account.display_name}'s account was deactivated "
                        f"on {off:%d %B %Y} UTC, before this signature"
                    )
        _check_history(s, data, problems, notes)
        newer = tuple(
            NewerVersion(r.version, r.signed_at, r.reason)
            for r in s.scalars(
                select(SignedDocumentRow)
                .where(
                    SignedDocumentRow.report_key == doc.report_key, SignedDocumentRow.version > doc.version
                )
                .order_by(SignedDocumentRow.version)
            )
        )
        return RecordVerdict(
            ok=not problems,
            issued=True,
            title=doc.title,
            version=doc.version,
            kind=kind,
            newer=newer,
            problems=tuple(problems),
            notes=tuple(notes),
        )
