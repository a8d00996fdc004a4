"""Role-play recordings: consent, the rows beside the recorder's folders, review, retention.

A station of a sitting may be recorded only when the candidate's consent for the sitting
and the consent of the actor who plays the station are recorded (the newest entry for
each person counts: consent can be withdrawn). The recorder itself
(``naas_centre.video``) writes a folder; a ``RecordingRow`` says which sitting and
station it belongs to, where it is (relative to the data folder) and what became of it.

A recording leaves the app only through ``export`` (a manager, audited); it is deleted
early by a manager, or by ``expire`` once the centre's retention period has passed,
each with an audit entry naming what was removed. The row stays, without its media. A
recording of a candidate under a legal hold (``services.retention``) is never expired:
the expiry report names it and the hold's reason, and it goes once the hold is released.
Result bundles carry a recording's rows; its media only when the sender asks
(``naas_centre.exchange.media``, audited there).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.base import utcnow
from db.engine import Database
from db.models import (
    ActorRow,
    CandidateRow,
    CentreRow,
    EvidenceNoteRow,
    LegalHoldRow,
    RecordingBookmarkRow,
    RecordingConsentRow,
    RecordingRow,
    SittingActorRow,
    SittingRow,
)
from naas_centre.errors import Conflict, NotFound, PermissionDenied, UserError
from naas_centre.services import access, audit, capabilities
from naas_centre.services.accounts import require
from naas_centre.services.views import Actor, Role

RECORDINGS_FOLDER = "recordings"
MAX_RETENTION_DAYS = 3650
# Who may record, and give consent on the candidate's or actor's word: those in the room.
RECORDERS = capabilities.RECORD
# Who reviews a recording besides the sitting's own assessors.
REVIEWERS = capabilities.REVIEW_RECORDINGS
GONE = ("deleted", "expired", "failed")


@dataclass(frozen=True)
class MayRecord:
    allowed: bool
    reason: str  # why not, in a sentence; "" when allowed


@dataclass(frozen=True)
class RecordingView:
    id: str
    sitting_id: str
    station_id: str
    folder: str  # relative to the data folder
    started_at: datetime
    ended_at: datetime | None
    duration: float | None
    status: str

    @property
    def has_media(self) -> bool:
        return self.status not in GONE


@dataclass(frozen=True)
class BookmarkView:
    id: str
    recording_id: str
    position_ms: int
    text: str
    made_by: str
    made_at: datetime


@dataclass(frozen=True)
class ChapterView:
    """An evidence note of the recorded station, at its moment of the recording."""

    note_id: str
    recording_ms: int
    text: str
    criterion_id: str | None
    assessor_id: str


@dataclass(frozen=True)
class Expired:
    recording_id: str
    folder: str


@dataclass(frozen=True)
class KeptUnderHold:
    """A recording past its retention period that stays: its candidate is under a legal hold."""

    recording_id: str
    folder: str
    registration: str  # the candidate's registration number
    reason: str  # the hold's own reason

    @property
    def text(self) -> str:
        return f"{self.folder}: kept, candidate {self.registration} is under a legal hold ({self.reason})"


@dataclass(frozen=True)
class ExpiryReport:
    removed: tuple[Expired, ...]
    kept: tuple[KeptUnderHold, ...]  # past the period, but held


def _view(row: RecordingRow) -> RecordingView:
    return RecordingView(
        row.id,
        row.sitting_id,
        row.station_id,
        row.folder,
        row.started_at,
        row.ended_at,
        row.duration,
        row.status,
    )


def _sitting(s: Session, actor: Actor, sitting_id: str, others: tuple[Role, ...], doing: str) -> SittingRow:
    if actor.role != Role.ASSESSOR and actor.role not in others:
        raise PermissionDenied(f"{actor.role.label} accounts cannot {doing}.")
    return access.open_sitting(s, actor, sitting_id, others, doing)


# -- consent ------------------------------------------------------------------------------


def _latest(s: Session, sitting_id: str, subject: str, station_id: str = "") -> RecordingConsentRow | None:
    return s.scalar(
        select(RecordingConsentRow)
        .where(
            RecordingConsentRow.sitting_id == sitting_id,
            RecordingConsentRow.subject == subject,
            RecordingConsentRow.station_id == station_id,
        )
        .order_by(RecordingConsentRow.recorded_at.desc(), RecordingConsentRow.created_at.desc())
        .limit(1)
    )


def _station_actor(s: Session, sitting_id: str, station_id: str) -> ActorRow | None:
    return s.scalar(
        select(ActorRow)
        .join(SittingActorRow, SittingActorRow.actor_id == ActorRow.id)
        .where(SittingActorRow.sitting_id == sitting_id, SittingActorRow.station_id == station_id)
    )


def _add_consent(
    s: Session,
    actor: Actor,
    sitting_id: str,
    subject: str,
    given: bool,
    station_id: str,
    actor_id: str | None,
) -> None:
    row = RecordingConsentRow(
        sitting_id=sitting_id,
        station_id=station_id,
        subject=subject,
        actor_id=actor_id,
        given=given,
        recorded_by=actor.account_id,
        recorded_at=utcnow(),
    )
    s.add(row)
    audit.record(s, actor, "recording.consent", row, None)


def record_candidate_consent(db: Database, actor: Actor, sitting_id: str, given: bool) -> None:
    """The candidate's consent to recording this sitting, given or withdrawn."""
    with db.write() as s:
        _sitting(s, actor, sitting_id, RECORDERS, "record consent to recording")
        _add_consent(s, actor, sitting_id, "candidate", given, "", None)


