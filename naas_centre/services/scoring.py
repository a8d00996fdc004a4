"""Recording scores, judgements and evidence notes, and submitting a sheet.

Each call is one durable transaction: when it returns, the change is on disk and in
the audit trail. After an assessor submits, their sheet is read-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.base import utcnow
from db.engine import Database
from db.models import EvidenceNoteRow, JudgementRow, ScoreRow, SittingAssessorRow, SittingRow
from naas_centre.errors import Conflict, NotFound, PermissionDenied, UserError
from naas_centre.packs.schema import Pack
from naas_centre.services import audit, packs
from naas_centre.services.views import Actor, Role

JUDGEMENTS = ("met", "not_met")


@dataclass(frozen=True)
class _Open:
    sitting: SittingRow
    link: SittingAssessorRow
    pack: Pack


def _open_for_scoring(s: Session, actor: Actor, sitting_id: str) -> _Open:
    if actor.role != Role.ASSESSOR:
        raise PermissionDenied("Only an assessor assigned to the sitting can score it.")
    sitting = s.get(SittingRow, sitting_id)
    if sitting is None:
        raise NotFound("No such sitting.")
    link = s.scalar(
        select(SittingAssessorRow).where(
            SittingAssessorRow.sitting_id == sitting_id, SittingAssessorRow.assessor_id == actor.account_id
        )
    )
    if link is None:
        raise PermissionDenied("This sitting is not assigned to you.")
    if link.submitted_at is not None:
        raise Conflict("You have submitted this sitting; your scores are read-only.")
    return _Open(sitting, link, packs.pack_by_id(s, sitting.pack_id))


def _check_criterion(pack: Pack, station_id: str, criterion_id: str, level: int | None) -> None:
    for station, rubric in pack.rubrics():
        if station != station_id:
            continue
        if criterion_id not in {c.id for c in rubric.criteria}:
            raise UserError(f"Station {station_id!r} has no criterion {criterion_id!r}.")
        scale = [lv.value for lv in pack.levels_for(rubric)]
        if level is not None and level not in scale:
            raise UserError(f"Level {level} is not on the scale ({', '.join(map(str, scale))}).")
        return
    raise UserError(f"The pack has no station {station_id!r}.")


def record_level(
    db: Database, actor: Actor, sitting_id: str, station_id: str, criterion_id: str, level: int | None
) -> None:
    """Sets (or with None clears) one criterion's level. Durable when it returns."""
    with db.write() as s:
        opened = _open_for_scoring(s, actor, sitting_id)
        _check_criterion(opened.pack, station_id, criterion_id, level)
        row = s.scalar(
            select(ScoreRow).where(
                ScoreRow.sitting_id == sitting_id,
                ScoreRow.assessor_id == actor.account_id,
                ScoreRow.station_id == station_id,
                ScoreRow.criterion_id == criterion_id,
            )
        )
        if row is None:
            if level is None:
                return
            row = ScoreRow(
                sitting_id=sitting_id,
                assessor_id=actor.account_id,
                station_id=station_id,
                criterion_id=criterion_id,
                level=level,
            )
            s.add(row)
            audit.record(s, actor, "score.set", row, None)
            return
        if row.level == level:
            return
        before = audit.snapshot(row)
        row.level = level
        audit.record(s, actor, "score.clear" if level is None else "score.set", row, before)


def set_judgement(
    db: Database, actor: Actor, sitting_id: str, station_id: str, judgement: str | None, rationale: str = ""
) -> None:
    if judgement is not None and judgement not in JUDGEMENTS:
        raise UserError(f"A judgement is one of: {', '.join(JUDGEMENTS)}.")
    with db.write() as s:
        opened = _open_for_scoring(s, actor, sitting_id)
        if station_id not in {sid for sid, _ in opened.pack.rubrics()}:
            raise UserError(f"The pack has no station {station_id!r}.")
        row = s.scalar(
            select(JudgementRow).where(
                JudgementRow.sitting_id == sitting_id,
                JudgementRow.assessor_id == actor.account_id,
                JudgementRow.station_id == station_id,
            )
        )
        before = audit.snapshot(row) if row else None
        if row is None:
            row = JudgementRow(sitting_id=sitting_id, assessor_id=actor.account_id, station_id=station_id)
            s.add(row)
        row.judgement = judgement
        row.rationale = rationale
        audit.record(s, actor, "judgement.set", row, before)


