"""Employers: the local authorities, trusts and agencies whose social workers are assessed.

Candidates and accounts name their employer as text (the conflict-of-interest rule
compares the names), so a rename carries every record that names the employer with it,
in the same transaction, each change audited: a name can never be renamed out from
under the records that use it. An employer is deactivated, never deleted, for the same
reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import AccountRow, CandidateRow, EmployerRow, EndorsementRow
from naas_centre.errors import Conflict, NotFound, UserError
from naas_centre.services import audit, capabilities
from naas_centre.services.accounts import require
from naas_centre.services.views import Actor

KEEPERS = capabilities.RUN_CENTRE
KINDS: dict[str, str] = {
    "local_authority": "Local authority",
    "trust": "Trust",
    "agency": "Agency",
    "other": "Other",
}
MAX_NAME = 200


@dataclass(frozen=True)
class EmployerEntry:
    id: str
    name: str
    kind: str
    contact_email: str | None
    active: bool
    candidates: int  # candidates who name it
    accounts: int  # accounts (assessors, mostly) who name it

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)


@dataclass(frozen=True)
class Renamed:
    """What a rename carried with it."""

    employer: EmployerEntry
    old_name: str
    candidates: int
    accounts: int
    endorsements: int


def find(s: Session, name: str) -> EmployerRow | None:
    """The employer of that name, ignoring case and repeated spaces."""
    wanted = " ".join(name.split()).casefold()
    for row in s.scalars(select(EmployerRow)):
        if " ".join(row.name.split()).casefold() == wanted:
            return row
    return None


def names(s: Session, *, active_only: bool = True) -> list[str]:
    """Employers' names in order, for lists and checks by other services."""
    q = select(EmployerRow.name).order_by(EmployerRow.name)
    if active_only:
        q = q.where(EmployerRow.active.is_(True))
    return list(s.scalars(q))


def _entry(s: Session, row: EmployerRow) -> EmployerEntry:
    candidates = s.scalar(select(func.count()).where(CandidateRow.employer == row.name)) or 0
    accounts = s.scalar(select(func.count()).where(AccountRow.employer == row.name)) or 0
    return EmployerEntry(
        row.id, row.name, row.kind, row.contact_email, row.active, int(candidates), int(accounts)
    )


def _clean_name(name: str) -> str:
    clean = " ".join(name.split())
    if not clean:
        raise UserError("An employer needs a name, such as Leeds City Council.")
    if len(clean) > MAX_NAME:
        raise UserError(f"An employer's name has at most {MAX_NAME} characters.")
    return clean


def _clean_kind(kind: str) -> str:
    if kind in KINDS:
        return kind
    for key, label in KINDS.items():
        if kind.strip().casefold() == label.casefold():
            return key
    known = ", ".join(label.lower() for label in KINDS.values())
    raise UserError(f"There is no kind of employer called {kind!r} (kinds: {known}).")


def _clean_email(email: str | None) -> str | None:
    clean = (email or "").strip()
    if not clean:
        return None
    local, _, domain = clean.partition("@")
    if not local or "." not in domain or " " in clean or len(clean) > 200:
        raise UserError(f"{clean!r} is not an email address, such as accreditation@leeds.gov.uk.")
    return clean


def _employer(s: Session, employer_id: str) -> EmployerRow:
    row = s.get(EmployerRow, employer_id)
    if row is None:
        raise NotFound("No such employer: it may have been changed on another workstation.")
    return row


def list_employers(db: Database, actor: Actor) -> list[EmployerEntry]:
    require(actor, *KEEPERS)
    with db.read() as s:
        rows = list(s.scalars(select(EmployerRow).order_by(EmployerRow.name)))
        return [_entry(s, r) for r in rows]


def add_employer(
    db: Database, actor: Actor, name: str, kind: str = "local_authority", contact_email: str | None = None
) -> EmployerEntry:
    require(actor, *KEEPERS)
    clean, kind, email = _clean_name(name), _clean_kind(kind), _clean_email(contact_email)
    with db.write() as s:
        same = find(s, clean)
        if same is not None:
            state = "" if same.active else " (deactivated: re-activate it instead)"
            raise Conflict(f"There is already an employer called {same.name!r}{state}.")
        row = EmployerRow(name=clean, kind=kind, contact_email=email, active=True)
        s.add(row)
        audit.record(s, actor, "employer.create", row, None)
        return _entry(s, row)


def update_employer(
    db: Database, actor: Actor, employer_id: str, *, kind: str, contact_email: str | None
) -> EmployerEntry:
    """Its kind and contact address; a new name goes through ``rename_employer``."""
    require(actor, *KEEPERS)
    kind, email = _clean_kind(kind), _clean_email(contact_email)
    with db.write() as s:
        row = _employer(s, employer_id)
        before = audit.snapshot(row)
        row.kind, row.contact_email = kind, email
        if audit.snapshot(row) != before:
            audit.record(s, actor, "employer.update", row, before)
        return _entry(s, row)


def rename_employer(db: Database, actor: Actor, employer_id: str, new_name: str) -> Renamed:
    """A new name for the employer and for every candidate, account and endorsement that
    names it, in one transaction: every changed row gets its own audit entry."""
    require(actor, *KEEPERS)
    clean = _clean_name(new_name)
    with db.write() as s:
        row = _employer(s, employer_id)
        old = row.name
        if clean == old:
            return Renamed(_entry(s, row), old, 0, 0, 0)
        same = find(s, clean)
        if same is not None and same.id != row.id:
            raise Conflict(f"There is already an employer called {same.name!r}: a name can be used once.")
        carried = [
            _carry(s, actor, model, old, clean) for model in (CandidateRow, AccountRow, EndorsementRow)
        ]
        before = audit.snapshot(row)
        row.name = clean
        audit.record(s, actor, "employer.rename", row, before)
        return Renamed(_entry(s, row), old, *carried)


def _carry(
    s: Session,
    actor: Actor,
    model: type[CandidateRow] | type[AccountRow] | type[EndorsementRow],
    old: str,
    new: str,
) -> int:
    """Renames the employer in every row of ``model`` that names it; how many changed."""
    changed = 0
    rows = cast(
        list[CandidateRow | AccountRow | EndorsementRow],
        list(s.scalars(select(model).where(model.employer == old))),
    )
    for named in rows:
        before = audit.snapshot(named)
        named.employer = new
        audit.record(s, actor, "employer.rename_carried", named, before)
        changed += 1
    return changed


def set_employer_active(db: Database, actor: Actor, employer_id: str, active: bool) -> EmployerEntry:
    """A deactivated employer keeps its records but takes no new candidates or accounts."""
    require(actor, *KEEPERS)
    with db.write() as s:
        row = _employer(s, employer_id)
        if row.active != active:
            before = audit.snapshot(row)
            row.active = active
            audit.record(s, actor, "employer.activate" if active else "employer.deactivate", row, before)
        return _entry(s, row)
