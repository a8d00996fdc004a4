"""Declared conflicts of interest: an assessor who must never assess a given candidate.

Beside the rule that an assessor never assesses a candidate from their own employer,
an assessor may know, line-manage or have worked with a candidate from another one.
The centre records that here, with a note, and the planner asks ``conflicts_between``
before it pairs anyone. A conflict is withdrawn (a mistaken declaration), never edited:
the audit trail keeps what was declared and when.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import AccountRow, CandidateRow, ConflictRow
from naas_centre.errors import Conflict, NotFound, UserError
from naas_centre.services import audit, capabilities
from naas_centre.services.accounts import require
from naas_centre.services.views import Actor, Role

KEEPERS = capabilities.RUN_CENTRE
KINDS: dict[str, str] = {
    "knows": "Knows the candidate",
    "line_manages": "Line-manages the candidate",
    "worked_with": "Has worked with the candidate",
    "other": "Other (see the note)",
}
MAX_NOTE = 2000


@dataclass(frozen=True)
class ConflictEntry:
    id: str
    assessor_id: str
    assessor_name: str
    candidate_id: str
    candidate_name: str
    candidate_registration: str
    kind: str
    note: str
    declared_at: datetime

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)


@dataclass(frozen=True)
class Person:
    """Someone to choose in the declaration form."""

    id: str
    name: str
    detail: str  # an assessor's employer, a candidate's registration number and employer


def conflicts_between(
    s: Session, assessor_ids: Iterable[str], candidate_ids: Iterable[str]
) -> set[tuple[str, str]]:
    """The (assessor id, candidate id) pairs among these that have a declared conflict."""
    assessors, candidates = set(assessor_ids), set(candidate_ids)
    if not assessors or not candidates:
        return set()
    rows = s.execute(
        select(ConflictRow.assessor_id, ConflictRow.candidate_id).where(
            ConflictRow.assessor_id.in_(assessors), ConflictRow.candidate_id.in_(candidates)
        )
    )
    return {(a, c) for a, c in rows}


def _entry(row: ConflictRow, assessor: AccountRow, candidate: CandidateRow) -> ConflictEntry:
    return ConflictEntry(
        row.id,
        assessor.id,
        assessor.display_name,
        candidate.id,
        candidate.full_name,
        candidate.registration_number,
        row.kind,
        row.note,
        row.created_at,
    )


def list_conflicts(db: Database, actor: Actor) -> list[ConflictEntry]:
    require(actor, *KEEPERS)
    with db.read() as s:
        rows = s.execute(
            select(ConflictRow, AccountRow, CandidateRow)
            .join(AccountRow, AccountRow.id == ConflictRow.assessor_id)
            .join(CandidateRow, CandidateRow.id == ConflictRow.candidate_id)
            .order_by(AccountRow.display_name, CandidateRow.full_name)
        )
        return [_entry(c, a, p) for c, a, p in rows]


def choices(db: Database, actor: Actor) -> tuple[list[Person], list[Person]]:
    """The active assessors and the candidates a conflict can be declared between."""
    require(actor, *KEEPERS)
    with db.read() as s:
        assessors = [
            Person(a.id, a.display_name, a.employer or "no employer given")
            for a in s.scalars(
                select(AccountRow)
                .where(AccountRow.role == Role.ASSESSOR.value, AccountRow.active.is_(True))
                .order_by(AccountRow.display_name)
            )
        ]
        candidates = [
            Person(c.id, c.full_name, f"{c.registration_number}, {c.employer}")
            for c in s.scalars(select(CandidateRow).order_by(CandidateRow.full_name))
        ]
        return assessors, candidates


def declare_conflict(
    db: Database, actor: Actor, assessor_id: str, candidate_id: str, kind: str, note: str = ""
) -> ConflictEntry:
    require(actor, *KEEPERS)
    if kind not in KINDS:
        known = ", ".join(KINDS)
        raise UserError(f"There is no kind of conflict called {kind!r} (kinds: {known}).")
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise UserError(f"The note has {len(note)} characters; at most {MAX_NOTE} are kept.")
    if kind == "other" and not note:
        raise UserError("Say in the note what the conflict is when its kind is Other.")
    with db.write() as s:
        assessor = s.get(AccountRow, assessor_id)
        if assessor is None:
            raise NotFound("No such assessor.")
        if assessor.role != Role.ASSESSOR.value:
            raise UserError(
                f"{assessor.display_name} is not an assessor: conflicts are declared for assessors."
            )
        candidate = s.get(CandidateRow, candidate_id)
        if candidate is None:
            raise NotFound("No such candidate.")
        if conflicts_between(s, [assessor.id], [candidate.id]):
            raise Conflict(
                f"A conflict between {assessor.display_name} and {candidate.full_name} is already declared."
            )
        row = ConflictRow(assessor_id=assessor.id, candidate_id=candidate.id, kind=kind, note=note)
        s.add(row)
        audit.record(s, actor, "conflict.declare", row, None)
        return _entry(row, assessor, candidate)


def withdraw_conflict(db: Database, actor: Actor, conflict_id: str) -> None:
    """Removes a declaration made in error; the audit trail keeps what it said."""
    require(actor, *KEEPERS)
    with db.write() as s:
        row = s.get(ConflictRow, conflict_id)
        if row is None:
            raise NotFound("No such conflict: it may have been withdrawn on another workstation.")
        before = audit.snapshot(row)
        s.delete(row)
        audit.record(s, actor, "conflict.withdraw", row, before, deleted=True)
