"""The centre's candidates: bringing them in from a spreadsheet, their employers'
endorsements, and what a manager sees of them (attempts included).

An import is all or nothing: ``preview_import`` reads the file and says what is wrong
with it, row by row, without writing; ``import_candidates`` reads it again, refuses it
if anything in it is an error, and otherwise writes every candidate, their endorsement
and the audit entries in one transaction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.base import new_id, utcnow
from db.engine import Database
from db.models import AccountRow, CandidateRow, EmployerRow, EndorsementRow, PackRow, SittingRow
from naas_centre.errors import Conflict, NotFound, UserError
from naas_centre.imports.candidate_file import (
    ImportedCandidate,
    Known,
    key_of,
    normalise_name,
    read_candidate_file,
)
from naas_centre.imports.problems import Problem, write_problems_csv
from naas_centre.services import audit, capabilities
from naas_centre.services.accounts import require
from naas_centre.services.booking import LEVELS, long_date
from naas_centre.services.views import Actor

KEEPERS = capabilities.RUN_CENTRE
MAX_ENDORSER = 200


@dataclass(frozen=True)
class EndorsementView:
    id: str
    candidate_id: str
    level: str
    employer: str
    endorsed_by: str
    endorsed_on: date
    recorded_by: str  # the account's display name


@dataclass(frozen=True)
class AttemptView:
    sitting_id: str
    day: date
    level: str
    attempt: int
    status: str


@dataclass(frozen=True)
class CandidateEntry:
    """A candidate as the centre's list shows them."""

    id: str
    full_name: str
    registration_number: str
    employer: str
    level: str
    email: str | None
    extra_time_percent: int
    break_between_scenarios: bool
    adjustment_notes: str
    endorsements: tuple[EndorsementView, ...]
    attempts: tuple[AttemptView, ...]

    @property
    def endorsed(self) -> bool:
        """Endorsed by their current employer for their level."""
        return any(
            e.level == self.level and e.employer.casefold() == self.employer.casefold()
            for e in self.endorsements
        )


@dataclass(frozen=True)
class ImportPreview:
    """What an import would do: every row read, and every problem found."""

    path: str
    columns: tuple[str, ...]  # column keys found in the file (naas_centre.imports.columns)
    rows: tuple[ImportedCandidate, ...]
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)

    @property
    def clean(self) -> bool:
        return not self.errors

    @property
    def endorsements(self) -> int:
        return sum(1 for r in self.rows if r.endorsed_on is not None)


@dataclass(frozen=True)
class ImportResult:
    path: str
    candidates: int
    endorsements: int
    warnings: tuple[Problem, ...]  # what was changed on the way in (trimmed spaces, serial dates)


# Reading ----------------------------------------------------------------------------


def _known(s: Session) -> Known:
    registrations = {
        key_of(reg): name
        for reg, name in s.execute(select(CandidateRow.registration_number, CandidateRow.full_name))
    }
    employers = {
        normalise_name(name): (name, active)
        for name, active in s.execute(select(EmployerRow.name, EmployerRow.active))
    }
    return Known(registrations, employers)


def _endorsement_view(row: EndorsementRow, names: dict[str, str]) -> EndorsementView:
    return EndorsementView(
        row.id,
        row.candidate_id,
        row.level,
        row.employer,
        row.endorsed_by,
        row.endorsed_on,
        names.get(row.recorded_by, "an account since removed"),
    )


def _account_names(s: Session) -> dict[str, str]:
    return {aid: name for aid, name in s.execute(select(AccountRow.id, AccountRow.display_name))}


