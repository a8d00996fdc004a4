"""Recording scores, judgements and evidence notes, and submitting a sheet.

Each call is one durable transaction: when it returns, the change is on disk and in
the audit trail. After an assessor submits, their sheet is read-only.

In a circuit an assessor observes only some stations (``access.observed_stations``):
they record levels, judgements and notes on those alone, and their sheet is complete
when those are.

A level below the pack's standard carries the assessor's written reason
(``ScoreRow.reason``): a sheet holding one without its reason cannot be submitted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, and_, bindparam, select
from sqlalchemy.orm import Session

from db.base import new_id, utcnow
from db.driver_sql import DriverStatement
from db.engine import Database
from db.models import EvidenceNoteRow, JudgementRow, ScoreRow, SittingAssessorRow, SittingRow
from naas_centre.errors import Conflict, NotFound, PermissionDenied, UserError
from naas_centre.packs.schema import Criterion, Pack
from naas_centre.services import access, audit, packs
from naas_centre.services.views import Actor, Role

JUDGEMENTS = ("met", "not_met")
TITLE_CHARS = 70  # a criterion is named by the start of its text, cut on a word


def standard_level(pack: Pack) -> int:
    """The level that meets the pack's standard: a level below it needs a written reason."""
    standard = getattr(pack.outcome, "standard", None)  # the pack format's own, where it has one
    if callable(standard):
        return int(standard())
    return math.ceil(pack.outcome.area_pass_mark)


def criterion_title(criterion: Criterion) -> str:
    """A criterion as a person reads it in a list: its title, else its first sentence, kept short."""
    title = getattr(criterion, "title", None)
    if isinstance(title, str) and title.strip():
        return " ".join(title.split())
    text = " ".join(criterion.text.split())
    first = text.split(". ")[0].rstrip(".")
    if len(first) <= TITLE_CHARS:
        return first
    cut = first[:TITLE_CHARS].rsplit(" ", 1)[0].rstrip(",;:")
    return f"{cut}…"


def station_titles(pack: Pack) -> dict[str, str]:
    out = {sc.id: sc.title for sc in pack.scenarios}
    if pack.written_exercise is not None:
        out[pack.written_exercise.id] = pack.written_exercise.title
    return out


def _named(pack: Pack, keys: list[tuple[str, str]], most: int = 4) -> str:
    titles = station_titles(pack)
    criteria = {(station, c.id): c for station, c in pack.criteria()}
    names = [f"{titles.get(st, st)} — {criterion_title(criteria[(st, cid)])}" for st, cid in keys[:most]]
    more = len(keys) - most
    return "; ".join(names) + (f"; and {more} more" if more > 0 else "")


@dataclass(frozen=True)
class _Open:
    sitting: SittingRow
    link: SittingAssessorRow
    pack: Pack

    @property
    def stations(self) -> tuple[str, ...]:
        """The stations this assessor observes in the sitting."""
        return access.stations_in(self.link.stations, self.pack)

    def require_observed(self, station_id: str) -> None:
        _require_observed(self.pack, self.link.stations, station_id)


def _require_observed(pack: Pack, stations: str, station_id: str) -> None:
    """Refuses a station that is another assessor's in this sitting ("": every station is
    theirs, and nothing is refused that was not before)."""
    if stations.strip() and station_id not in access.stations_in(stations, pack):
        raise PermissionDenied(access.not_observed(station_titles(pack).get(station_id, station_id)))


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


# The statements of the live-scoring hot path, built once (building them costs more than running them).
_SITTINGS = cast(Table, SittingRow.__table__)
_LINKS = cast(Table, SittingAssessorRow.__table__)
_SCORES = cast(Table, ScoreRow.__table__)
# The click's statements, run on the driver's cursor (``db.driver_sql``): most of a
# click's time went into SQLAlchemy's execution machinery, not into the database.
_SHEET_OPEN = DriverStatement(
    select(_SITTINGS.c.pack_id, _LINKS.c.id, _LINKS.c.submitted_at, _LINKS.c.stations)
    .select_from(
        _SITTINGS.outerjoin(
            _LINKS, and_(_LINKS.c.sitting_id == _SITTINGS.c.id, _LINKS.c.assessor_id == bindparam("assessor"))
        )
    )
    .where(_SITTINGS.c.id == bindparam("sitting"))
)
_SCORE_NOW = DriverStatement(
    select(_SCORES.c.id, _SCORES.c.level, _SCORES.c.reason).where(
        _SCORES.c.sitting_id == bindparam("sitting"),
        _SCORES.c.assessor_id == bindparam("assessor"),
        _SCORES.c.station_id == bindparam("station"),
        _SCORES.c.criterion_id == bindparam("criterion"),
    )
)
_SCORE_ADD = DriverStatement(_SCORES.insert())
_SCORE_SET = DriverStatement(
    _SCORES.update()
    .where(_SCORES.c.id == bindparam("row"))
    .values(
        level=bindparam("new_level"),
        reason=bindparam("new_reason"),
        updated_at=bindparam("now"),
        workstation_id=bindparam("ws"),
    )
)