def record_actor_consent(
    db: Database, actor: Actor, sitting_id: str, station_id: str, given: bool | None = None
) -> None:
    """The consent of the actor playing ``station_id``: ``given`` for this sitting, or
    None to take their standing consent (refused when they have none)."""
    with db.write() as s:
        _sitting(s, actor, sitting_id, RECORDERS, "record consent to recording")
        played_by = _station_actor(s, sitting_id, station_id)
        if played_by is None:
            raise NotFound(f"No actor is named for station “{station_id}” of this sitting.")
        if given is None:
            if not played_by.video_consent:
                raise UserError(
                    f"{played_by.full_name} has no standing consent to being recorded: "
                    "ask them, and record their consent for this sitting."
                )
            given = True
        _add_consent(s, actor, sitting_id, "actor", given, station_id, played_by.id)


def may_record(db: Database, actor: Actor, sitting_id: str, station_id: str) -> MayRecord:
    """Whether this station of the sitting may be recorded now, and why not."""
    with db.read() as s:
        _sitting(s, actor, sitting_id, RECORDERS, "record a sitting")
        return _may_record(s, sitting_id, station_id)


def _may_record(s: Session, sitting_id: str, station_id: str) -> MayRecord:
    candidate = _latest(s, sitting_id, "candidate")
    if candidate is None:
        return MayRecord(False, "The candidate's consent to recording is not recorded.")
    if not candidate.given:
        return MayRecord(False, "The candidate has not consented to recording (or has withdrawn consent).")
    played_by = _station_actor(s, sitting_id, station_id)
    if played_by is not None:
        consent = _latest(s, sitting_id, "actor", station_id)
        if consent is None:
            return MayRecord(False, f"The actor's consent ({played_by.full_name}) is not recorded.")
        if not consent.given:
            return MayRecord(
                False,
                f"The actor ({played_by.full_name}) has not consented to recording "
                "(or has withdrawn consent).",
            )
    return MayRecord(True, "")


# -- recording ----------------------------------------------------------------------------