def list_candidates(db: Database, actor: Actor, *, search: str = "") -> list[CandidateEntry]:
    """Every candidate (or those whose name, number or employer holds ``search``), by name."""
    require(actor, *KEEPERS)
    wanted = search.strip().casefold()
    with db.read() as s:
        names = _account_names(s)
        endorsements: dict[str, list[EndorsementView]] = defaultdict(list)
        for e in s.scalars(select(EndorsementRow).order_by(EndorsementRow.endorsed_on)):
            endorsements[e.candidate_id].append(_endorsement_view(e, names))
        attempts: dict[str, list[AttemptView]] = defaultdict(list)
        for sid, cid, day, level, attempt, status in s.execute(
            select(
                SittingRow.id,
                SittingRow.candidate_id,
                SittingRow.day,
                PackRow.level,
                SittingRow.attempt,
                SittingRow.status,
            )
            .join(PackRow, PackRow.id == SittingRow.pack_id)
            .order_by(SittingRow.day, SittingRow.starts_at)
        ):
            attempts[cid].append(AttemptView(sid, day, level, attempt, status))
        out = []
        for c in s.scalars(
            select(CandidateRow).order_by(CandidateRow.full_name, CandidateRow.registration_number)
        ):
            if wanted and not any(
                wanted in v.casefold() for v in (c.full_name, c.registration_number, c.employer)
            ):
                continue
            out.append(
                CandidateEntry(
                    c.id,
                    c.full_name,
                    c.registration_number,
                    c.employer,
                    c.level,
                    c.email,
                    c.extra_time_percent,
                    c.break_between_scenarios,
                    c.adjustment_notes,
                    tuple(endorsements.get(c.id, ())),
                    tuple(attempts.get(c.id, ())),
                )
            )
        return out


def endorsements_of(db: Database, actor: Actor, candidate_id: str) -> list[EndorsementView]:
    require(actor, *KEEPERS)
    with db.read() as s:
        if s.get(CandidateRow, candidate_id) is None:
            raise NotFound("No such candidate: they may have been removed on another workstation.")
        names = _account_names(s)
        rows = s.scalars(
            select(EndorsementRow)
            .where(EndorsementRow.candidate_id == candidate_id)
            .order_by(EndorsementRow.endorsed_on)
        )
        return [_endorsement_view(r, names) for r in rows]


# Endorsements -----------------------------------------------------------------------


def _check_endorsement(level: str, endorsed_by: str, endorsed_on: date, today: date) -> str:
    if level not in LEVELS:
        raise UserError(f"{level!r} is not a level: practitioner, supervisor or leader.")
    who = " ".join(endorsed_by.split())
    if not who:
        raise UserError("Say who endorsed the candidate's practice: their name and role at the employer.")
    if len(who) > MAX_ENDORSER:
        raise UserError(f"The endorser's name and role are too long (at most {MAX_ENDORSER} characters).")
    if endorsed_on > today:
        raise UserError(f"The endorsement date, {long_date(endorsed_on)}, is in the future.")
    return who


def record_endorsement(
    db: Database,
    actor: Actor,
    candidate_id: str,
    level: str,
    endorsed_by: str,
    endorsed_on: date,
) -> EndorsementView:
    """The candidate's employer endorses their practice at ``level``: who, and when."""
    require(actor, *KEEPERS)
    who = _check_endorsement(level, endorsed_by, endorsed_on, utcnow().date())
    with db.write() as s:
        candidate = s.get(CandidateRow, candidate_id)
        if candidate is None:
            raise NotFound("No such candidate: they may have been removed on another workstation.")
        same = s.scalar(
            select(EndorsementRow).where(
                EndorsementRow.candidate_id == candidate_id,
                EndorsementRow.level == level,
                EndorsementRow.employer == candidate.employer,
            )
        )
        if same is not None:
            raise Conflict(
                f"{candidate.employer} already endorsed {candidate.full_name} at {level} level on "
                f"{long_date(same.endorsed_on)} ({same.endorsed_by}); withdraw it to record another."
            )
        row = EndorsementRow(
            candidate_id=candidate_id,
            level=level,
            employer=candidate.employer,
            endorsed_by=who,
            endorsed_on=endorsed_on,
            recorded_by=actor.account_id,
        )
        s.add(row)
        audit.record(s, actor, "endorsement.record", row, None)
        return _endorsement_view(row, {actor.account_id: actor.display_name})