def record_level(
    db: Database,
    actor: Actor,
    sitting_id: str,
    station_id: str,
    criterion_id: str,
    level: int | None,
    reason: str | None = None,
    *,
    at: datetime | None = None,
) -> None:
    """Sets (or with None clears) one criterion's level. Durable when it returns.

    ``reason`` is the assessor's own words for the level (needed at submit for a level
    below the standard); None keeps the reason already given. ``at`` is when the level
    was given (by default now), as ``add_note``'s ``written_at``; the audit entry is
    made now, as always.

    This is the hot path of live scoring (a click, ten times a second, while the GUI
    thread paints): the same checks and the same audit entry as everywhere else, in
    prepared SQL statements, one query for the checks and no ORM unit of work.
    """
    if actor.role != Role.ASSESSOR:
        raise PermissionDenied("Only an assessor assigned to the sitting can score it.")
    with db.write() as s:
        conn = s.connection()
        found = _SHEET_OPEN.execute(conn, {"sitting": sitting_id, "assessor": actor.account_id})
        if not found:
            raise NotFound("No such sitting.")
        pack_id, link_id, submitted_at, stations = found[0]
        if link_id is None:
            raise PermissionDenied("This sitting is not assigned to you.")
        if submitted_at is not None:
            raise Conflict("You have submitted this sitting; your scores are read-only.")
        pack = packs.pack_by_id(s, pack_id)
        _check_criterion(pack, station_id, criterion_id, level)
        _require_observed(pack, stations or "", station_id)
        key = {
            "sitting": sitting_id,
            "assessor": actor.account_id,
            "station": station_id,
            "criterion": criterion_id,
        }
        now_rows = _SCORE_NOW.execute(conn, key)
        current = now_rows[0] if now_rows else None
        now = at or utcnow()
        given = " ".join(reason.split()) if reason is not None else None
        # Never added to the session: the row's values after the change, for the audit entry.
        row = ScoreRow(
            sitting_id=sitting_id,
            assessor_id=actor.account_id,
            station_id=station_id,
            criterion_id=criterion_id,
        )
        if current is None:
            if level is None and not given:
                return
            row.id, row.level, row.reason = new_id(), level, given or ""
            _SCORE_ADD.execute(
                conn,
                {
                    "id": row.id,
                    "created_at": now,
                    "updated_at": now,
                    "workstation_id": db.workstation_id,
                    "sitting_id": sitting_id,
                    "assessor_id": actor.account_id,
                    "station_id": station_id,
                    "criterion_id": criterion_id,
                    "level": level,
                    "reason": row.reason,
                },
            )
            audit.record_row(s, actor, "score.set", row, None)
            return
        current_id, current_level, current_reason = current
        new_reason = current_reason if given is None else given
        if current_level == level and current_reason == new_reason:
            return
        row.id, row.level, row.reason = current_id, current_level, current_reason
        before = audit.snapshot(row)
        row.level, row.reason = level, new_reason
        _SCORE_SET.execute(
            conn,
            {
                "row": current_id,
                "new_level": level,
                "new_reason": new_reason,
                "now": now,
                "ws": db.workstation_id,
            },
        )
        action = "score.clear" if level is None else "score.set" if current_level != level else "score.reason"
        audit.record_row(s, actor, action, row, before)


def my_reasons(db: Database, actor: Actor, sitting_id: str) -> dict[tuple[str, str], str]:
    """The asking assessor's own reasons for their levels: (station, criterion) → reason."""
    if actor.role != Role.ASSESSOR:
        raise PermissionDenied("Only an assessor has reasons of their own for levels.")
    with db.read() as s:
        rows = s.execute(
            select(ScoreRow.station_id, ScoreRow.criterion_id, ScoreRow.reason).where(
                ScoreRow.sitting_id == sitting_id, ScoreRow.assessor_id == actor.account_id
            )
        ).all()
    return {(st, cid): reason for st, cid, reason in rows if reason}