def start_recording(
    db: Database, actor: Actor, sitting_id: str, station_id: str, *, started_at: datetime | None = None
) -> RecordingView:
    """A row for a recording about to start; its folder (relative to the data folder) is
    where the recorder writes. Refused without consent."""
    with db.write() as s:
        sitting = _sitting(s, actor, sitting_id, RECORDERS, "record a sitting")
        if actor.role == Role.ASSESSOR:  # in a circuit, only the stations they observe
            from naas_centre.services.packs import pack_by_id

            pack = pack_by_id(s, sitting.pack_id)
            if station_id not in access.observed_stations(s, sitting_id, actor.account_id, pack):
                title = next((sc.title for sc in pack.scenarios if sc.id == station_id), station_id)
                raise PermissionDenied(access.not_observed(title))
        allowed = _may_record(s, sitting_id, station_id)
        if not allowed.allowed:
            raise Conflict(allowed.reason)
        row = RecordingRow(
            sitting_id=sitting_id,
            station_id=station_id,
            folder="",
            started_at=started_at or utcnow(),
            status="recording",
            started_by=actor.account_id,
        )
        s.add(row)
        s.flush()
        row.folder = f"{RECORDINGS_FOLDER}/{sitting_id}/{station_id}-{row.id}"
        audit.record(s, actor, "recording.start", row, None)
        return _view(row)


def set_started(db: Database, actor: Actor, recording_id: str, started_at: datetime) -> None:
    """The instant of the recording's first picture, once the recorder has started (the
    row is made before the camera is opened); notes' recording times count from it."""
    with db.write() as s:
        row = s.get(RecordingRow, recording_id)
        if row is None:
            raise NotFound("No such recording.")
        _sitting(s, actor, row.sitting_id, RECORDERS, "record a sitting")
        row.started_at = started_at


def abandon_recording(db: Database, actor: Actor, recording_id: str, why: str) -> None:
    """The recorder could not start (no camera, no space): the row says so, without media."""
    with db.write() as s:
        row = s.get(RecordingRow, recording_id)
        if row is None:
            raise NotFound("No such recording.")
        _sitting(s, actor, row.sitting_id, RECORDERS, "record a sitting")
        before = audit.snapshot(row)
        row.status, row.ended_at, row.duration = "failed", utcnow(), 0.0
        audit.record(s, actor, "recording.failed", row, {**before, "why": why})


def finish_recording(
    db: Database,
    actor: Actor,
    recording_id: str,
    duration: float,
    *,
    ended_at: datetime | None = None,
    stopped_by_itself: bool = False,
) -> RecordingView:
    """The recording has ended: its length, and each of the station's notes written
    while it ran gets its recording time (milliseconds from the recording's start)."""
    with db.write() as s:
        row = s.get(RecordingRow, recording_id)
        if row is None:
            raise NotFound("No such recording.")
        _sitting(s, actor, row.sitting_id, RECORDERS, "record a sitting")
        row.ended_at = ended_at or utcnow()
        row.duration = round(max(0.0, duration), 3)
        row.status = "stopped" if stopped_by_itself else "finished"
        _stamp_notes(s, row)
        return _view(row)


def _stamp_notes(s: Session, row: RecordingRow) -> None:
    end = row.ended_at or utcnow()
    notes = s.scalars(
        select(EvidenceNoteRow).where(
            EvidenceNoteRow.sitting_id == row.sitting_id,
            EvidenceNoteRow.station_id == row.station_id,
            EvidenceNoteRow.written_at >= row.started_at,
            EvidenceNoteRow.written_at <= end,
            EvidenceNoteRow.recording_ms.is_(None),
        )
    )
    for note in notes:
        note.recording_ms = int((note.written_at - row.started_at) / timedelta(milliseconds=1))


def stamp_notes(db: Database, actor: Actor, recording_id: str) -> None:
    """Notes written so far in a running recording get their recording time (a note is
    saved after it is written; this is called once it is)."""
    with db.write() as s:
        row = s.get(RecordingRow, recording_id)
        if row is None:
            raise NotFound("No such recording.")
        _sitting(s, actor, row.sitting_id, RECORDERS, "record a sitting")
        _stamp_notes(s, row)


