"""Calibration exercises: assessors score one of the centre's own recordings before a day
and see where they stand against the levels a panel agreed for it.

A manager or the QA lead makes an exercise from a recording with its media, whose
candidate and actor consent still stands, with an agreed level for every criterion of
the recorded station. Each assessor has one attempt: their levels are saved one click
at a time, like any score, and fixed when they finish (every criterion scored). Only
then do they see, per criterion, their level beside the agreed one and how many of the
colleagues who have finished chose the same level: a count, never a name or another
colleague's level.

An attempt is an observation of the assessor against a known standard, which is why
it feeds quality assurance's examiner figures (``calibration_figures``), as its own
figure: see ``naas_centre.qa.calibration``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.base import utcnow
from db.engine import Database
from db.models import (
    AccountRow,
    CalibrationAgreedLevelRow,
    CalibrationAttemptRow,
    CalibrationExerciseRow,
    CalibrationLevelRow,
    RecordingRow,
    SittingRow,
)
from naas_centre.errors import Conflict, NotFound, UserError
from naas_centre.packs.schema import Pack, Rubric
from naas_centre.qa.calibration import CalibrationLevel, CalibrationOffset, calibration_offsets
from naas_centre.services import audit, capabilities
from naas_centre.services.accounts import require
from naas_centre.services.views import Actor

MAKERS = capabilities.MAKE_CALIBRATION
ATTEMPTERS = capabilities.CALIBRATE
READERS = capabilities.OVERSEE  # the centre's calibration figures, with names (quality assurance)
USABLE = ("finished", "stopped")  # a recording that ended and kept its media


@dataclass(frozen=True)
class ExerciseView:
    id: str
    title: str
    recording_id: str
    station_id: str
    station_title: str
    made_at: datetime
    closed: bool
    attempts_finished: int  # how many assessors have finished it
    mine: str  # for an assessor: "not started", "started" or "finished"; "" for others


@dataclass(frozen=True)
class AttemptView:
    """What the scoring screen needs for an assessor's attempt."""

    exercise: ExerciseView
    pack: Pack
    rubric: Rubric
    folder: str  # the recording's, relative to the data folder
    levels: dict[str, int | None]  # their own, criterion → level
    finished: bool


@dataclass(frozen=True)
class CriterionStanding:
    criterion_id: str
    text: str
    mine: int | None
    agreed: int
    same_as_mine: int  # colleagues (finished, not counting the assessor) who chose my level
    colleagues: int  # colleagues who have finished

    @property
    def matches(self) -> bool:
        return self.mine == self.agreed

    @property
    def colleagues_text(self) -> str:
        if self.colleagues == 0:
            return "No colleague has finished this exercise yet."
        noun = "colleague" if self.colleagues == 1 else "colleagues"
        return f"{self.same_as_mine} of {self.colleagues} {noun} chose the same level."


@dataclass(frozen=True)
class Standing:
    exercise_id: str
    title: str
    criteria: tuple[CriterionStanding, ...]

    @property
    def agreed_count(self) -> int:
        return sum(1 for c in self.criteria if c.matches)

    @property
    def mean_difference(self) -> float:
        """Mean of (my level − agreed level): positive is more lenient than the panel."""
        diffs = [c.mine - c.agreed for c in self.criteria if c.mine is not None]
        return sum(diffs) / len(diffs) if diffs else 0.0


# -- helpers ------------------------------------------------------------------------------


def _station(s: Session, recording: RecordingRow) -> tuple[Pack, Rubric, str]:
    from naas_centre.services.packs import pack_by_id

    sitting = s.get(SittingRow, recording.sitting_id)
    if sitting is None:
        raise NotFound("The recording's sitting is missing.")
    pack = pack_by_id(s, sitting.pack_id)
    rubric = dict(pack.rubrics()).get(recording.station_id)
    if rubric is None:
        raise NotFound(f"The recorded station “{recording.station_id}” has no rubric in its pack.")
    title = next((sc.title for sc in pack.scenarios if sc.id == recording.station_id), recording.station_id)
    return pack, rubric, title


def _exercise(s: Session, exercise_id: str) -> CalibrationExerciseRow:
    row = s.get(CalibrationExerciseRow, exercise_id)
    if row is None:
        raise NotFound("No such calibration exercise.")
    return row


def _recording(s: Session, row: CalibrationExerciseRow) -> RecordingRow:
    recording = s.get(RecordingRow, row.recording_id)
    if recording is None:
        raise NotFound("The exercise's recording is missing.")
    return recording


