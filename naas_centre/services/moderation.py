"""Moderation: reconciling the criteria on which two assessors' submitted levels differ.

Once both have submitted, a centre manager records the agreed level for each
difference, with the reason. A criterion's final level is the level both gave, or the
moderated one; the outcome exists only when every criterion has a final level.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import ModerationRow, SittingRow
from naas_centre.errors import Conflict, NotFound, UserError
from naas_centre.packs.schema import Pack
from naas_centre.services import audit, packs
from naas_centre.services.accounts import require
from naas_centre.services.sittings import score_sheets
from naas_centre.services.views import Actor, Role, ScoreSheet

MODERATORS = (Role.CENTRE_MANAGER, Role.ADMINISTRATOR)


@dataclass(frozen=True)
class Difference:
    station_id: str
    criterion_id: str
    criterion_text: str
    levels: tuple[tuple[str, int | None], ...]  # (assessor name, level) for each sheet
    agreed: int | None
    reason: str | None


def _moderations(s: Session, sitting_id: str) -> dict[tuple[str, str], ModerationRow]:
    rows = s.scalars(select(ModerationRow).where(ModerationRow.sitting_id == sitting_id))
    return {(r.station_id, r.criterion_id): r for r in rows}


def final_levels_in(s: Session, sitting_id: str, pack: Pack) -> tuple[dict[str, int | None], list[str]]:
    """Each criterion's final level (None where unscored or still in dispute), and the disputed ids."""
    sheets = [sh for sh in score_sheets(s, sitting_id, pack) if sh.submitted_at is not None]
    moderated = _moderations(s, sitting_id)
    final: dict[str, int | None] = {}
    disputed: list[str] = []
    for station, c in pack.criteria():
        given = {sh.levels[station][c.id] for sh in sheets}
        if (station, c.id) in moderated:
            final[c.id] = moderated[(station, c.id)].level
        elif len(given) == 1:
            final[c.id] = given.pop()
        else:
            final[c.id] = None
            disputed.append(c.id)
    return final, disputed


def differences(db: Database, actor: Actor, sitting_id: str) -> list[Difference]:
    require(actor, *MODERATORS, Role.QA_LEAD)
    with db.read() as s:
        pack, sheets = _submitted(s, sitting_id)
        moderated = _moderations(s, sitting_id)
        out = []
        for station, c in pack.criteria():
            levels = tuple((sh.assessor_name, sh.levels[station][c.id]) for sh in sheets)
            if len({lv for _, lv in levels}) > 1:
                m = moderated.get((station, c.id))
                out.append(
                    Difference(station, c.id, c.text, levels, m.level if m else None, m.reason if m else None)
                )
        return out


def agree(
    db: Database, actor: Actor, sitting_id: str, station_id: str, criterion_id: str, level: int, reason: str
) -> None:
    """Records (or changes) the agreed level for one difference; audited."""
    require(actor, *MODERATORS)
    if not reason.strip():
        raise UserError("Say why this level was agreed: the reason goes on record.")
    with db.write() as s:
        pack, sheets = _submitted(s, sitting_id)
        rubric = dict(pack.rubrics()).get(station_id)
        if rubric is None or criterion_id not in {c.id for c in rubric.criteria}:
            raise UserError(f"Station {station_id!r} has no criterion {criterion_id!r}.")
        if level not in {lv.value for lv in pack.levels_for(rubric)}:
            raise UserError(f"Level {level} is not on the scale.")
        given = {sh.levels[station_id][criterion_id] for sh in sheets}
        if len(given) < 2:
            raise Conflict("The assessors agree on this criterion: there is nothing to moderate.")
        row = s.scalar(
            select(ModerationRow).where(
                ModerationRow.sitting_id == sitting_id,
                ModerationRow.station_id == station_id,
                ModerationRow.criterion_id == criterion_id,
            )
        )
        before = audit.snapshot(row) if row else None
        if row is None:
            row = ModerationRow(sitting_id=sitting_id, station_id=station_id, criterion_id=criterion_id)
            s.add(row)
        row.level = level
        row.reason = reason.strip()
        row.moderator_id = actor.account_id
        audit.record(s, actor, "moderation.agree", row, before)


def _submitted(s: Session, sitting_id: str) -> tuple[Pack, list[ScoreSheet]]:
    sitting = s.get(SittingRow, sitting_id)
    if sitting is None:
        raise NotFound("No such sitting.")
    pack = packs.pack_by_id(s, sitting.pack_id)
    sheets = score_sheets(s, sitting_id, pack)
    if not sheets or any(sh.submitted_at is None for sh in sheets):
        raise Conflict("Moderation starts once every assessor has submitted.")
    return pack, sheets