# -- review -------------------------------------------------------------------------------


def recordings_of(
    db: Database, actor: Actor, sitting_id: str, station_id: str | None = None
) -> list[RecordingView]:
    """A sitting's recordings (of one station, if given), oldest first."""
    with db.read() as s:
        _sitting(s, actor, sitting_id, REVIEWERS, "review recordings")
        q = select(RecordingRow).where(RecordingRow.sitting_id == sitting_id)
        if station_id is not None:
            q = q.where(RecordingRow.station_id == station_id)
        return [_view(r) for r in s.scalars(q.order_by(RecordingRow.started_at))]


def _reviewed(s: Session, actor: Actor, recording_id: str) -> RecordingRow:
    row = s.get(RecordingRow, recording_id)
    if row is None:
        raise NotFound("No such recording.")
    _sitting(s, actor, row.sitting_id, REVIEWERS, "review recordings")
    return row


def chapters(db: Database, actor: Actor, recording_id: str) -> list[ChapterView]:
    """The station's evidence notes with a time in this recording, in order.

    An assessor sees their own notes until every assessor of the sitting has submitted,
    as the sitting screen shows them; a moderator sees all."""
    with db.read() as s:
        row = _reviewed(s, actor, recording_id)
        q = select(EvidenceNoteRow).where(
            EvidenceNoteRow.sitting_id == row.sitting_id,
            EvidenceNoteRow.station_id == row.station_id,
            EvidenceNoteRow.recording_ms.is_not(None),
            EvidenceNoteRow.written_at >= row.started_at,
        )
        if row.ended_at is not None:
            q = q.where(EvidenceNoteRow.written_at <= row.ended_at)
        if actor.role == Role.ASSESSOR and not _all_submitted(s, row.sitting_id):
            q = q.where(EvidenceNoteRow.assessor_id == actor.account_id)
        notes = s.scalars(q.order_by(EvidenceNoteRow.recording_ms))
        return [ChapterView(n.id, n.recording_ms or 0, n.text, n.criterion_id, n.assessor_id) for n in notes]


def _all_submitted(s: Session, sitting_id: str) -> bool:
    from db.models import SittingAssessorRow

    waiting = s.scalar(
        select(SittingAssessorRow.id).where(
            SittingAssessorRow.sitting_id == sitting_id, SittingAssessorRow.submitted_at.is_(None)
        )
    )
    return waiting is None


def add_bookmark(db: Database, actor: Actor, recording_id: str, position_ms: int, text: str) -> BookmarkView:
    clean = " ".join(text.split())
    if not clean:
        raise UserError("A bookmark needs a few words saying what happens there.")
    if position_ms < 0:
        raise UserError("A bookmark's place cannot be before the start of the recording.")
    with db.write() as s:
        row = _reviewed(s, actor, recording_id)
        if row.duration is not None and position_ms > round(row.duration * 1000) + 1000:
            raise UserError(f"A bookmark's place is within the recording (at most {row.duration:.1f} s).")
        mark = RecordingBookmarkRow(
            recording_id=recording_id,
            position_ms=int(position_ms),
            text=clean,
            made_by=actor.account_id,
            made_at=utcnow(),
        )
        s.add(mark)
        s.flush()
        return BookmarkView(mark.id, recording_id, mark.position_ms, mark.text, mark.made_by, mark.made_at)


def bookmarks(db: Database, actor: Actor, recording_id: str) -> list[BookmarkView]:
    with db.read() as s:
        _reviewed(s, actor, recording_id)
        rows = s.scalars(
            select(RecordingBookmarkRow)
            .where(RecordingBookmarkRow.recording_id == recording_id)
            .order_by(RecordingBookmarkRow.position_ms)
        )
        return [BookmarkView(b.id, b.recording_id, b.position_ms, b.text, b.made_by, b.made_at) for b in rows]


