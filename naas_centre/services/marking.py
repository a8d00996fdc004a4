"""Marking a written script: the marker's own levels, judgement and feedback, read back.

Recording goes through ``scoring`` (``record_level``, ``set_judgement`` with the
feedback as its rationale), so marking has the scoring station's guarantees: each
change is one durable, audited transaction, and a sheet is read-only once submitted.
Only the asking assessor's own marks are ever returned here: the other marker's stay
hidden (``sittings.sitting_detail`` shows them once both have submitted).

Anonymous marking shows a script under its sitting's ``marking_code``: random
(``secrets``), stored when the sitting is planned, never derived from anything a marker
can see (a hash of the sitting id could be computed from the marker's own list).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import JudgementRow, ScoreRow, SittingAssessorRow, SittingRow
from naas_centre.errors import NotFound, PermissionDenied, UserError
from naas_centre.packs.schema import Pack
from naas_centre.services import accounts, audit, capabilities, packs
from naas_centre.services.views import Actor

# No 0/O or 1/I: a code is read aloud and copied by hand at moderation.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6  # 32**6, about a billion: a guess is hopeless, and the column is unique


def new_marking_code(s: Session) -> str:
    """A fresh random code no sitting has yet."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if s.scalar(select(SittingRow.id).where(SittingRow.marking_code == code)) is None:
            return code


def ensure_marking_codes(db: Database, sitting_ids: Iterable[str]) -> dict[str, str]:
    """sitting id → marking code; sittings planned before codes existed get one now
    (in a write, audited as any change to a sitting)."""
    wanted = set(sitting_ids)
    if not wanted:
        return {}
    with db.read() as s:
        codes = dict(
            s.execute(select(SittingRow.id, SittingRow.marking_code).where(SittingRow.id.in_(wanted))).all()
        )
    if all(codes.get(sid) for sid in codes):
        return {sid: str(code) for sid, code in codes.items()}
    with db.write() as s:
        out: dict[str, str] = {}
        for row in s.scalars(select(SittingRow).where(SittingRow.id.in_(wanted))):
            if not row.marking_code:
                before = audit.snapshot(row)
                row.marking_code = new_marking_code(s)
                s.flush()
                audit.record(s, None, "sitting.marking_code", row, before)
            out[row.id] = row.marking_code
        return out


def script_label(code: str) -> str:
    return f"Script {code}"


@dataclass(frozen=True)
class MarkingSheet:
    sitting_id: str
    station_id: str
    pack: Pack
    levels: dict[str, int | None]  # criterion → level, every criterion of the written rubric
    judgement: str | None
    feedback: str
    submitted_at: datetime | None  # when this marker submitted their sheet for the sitting


def my_marking(db: Database, actor: Actor, sitting_id: str) -> MarkingSheet:
    """The asking assessor's marks for the sitting's written exercise."""
    accounts.require(actor, *capabilities.MARK)
    with db.read() as s:
        sitting = s.get(SittingRow, sitting_id)
        if sitting is None:
            raise NotFound("No such sitting.")
        link = s.scalar(
            select(SittingAssessorRow).where(
                SittingAssessorRow.sitting_id == sitting_id,
                SittingAssessorRow.assessor_id == actor.account_id,
            )
        )
        if link is None:
            raise PermissionDenied("This sitting is not assigned to you.")
        pack = packs.pack_by_id(s, sitting.pack_id)
        we = pack.written_exercise
        if we is None:
            raise UserError("This sitting's pack has no written exercise.")
        levels: dict[str, int | None] = {c.id: None for c in we.rubric.criteria}
        for row in s.scalars(
            select(ScoreRow).where(
                ScoreRow.sitting_id == sitting_id,
                ScoreRow.assessor_id == actor.account_id,
                ScoreRow.station_id == we.id,
            )
        ):
            if row.criterion_id in levels:
                levels[row.criterion_id] = row.level
        judgement = s.scalar(
            select(JudgementRow).where(
                JudgementRow.sitting_id == sitting_id,
                JudgementRow.assessor_id == actor.account_id,
                JudgementRow.station_id == we.id,
            )
        )
        return MarkingSheet(
            sitting_id,
            we.id,
            pack,
            levels,
            judgement.judgement if judgement else None,
            judgement.rationale if judgement else "",
            link.submitted_at,
        )