def _attempt(s: Session, exercise_id: str, assessor_id: str) -> CalibrationAttemptRow | None:
    return s.scalar(
        select(CalibrationAttemptRow).where(
            CalibrationAttemptRow.exercise_id == exercise_id,
            CalibrationAttemptRow.assessor_id == assessor_id,
        )
    )


def _levels(s: Session, attempt_id: str) -> dict[str, int | None]:
    rows = s.scalars(select(CalibrationLevelRow).where(CalibrationLevelRow.attempt_id == attempt_id))
    return {r.criterion_id: r.level for r in rows}


def _agreed(s: Session, exercise_id: str) -> dict[str, int]:
    rows = s.scalars(
        select(CalibrationAgreedLevelRow).where(CalibrationAgreedLevelRow.exercise_id == exercise_id)
    )
    return {r.criterion_id: r.level for r in rows}


def _finished_count(s: Session, exercise_id: str) -> int:
    return int(
        s.scalar(
            select(func.count(CalibrationAttemptRow.id)).where(
                CalibrationAttemptRow.exercise_id == exercise_id,
                CalibrationAttemptRow.finished_at.is_not(None),
            )
        )
        or 0
    )


def _view(s: Session, row: CalibrationExerciseRow, actor: Actor) -> ExerciseView:
    recording = _recording(s, row)
    _pack, _rubric, title = _station(s, recording)
    mine = ""
    if actor.role in ATTEMPTERS:
        attempt = _attempt(s, row.id, actor.account_id)
        mine = "not started" if attempt is None else ("finished" if attempt.finished_at else "started")
    return ExerciseView(
        row.id,
        row.title,
        row.recording_id,
        recording.station_id,
        title,
        row.made_at,
        row.closed_at is not None,
        _finished_count(s, row.id),
        mine,
    )


def _usable(s: Session, recording: RecordingRow) -> None:
    """Refused unless the recording has its media and its consent still stands."""
    from naas_centre.services.recordings import _may_record

    if recording.status not in USABLE:
        raise Conflict(
            "Only a finished recording that still has its media can become a calibration exercise."
        )
    consent = _may_record(s, recording.sitting_id, recording.station_id)
    if not consent.allowed:
        raise Conflict(f"The recording cannot be used for calibration: {consent.reason}")


# -- making an exercise --------------------------------------------------------------------


def make_exercise(
    db: Database, actor: Actor, recording_id: str, title: str, agreed: Mapping[str, int]
) -> ExerciseView:
    """A calibration exercise from a consented recording, with the level the panel agreed
    for every criterion of its station."""
    require(actor, *MAKERS)
    name = " ".join(title.split())
    if not name:
        raise UserError("Give the exercise a title assessors will recognise (say, the station and the date).")
    with db.write() as s:
        recording = s.get(RecordingRow, recording_id)
        if recording is None:
            raise NotFound("No such recording.")
        _usable(s, recording)
        pack, rubric, station_title = _station(s, recording)
        values = {lv.value for lv in pack.levels_for(rubric)}
        known = {c.id for c in rubric.criteria}
        unknown = sorted(set(agreed) - known)
        if unknown:
            raise UserError(f"“{station_title}” has no criterion {unknown[0]!r}.")
        missing = [c.id for c in rubric.criteria if c.id not in agreed]
        if missing:
            raise UserError(
                f"Agree a level for every criterion of “{station_title}”: {len(missing)} "
                f"{'has' if len(missing) == 1 else 'have'} none (first: {missing[0]})."
            )
        for cid, level in agreed.items():
            if level not in values:
                raise UserError(
                    f"Level {level} for {cid} is not on this rubric's scale ({min(values)} to {max(values)})."
                )
        row = CalibrationExerciseRow(
            recording_id=recording_id, title=name, made_by=actor.account_id, made_at=utcnow()
        )
        s.add(row)
        s.flush()
        for c in rubric.criteria:
            s.add(CalibrationAgreedLevelRow(exercise_id=row.id, criterion_id=c.id, level=int(agreed[c.id])))
        audit.record(s, actor, "calibration.make", row, None)
        s.flush()
        return _view(s, row, actor)


def close_exercise(db: Database, actor: Actor, exercise_id: str) -> None:
    """No new attempts; those finished still count."""
    require(actor, *MAKERS)
    with db.write() as s:
        row = _exercise(s, exercise_id)
        if row.closed_at is None:
            before = audit.snapshot(row)
            row.closed_at = utcnow()
            audit.record(s, actor, "calibration.close", row, before)


