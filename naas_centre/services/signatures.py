"""Signing reports: the centre CA, each signer's key, signed versions frozen with their data.

A report is signed in three steps so that a batch can spread the slow middle one over
processes: ``plan`` reads the database (is every score in? who may sign where? is this
a new version?), ``perform`` draws and signs with no database at all, and ``record``
stores the result and audits it in one transaction. ``sign_report`` does all three.

Once a version is signed, the data it was drawn from is stored with it. Signing again
when that data has changed needs a reason, and makes a new version that names the one
it supersedes; old versions are never changed or deleted. Signing again when nothing
has changed adds a signature (the second assessor's, or the manager's countersignature)
to the same version, as an incremental update that leaves earlier signatures intact.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.base import utcnow
from db.engine import Database
from db.models import (
    AccountRow,
    CentreRow,
    DocumentSignatureRow,
    SignedDocumentRow,
    SittingRow,
)
from naas_centre.errors import Conflict, NotFound, PermissionDenied, UserError
from naas_centre.reports import data as rdata
from naas_centre.reports.data import ReportData, ReportKind, SignatureSlot
from naas_centre.reports.gather import READERS, NotReady, ReportRef, gather
from naas_centre.reports.layout import SlotRect
from naas_centre.reports.render import render
from naas_centre.services import accounts, audit, authority, capabilities, certificates, checkpoints
from naas_centre.services.views import Actor, Role
from naas_centre.signing.pdf import RequiredSigner, SignerIdentity, sign_pdf

SIGNERS = certificates.SIGNERS

# The centre CA lives in ``authority``, signing identities in ``certificates``; these names stay here
# for the callers that know them from here.
CaInfo = authority.CaInfo
centre_ca = authority.centre_ca
trusted_cas = authority.trusted_cas
ensure_ca = authority.ensure_ca
export_ca = authority.export_ca
unlock_signer = certificates.unlock_signer
revoke_certificates = certificates.revoke_certificates
approve_replacement = certificates.approve_replacement
list_certificates = certificates.list_certificates
pending_certificate_notices = certificates.pending_certificate_notices
acknowledge_certificates = certificates.acknowledge_certificates


class ReasonNeeded(Conflict):
    """The data behind the latest signed version changed: a new version needs a reason."""


# Signing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SigningJob:
    """What ``perform`` needs: plain data, so it can go to another process."""

    ref: ReportRef
    data: ReportData
    slot: int
    version: int
    location: str
    document_id: str | None = None  # set when adding a signature to a signed version
    base_pdf: bytes | None = None
    base_sha256: str | None = None
    slots: tuple[SlotRect, ...] = ()
    supersedes_id: str | None = None
    reason: str | None = None
    head: checkpoints.Head | None = None  # the audit trail's head the report is signed on


@dataclass(frozen=True)
class SignedResult:
    job: SigningJob
    pdf: bytes
    slots: tuple[SlotRect, ...]
    title: str
    signed_at: datetime


@dataclass(frozen=True)
class SignedDocumentView:
    id: str
    report_key: str
    kind: ReportKind
    sitting_id: str | None
    station_id: str | None
    version: int
    supersedes_id: str | None
    reason: str | None
    title: str
    sha256: str
    signed_at: datetime
    signers: tuple[str, ...]


def _slot_for(actor: Actor, slots: tuple[SignatureSlot, ...], taken: set[int], kind: ReportKind) -> int:
    if actor.role == Role.ASSESSOR:
        for i, slot in enumerate(slots):
            if slot.role == "assessor" and slot.account_id == actor.account_id:
                if i in taken:
                    raise Conflict("You have already signed this version of the report.")
                return i
        if kind in (ReportKind.OBSERVATION, ReportKind.WRITTEN):
            # In a circuit a station's report is signed by the assessors who observed it.
            raise PermissionDenied("Only an assessor who observed this station can sign its report.")
        raise PermissionDenied("Only an assessor of this sitting can sign its reports.")
    if actor.role == Role.CENTRE_MANAGER:
        for i, slot in enumerate(slots):
            if slot.role == "countersign":
                if i in taken:
                    raise Conflict("This version of the report is already countersigned.")
                if kind != ReportKind.DAY_SUMMARY and not taken:
                    raise Conflict("An assessor signs a report first; a centre manager countersigns it.")
                return i
    raise PermissionDenied(f"{actor.role.label} accounts cannot sign this report.")


def _latest(s: Session, key: str) -> SignedDocumentRow | None:
    return s.scalar(
        select(SignedDocumentRow)
        .where(SignedDocumentRow.report_key == key)
        .order_by(SignedDocumentRow.version.desc())
        .limit(1)
    )


def _location(s: Session) -> str:
    return s.scalar(select(CentreRow.name).limit(1)) or "Assessment centre"


def plan(db: Database, actor: Actor, ref: ReportRef, *, reason: str | None = None) -> SigningJob:
    """Checks that the actor may sign this report now, and what signing will make.

    Raises NotReady when a score or script is missing, Conflict when the data changed
    since the last signed version and no reason is given.
    """
    accounts.require(actor, *SIGNERS)
    if ref.kind == ReportKind.DAY_SUMMARY:
        accounts.require(actor, *capabilities.SIGN_DAY)
        data: ReportData = _day_summary(db, actor, ref)
    else:
        data = gather(db, actor, ref)
    content = rdata.content_json(data)
    slots = data.slots if isinstance(data, rdata.DaySummaryData) else data.header.slots
    kind = rdata.kind_of(data)
    with db.read() as s:
        latest = _latest(s, ref.key)
        location = _location(s)
        head = checkpoints.head(s)
        if latest is None:
            return SigningJob(
                ref, data, _slot_for(actor, slots, set(), kind), 1, location, reason=reason, head=head
            )
        if _signed_content(latest) == content:
            taken = set(
                s.scalars(
                    select(DocumentSignatureRow.slot).where(DocumentSignatureRow.document_id == latest.id)
                )
            )
            slot = _slot_for(actor, slots, taken, kind)
            return SigningJob(
                ref,
                data,
                slot,
                latest.version,
                location,
                document_id=latest.id,
                base_pdf=latest.pdf,
                base_sha256=latest.sha256,
                slots=tuple(SlotRect(**r) for r in json.loads(latest.slots)),
                head=head,
            )
        if not reason or not reason.strip():
            raise ReasonNeeded(
                f"The data behind version {latest.version} of this report changed after it was signed. "
                "Give a reason to sign a new version; the signed version stays as it is."
            )
        why = reason.strip()
        note = rdata.Supersession(latest.version + 1, latest.version, latest.signed_at, why)
        return SigningJob(
            ref,
            rdata.superseding(data, note),  # the new version says what it replaces, and why
            _slot_for(actor, slots, set(), kind),
            latest.version + 1,
            location,
            supersedes_id=latest.id,
            reason=why,
            head=head,
        )


def _signed_content(row: SignedDocumentRow) -> str:
    """What a signed version says, without its version note, to compare with today's data."""
    return rdata.content_json(rdata.from_json(rdata.DATA_TYPES[ReportKind(row.kind)], row.snapshot))