def set_judgement(
    db: Database,
    actor: Actor,
    sitting_id: str,
    station_id: str,
    judgement: str | None,
    rationale: str | None = None,
    *,
    at: datetime | None = None,
    borderline: bool = False,
) -> None:
    """Sets (or with None clears) the assessor's overall judgement of one station.

    ``borderline`` marks it "only just" met or not met (the grade standard setting
    regresses on); it is set with the judgement, in the same audited change, and
    clearing the judgement clears it. ``rationale`` None keeps the reasons already
    given; ``at`` is when the judgement was given (by default now); the audit entry is
    made now, as always.
    """
    if judgement is not None and judgement not in JUDGEMENTS:
        raise UserError(f"A judgement is one of: {', '.join(JUDGEMENTS)}.")
    if borderline and judgement is None:
        raise UserError("Only a judgement of met or not met can be marked borderline; choose one first.")
    with db.write() as s:
        opened = _open_for_scoring(s, actor, sitting_id)
        if station_id not in {sid for sid, _ in opened.pack.rubrics()}:
            raise UserError(f"The pack has no station {station_id!r}.")
        opened.require_observed(station_id)
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
            if at is not None:
                row.created_at = at
            s.add(row)
        if at is not None:
            row.updated_at = at
        row.judgement = judgement
        row.borderline = bool(borderline)
        if rationale is not None:  # None keeps the reasons (or marking feedback) already given
            row.rationale = rationale
        audit.record(s, actor, "judgement.set", row, before)


def my_borderline(db: Database, actor: Actor, sitting_id: str) -> frozenset[str]:
    """The stations whose judgement the asking assessor marked borderline in this sitting
    (read beside the sheet, like their reasons)."""
    if actor.role != Role.ASSESSOR:
        raise PermissionDenied("Only an assessor has judgements of their own.")
    with db.read() as s:
        rows = s.scalars(
            select(JudgementRow.station_id).where(
                JudgementRow.sitting_id == sitting_id,
                JudgementRow.assessor_id == actor.account_id,
                JudgementRow.borderline.is_(True),
            )
        ).all()
    return frozenset(rows)


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
    note_id: str | None = None,
) -> str:
    """Adds an evidence note and returns its id.

    ``note_id`` is the id of the write that asks for it (a queued, journaled change):
    the note is stored under that id, and asking again with the same id returns the
    note already stored, so a replayed write is never recorded twice.
    """
    if not text.strip():
        raise UserError("An empty note is not saved.")
    with db.write() as s:
        opened = _open_for_scoring(s, actor, sitting_id)
        if note_id is not None:
            stored = s.get(EvidenceNoteRow, note_id)
            if stored is not None:
                if stored.assessor_id != actor.account_id or stored.sitting_id != sitting_id:
                    raise Conflict("That note id belongs to another note.")
                return stored.id
        opened.require_observed(station_id)
        if criterion_id is not None:
            _check_criterion(opened.pack, station_id, criterion_id, None)
        stamp = utcnow()  # one instant for both: a note is "edited" only once it changes
        row = EvidenceNoteRow(
            id=note_id or new_id(),
            created_at=stamp,
            updated_at=stamp,
            sitting_id=sitting_id,
            assessor_id=actor.account_id,
            station_id=station_id,
            criterion_id=criterion_id,
            text=text,
            phase=phase,
            phase_clock_ms=phase_clock_ms,
            written_at=written_at or stamp,
        )
        s.add(row)
        audit.record(s, actor, "note.add", row, None)
        return row.id


def submit(db: Database, actor: Actor, sitting_id: str) -> None:
    """Closes the assessor's sheet.

    Every criterion and judgement of the stations they observe must be in, and every
    level below the standard must carry its reason; a refusal names what is missing, by
    title. What the sitting itself lacks (a station never held, a script not in:
    ``services.completeness``) the sitting screen shows before submitting, and the
    outcome waits for it.
    """
    with db.write() as s:
        opened = _open_for_scoring(s, actor, sitting_id)
        pack = opened.pack
        scores = {
            (r.station_id, r.criterion_id): r
            for r in s.scalars(
                select(ScoreRow).where(
                    ScoreRow.sitting_id == sitting_id,
                    ScoreRow.assessor_id == actor.account_id,
                    ScoreRow.level.is_not(None),
                )
            )
        }
        mine = set(opened.stations)
        criteria = [(station, c.id) for station, c in pack.criteria() if station in mine]
        missing = [key for key in criteria if key not in scores]
        if missing:
            raise Conflict(f"{len(missing)} criteria are not scored yet ({_named(pack, missing)}).")
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
        titles = station_titles(pack)
        unjudged = [titles[sid] for sid in opened.stations if sid not in judged]
        if unjudged:
            raise Conflict(f"No overall judgement yet for: {', '.join(unjudged)}.")
        standard = standard_level(pack)
        unexplained = [
            key for key in criteria if (scores[key].level or 0) < standard and not scores[key].reason.strip()
        ]
        if unexplained:
            raise Conflict(
                "A level below the standard needs your written reason before you submit "
                f"({_named(pack, unexplained)})."
            )
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
