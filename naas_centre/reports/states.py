"""What the reports screens read, in workers: plain data about a sitting's reports.

No Qt here: the screens run these off the GUI thread, on their task manager, and get
frozen data back. Every permission is the services' own: an assessor reaches only their sittings,
and only assessors and centre managers sign.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from naas_centre.errors import Conflict, PermissionDenied, UserError
from naas_centre.reports.data import ReportKind
from naas_centre.reports.gather import NotReady, ReportRef, gather, refs_for_sitting
from naas_centre.reports.render import render
from naas_centre.services import completeness, packs, signatures, sittings
from naas_centre.services.signatures import SignedDocumentView
from naas_centre.services.views import Actor, Role, SittingDetail

if TYPE_CHECKING:
    from db.engine import Database

KIND_TITLES = {
    ReportKind.OBSERVATION: "Observation",
    ReportKind.WRITTEN: "Written exercise",
    ReportKind.OUTCOME: "Outcome and feedback",
    ReportKind.KNOWLEDGE: "Knowledge test",
    ReportKind.DAY_SUMMARY: "Day summary",
}


@dataclass(frozen=True)
class ReportState:
    """One report of a sitting as the asking actor may see and act on it."""

    ref: ReportRef
    kind_title: str  # "Observation"
    subject: str  # the station's title, or what the report covers
    not_ready: str | None  # why it cannot be made now; None when it can
    versions: tuple[SignedDocumentView, ...]  # oldest first
    changed: bool  # the data differs from the latest signed version
    sign_block: str | None  # why this actor cannot sign now; None when they can
    needs_reason: bool  # signing now makes a new version, which needs a reason

    @property
    def latest(self) -> SignedDocumentView | None:
        return self.versions[-1] if self.versions else None

    @property
    def status(self) -> str:
        """not_ready, ready, signed or changed."""
        if self.latest is None:
            return "not_ready" if self.not_ready else "ready"
        return "changed" if self.changed else "signed"

    @property
    def status_text(self) -> str:
        latest = self.latest
        if latest is None:
            return "Not ready" if self.not_ready else "Ready to sign"
        if self.changed:
            return f"Changed since v{latest.version}"
        return f"Signed v{latest.version}"

    @property
    def can_sign(self) -> bool:
        return self.sign_block is None and self.not_ready is None


@dataclass(frozen=True)
class SittingReports:
    detail: SittingDetail
    reports: tuple[ReportState, ...]
    signer: bool  # the actor is one who signs (assessor or centre manager)


def read_sitting_reports(db: Database, actor: Actor, sitting_id: str) -> SittingReports:
    """Runs in a worker: every report of the sitting with its state for this actor."""
    detail = sittings.sitting_detail(db, actor, sitting_id)
    titles = {st.id: st.title for st in detail.stations}
    titles |= _knowledge_titles(db, actor, sitting_id)
    signer = actor.role in signatures.SIGNERS
    out = []
    for ref in refs_for_sitting(db, actor, sitting_id):
        out.append(_state(db, actor, ref, titles, signer))
    return SittingReports(detail, tuple(out), signer)


def _knowledge_titles(db: Database, actor: Actor, sitting_id: str) -> dict[str, str]:
    """Each knowledge-test form's report subject by the form's id."""
    test = packs.pack_for_sitting(db, actor, sitting_id).knowledge_test
    return {f.id: f"{f.title}: marks by KSS area" for f in test.forms} if test is not None else {}


def _state(db: Database, actor: Actor, ref: ReportRef, titles: dict[str, str], signer: bool) -> ReportState:
    subject = titles.get(ref.station_id or "", "") if ref.station_id else "The standard: met or not met"
    # One rule for "ready": nothing is offered for signing while the sitting lacks a
    # component this report rests on (a station not held, a script not in, a sheet not
    # submitted, a difference not moderated), whatever the report's own data would allow.
    not_ready: str | None = None
    if ref.sitting_id is not None and ref.kind != ReportKind.KNOWLEDGE:  # the form alone
        lacking = completeness.for_report(db, actor, ref.sitting_id, ref.station_id)
        not_ready = completeness.in_words(lacking) or None
    if not_ready is None:
        try:
            gather(db, actor, ref)
        except NotReady as exc:
            not_ready = str(exc)
    versions = tuple(signatures.documents(db, actor, ref))
    changed = bool(versions) and bool(signatures.changed_since_signed(db, actor, ref))
    needs_reason = changed and not_ready is None
    if not signer:
        block: str | None = (
            f"{actor.role.label} accounts read reports; assessors and centre managers sign them."
        )
    elif not_ready is not None:
        block = not_ready
    else:
        try:
            # plan() only reads: it says whether this actor may sign now, and where.
            signatures.plan(db, actor, ref, reason="(checking)" if needs_reason else None)
            block = None
        except (Conflict, PermissionDenied) as exc:
            block = str(exc)
    return ReportState(
        ref=ref,
        kind_title=KIND_TITLES[ref.kind],
        subject=subject,
        not_ready=not_ready,
        versions=versions,
        changed=changed,
        sign_block=block,
        needs_reason=needs_reason,
    )


def draft_pdf(db: Database, actor: Actor, ref: ReportRef) -> bytes:
    """Runs in a worker: the report drawn from today's data, unsigned (raises NotReady)."""
    return render(gather(db, actor, ref)).pdf


def signed_pdf(db: Database, actor: Actor, document_id: str) -> bytes:
    """Runs in a worker: the bytes of one signed version, exactly as stored."""
    return signatures.document_pdf(db, actor, document_id)


def sign(
    db: Database, actor: Actor, password: str, data_dir: Path, ref: ReportRef, reason: str | None
) -> SignedDocumentView:
    """Runs on the write worker: unlocks the signer's key (issuing a certificate on first
    use), then signs. Returns once the signed version is committed."""
    identity = signatures.unlock_signer(db, actor, password, data_dir)
    return signatures.sign_report(db, actor, identity, ref, reason=reason)


def save_latest(db: Database, actor: Actor, ref: ReportRef, target: Path) -> tuple[SignedDocumentView, Path]:
    """Runs in a worker: writes the newest signed version atomically (temporary file, then rename)."""
    found = signatures.latest(db, actor, ref)
    if found is None:
        raise Conflict("This report has not been signed yet; only signed versions are saved.")
    view, pdf = found
    target = target.expanduser()
    if target.suffix.lower() != ".pdf":
        target = target.with_name(target.name + ".pdf")
    tmp = target.with_name(f".{target.name}.part")
    try:
        tmp.write_bytes(pdf)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UserError(f"The PDF could not be saved to {target}: {exc.strerror or exc}.") from exc
    return view, target


def file_name(detail: SittingDetail, state: ReportState) -> str:
    """A file name safe on any disk: day, registration number, report, version."""
    parts = [str(detail.summary.day), detail.candidate.registration_number, state.ref.kind.value]
    if state.ref.kind in (ReportKind.OBSERVATION, ReportKind.KNOWLEDGE) and state.ref.station_id:
        parts.append(state.ref.station_id)
    if state.latest is not None:
        parts.append(f"v{state.latest.version}")
    return re.sub(r"[^A-Za-z0-9._-]+", "-", "_".join(parts)).strip("-") + ".pdf"


def signs(actor: Actor) -> bool:
    """Whether this actor is one who signs reports (the services' rule, ``SIGNERS``)."""
    return actor.role in signatures.SIGNERS


def who_signs(actor: Actor) -> str:
    if actor.role == Role.CENTRE_MANAGER:
        return "Countersign"
    return "Sign"
