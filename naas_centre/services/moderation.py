"""Moderation: reconciling every difference between two assessors' submitted sheets.

The outcome uses each criterion's level and each station's overall judgement, so both
are moderated: where the sheets differ on either, a centre manager records what was
agreed, with the reason, once every assessor has submitted. A criterion's final level
is the level all gave, or the moderated one; a station's final judgement likewise (its
``ModerationRow`` has ``criterion_id`` ""). The outcome exists only when every final
value is known (``naas_centre.services.completeness`` says what is still missing).

In a circuit each station has its own assessors: a difference is between the sheets of
the assessors who observed that station, so a station with one assessor has nothing
to moderate and its final values are that assessor's.

Beside each difference the moderator sees each assessor's own evidence: the notes they
tagged to that criterion (for a judgement, their notes on the station) and the reason
they gave for the level (for a judgement, their rationale).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import AccountRow, EvidenceNoteRow, JudgementRow, ModerationRow, ScoreRow, SittingRow
from naas_centre.core.completeness import JUDGEMENT, differs
from naas_centre.errors import Conflict, NotFound, UserError
from naas_centre.packs.schema import Pack
from naas_centre.services import audit, capabilities, packs
from naas_centre.services.accounts import require
from naas_centre.services.scoring import JUDGEMENTS
from naas_centre.services.sittings import score_sheets
from naas_centre.services.views import Actor, Role, ScoreSheet

MODERATORS = capabilities.MODERATE
JUDGEMENT_TEXT = "Overall judgement of the station"
JUDGEMENT_WORDS = {"met": "Met", "not_met": "Not met"}


@dataclass(frozen=True)
class EvidenceLine:
    """One evidence note as the moderator reads it."""

    text: str
    clock: str | None  # "07:42" into the phase, when the note was timed
    criterion_text: str | None  # for a station's notes: the criterion it was tagged to


@dataclass(frozen=True)
class Side:
    """One assessor's side of a difference: what they gave and the evidence they recorded."""

    assessor_id: str
    assessor_name: str
    level: int | None  # for a criterion
    judgement: str | None  # for a station's overall judgement: "met" or "not_met"
    reason: str  # the reason given for the level, or the judgement's rationale
    notes: tuple[EvidenceLine, ...]


@dataclass(frozen=True)
class Difference:
    """A criterion (or, with ``criterion_id`` "", a station's overall judgement) on which
    the submitted sheets differ, with what was agreed if it has been moderated."""

    station_id: str
    criterion_id: str
    criterion_text: str
    levels: tuple[tuple[str, int | None], ...]  # (assessor name, level); () for a judgement
    agreed: int | None
    reason: str | None
    station_title: str = ""
    judgements: tuple[tuple[str, str | None], ...] = ()  # (assessor name, judgement) for a judgement
    agreed_judgement: str | None = None
    moderator_name: str | None = None
    sides: tuple[Side, ...] = ()
    criterion_title: str = ""  # the criterion's short name (its text where the pack gives none)

    @property
    def is_judgement(self) -> bool:
        return self.criterion_id == JUDGEMENT

    @property
    def is_agreed(self) -> bool:
        return (self.agreed_judgement if self.is_judgement else self.agreed) is not None


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
        given = [sh.levels[station][c.id] for sh in _observing(sheets, station)]
        m = moderated.get((station, c.id))
        if m is not None and m.level is not None:
            final[c.id] = m.level
        elif given and not differs(given):
            final[c.id] = given[0]
        else:
            final[c.id] = None
            if differs(given):
                disputed.append(c.id)
    return final, disputed


def final_judgements_in(s: Session, sitting_id: str, pack: Pack) -> tuple[dict[str, str | None], list[str]]:
    """Each station's final overall judgement ("met", "not_met"; None where not given or
    still in dispute), and the stations whose judgements are in dispute."""
    sheets = [sh for sh in score_sheets(s, sitting_id, pack) if sh.submitted_at is not None]
    moderated = _moderations(s, sitting_id)
    final: dict[str, str | None] = {}
    disputed: list[str] = []
    for station, _rubric in pack.rubrics():
        given = [sh.judgements.get(station) for sh in _observing(sheets, station)]
        m = moderated.get((station, JUDGEMENT))
        if m is not None and m.judgement is not None:
            final[station] = m.judgement
        elif given and not differs(given):
            final[station] = given[0]
        else:
            final[station] = None
            if differs(given):
                disputed.append(station)
    return final, disputed


