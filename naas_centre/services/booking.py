"""Whether a candidate may be booked for a level on a day, and which attempt it would be.

The rules of the accreditation process, checked wherever a sitting is booked (planning
a single sitting, building a day's rota):

- the candidate's employer has endorsed their practice for that level, on or before the
  day;
- a re-sit follows a signed not-met outcome, no sooner than the centre's wait
  (``CentreRow.resit_wait_weeks``), and within its limit of attempts
  (``CentreRow.max_attempts``, 0 for none);
- a candidate sits at most once a day.

An earlier sitting's outcome is the latest signed version of its outcome report
(``SignedDocumentRow`` of kind ``outcome``): that is the outcome the candidate and their
employer were given. A sitting whose outcome is not yet signed blocks a re-sit until it
is; ``CandidateRow.prior_results`` is free text with no agreed form and is not read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import CandidateRow, CentreRow, EndorsementRow, PackRow, SignedDocumentRow, SittingRow
from naas_centre.errors import NotFound, UserError

LEVELS = ("practitioner", "supervisor", "leader")
OUTCOME_KIND = "outcome"


def long_date(day: date) -> str:
    """A date as a British reader writes it: 1 December 2026."""
    return f"{day.day} {day:%B %Y}"


@dataclass(frozen=True)
class _Earlier:
    sitting_id: str
    day: date
    level: str
    met: bool | None  # None: no outcome signed yet


def _outcomes(s: Session, sitting_ids: list[str]) -> dict[str, bool]:
    """Each sitting's signed outcome (met or not), from the latest version of its report."""
    if not sitting_ids:
        return {}
    rows = s.execute(
        select(SignedDocumentRow.sitting_id, SignedDocumentRow.version, SignedDocumentRow.snapshot)
        .where(SignedDocumentRow.kind == OUTCOME_KIND, SignedDocumentRow.sitting_id.in_(sitting_ids))
        .order_by(SignedDocumentRow.version)
    ).all()
    met: dict[str, bool] = {}
    for sitting_id, _version, snapshot in rows:  # later versions overwrite earlier ones
        if sitting_id is not None:
            met[sitting_id] = bool(json.loads(snapshot).get("met"))
    return met


def _sittings(s: Session, candidate_id: str) -> list[_Earlier]:
    rows = s.execute(
        select(SittingRow.id, SittingRow.day, PackRow.level)
        .join(PackRow, PackRow.id == SittingRow.pack_id)
        .where(SittingRow.candidate_id == candidate_id, SittingRow.status != "withdrawn")
        .order_by(SittingRow.day, SittingRow.starts_at)
    ).all()
    met = _outcomes(s, [r[0] for r in rows])
    return [_Earlier(r[0], r[1], r[2], met.get(r[0])) for r in rows]


def _check_endorsed(s: Session, candidate: CandidateRow, level: str, day: date) -> None:
    endorsements = s.scalars(
        select(EndorsementRow)
        .where(EndorsementRow.candidate_id == candidate.id, EndorsementRow.level == level)
        .order_by(EndorsementRow.endorsed_on)
    ).all()
    if not endorsements:
        raise UserError(
            f"{candidate.full_name} cannot be booked: {candidate.employer} has not endorsed their "
            f"practice at {level} level. Record the endorsement first."
        )
    current = [e for e in endorsements if e.employer.casefold() == candidate.employer.casefold()]
    if not current:
        raise UserError(
            f"{candidate.full_name} cannot be booked: their endorsement at {level} level is from "
            f"{endorsements[-1].employer}, and they now work for {candidate.employer}, who has not "
            "endorsed them."
        )
    if all(e.endorsed_on > day for e in current):
        raise UserError(
            f"{candidate.full_name} cannot be booked for {long_date(day)}: {candidate.employer} "
            f"endorsed their practice on {long_date(current[0].endorsed_on)}, after that day."
        )


def check_bookable(s: Session, candidate_id: str, level: str, day: date) -> int:
    """The attempt number a booking of ``candidate_id`` at ``level`` on ``day`` would be.

    Raises ``UserError`` with the rule and the dates when the booking is not allowed.
    Runs in the caller's session, so a planner can check many bookings in one read.
    """
    candidate = s.get(CandidateRow, candidate_id)
    if candidate is None:
        raise NotFound("No such candidate.")
    if level not in LEVELS:
        raise UserError(f"{level!r} is not a level (practitioner, supervisor or leader).")
    name = candidate.full_name
    booked = _sittings(s, candidate_id)
    for b in booked:
        if b.day == day:
            raise UserError(
                f"{name} is already booked for a sitting on {long_date(day)}; a candidate sits once a day."
            )
    at_level = [b for b in booked if b.level == level]
    later = [b for b in at_level if b.day > day]
    if later:
        raise UserError(
            f"{name} is already booked at {level} level on {long_date(later[0].day)}; "
            "withdraw that sitting before booking an earlier one."
        )
    _check_endorsed(s, candidate, level, day)
    if not at_level:
        return 1
    last = at_level[-1]
    if last.met is None:
        raise UserError(
            f"{name}'s attempt on {long_date(last.day)} has no signed outcome yet: a re-sit can be "
            "booked once it is signed (withdraw the sitting if it did not take place)."
        )
    if last.met:
        raise UserError(
            f"{name} met the standard at {level} level on {long_date(last.day)}: there is nothing to re-sit."
        )
    centre = s.scalars(select(CentreRow).limit(1)).first()
    wait_weeks = centre.resit_wait_weeks if centre else 0
    max_attempts = centre.max_attempts if centre else 0
    attempt = len(at_level) + 1
    if max_attempts and attempt > max_attempts:
        raise UserError(
            f"{name} has had {len(at_level)} attempts at {level} level; the centre allows at most "
            f"{max_attempts}."
        )
    earliest = last.day + timedelta(weeks=wait_weeks)
    if day < earliest:
        raise UserError(
            f"{name} did not meet the standard on {long_date(last.day)}; the centre's rule is a wait of "
            f"{wait_weeks} week{'s' if wait_weeks != 1 else ''} before a re-sit, so the earliest day is "
            f"{long_date(earliest)}."
        )
    return attempt