def bookmark_still(db: Database, actor: Actor, data_dir: Path, bookmark_id: str) -> bytes:
    """The frame at a bookmark, as a PNG (for a report); decoded here, so call it off the
    GUI thread."""
    from naas_centre.video.reader import RecordingReader

    with db.read() as s:
        mark = s.get(RecordingBookmarkRow, bookmark_id)
        if mark is None:
            raise NotFound("No such bookmark.")
        row = _reviewed(s, actor, mark.recording_id)
        if row.status in GONE:
            raise Conflict("The recording has been deleted: there is no frame to show.")
        folder, at = data_dir / row.folder, mark.position_ms / 1000
    with RecordingReader(folder, media_passphrase(db)) as reader:
        return reader.still_png(min(at, max(0.0, reader.duration - 1 / reader.fps)))


def recording_folder(data_dir: Path, recording: RecordingView) -> Path:
    return data_dir / recording.folder


# -- deletion, retention, export ----------------------------------------------------------


def _remove_media(data_dir: Path, folder: str) -> None:
    target = (data_dir / folder).resolve()
    root = (data_dir / RECORDINGS_FOLDER).resolve()
    if root not in target.parents:  # a row never names a folder outside the recordings
        raise UserError(f"{folder}: not a recording folder; nothing deleted")
    shutil.rmtree(target, ignore_errors=True)


def delete_recording(db: Database, actor: Actor, data_dir: Path, recording_id: str, reason: str) -> None:
    """A manager deletes a recording before its retention period ends, with a reason."""
    require(actor, *capabilities.DELETE_RECORDING)
    why = " ".join(reason.split())
    if not why:
        raise UserError("Say why the recording is deleted before its time: the reason is kept.")
    with db.write() as s:
        row = s.get(RecordingRow, recording_id)
        if row is None:
            raise NotFound("No such recording.")
        if row.status in GONE:
            raise Conflict("This recording has already been deleted.")
        before = audit.snapshot(row)
        row.status, row.deleted_at, row.deleted_by = "deleted", utcnow(), actor.account_id
        audit.record(s, actor, "recording.delete", row, {**before, "reason": why})
        _remove_media(data_dir, row.folder)  # last: a refused write leaves the media


def retention_days(db: Database) -> int:
    with db.read() as s:
        days = s.scalar(select(CentreRow.recording_retention_days).limit(1))
    return 90 if days is None else int(days)


def set_retention_days(db: Database, actor: Actor, days: int) -> None:
    require(actor, *capabilities.ADMINISTER)
    if not 1 <= days <= MAX_RETENTION_DAYS:
        raise UserError(f"Recordings are kept for 1 to {MAX_RETENTION_DAYS} days, not {days}.")
    with db.write() as s:
        row = s.scalar(select(CentreRow).limit(1))
        if row is None:
            raise NotFound("This database holds no centre yet.")
        if row.recording_retention_days != days:
            audit.note(
                s,
                actor,
                "centre.recording_retention",
                CentreRow.__tablename__,
                row.id,
                {"before": row.recording_retention_days, "after": days},
            )
            row.recording_retention_days = days


def expire(db: Database, data_dir: Path, now: datetime | None = None) -> ExpiryReport:
    """Deletes the media of every recording made longer ago than the retention period;
    each with an audit entry saying what was removed. A recording of a candidate under a
    legal hold stays, and the report says so and why. Acts for the workstation."""
    from naas_centre.services.retention import held_candidates

    now = now or utcnow()
    removed: list[Expired] = []
    kept: list[KeptUnderHold] = []
    with db.write() as s:
        days = s.scalar(select(CentreRow.recording_retention_days).limit(1))
        cutoff = now - timedelta(days=90 if days is None else int(days))
        rows = s.execute(
            select(RecordingRow, SittingRow.candidate_id)
            .join(SittingRow, SittingRow.id == RecordingRow.sitting_id)
            .where(
                RecordingRow.started_at < cutoff,
                # A row still "recording" so long after is one whose app was killed: its
                # folder holds what was kept, and goes the same way.
                RecordingRow.status.not_in(GONE),
            )
            .order_by(RecordingRow.started_at)
        ).all()
        held = held_candidates(s)
        holds = _hold_reasons(s, held) if held else {}
        for row, candidate_id in rows:
            if candidate_id in held:
                registration, reason = holds[candidate_id]
                kept.append(KeptUnderHold(row.id, row.folder, registration, reason))
                continue
            before = audit.snapshot(row)
            row.status, row.deleted_at = "expired", now
            audit.record(s, None, "recording.expire", row, {**before, "retention_days": days})
            removed.append(Expired(row.id, row.folder))
    for gone in removed:
        _remove_media(data_dir, gone.folder)
    return ExpiryReport(tuple(removed), tuple(kept))