def usable_recordings(db: Database, actor: Actor) -> list[tuple[str, str]]:
    """Recordings a maker may turn into an exercise: (id, a line describing it), newest first."""
    require(actor, *MAKERS)
    from naas_centre.services.recordings import _may_record

    out: list[tuple[str, str]] = []
    with db.read() as s:
        rows = s.scalars(
            select(RecordingRow)
            .where(RecordingRow.status.in_(USABLE))
            .order_by(RecordingRow.started_at.desc())
        ).all()
        for r in rows:
            if not _may_record(s, r.sitting_id, r.station_id).allowed:
                continue
            try:
                _pack, _rubric, title = _station(s, r)
            except NotFound:
                continue
            length = f", {r.duration / 60:.0f} min" if r.duration else ""
            out.append((r.id, f"{title}, {r.started_at.astimezone():%d %b %Y %H:%M}{length}"))
    return out


def recorded_station(db: Database, actor: Actor, recording_id: str) -> tuple[Pack, Rubric, str, str]:
    """The pack, rubric and title of a recording's station, for agreeing its levels, and
    the recording's folder (relative to the data folder)."""
    require(actor, *MAKERS)
    with db.read() as s:
        recording = s.get(RecordingRow, recording_id)
        if recording is None:
            raise NotFound("No such recording.")
        return (*_station(s, recording), recording.folder)


def exercises(db: Database, actor: Actor) -> list[ExerciseView]:
    """The exercises, newest first: an assessor sees the open ones and those they began."""
    require(actor, *ATTEMPTERS, *MAKERS)
    with db.read() as s:
        rows = s.scalars(select(CalibrationExerciseRow).order_by(CalibrationExerciseRow.made_at.desc())).all()
        views = [_view(s, r, actor) for r in rows]
    if actor.role in ATTEMPTERS:
        views = [v for v in views if not v.closed or v.mine != "not started"]
    return views


# -- an assessor's attempt -----------------------------------------------------------------


def open_attempt(db: Database, actor: Actor, exercise_id: str) -> AttemptView:
    """The assessor's attempt, begun now if it was not."""
    require(actor, *ATTEMPTERS)
    with db.write() as s:
        row = _exercise(s, exercise_id)
        recording = _recording(s, row)
        attempt = _attempt(s, exercise_id, actor.account_id)
        if attempt is None:
            if row.closed_at is not None:
                raise Conflict("This calibration exercise is closed: it takes no new attempts.")
            _usable(s, recording)
            attempt = CalibrationAttemptRow(
                exercise_id=exercise_id, assessor_id=actor.account_id, started_at=utcnow()
            )
            s.add(attempt)
            s.flush()
        elif recording.status not in USABLE:
            raise Conflict("The exercise's recording has been deleted: it can no longer be scored.")
        pack, rubric, _title = _station(s, recording)
        return AttemptView(
            _view(s, row, actor),
            pack,
            rubric,
            recording.folder,
            _levels(s, attempt.id),
            attempt.finished_at is not None,
        )


def record_level(db: Database, actor: Actor, exercise_id: str, criterion_id: str, level: int | None) -> None:
    """One level of the assessor's attempt (None clears it); refused once they have finished."""
    require(actor, *ATTEMPTERS)
    with db.write() as s:
        row = _exercise(s, exercise_id)
        attempt = _attempt(s, exercise_id, actor.account_id)
        if attempt is None:
            raise Conflict("Open the exercise before scoring it.")
        if attempt.finished_at is not None:
            raise Conflict("You have finished this exercise: your levels are fixed.")
        pack, rubric, title = _station(s, _recording(s, row))
        if criterion_id not in {c.id for c in rubric.criteria}:
            raise UserError(f"“{title}” has no criterion {criterion_id!r}.")
        if level is not None and level not in {lv.value for lv in pack.levels_for(rubric)}:
            raise UserError(f"Level {level} is not on this rubric's scale.")
        found = s.scalar(
            select(CalibrationLevelRow).where(
                CalibrationLevelRow.attempt_id == attempt.id, CalibrationLevelRow.criterion_id == criterion_id
            )
        )
        if found is None:
            s.add(CalibrationLevelRow(attempt_id=attempt.id, criterion_id=criterion_id, level=level))
        else:
            found.level = level