def perform(job: SigningJob, identity: SignerIdentity) -> SignedResult:
    """Draws (for a new version) and signs. No database: safe in a worker process."""
    when = utcnow().replace(microsecond=0)
    tz = job.data.timezone if isinstance(job.data, rdata.DaySummaryData) else job.data.header.timezone
    if job.base_pdf is None:
        drawn = render(job.data)
        base, slots, title = drawn.pdf, drawn.slots, drawn.title
    else:
        base, slots, title = job.base_pdf, job.slots, ""
    if job.slot >= len(slots):
        raise UserError("The report has no place for this signature.")
    kind_label = rdata.kind_of(job.data).label
    reason = f"{identity.role}: {'countersigned' if job.document_id else 'signed'} the {kind_label.lower()}"
    if job.reason:
        reason += f" (version {job.version}: {job.reason})"
    required = None if job.document_id else _required_signers(job.data)
    # The first signer signs the trail's head into the certified revision, with their own key.
    held = None
    if required is not None and job.head is not None:
        held = checkpoints.sign_as_person(job.head, checkpoints.REPORT, identity.key_der, identity.cert_pem)
    pdf = sign_pdf(
        base,
        identity,
        job.slot,
        slots[job.slot],
        when,
        reason=reason,
        location=job.location,
        tz=tz,
        required=required,
        checkpoint=None if held is None else held.line().decode().strip(),
    )
    return SignedResult(job, pdf, slots, title, when)