def differences(db: Database, actor: Actor, sitting_id: str) -> list[Difference]:
    """Every difference the outcome uses, station by station: the criteria in rubric
    order, then the station's overall judgement."""
    require(actor, *MODERATORS, Role.QA_LEAD)
    with db.read() as s:
        pack, every = _submitted(s, sitting_id)
        moderated = _moderations(s, sitting_id)
        names = dict(s.execute(select(AccountRow.id, AccountRow.display_name)).all())
        titles = _station_titles(pack)
        criterion_titles = {c.id: c.title or c.text for _, c in pack.criteria()}
        reasons = {
            (r.assessor_id, r.station_id, r.criterion_id): r.reason or ""
            for r in s.scalars(select(ScoreRow).where(ScoreRow.sitting_id == sitting_id))
        }
        rationales = {
            (j.assessor_id, j.station_id): j.rationale or ""
            for j in s.scalars(select(JudgementRow).where(JudgementRow.sitting_id == sitting_id))
        }
        notes: dict[tuple[str, str], list[EvidenceNoteRow]] = defaultdict(list)
        for n in s.scalars(
            select(EvidenceNoteRow)
            .where(EvidenceNoteRow.sitting_id == sitting_id)
            .order_by(EvidenceNoteRow.written_at, EvidenceNoteRow.id)
        ):
            notes[(n.assessor_id, n.station_id)].append(n)

        def line(n: EvidenceNoteRow, tagged: bool) -> EvidenceLine:
            tag = criterion_titles.get(n.criterion_id) if tagged and n.criterion_id else None
            return EvidenceLine(n.text, _clock(n.phase_clock_ms), tag)

        out: list[Difference] = []
        for station, rubric in pack.rubrics():
            sheets = _observing(every, station)
            for c in rubric.criteria:
                given = [sh.levels[station][c.id] for sh in sheets]
                if not differs(given):
                    continue
                m = moderated.get((station, c.id))
                sides = tuple(
                    Side(
                        sh.assessor_id,
                        sh.assessor_name,
                        sh.levels[station][c.id],
                        None,
                        reasons.get((sh.assessor_id, station, c.id), ""),
                        tuple(
                            line(n, False) for n in notes[(sh.assessor_id, station)] if n.criterion_id == c.id
                        ),
                    )
                    for sh in sheets
                )
                out.append(
                    Difference(
                        station_id=station,
                        criterion_id=c.id,
                        criterion_text=c.text,
                        levels=tuple((sh.assessor_name, lv) for sh, lv in zip(sheets, given, strict=True)),
                        agreed=m.level if m else None,
                        reason=m.reason if m else None,
                        station_title=titles[station],
                        moderator_name=names.get(m.moderator_id) if m else None,
                        sides=sides,
                        criterion_title=c.title or c.text,
                    )
                )
            verdicts = [sh.judgements.get(station) for sh in sheets]
            if differs(verdicts):
                m = moderated.get((station, JUDGEMENT))
                sides = tuple(
                    Side(
                        sh.assessor_id,
                        sh.assessor_name,
                        None,
                        sh.judgements.get(station),
                        rationales.get((sh.assessor_id, station), ""),
                        tuple(line(n, True) for n in notes[(sh.assessor_id, station)]),
                    )
                    for sh in sheets
                )
                out.append(
                    Difference(
                        station_id=station,
                        criterion_id=JUDGEMENT,
                        criterion_text=JUDGEMENT_TEXT,
                        levels=(),
                        agreed=None,
                        reason=m.reason if m else None,
                        station_title=titles[station],
                        judgements=tuple(
                            (sh.assessor_name, v) for sh, v in zip(sheets, verdicts, strict=True)
                        ),
                        agreed_judgement=m.judgement if m else None,
                        moderator_name=names.get(m.moderator_id) if m else None,
                        sides=sides,
                        criterion_title=JUDGEMENT_TEXT,
                    )
                )
        return out