def withdraw_endorsement(db: Database, actor: Actor, endorsement_id: str, reason: str) -> None:
    """The employer takes its endorsement back (or it was recorded in error). Sittings
    already booked stay; the next booking needs a new endorsement."""
    require(actor, *KEEPERS)
    why = " ".join(reason.split())
    if not why:
        raise UserError("Say why the endorsement is withdrawn.")
    with db.write() as s:
        row = s.get(EndorsementRow, endorsement_id)
        if row is None:
            raise NotFound("No such endorsement: it may have been withdrawn on another workstation.")
        before = audit.snapshot(row)
        s.delete(row)
        s.flush()
        audit.record(s, actor, "endorsement.withdraw", row, before, deleted=True)
        audit.note(s, actor, "endorsement.withdraw_reason", row.__tablename__, row.id, {"reason": why})


# Importing --------------------------------------------------------------------------


def _preview(s: Session, path: Path) -> ImportPreview:
    read = read_candidate_file(path, _known(s), today=utcnow().date())
    return ImportPreview(read.path, read.columns, read.rows, read.problems)


def preview_import(db: Database, actor: Actor, path: Path) -> ImportPreview:
    """Reads a candidate file against what the centre holds; writes nothing."""
    require(actor, *KEEPERS)
    with db.read() as s:
        return _preview(s, Path(path))


def import_candidates(db: Database, actor: Actor, path: Path) -> ImportResult:
    """Imports every candidate in the file, with their endorsements, in one transaction.

    The file is read again inside the write (another workstation may have added a
    candidate since the preview); any error refuses the whole file and writes nothing.
    """
    require(actor, *KEEPERS)
    with db.write() as s:
        preview = _preview(s, Path(path))
        if not preview.clean:
            first = preview.errors[0]
            more = len(preview.errors) - 1
            raise UserError(
                f"Nothing was imported: {first.line()}"
                + (f" (and {more} more problem{'s' if more != 1 else ''})" if more else "")
            )
        people: list[CandidateRow] = []
        endorsed: list[EndorsementRow] = []
        for r in preview.rows:
            person = CandidateRow(
                id=new_id(),
                full_name=r.full_name,
                registration_number=r.registration_number,
                employer=r.employer,
                level=r.level,
                email=r.email,
                extra_time_percent=r.extra_time_percent,
                break_between_scenarios=r.break_between_scenarios,
                adjustment_notes=r.adjustment_notes,
            )
            people.append(person)
            if r.endorsed_on is not None and r.endorsed_by:
                endorsed.append(
                    EndorsementRow(
                        candidate_id=person.id,
                        level=r.level,
                        employer=r.employer,
                        endorsed_by=r.endorsed_by,
                        endorsed_on=r.endorsed_on,
                        recorded_by=actor.account_id,
                    )
                )
        # One flush for every row (their defaults filled in), then the audit entries as
        # plain inserts: a 500-row file is written in a fraction of a second, not seconds.
        s.add_all(people)
        s.add_all(endorsed)
        s.flush()
        for person in people:
            audit.record_row(s, actor, "candidate.import", person, None)
        for e in endorsed:
            audit.record_row(s, actor, "endorsement.import", e, None)
        endorsements = len(endorsed)
        return ImportResult(
            preview.path,
            len(preview.rows),
            endorsements,
            tuple(p for p in preview.problems if not p.is_error),
        )


def save_problems(problems: tuple[Problem, ...] | list[Problem], target: Path) -> int:
    """The problem list as CSV, for whoever keeps the spreadsheet; returns how many."""
    try:
        return write_problems_csv(problems, Path(target))
    except OSError as exc:
        raise UserError(f"The problem list cannot be written to {target}: {exc.strerror or exc}.") from None