def add_note(
    db: Database,
    actor: Actor,
    sitting_id: str,
    station_id: str,
    text: str,
    *,
    criterion_id: str | None = None,
    phase: str | None = None,
    phase_clock_ms: int | None = None,
    written_at: datetime | None = None,
) -> str:
    if not text.strip():
        raise UserError("An empty note is not saved.")
    with db.write() as s:
        opened = _open_for_scoring(s, actor, sitting_id)
        if criterion_id is not None:
            _check_criterion(opened.pack, station_id, criterion_id, None)
        row = EvidenceNoteRow(
            sitting_id=sitting_id,
            assessor_id=actor.account_id,
            station_id=station_id,
            criterion_id=criterion_id,
            text=text,
            phase=phase,
            phase_clock_ms=phase_clock_ms,
            written_at=written_at or utcnow(),
        )
        s.add(row)
        audit.record(s, actor, "note.add", row, None)
        return row.id


def submit(db: Database, actor: Actor, sitting_id: str) -> None:
    """Closes the assessor's sheet. Every criterion and judgement must be in."""
    with db.write() as s:
        opened = _open_for_scoring(s, actor, sitting_id)
        have = {
            (r.station_id, r.criterion_id)
            for r in s.scalars(
                select(ScoreRow).where(
                    ScoreRow.sitting_id == sitting_id,
                    ScoreRow.assessor_id == actor.account_id,
                    ScoreRow.level.is_not(None),
                )
            )
        }
        missing = [
            f"{station}/{c.id}" for station, c in opened.pack.criteria() if (station, c.id) not in have
        ]
        if missing:
            raise Conflict(
                f"{len(missing)} criteria are not scored yet ({', '.join(missing[:4])}"
                f"{', …' if len(missing) > 4 else ''})."
            )
        judged = {
            j.station_id
            for j in s.scalars(
                select(JudgementRow).where(
                    JudgementRow.sitting_id == sitting_id,
                    JudgementRow.assessor_id == actor.account_id,
                    JudgementRow.judgement.is_not(None),
                )
            )
        }
        unjudged = [sid for sid, _ in opened.pack.rubrics() if sid not in judged]
        if unjudged:
            raise Conflict(f"No overall judgement yet for: {', '.join(unjudged)}.")
        before = audit.snapshot(opened.link)
        opened.link.submitted_at = utcnow()
        audit.record(s, actor, "sitting.submit", opened.link, before)


@dataclass(frozen=True)
class NoteView:
    id: str
    station_id: str
    criterion_id: str | None
    text: str
    phase: str | None
    phase_clock_ms: int | None
    written_at: datetime
    edited: bool


def edit_note(db: Database, actor: Actor, note_id: str, text: str, criterion_id: str | None = None) -> None:
    """Changes one's own note; the earlier wording stays in the audit trail."""
    if not text.strip():
        raise UserError("A note cannot be emptied; delete it instead.")
    with db.write() as s:
        row = s.get(EvidenceNoteRow, note_id)
        if row is None:
            raise NotFound("No such note.")
        if row.assessor_id != actor.account_id:
            raise PermissionDenied("Only the assessor who wrote a note can change it.")
        opened = _open_for_scoring(s, actor, row.sitting_id)
        if criterion_id is not None:
            _check_criterion(opened.pack, row.station_id, criterion_id, None)
        if row.text == text and row.criterion_id == criterion_id:
            return
        before = audit.snapshot(row)
        row.text = text
        row.criterion_id = criterion_id
        audit.record(s, actor, "note.edit", row, before)


def delete_note(db: Database, actor: Actor, note_id: str) -> None:
    with db.write() as s:
        row = s.get(EvidenceNoteRow, note_id)
        if row is None:
            raise NotFound("No such note.")
        if row.assessor_id != actor.account_id:
            raise PermissionDenied("Only the assessor who wrote a note can delete it.")
        _open_for_scoring(s, actor, row.sitting_id)
        before = audit.snapshot(row)
        s.delete(row)
        audit.record(s, actor, "note.delete", row, before, deleted=True)


def my_notes(db: Database, actor: Actor, sitting_id: str, station_id: str | None = None) -> list[NoteView]:
    """The asking assessor's own notes, oldest first. Never another assessor's."""
    with db.read() as s:
        q = select(EvidenceNoteRow).where(
            EvidenceNoteRow.sitting_id == sitting_id, EvidenceNoteRow.assessor_id == actor.account_id
        )
        if station_id is not None:
            q = q.where(EvidenceNoteRow.station_id == station_id)
        rows = s.scalars(q.order_by(EvidenceNoteRow.written_at)).all()
        return [
            NoteView(
                r.id,
                r.station_id,
                r.criterion_id,
                r.text,
                r.phase,
                r.phase_clock_ms,
                r.written_at,
                r.updated_at > r.created_at,
            )
            for r in rows
        ]