def agree(
    db: Database, actor: Actor, sitting_id: str, station_id: str, criterion_id: str, level: int, reason: str
) -> None:
    """Records (or changes) the agreed level for one criterion's difference; audited."""
    require(actor, *MODERATORS)
    if not reason.strip():
        raise UserError("Say why this level was agreed: the reason goes on record.")
    with db.write() as s:
        pack, sheets = _submitted(s, sitting_id)
        rubric = dict(pack.rubrics()).get(station_id)
        titles = _station_titles(pack)
        if rubric is None:
            raise UserError("The pack has no such station.")
        criterion = next((c for c in rubric.criteria if c.id == criterion_id), None)
        if criterion is None:
            raise UserError(f"{titles[station_id]} has no such criterion.")
        if level not in {lv.value for lv in pack.levels_for(rubric)}:
            raise UserError(f"Level {level} is not on the scale.")
        sheets = _only_one(pack, sheets, station_id)
        if not differs([sh.levels[station_id][criterion_id] for sh in sheets]):
            raise Conflict("The assessors agree on this criterion: there is nothing to moderate.")
        row, before = _row(s, actor, sitting_id, station_id, criterion_id)
        row.level = level
        row.judgement = None
        row.reason = reason.strip()
        row.moderator_id = actor.account_id
        audit.record(s, actor, "moderation.agree", row, before)


def agree_judgement(
    db: Database, actor: Actor, sitting_id: str, station_id: str, judgement: str, reason: str
) -> None:
    """Records (or changes) the agreed overall judgement of one station; audited."""
    require(actor, *MODERATORS)
    if judgement not in JUDGEMENTS:
        raise UserError("The agreed judgement is met or not met.")
    if not reason.strip():
        raise UserError("Say why this judgement was agreed: the reason goes on record.")
    with db.write() as s:
        pack, sheets = _submitted(s, sitting_id)
        if station_id not in dict(pack.rubrics()):
            raise UserError("The pack has no such station.")
        sheets = _only_one(pack, sheets, station_id)
        if not differs([sh.judgements.get(station_id) for sh in sheets]):
            raise Conflict("The assessors' overall judgements agree: there is nothing to moderate.")
        row, before = _row(s, actor, sitting_id, station_id, JUDGEMENT)
        row.level = None
        row.judgement = judgement
        row.reason = reason.strip()
        row.moderator_id = actor.account_id
        audit.record(s, actor, "moderation.agree", row, before)


def _row(
    s: Session, actor: Actor, sitting_id: str, station_id: str, criterion_id: str
) -> tuple[ModerationRow, dict[str, Any] | None]:
    """The moderation row to change, with its state before (None: new)."""
    row = s.scalar(
        select(ModerationRow).where(
            ModerationRow.sitting_id == sitting_id,
            ModerationRow.station_id == station_id,
            ModerationRow.criterion_id == criterion_id,
        )
    )
    if row is None:
        row = ModerationRow(
            sitting_id=sitting_id,
            station_id=station_id,
            criterion_id=criterion_id,
            moderator_id=actor.account_id,
        )
        s.add(row)
        return row, None
    return row, audit.snapshot(row)


def _station_titles(pack: Pack) -> dict[str, str]:
    titles = {sc.id: sc.title for sc in pack.scenarios}
    if pack.written_exercise is not None:
        titles[pack.written_exercise.id] = pack.written_exercise.title
    return titles


def _observing(sheets: list[ScoreSheet], station_id: str) -> list[ScoreSheet]:
    """The sheets of the assessors who observed one station (a sheet holds only those)."""
    return [sh for sh in sheets if station_id in sh.levels]


def _only_one(pack: Pack, sheets: list[ScoreSheet], station_id: str) -> list[ScoreSheet]:
    """The station's sheets, refusing a station that has fewer than two to compare."""
    observed = _observing(sheets, station_id)
    if len(observed) < 2:
        title = _station_titles(pack)[station_id]
        who = "No assessor" if not observed else f"Only {observed[0].assessor_name}"
        raise Conflict(f"{who} observed “{title}” in this sitting: there is nothing to moderate.")
    return observed


def _clock(ms: int | None) -> str | None:
    if ms is None:
        return None
    minutes, seconds = divmod(max(0, ms) // 1000, 60)
    return f"{minutes:02d}:{seconds:02d}"


def _submitted(s: Session, sitting_id: str) -> tuple[Pack, list[ScoreSheet]]:
    sitting = s.get(SittingRow, sitting_id)
    if sitting is None:
        raise NotFound("No such sitting.")
    pack = packs.pack_by_id(s, sitting.pack_id)
    sheets = score_sheets(s, sitting_id, pack)
    if not sheets:
        raise Conflict("No assessor is assigned to this sitting yet: there is nothing to moderate.")
    waiting = [sh.assessor_name for sh in sheets if sh.submitted_at is None]
    if waiting:
        who = " and ".join(waiting)
        raise Conflict(
            f"Moderation starts once every assessor has submitted; {who} "
            f"{'has' if len(waiting) == 1 else 'have'} not submitted yet."
        )
    return pack, sheets