def finish(db: Database, actor: Actor, exercise_id: str) -> Standing:
    """The assessor has scored every criterion: their levels are fixed, and they see where they stand."""
    require(actor, *ATTEMPTERS)
    with db.write() as s:
        row = _exercise(s, exercise_id)
        attempt = _attempt(s, exercise_id, actor.account_id)
        if attempt is None:
            raise Conflict("Open the exercise before finishing it.")
        if attempt.finished_at is None:
            _pack, rubric, _title = _station(s, _recording(s, row))
            levels = _levels(s, attempt.id)
            left = [c for c in rubric.criteria if levels.get(c.id) is None]
            if left:
                raise UserError(
                    f"Score every criterion before you finish: {len(left)} "
                    f"{'is' if len(left) == 1 else 'are'} left."
                )
            before = audit.snapshot(attempt)
            attempt.finished_at = utcnow()
            audit.record(s, actor, "calibration.finish", attempt, before)
        return _standing(s, row, actor)


def standing(db: Database, actor: Actor, exercise_id: str) -> Standing:
    """Where the assessor stands, once they have finished (never before: it would show the answer)."""
    require(actor, *ATTEMPTERS)
    with db.read() as s:
        row = _exercise(s, exercise_id)
        attempt = _attempt(s, exercise_id, actor.account_id)
        if attempt is None or attempt.finished_at is None:
            raise Conflict("Finish the exercise first: the agreed levels are shown once your own are fixed.")
        return _standing(s, row, actor)


def _standing(s: Session, row: CalibrationExerciseRow, actor: Actor) -> Standing:
    from naas_centre.formatting import tidy

    _pack, rubric, _title = _station(s, _recording(s, row))
    agreed = _agreed(s, row.id)
    mine = _levels(s, _attempt_id(s, row.id, actor.account_id))
    # Colleagues' levels are counted here and never leave: the assessor gets counts only.
    others = s.execute(
        select(CalibrationLevelRow.criterion_id, CalibrationLevelRow.level)
        .join(CalibrationAttemptRow, CalibrationAttemptRow.id == CalibrationLevelRow.attempt_id)
        .where(
            CalibrationAttemptRow.exercise_id == row.id,
            CalibrationAttemptRow.finished_at.is_not(None),
            CalibrationAttemptRow.assessor_id != actor.account_id,
        )
    ).all()
    colleagues = _finished_count(s, row.id) - 1
    same: dict[str, int] = {}
    for cid, level in others:
        if level is not None and level == mine.get(cid):
            same[cid] = same.get(cid, 0) + 1
    return Standing(
        row.id,
        row.title,
        tuple(
            CriterionStanding(
                c.id, tidy(c.text), mine.get(c.id), agreed[c.id], same.get(c.id, 0), max(0, colleagues)
            )
            for c in rubric.criteria
        ),
    )


def _attempt_id(s: Session, exercise_id: str, assessor_id: str) -> str:
    attempt = _attempt(s, exercise_id, assessor_id)
    assert attempt is not None
    return attempt.id


def recording_path(data_dir: Path, attempt: AttemptView) -> Path:
    return data_dir / attempt.folder / "recording.mp4"


# -- quality assurance ---------------------------------------------------------------------


def calibration_levels(s: Session) -> list[CalibrationLevel]:
    """Every level of every finished attempt beside the agreed one, for the QA figures."""
    rows = s.execute(
        select(
            CalibrationAttemptRow.assessor_id,
            CalibrationAttemptRow.exercise_id,
            CalibrationLevelRow.criterion_id,
            CalibrationLevelRow.level,
            CalibrationAgreedLevelRow.level,
        )
        .join(CalibrationLevelRow, CalibrationLevelRow.attempt_id == CalibrationAttemptRow.id)
        .join(
            CalibrationAgreedLevelRow,
            (CalibrationAgreedLevelRow.exercise_id == CalibrationAttemptRow.exercise_id)
            & (CalibrationAgreedLevelRow.criterion_id == CalibrationLevelRow.criterion_id),
        )
        .where(CalibrationAttemptRow.finished_at.is_not(None), CalibrationLevelRow.level.is_not(None))
    ).all()
    return [
        CalibrationLevel(a, e, c, int(mine), int(agreed))
        for a, e, c, mine, agreed in rows
        if mine is not None  # as the query says; for the type checker
    ]


def calibration_figures(db: Database, actor: Actor) -> list[tuple[str, CalibrationOffset]]:
    """Each assessor's calibration offset with their name, for quality assurance; an
    assessor asking gets their own only."""
    if actor.role not in READERS:
        require(actor, *READERS, *capabilities.OWN_FIGURES)
    with db.read() as s:
        levels = calibration_levels(s)
        if actor.role not in READERS:
            levels = [lv for lv in levels if lv.assessor == actor.account_id]
        offsets = calibration_offsets(levels)
        names = {a: n for a, n in s.execute(select(AccountRow.id, AccountRow.display_name))}
    return [(names.get(o.assessor, ""), o) for o in offsets]
