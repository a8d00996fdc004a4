"""The written exercise: a kiosk grant for one candidate, autosaved scripts, marking.

The kiosk works through a ``KioskGrant``: it reaches one sitting's script and the
candidate-facing material of its pack, and nothing else (never an actor brief).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from db.base import utcnow
from db.engine import Database
from db.models import CandidateRow, ScriptRow, SittingAssessorRow, SittingRow
from naas_centre.errors import Conflict, NotFound, PermissionDenied, UserError
from naas_centre.packs.schema import ExamConditions
from naas_centre.services import access, accounts, audit, capabilities, marking, packs, timing
from naas_centre.services.views import Actor, Role

_WORD = re.compile(r"\S+")
STARTERS = capabilities.HAND_OVER


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


@dataclass(frozen=True)
class KioskGrant:
    """What a kiosk may touch: one sitting's written exercise, opened by a named person."""

    sitting_id: str
    station_id: str
    opened_by: Actor

    @property
    def actor(self) -> Actor:
        return Actor(self.opened_by.account_id, "kiosk", "Candidate", Role.CANDIDATE_KIOSK)


@dataclass(frozen=True)
class KioskMaterial:
    """Only what the candidate may see."""

    candidate_name: str
    title: str
    prompt: str
    case_material: str
    conditions: ExamConditions


@dataclass(frozen=True)
class ScriptState:
    text: str
    word_count: int
    revision: int
    saved_at: datetime | None
    submitted_at: datetime | None


def open_kiosk(db: Database, actor: Actor, sitting_id: str) -> KioskGrant:
    """An assessor or manager hands the workstation to the candidate for the written exercise."""
    accounts.require(actor, *STARTERS)
    with db.write() as s:
        sitting = access.open_sitting(s, actor, sitting_id, STARTERS, "start the written exercise")
        if sitting.status in ("planned", "withdrawn"):
            raise Conflict("Check the candidate in before starting the written exercise.")
        pack = packs.pack_by_id(s, sitting.pack_id)
        if pack.written_exercise is None:
            raise UserError("This sitting's pack has no written exercise.")
        script = s.scalar(select(ScriptRow).where(ScriptRow.sitting_id == sitting_id))
        if script is None:
            script = ScriptRow(sitting_id=sitting_id, text="", word_count=0, revision=0)
            s.add(script)
        grant = KioskGrant(sitting_id, pack.written_exercise.id, actor)
        s.flush()
        audit.note(s, actor, "kiosk.open", script.__tablename__, script.id, {"sitting": sitting_id})
    return grant


def material(db: Database, grant: KioskGrant) -> KioskMaterial:
    with db.read() as s:
        sitting = s.get(SittingRow, grant.sitting_id)
        assert sitting is not None
        candidate = s.get(CandidateRow, sitting.candidate_id)
        assert candidate is not None
        we = packs.pack_by_id(s, sitting.pack_id).written_exercise
        assert we is not None
        return KioskMaterial(candidate.full_name, we.title, we.prompt, we.case_material, we.conditions)


def script(db: Database, grant: KioskGrant) -> ScriptState:
    with db.read() as s:
        row = s.scalar(select(ScriptRow).where(ScriptRow.sitting_id == grant.sitting_id))
        if row is None:
            raise NotFound("The written exercise has not been opened.")
        return ScriptState(row.text, row.word_count, row.revision, row.saved_at, row.submitted_at)


def save(db: Database, grant: KioskGrant, text: str, at: datetime | None = None) -> ScriptState:
    """Stores the whole text, durably. Refused once the script is submitted.

    ``at`` is when the kiosk saved it, for a save replayed later (default: now)."""
    with db.write() as s:
        row = s.scalar(select(ScriptRow).where(ScriptRow.sitting_id == grant.sitting_id))
        if row is None:
            raise NotFound("The written exercise has not been opened.")
        if row.submitted_at is not None:
            raise Conflict("The script has been submitted and can no longer change.")
        if row.text != text:
            row.text = text
            row.word_count = word_count(text)
            row.revision += 1
            row.saved_at = at or utcnow()
        return ScriptState(row.text, row.word_count, row.revision, row.saved_at, row.submitted_at)