def _required_signers(data: ReportData) -> list[RequiredSigner]:
    """Every signature the report needs, from its signature slots: its assessors by
    account (for a station's report, those who observed it), and the countersigning
    centre manager (any, so account "")."""
    slots = data.slots if isinstance(data, rdata.DaySummaryData) else data.header.slots
    return [
        RequiredSigner(i, slot.role, slot.label.partition(": ")[2] or slot.label, slot.account_id or "")
        for i, slot in enumerate(slots)
    ]


def record(db: Database, actor: Actor, identity: SignerIdentity, result: SignedResult) -> SignedDocumentView:
    """Stores a signed result and audits it, in one transaction."""
    job = result.job
    digest = hashlib.sha256(result.pdf).hexdigest()
    slot = (
        job.data.slots[job.slot]
        if isinstance(job.data, rdata.DaySummaryData)
        else job.data.header.slots[job.slot]
    )
    try:
        with db.write() as s:
            certificates.ensure_signing_allowed(s, identity.certificate_id)
            before: dict[str, object] | None = None
            if job.document_id is not None:
                row = s.get(SignedDocumentRow, job.document_id)
                if row is None:
                    raise NotFound("The signed report has gone.")
                if row.sha256 != job.base_sha256:
                    raise Conflict("Someone else signed this report a moment ago; sign again.")
                before = audit.snapshot(row)
                row.pdf, row.sha256 = result.pdf, digest
                action = "report.countersign" if slot.role == "countersign" else "report.cosign"
            else:
                snapshot = rdata.to_json(job.data)
                row = SignedDocumentRow(
                    report_key=job.ref.key,
                    kind=rdata.kind_of(job.data).value,
                    sitting_id=job.ref.sitting_id,
                    station_id=job.ref.station_id,
                    day=job.data.day if isinstance(job.data, rdata.DaySummaryData) else job.data.header.day,
                    version=job.version,
                    supersedes_id=job.supersedes_id,
                    reason=job.reason,
                    title=result.title[:300],
                    snapshot=snapshot,
                    snapshot_sha256=hashlib.sha256(snapshot.encode()).hexdigest(),
                    slots=json.dumps([r.__dict__ for r in result.slots]),
                    pdf=result.pdf,
                    sha256=digest,
                    signed_by=actor.account_id,
                    signed_at=result.signed_at,
                )
                s.add(row)
                action = "report.sign" if job.version == 1 else "report.reissue"
            # The signed version's state (the PDF by its hash), under the act's own name; the
            # signature row (slot, certificate) is recorded as it is flushed.
            audit.record(s, actor, action, row, before)
            s.add(
                DocumentSignatureRow(
                    document_id=row.id,
                    account_id=actor.account_id,
                    certificate_id=identity.certificate_id,
                    slot=job.slot,
                    role=slot.role,
                    signed_at=result.signed_at,
                    sha256=digest,
                )
            )
            s.flush()
            view = _view(s, row)
    except IntegrityError as exc:
        raise Conflict("This report was signed by someone else meanwhile; sign again.") from exc
    # The trail now holds the signing: its head, signed by the signer, beside the database.
    checkpoints.take(db, checkpoints.REPORT, signed_by=(identity.key_der, identity.cert_pem))
    return view


def sign_report(
    db: Database, actor: Actor, identity: SignerIdentity, ref: ReportRef, *, reason: str | None = None
) -> SignedDocumentView:
    return record(db, actor, identity, perform(plan(db, actor, ref, reason=reason), identity))


def _day_summary(db: Database, actor: Actor, ref: ReportRef) -> rdata.DaySummaryData:
    from naas_centre.reports.gather import day_summary

    assert ref.day is not None
    return day_summary(db, actor, ref.day, signed=signed_counts(db, ref.day))


