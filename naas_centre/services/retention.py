"""How long the centre keeps each kind of personal data, and removing what has run out.

A period per kind (``Kind``), counted from the event the kind hangs on: a candidate's
last sitting for what describes the person, a sitting's day for what it produced, the
signing for a report. ``apply_retention`` removes or blanks what is past its period, in
one transaction, with an audit entry per changed row that holds the row as it is left
(never the removed values) and one summary entry with what kind and how many. A legal
hold on a candidate (an appeal, a complaint, a claim) stops all of it for them.

What is kept whatever the periods say, and why, is in ``docs/data-protection.md``: the
trail is never shortened (removing its oldest entries would end its tamper evidence),
and scores, judgements and moderations outlive the identity they described, as
anonymous figures for quality assurance.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.base import Base, utcnow
from db.engine import Database
from db.models import (
    AuditEntryRow,
    CandidateRow,
    CentreRow,
    ConflictRow,
    DocumentSignatureRow,
    EndorsementRow,
    EqualityMonitoringRow,
    EvidenceNoteRow,
    LegalHoldRow,
    RecordingRow,
    RetentionPeriodRow,
    ScriptRow,
    SignedDocumentRow,
    SittingRow,
)
from naas_centre.errors import Conflict, NotFound, UserError
from naas_centre.services import audit, capabilities
from naas_centre.services.accounts import require
from naas_centre.services.views import Actor

APPLY = capabilities.RUN_CENTRE  # apply the periods, place and release holds
SET_PERIODS = capabilities.ADMINISTER
RECORDINGS_FOLDER = "recordings"  # as naas_centre.services.recordings keeps them
GONE_RECORDINGS = ("deleted", "expired", "failed")
ERASED_PREFIX = "erased-"  # a pseudonymised candidate's registration number starts so
MAX_MONTHS = 1200


class Kind(StrEnum):
    IDENTITY = "identity"
    ADJUSTMENTS = "adjustments"
    EQUALITY = "equality"
    SCRIPTS = "scripts"
    RECORDINGS = "recordings"
    REPORTS = "reports"
    AUDIT = "audit"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Kind.IDENTITY: "identity (name, registration, email, endorsements, declared conflicts)",
    Kind.ADJUSTMENTS: "reasonable adjustments and their reasons",
    Kind.EQUALITY: "equality monitoring data",
    Kind.SCRIPTS: "written-exercise scripts",
    Kind.RECORDINGS: "role-play recordings",
    Kind.REPORTS: "signed reports and the assessors' evidence notes",
    Kind.AUDIT: "the audit trail",
}
# The defaults, in months (recordings in days, the recordings service's own setting);
# their reasons are in docs/data-protection.md.
DEFAULT_MONTHS = {
    Kind.IDENTITY: 72,
    Kind.ADJUSTMENTS: 12,
    Kind.EQUALITY: 24,
    Kind.SCRIPTS: 12,
    Kind.REPORTS: 72,
    Kind.AUDIT: 72,
}
DEFAULT_RECORDING_DAYS = 90
MAX_RECORDING_DAYS = 3650
# The least a centre may set: a report and the trail are what an appeal or a claim
# turns on, for as long as a claim can be brought (six years, Limitation Act 1980).
MINIMUM_MONTHS = {Kind.REPORTS: 72, Kind.AUDIT: 72}
COUNTED_FROM = {
    Kind.IDENTITY: "the candidate's last sitting",
    Kind.ADJUSTMENTS: "the candidate's last sitting",
    Kind.EQUALITY: "the candidate's last sitting",
    Kind.SCRIPTS: "the sitting",
    Kind.RECORDINGS: "the recording",
    Kind.REPORTS: "the signing",
    Kind.AUDIT: "the entry",
}


@dataclass(frozen=True)
class Period:
    kind: Kind
    amount: int
    unit: str  # "months", or "days" for recordings
    default: bool

    @property
    def text(self) -> str:
        return f"{self.kind.label}: {self.amount} {self.unit} after {COUNTED_FROM[self.kind]}"


@dataclass(frozen=True)
class Removed:
    kind: Kind
    table: str
    count: int


@dataclass(frozen=True)
class RetentionResult:
    today: date
    dry_run: bool
    removed: tuple[Removed, ...]  # only what there was: no zero counts
    held: tuple[str, ...]  # registration numbers of the candidates whose holds stopped it
    audit_entries_past_period: int  # kept: the trail is never shortened

    def count(self, kind: Kind, table: str | None = None) -> int:
        return sum(r.count for r in self.removed if r.kind == kind and table in (None, r.table))

    @property
    def total(self) -> int:
        return sum(r.count for r in self.removed)


@dataclass(frozen=True)
class HoldView:
    id: str
    candidate_id: str
    candidate_name: str
    registration_number: str
    reason: str
    placed_at: datetime
    released_at: datetime | None


# -- periods ------------------------------------------------------------------------------


def _periods(s: Session) -> dict[Kind, Period]:
    stored = {Kind(r.kind): r.months for r in s.scalars(select(RetentionPeriodRow)) if r.kind in set(Kind)}
    out = {
        kind: Period(kind, stored.get(kind, months), "months", kind not in stored)
        for kind, months in DEFAULT_MONTHS.items()
    }
    days = s.scalar(select(CentreRow.recording_retention_days).limit(1))
    out[Kind.RECORDINGS] = Period(
        Kind.RECORDINGS,
        DEFAULT_RECORDING_DAYS if days is None else int(days),
        "days",
        days in (None, DEFAULT_RECORDING_DAYS),
    )
    return {kind: out[kind] for kind in Kind}


def retention_periods(db: Database, actor: Actor) -> tuple[Period, ...]:
    require(actor, *APPLY)
    with db.read() as s:
        return tuple(_periods(s).values())


def parse_kind(text: str) -> Kind:
    try:
        return Kind(text.strip().lower())
    except ValueError:
        raise UserError(
            f"There is no kind of data called {text.strip()!r} (kinds: {', '.join(k.value for k in Kind)})."
        ) from None


def set_period(db: Database, actor: Actor, kind: Kind, amount: int) -> Period:
    """A new period for one kind: months, or for recordings days. Audited."""
    require(actor, *SET_PERIODS)
    if kind == Kind.RECORDINGS:
        if not 1 <= amount <= MAX_RECORDING_DAYS:
            raise UserError(f"Recordings are kept for 1 to {MAX_RECORDING_DAYS} days, not {amount}.")
    else:
        least = MINIMUM_MONTHS.get(kind, 1)
        if not least <= amount <= MAX_MONTHS:
            why = " (a claim can be brought for six years)" if kind in MINIMUM_MONTHS else ""
            raise UserError(
                f"{kind.label.capitalize()} are kept for {least} to {MAX_MONTHS} months{why}, not {amount}."
            )
    with db.write() as s:
        before = _periods(s)[kind]
        if kind == Kind.RECORDINGS:
            centre = s.scalar(select(CentreRow).limit(1))
            if centre is None:
                raise NotFound("This database holds no centre yet.")
            centre.recording_retention_days = amount
            audit.note(
                s,
                actor,
                "retention.period",
                "retention_periods",
                centre.id,
                {"kind": kind.value, "before": before.amount, "after": amount},
            )
        else:
            row = s.scalar(select(RetentionPeriodRow).where(RetentionPeriodRow.kind == kind.value))
            if row is None:
                row = RetentionPeriodRow(kind=kind.value, months=amount)
                s.add(row)
            row.months = amount
            audit.record(s, actor, "retention.period", row, {"months": before.amount})
        return _periods(s)[kind]


# -- legal holds --------------------------------------------------------------------------


def candidate_by_registration(db: Database, actor: Actor, registration: str) -> str:
    """The id of the one candidate with this registration number, or a refusal."""
    require(actor, *APPLY)
    wanted = registration.strip()
    with db.read() as s:
        ids = s.scalars(select(CandidateRow.id).where(CandidateRow.registration_number == wanted)).all()
    if not ids:
        raise NotFound(f"No candidate has the registration number {wanted!r}.")
    if len(ids) > 1:
        raise Conflict(
            f"{len(ids)} candidates have the registration number {wanted!r}; correct the list first."
        )
    return str(ids[0])


def held_candidates(s: Session) -> set[str]:
    """The ids of the candidates under a hold not yet released."""
    return set(s.scalars(select(LegalHoldRow.candidate_id).where(LegalHoldRow.released_at.is_(None))))


def _hold_view(s: Session, row: LegalHoldRow) -> HoldView:
    cand = s.get(CandidateRow, row.candidate_id)
    name, reg = (cand.full_name, cand.registration_number) if cand else ("", "")
    return HoldView(row.id, row.candidate_id, name, reg, row.reason, row.placed_at, row.released_at)


def _reason(text: str, what: str) -> str:
    clean = " ".join(text.split())
    if not clean:
        raise UserError(f"Say why the hold is {what} (an appeal, a complaint, a claim): the reason is kept.")
    return clean


def place_hold(db: Database, actor: Actor, candidate_id: str, reason: str) -> HoldView:
    require(actor, *APPLY)
    why = _reason(reason, "placed")
    with db.write() as s:
        cand = s.get(CandidateRow, candidate_id)
        if cand is None:
            raise NotFound("No such candidate.")
        if candidate_id in held_candidates(s):
            raise Conflict(f"{cand.full_name}'s data is already under a hold.")
        row = LegalHoldRow(
            candidate_id=candidate_id, reason=why, placed_by=actor.account_id, placed_at=utcnow()
        )
        s.add(row)
        audit.record(s, actor, "retention.hold", row, None)
        return _hold_view(s, row)


def release_hold(db: Database, actor: Actor, candidate_id: str, reason: str) -> HoldView:
    require(actor, *APPLY)
    why = _reason(reason, "released")
    with db.write() as s:
        row = s.scalar(
            select(LegalHoldRow).where(
                LegalHoldRow.candidate_id == candidate_id, LegalHoldRow.released_at.is_(None)
            )
        )
        if row is None:
            raise Conflict("This candidate's data is under no hold.")
        before = audit.snapshot(row)
        row.released_at, row.released_by, row.release_reason = utcnow(), actor.account_id, why
        audit.record(s, actor, "retention.release", row, before)
        return _hold_view(s, row)


def holds(db: Database, actor: Actor) -> list[HoldView]:
    """Every hold not yet released."""
    require(actor, *APPLY)
    with db.read() as s:
        rows = s.scalars(
            select(LegalHoldRow).where(LegalHoldRow.released_at.is_(None)).order_by(LegalHoldRow.placed_at)
        )
        return [_hold_view(s, r) for r in rows]


# -- what is due ------------------------------------------------------------------------


def months_before(day: date, months: int) -> date:
    """The same day of the month ``months`` earlier (the month's last day if it has none)."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


@dataclass
class Due:
    """Rows past their period, by kind and table."""

    rows: dict[tuple[Kind, str], list[Any]]
    held: set[str]

    def add(self, kind: Kind, rows: Iterable[Any]) -> None:
        for row in rows:
            self.rows.setdefault((kind, row.__tablename__), []).append(row)


def _last_activity(s: Session) -> dict[str, date]:
    """Each candidate's last sitting day, or the day they were added if they never sat."""
    last = {
        str(c): d
        for c, d in s.execute(
            select(SittingRow.candidate_id, func.max(SittingRow.day)).group_by(SittingRow.candidate_id)
        )
    }
    out: dict[str, date] = {}
    for cid, created in s.execute(select(CandidateRow.id, CandidateRow.created_at)):
        out[str(cid)] = max(last.get(str(cid), created.date()), created.date())
    return out


def has_adjustments(c: CandidateRow) -> bool:
    return bool(
        c.extra_time_percent or c.extra_time_minutes or c.break_between_scenarios or c.adjustment_notes
    )


def is_erased(c: CandidateRow) -> bool:
    return c.registration_number.startswith(ERASED_PREFIX)


def _due(s: Session, today: date) -> Due:
    periods = _periods(s)
    held = held_candidates(s)
    due = Due({}, held)
    last = _last_activity(s)

    def run_out(kind: Kind) -> set[str]:
        cutoff = months_before(today, periods[kind].amount)
        return {cid for cid, day in last.items() if day < cutoff and cid not in held}

    gone = run_out(Kind.IDENTITY)
    candidates = {c.id: c for c in s.scalars(select(CandidateRow))}
    adjusted = run_out(Kind.ADJUSTMENTS)
    due.add(Kind.ADJUSTMENTS, (candidates[c] for c in sorted(adjusted) if has_adjustments(candidates[c])))
    due.add(Kind.IDENTITY, (candidates[c] for c in sorted(gone) if not is_erased(candidates[c])))
    due.add(Kind.IDENTITY, s.scalars(select(EndorsementRow).where(EndorsementRow.candidate_id.in_(gone))))
    due.add(Kind.IDENTITY, s.scalars(select(ConflictRow).where(ConflictRow.candidate_id.in_(gone))))
    due.add(
        Kind.EQUALITY,
        s.scalars(
            select(EqualityMonitoringRow).where(
                EqualityMonitoringRow.candidate_id.in_(run_out(Kind.EQUALITY))
            )
        ),
    )

    open_sittings = SittingRow.candidate_id.not_in(held)
    cutoff = months_before(today, periods[Kind.SCRIPTS].amount)
    due.add(
        Kind.SCRIPTS,
        s.scalars(
            select(ScriptRow)
            .join(SittingRow, SittingRow.id == ScriptRow.sitting_id)
            .where(SittingRow.day < cutoff, open_sittings, ScriptRow.text != "")
        ),
    )
    since = _start_of(today) - timedelta(days=periods[Kind.RECORDINGS].amount)
    due.add(
        Kind.RECORDINGS,
        s.scalars(
            select(RecordingRow)
            .join(SittingRow, SittingRow.id == RecordingRow.sitting_id)
            .where(
                RecordingRow.started_at < since, RecordingRow.status.not_in(GONE_RECORDINGS), open_sittings
            )
        ),
    )
    signed_before = _start_of(months_before(today, periods[Kind.REPORTS].amount))
    # A report goes whole, every version, once its newest version is past the period.
    keys = set(
        s.scalars(
            select(SignedDocumentRow.report_key)
            .outerjoin(SittingRow, SittingRow.id == SignedDocumentRow.sitting_id)
            .where(SittingRow.candidate_id.is_(None) | open_sittings)
            .group_by(SignedDocumentRow.report_key)
            .having(func.max(SignedDocumentRow.signed_at) < signed_before)
        )
    )
    documents = list(s.scalars(select(SignedDocumentRow).where(SignedDocumentRow.report_key.in_(keys))))
    ids = [d.id for d in documents]
    due.add(
        Kind.REPORTS, s.scalars(select(DocumentSignatureRow).where(DocumentSignatureRow.document_id.in_(ids)))
    )
    # Newest first, so a version that supersedes another goes before the one it names.
    due.add(Kind.REPORTS, sorted(documents, key=lambda d: d.version, reverse=True))
    due.add(
        Kind.REPORTS,
        s.scalars(
            select(EvidenceNoteRow)
            .join(SittingRow, SittingRow.id == EvidenceNoteRow.sitting_id)
            .where(SittingRow.day < signed_before.date(), open_sittings)
        ),
    )
    return due


# -- removing -----------------------------------------------------------------------------


def pseudonymise(c: CandidateRow) -> None:
    """The candidate's identity replaced by a pseudonym made from nothing of theirs."""
    tag = c.id[:8]
    c.full_name = f"Erased candidate {tag}"
    c.registration_number = f"{ERASED_PREFIX}{tag}"
    c.email = None
    c.prior_results = None


def blank_adjustments(c: CandidateRow) -> None:
    c.extra_time_percent = 0
    c.extra_time_minutes = 0
    c.break_between_scenarios = False
    c.adjustment_notes = ""


def remove_media(data_dir: Path, folder: str) -> None:
    target = (data_dir / folder).resolve()
    root = (data_dir / RECORDINGS_FOLDER).resolve()
    if root not in target.parents:  # a row never names a folder outside the recordings
        raise UserError(f"{folder}: not a recording folder; nothing deleted")
    shutil.rmtree(target, ignore_errors=True)


def remove(s: Session, actor: Actor, action: str, kind: Kind, row: Base, now: datetime) -> str | None:
    """Removes or blanks one row as its kind says, with an entry holding only what is
    left; a candidate's row is changed only, to be recorded once by ``record_left``
    when all its kinds are done (an entry between two would hold what the next removes).
    Returns a recording's folder whose media is to go once the change commits."""
    if isinstance(row, CandidateRow):
        if kind == Kind.IDENTITY:
            pseudonymise(row)
        else:
            blank_adjustments(row)
        return None
    folder: str | None = None
    deleted = False
    if isinstance(row, ScriptRow):
        row.text, row.word_count = "", 0
    elif isinstance(row, RecordingRow):
        row.status, row.deleted_at = "expired", now
        folder = row.folder
    else:
        deleted = True
    audit.record(s, actor, action, row, None, deleted=deleted)
    if deleted:
        # A plain DELETE, not the session's: the session would record the row again as
        # deleted, with its values. In order: a signature before its document.
        table = type(row).__table__
        s.execute(table.delete().where(table.c.id == row.id))  # type: ignore[attr-defined]
        s.expunge(row)
    return folder


def record_left(s: Session, actor: Actor, action: str, rows: Iterable[Base]) -> None:
    """One entry per changed candidate, holding the row as it is left."""
    for row in {id(r): r for r in rows}.values():
        audit.record(s, actor, action, row, None)


def _counts(due: Due) -> tuple[Removed, ...]:
    return tuple(Removed(kind, table, len(rows)) for (kind, table), rows in due.rows.items() if rows)


def apply_retention(
    db: Database, actor: Actor, today: date, *, dry_run: bool = False, data_dir: Path | None = None
) -> RetentionResult:
    """Removes or blanks everything past its period on ``today`` (``dry_run``: only says
    what would go). A recording's media is deleted from ``data_dir`` when it is given;
    without it the row is marked expired and the media left for the recordings' own
    expiry to find."""
    require(actor, *APPLY)
    with db.read() if dry_run else db.write() as s:
        due = _due(s, today)
        removed = _counts(due)
        held = tuple(
            sorted(
                str(r)
                for r in s.scalars(
                    select(CandidateRow.registration_number).where(CandidateRow.id.in_(due.held))
                )
            )
        )
        audit_cutoff = _start_of(months_before(today, _periods(s)[Kind.AUDIT].amount))
        old_entries = int(s.scalar(select(func.count()).where(AuditEntryRow.at < audit_cutoff)) or 0)
        if dry_run:
            return RetentionResult(today, True, removed, held, old_entries)
        now = utcnow()
        folders: list[str] = []
        for (kind, _table), rows in due.rows.items():
            for row in rows:
                folder = remove(s, actor, f"retention.{kind.value}", kind, row, now)
                if folder is not None:
                    folders.append(folder)
        record_left(
            s,
            actor,
            "retention.candidate",
            (r for (_, t), rows in due.rows.items() if t == "candidates" for r in rows),
        )
        centre_id = s.scalar(select(CentreRow.id).limit(1)) or ""
        audit.note(
            s,
            actor,
            "retention.applied",
            "retention_periods",
            centre_id,
            {
                "today": today.isoformat(),
                "removed": [{"kind": r.kind.value, "table": r.table, "count": r.count} for r in removed],
                "held_candidates": len(held),
            },
        )
    if data_dir is not None:
        for folder in folders:  # last: a refused write leaves the media
            remove_media(data_dir, folder)
    return RetentionResult(today, False, removed, held, old_entries)