def submit(db: Database, grant: KioskGrant, text: str, how: str, at: datetime | None = None) -> ScriptState:
    """Final save and submission: ``how`` is "candidate" (early, confirmed) or "time_up".

    ``at`` is when the candidate submitted (or time ran out), for a submission replayed
    later (default: now)."""
    if how not in ("candidate", "time_up", "assessor"):
        raise UserError(f"Unknown way of submitting {how!r}.")
    save(db, grant, text, at)
    with db.write() as s:
        row = s.scalar(select(ScriptRow).where(ScriptRow.sitting_id == grant.sitting_id))
        assert row is not None
        if row.submitted_at is not None:
            return ScriptState(row.text, row.word_count, row.revision, row.saved_at, row.submitted_at)
        before = audit.snapshot(row)
        row.submitted_at = at or utcnow()
        row.submitted_how = how
        audit.record(s, grant.opened_by, f"script.submit.{how}", row, before)
        return ScriptState(row.text, row.word_count, row.revision, row.saved_at, row.submitted_at)


def leave_kiosk(db: Database, grant: KioskGrant, username: str, password: str) -> Actor:
    """Only an assessor or manager, with their password, takes the workstation back."""
    try:
        who = accounts.authenticate(db, username, password, door=accounts.KIOSK_EXIT)
    except UserError:
        _audit_exit(db, grant, username, ok=False)
        raise
    if who.role not in STARTERS:
        _audit_exit(db, grant, username, ok=False)
        raise PermissionDenied("Only an assessor or a centre manager can close the candidate's screen.")
    _audit_exit(db, grant, username, ok=True)
    return who


def _audit_exit(db: Database, grant: KioskGrant, username: str, ok: bool) -> None:
    with db.write() as s:
        row = s.scalar(select(ScriptRow).where(ScriptRow.sitting_id == grant.sitting_id))
        assert row is not None
        action = "kiosk.exit" if ok else "kiosk.exit_refused"
        audit.note(s, grant.opened_by, action, row.__tablename__, row.id, {"by": username})


def kiosk_timing(db: Database, grant: KioskGrant) -> timing.StationTiming:
    return timing.station_timing(db, grant.actor, grant.sitting_id, grant.station_id)


@dataclass(frozen=True)
class ScriptForMarking:
    sitting_id: str
    station_id: str
    label: str  # the candidate's name, or an anonymous code when marking is anonymous
    anonymous: bool
    text: str
    word_count: int
    submitted_at: datetime


def anonymous_code(db: Database, sitting_id: str) -> str:
    """The label a script is marked under: its sitting's random marking code."""
    return marking.script_label(marking.ensure_marking_codes(db, [sitting_id])[sitting_id])


def scripts_to_mark(db: Database, actor: Actor, *, reveal_names: bool = False) -> list[ScriptForMarking]:
    """Submitted scripts of the assessor's sittings; names hidden when the pack says so."""
    accounts.require(actor, Role.ASSESSOR)
    with db.read() as s:
        mine = s.scalars(
            select(SittingAssessorRow.sitting_id).where(SittingAssessorRow.assessor_id == actor.account_id)
        ).all()
    codes = marking.ensure_marking_codes(db, mine)
    with db.read() as s:
        rows = s.execute(
            select(ScriptRow, SittingRow, CandidateRow)
            .join(SittingRow, SittingRow.id == ScriptRow.sitting_id)
            .join(CandidateRow, CandidateRow.id == SittingRow.candidate_id)
            .join(SittingAssessorRow, SittingAssessorRow.sitting_id == SittingRow.id)
            .where(SittingAssessorRow.assessor_id == actor.account_id, ScriptRow.submitted_at.is_not(None))
            .order_by(ScriptRow.submitted_at)
        ).all()
        out = []
        for script_row, sitting, candidate in rows:
            we = packs.pack_by_id(s, sitting.pack_id).written_exercise
            assert we is not None and script_row.submitted_at is not None
            hide = we.conditions.anonymous_marking and not reveal_names
            out.append(
                ScriptForMarking(
                    sitting.id,
                    we.id,
                    marking.script_label(codes[sitting.id]) if hide else candidate.full_name,
                    hide,
                    script_row.text,
                    script_row.word_count,
                    script_row.submitted_at,
                )
            )
        return out