# Reading ----------------------------------------------------------------------------


def _view(s: Session, row: SignedDocumentRow) -> SignedDocumentView:
    signers = tuple(
        s.scalars(
            select(AccountRow.display_name)
            .join(DocumentSignatureRow, DocumentSignatureRow.account_id == AccountRow.id)
            .where(DocumentSignatureRow.document_id == row.id)
            .order_by(DocumentSignatureRow.signed_at, DocumentSignatureRow.slot)
        )
    )
    return SignedDocumentView(
        id=row.id,
        report_key=row.report_key,
        kind=ReportKind(row.kind),
        sitting_id=row.sitting_id,
        station_id=row.station_id,
        version=row.version,
        supersedes_id=row.supersedes_id,
        reason=row.reason,
        title=row.title,
        sha256=row.sha256,
        signed_at=row.signed_at,
        signers=signers,
    )


def _may_read(s: Session, actor: Actor, row: SignedDocumentRow) -> None:
    if actor.role in READERS:
        return
    if actor.role == Role.ASSESSOR and row.sitting_id is not None:
        from db.models import SittingAssessorRow

        if s.scalar(
            select(SittingAssessorRow.id).where(
                SittingAssessorRow.sitting_id == row.sitting_id,
                SittingAssessorRow.assessor_id == actor.account_id,
            )
        ):
            return
    raise PermissionDenied("You cannot read this report.")


def documents(db: Database, actor: Actor, ref: ReportRef) -> list[SignedDocumentView]:
    """Every signed version of one report, oldest first."""
    with db.read() as s:
        rows = s.scalars(
            select(SignedDocumentRow)
            .where(SignedDocumentRow.report_key == ref.key)
            .order_by(SignedDocumentRow.version)
        ).all()
        for row in rows:
            _may_read(s, actor, row)
        return [_view(s, r) for r in rows]


def latest(db: Database, actor: Actor, ref: ReportRef) -> tuple[SignedDocumentView, bytes] | None:
    """The newest signed version and its PDF, if the report was ever signed."""
    with db.read() as s:
        row = _latest(s, ref.key)
        if row is None:
            return None
        _may_read(s, actor, row)
        return _view(s, row), row.pdf


def document_pdf(db: Database, actor: Actor, document_id: str) -> bytes:
    with db.read() as s:
        row = s.get(SignedDocumentRow, document_id)
        if row is None:
            raise NotFound("No such signed report.")
        _may_read(s, actor, row)
        return row.pdf


def frozen_data(db: Database, actor: Actor, document_id: str) -> ReportData:
    """The data a signed version was drawn from, exactly as it was signed."""
    with db.read() as s:
        row = s.get(SignedDocumentRow, document_id)
        if row is None:
            raise NotFound("No such signed report.")
        _may_read(s, actor, row)
        result: ReportData = rdata.from_json(rdata.DATA_TYPES[ReportKind(row.kind)], row.snapshot)
        return result


def changed_since_signed(db: Database, actor: Actor, ref: ReportRef) -> bool | None:
    """None when never signed; else whether today's data differs from the last signed version."""
    with db.read() as s:
        row = _latest(s, ref.key)
        if row is None:
            return None
        _may_read(s, actor, row)
        signed = _signed_content(row)
    try:
        now = _day_summary(db, actor, ref) if ref.kind == ReportKind.DAY_SUMMARY else gather(db, actor, ref)
    except NotReady:
        return True
    return rdata.content_json(now) != signed


def signed_counts(db: Database, day: object) -> dict[str, int]:
    """sitting id → how many of its reports have at least one signed version."""
    with db.read() as s:
        rows = s.execute(
            select(SignedDocumentRow.sitting_id, func.count(func.distinct(SignedDocumentRow.report_key)))
            .join(SittingRow, SittingRow.id == SignedDocumentRow.sitting_id)
            .where(SittingRow.day == day)
            .group_by(SignedDocumentRow.sitting_id)
        ).all()
        return {str(sid): int(n) for sid, n in rows}