def _hold_reasons(s: Session, held: set[str]) -> dict[str, tuple[str, str]]:
    """Each held candidate's registration number and the reason of their newest hold."""
    found: dict[str, tuple[str, str]] = {}
    rows = s.execute(
        select(LegalHoldRow.candidate_id, CandidateRow.registration_number, LegalHoldRow.reason)
        .join(CandidateRow, CandidateRow.id == LegalHoldRow.candidate_id)
        .where(LegalHoldRow.candidate_id.in_(held), LegalHoldRow.released_at.is_(None))
        .order_by(LegalHoldRow.placed_at)
    )
    for candidate_id, registration, reason in rows:
        found[candidate_id] = (registration or "", reason)
    return found


def export(db: Database, actor: Actor, data_dir: Path, recording_id: str, destination: Path) -> Path:
    """A manager copies one recording (its MP4 and index) into ``destination``: the only way
    a recording leaves the app; audited. Returns the folder written."""
    require(actor, *capabilities.EXPORT_RECORDING)
    if not destination.is_dir():
        raise UserError(f"{destination}: not a folder to export into")
    with db.write() as s:
        row = s.get(RecordingRow, recording_id)
        if row is None:
            raise NotFound("No such recording.")
        if row.status in GONE:
            raise Conflict("This recording has been deleted: there is nothing to export.")
        source = data_dir / row.folder
        if not source.is_dir():
            raise UserError(f"{source}: the recording's folder is missing")
        target = destination / f"recording-{row.sitting_id[:8]}-{row.station_id}-{row.id[:8]}"
        if target.exists():
            raise UserError(f"{target}: already exists; choose another folder")
        audit.note(
            s,
            actor,
            "recording.export",
            RecordingRow.__tablename__,
            row.id,
            {"folder": row.folder, "to": str(target)},
        )
        partial = target.with_name(target.name + ".part")
        shutil.rmtree(partial, ignore_errors=True)
        try:
            passphrase = media_passphrase(db)
            shutil.copytree(source, partial, copy_function=lambda a, b: _copy_clear(a, b, passphrase))
            partial.rename(target)  # whole or not at all
        except OSError as exc:
            shutil.rmtree(partial, ignore_errors=True)
            raise UserError(f"{destination}: the recording could not be written there ({exc})") from None
        except UserError:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        return target


def _copy_clear(source: str, target: str, passphrase: str | None) -> None:
    """A file of an export: a sealed recording decrypted into it (exporting is the explicit
    act that takes a recording out in clear), any other file copied."""
    from naas_centre.protection import sealed_media

    if not sealed_media.is_sealed_media(Path(source)):
        shutil.copy2(source, target)
        return
    if passphrase is None:
        raise UserError(f"{source}: the recording is encrypted and this centre's database is not")
    with open(target, "xb") as out:
        sealed_media.copy_clear(Path(source), passphrase, out)


def media_passphrase(db: Database) -> str | None:
    """The passphrase a recording of this centre is sealed under: the encrypted database's
    (``protection.sealed_media``); None for a plain centre, whose recordings are plain MP4."""
    from naas_centre.protection import centre_key

    key = centre_key.key_of(db.url)
    return key.passphrase if key is not None else None
