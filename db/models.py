"""The rows. Class names end in ``Row`` so they never pass for Qt models.

Identity, equality monitoring and scores live in separate tables on purpose: the
monitoring data is read only by quality assurance, in aggregate.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Stamped, UtcDateTime

FK = String(36)


class CentreRow(Stamped, Base):
    __tablename__ = "centre"

    name: Mapped[str] = mapped_column(String(200))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    # On every report's first page: PNG or JPEG bytes, None for none.
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    # The re-sit rule, checked at booking: weeks to wait after a not-met outcome
    # (0: none) and the most attempts at one level (0: no limit).
    resit_wait_weeks: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    max_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Days a role-play recording is kept after it was made; then its media is deleted.
    recording_retention_days: Mapped[int] = mapped_column(Integer, default=90, server_default="90")


class EmployerRow(Stamped, Base):
    """A local authority, trust or agency whose social workers are assessed."""

    __tablename__ = "employers"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    # local_authority, trust, agency or other
    kind: Mapped[str] = mapped_column(String(32), default="local_authority")
    contact_email: Mapped[str | None] = mapped_column(String(200), default=None)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class AccountRow(Stamped, Base):
    __tablename__ = "accounts"

    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(200))
    employer: Mapped[str | None] = mapped_column(String(200), default=None)
    # Social Work England (or other regulator) registration: on certificates and signatures.
    registration_number: Mapped[str | None] = mapped_column(String(40), default=None)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set by an administrator's reset, cleared when the person chooses their own: a
    # temporary password never unlocks or replaces a signing key.
    password_temporary: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)


class PackRow(Stamped, Base):
    """A scenario pack exactly as a sitting used it; never changed once stored."""

    __tablename__ = "packs"

    name: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(32))
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    level: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    content: Mapped[str] = mapped_column(Text)


class RoomRow(Stamped, Base):
    __tablename__ = "rooms"

    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="role_play", server_default="role_play")  # written
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")


class ActorRow(Stamped, Base):
    __tablename__ = "actors"

    full_name: Mapped[str] = mapped_column(String(200))
    video_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    # The parts they can play: a JSON list of "pack-name/station-id" (empty: not yet said).
    roles: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")


class CandidateRow(Stamped, Base):
    __tablename__ = "candidates"

    full_name: Mapped[str] = mapped_column(String(200))
    registration_number: Mapped[str] = mapped_column(String(40))
    employer: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(32))
    extra_time_percent: Mapped[int] = mapped_column(Integer, default=0)
    extra_time_minutes: Mapped[int] = mapped_column(Integer, default=0)
    break_between_scenarios: Mapped[bool] = mapped_column(Boolean, default=False)
    adjustment_notes: Mapped[str] = mapped_column(Text, default="")
    training_footage_opt_out: Mapped[bool] = mapped_column(Boolean, default=False)
    prior_results: Mapped[str | None] = mapped_column(Text, default=None)
    email: Mapped[str | None] = mapped_column(String(200), default=None)


class EndorsementRow(Stamped, Base):
    """An employer's endorsement of a candidate's practice for a level: needed to book."""

    __tablename__ = "endorsements"

    candidate_id: Mapped[str] = mapped_column(FK, ForeignKey("candidates.id"), index=True)
    level: Mapped[str] = mapped_column(String(32))
    employer: Mapped[str] = mapped_column(String(200))
    endorsed_by: Mapped[str] = mapped_column(String(200))  # the person at the employer, and their role
    endorsed_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(FK, ForeignKey("accounts.id"))


class ConflictRow(Stamped, Base):
    """An assessor's declared conflict of interest with a candidate: never paired."""

    __tablename__ = "conflicts"
    __table_args__ = (UniqueConstraint("assessor_id", "candidate_id"),)

    assessor_id: Mapped[str] = mapped_column(FK, ForeignKey("accounts.id"), index=True)
    candidate_id: Mapped[str] = mapped_column(FK, ForeignKey("candidates.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # knows, line_manages, worked_with, other
    note: Mapped[str] = mapped_column(Text, default="")


class EqualityMonitoringRow(Stamped, Base):
    __tablename__ = "equality_monitoring"

    candidate_id: Mapped[str] = mapped_column(FK, ForeignKey("candidates.id"), unique=True)
    age_band: Mapped[str | None] = mapped_column(String(40), default=None)
    ethnicity: Mapped[str | None] = mapped_column(String(80), default=None)
    disability: Mapped[str | None] = mapped_column(String(40), default=None)
    sex: Mapped[str | None] = mapped_column(String(40), default=None)


class SittingRow(Stamped, Base):
    """One candidate's attempt at one pack, on one day, in one room."""

    __tablename__ = "sittings"

    candidate_id: Mapped[str] = mapped_column(FK, ForeignKey("candidates.id"), index=True)
    pack_id: Mapped[str] = mapped_column(FK, ForeignKey("packs.id"))
    room_id: Mapped[str] = mapped_column(FK, ForeignKey("rooms.id"))
    day: Mapped[date] = mapped_column(Date, index=True)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime())
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(20), default="planned")
    # Random, shown to markers instead of the name: nothing they hold derives it.
    marking_code: Mapped[str | None] = mapped_column(String(16), unique=True, index=True, default=None)


class SittingAssessorRow(Stamped, Base):
    __tablename__ = "sitting_assessors"
    __table_args__ = (UniqueConstraint("sitting_id", "assessor_id"),)

    sitting_id: Mapped[str] = mapped_column(FK, ForeignKey("sittings.id"), index=True)
    assessor_id: Mapped[str] = mapped_column(FK, ForeignKey("accounts.id"), index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    # The pack stations this assessor observes in this sitting, comma-separated (a
    # circuit: each station has its own assessors); "" means every station.
    stations: Mapped[str] = mapped_column(Text, default="", server_default="")


class DayPlanRow(Stamped, Base):
    """A day planned as a circuit: its slots, breaks and the written-exercise room."""

    __tablename__ = "day_plans"

    day: Mapped[date] = mapped_column(Date, unique=True)
    pack_id: Mapped[str] = mapped_column(FK, ForeignKey("packs.id"))
    first_slot_at: Mapped[datetime] = mapped_column(UtcDateTime())
    slot_minutes: Mapped[int] = mapped_column(Integer)  # one station visit, changeover included
    # JSON: [{"after_slot": 3, "minutes": 45, "label": "Lunch"}, ...]
    breaks: Mapped[str] = mapped_column(Text, default="[]")
    written_room_id: Mapped[str | None] = mapped_column(FK, ForeignKey("rooms.id"), default=None)
    written_seats: Mapped[int] = mapped_column(Integer, default=0)


class PlanStationRow(Stamped, Base):
    """One station of a day's circuit: a room, one scenario of the pack, its people."""

    __tablename__ = "plan_stations"
    __table_args__ = (UniqueConstraint("plan_id", "room_id"),)

    plan_id: Mapped[str] = mapped_column(FK, ForeignKey("day_plans.id"), index=True)
    room_id: Mapped[str] = mapped_column(FK, ForeignKey("rooms.id"))
    station_id: Mapped[str] = mapped_column(String(64))  # the pack's station (scenario or discussion)
    assessor_ids: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of account ids
    actor_id: Mapped[str | None] = mapped_column(FK, ForeignKey("actors.id"), default=None)


class VisitRow(Stamped, Base):
    """When and where a sitting does one station (or, with station_id "written", the
    written exercise): a candidate's timetable, a room's rota."""

    __tablename__ = "sitting_visits"
    __table_args__ = (UniqueConstraint("sitting_id", "station_id"),)

    sitting_id: Mapped[str] = mapped_column(FK, ForeignKey("sittings.id"), index=True)
    station_id: Mapped[str] = mapped_column(String(64))
    room_id: Mapped[str] = mapped_column(FK, ForeignKey("rooms.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime())
    slot: Mapped[int] = mapped_column(Integer, default=0)


class SittingActorRow(Stamped, Base):
    __tablename__ = "sitting_actors"
    __table_args__ = (UniqueConstraint("sitting_id", "station_id"),)

    sitting_id: Mapped[str] = mapped_column(FK, ForeignKey("sittings.id"), index=True)
    station_id: Mapped[str] = mapped_column(String(64))
    actor_id: Mapped[str] = mapped_column(FK, ForeignKey("actors.id"))


class ScoreRow(Stamped, Base):
    """One assessor's level for one criterion; ``level`` None means cleared."""

    __tablename__ = "scores"
    __table_args__ = (
        UniqueConstraint("sitting_id", "assessor_id", "station_id", "criterion_id"),
        # The same, with the level: a score sheet export reads every sheet from the
        # index alone, never the table (a third less time at national scale).
        Index("ix_scores_sheet_levels", "sitting_id", "assessor_id", "station_id", "criterion_id", "level"),
    )

    sitting_id: Mapped[str] = mapped_column(FK, ForeignKey("sittings.id"), index=True)
    assessor_id: Mapped[str] = mapped_column(FK, ForeignKey("accounts.id"))
    station_id: Mapped[str] = mapped_column(String(64))
    criterion_id: Mapped[str] = mapped_column(String(64))
    level: Mapped[int | None] = mapped_column(Integer, default=None)
    # Why this level: required for a level below the pack's standard.
    reason: Mapped[str] = mapped_column(Text, default="", server_default="")


class JudgementRow(Stamped, Base):
    """One assessor's overall judgement of one station."""

    __tablename__ = "judgements"
    __table_args__ = (UniqueConstraint("sitting_id", "assessor_id", "station_id"),)

    sitting_id: Mapped[str] = mapped_column(FK, ForeignKey("sittings.id"), index=True)
    assessor_id: Mapped[str] = mapped_column(FK, ForeignKey("accounts.id"))
    station_id: Mapped[str] = mapped_column(String(64))
    judgement: Mapped[str | None] = mapped_column(String(20), default=None)
    # "Only just" met or not met: the borderline point standard setting regresses on.
    borderline: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    rationale: Mapped[str] = mapped_column(Text, default="")


class EvidenceNoteRow(Stamped, Base):
    __tablename__ = "evidence_notes"

    sitting_id: Mapped[str] = mapped_column(FK, ForeignKey("sittings.id"), index=True)
    assessor_id: Mapped[str] = mapped_column(FK, ForeignKey("accounts.id"))
    station_id: Mapped[str] = mapped_column(String(64))
    criterion_id: Mapped[str | None] = mapped_column(String(64), default=None)
    text: Mapped[str] = mapped_column(Text)
    phase: Mapped[str | None] = mapped_column(String(20), default=None)
    phase_clock_ms: Mapped[int | None] = mapped_column(Integer, default=None)
    written_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # Milliseconds into the station's recording when the note was written (None: none ran).
    recording_ms: Mapped[int | None] = mapped_column(Integer, default=None)


class AuditChainRow(Stamped, Base):
    """The id of this database's own audit chain: one row, made with the database.

    A chain is the trail one database writes, whichever workstations write into it;
    entries brought in from another database keep their own chain's id.
    """

    __tablename__ = "audit_chain"

    chain_id: Mapped[str] = mapped_column(String(36), unique=True)


class AuditEntryRow(Stamped, Base):
    """One change, chained to the one before it in its chain by hash (see
    naas_centre.services.audit).

    ``seq`` is the order this database took its entries in, ``chain_seq`` the place in
    the chain of the database that wrote it; for entries written here they are equal
    unless the database was given a chain of its own after a copy.
    """

    __tablename__ = "audit_entries"
    __table_args__ = (UniqueConstraint("chain_id", "chain_seq"),)

    seq: Mapped[int] = mapped_column(Integer, unique=True)
    chain_id: Mapped[str] = mapped_column(String(36))
    chain_seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    account_id: Mapped[str | None] = mapped_column(FK, default=None)
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(60))
    entity_id: Mapped[str] = mapped_column(String(36), index=True)
    before: Mapped[str | None] = mapped_column(Text, default=None)
    after: Mapped[str | None] = mapped_column(Text, default=None)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class PhaseEventRow(Stamped, Base):
    """A start, pause, resume or end of one phase of one station, at an exact instant.

    The phase clock is computed from these, never counted: see naas_centre.core.timing.
    ``downtime`` events record a gap while the app was not running.
    """

    __tablename__ = "phase_events"

    sitting_id: Mapped[str] = mapped_column(FK, ForeignKey("sittings.id"), index=True)
    station_id: Mapped[str] = mapped_column(String(64))
    phase: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    account_id: Mapped[str | None] = mapped_column(FK, default=None)
    planned_ms: Mapped[int | None] = mapped_column(Integer, default=None)
    adjusted_ms: Mapped[int | None] = mapped_column(Integer, default=None)
    gap_ms: Mapped[int | None] = mapped_column(Integer, default=None)


class PresenceRow(Stamped, Base):
    """A workstation's heartbeat in an open sitting, to measure downtime after a crash."""

    __tablename__ = "presence"
    __table_args__ = (UniqueConstraint("sitting_id", "account_id", "workstation_id"),)

    sitting_id: Mapped[str] = mapped_column(FK, ForeignKey("sittings.id"))
    account_id: Mapped[str] = mapped_column(FK, ForeignKey("accounts.id"))
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ScriptRow(Stamped, Base):
    """A candidate's written exercise, saved as they type; read-only once submitted."""

    __tablename__ = "scripts"

    sitting_id: Mapped[str] = mapped_column(FK, ForeignKey("sittings.id"), unique=True)
    text: Mapped[str] = mapped_column(Text, default="")
    word_count: Mapped[int] = mapped_column(Integer, default=0)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    saved_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    submitted_how: Mapped[str | None] = mapped_column(String(20), default=None)


class CertificateRow(Stamped, Base):
    """A certificate the centre's own authority made: its own (``kind`` "ca") or a signer's.

    Certificates are never deleted, so every document ever signed stays verifiable and
    every certificate ever issued can be listed.
    """

    __tablename__ = "certificates"

    kind: Mapped[str] = mapped_column(String(16))
    account_id: Mapped[str | None] = mapped_column(FK, ForeignKey("accounts.id"), index=True, default=None)
    issuer_id: Mapped[str | None] = mapped_column(FK, ForeignKey("certificates.id"), default=None)
    subject: Mapped[str] = mapped_column(String(400))
    serial: Mapped[str] = mapped_column(String(40), unique=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    pem: Mapped[str] = mapped_column(Text)
    not_before: Mapped[datetime] = mapped_column(UtcDateTime())
    not_after: Mapped[datetime] = mapped_column(UtcDateTime())
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    revocation_reason: Mapped[str | None] = mapped_column(Text, default=None)
    # When the person was shown that this certificate was issued in their name.
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)


class CertificateApprovalRow(Stamped, Base):
    """One administrator's approval of a replacement certificate for a person who cannot
    prove their own password; two distinct approvals issue one certificate."""

    __tablename__ = "certificate_approvals"

    account_id: Mapped[str] = mapped_column(FK, ForeignKey("accounts.id"), index=True)
    approver_id: Mapped[str] = mapped_column(FK, ForeignKey("accounts.id"))
    reason: Mapped[str] = mapped_column(Text)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)


class CrlRow(Stamped, Base):
    """A certificate revocation list the centre CA signed; the newest is embedded in
    every signature so a report verifies offline years later."""

    __tablename__ = "crls"
    __table_args__ = (UniqueConstraint("ca_id", "number"),)

    ca_id: Mapped[str] = mapped_column(FK, ForeignKey("certificates.id"))
    number: Mapped[int] = mapped_column(Integer)
    this_update: Mapped[datetime] = mapped_column(UtcDateTime())
    next_update: Mapped[datetime] = mapped_column(UtcDateTime())
    der: Mapped[bytes] = mapped_column(LargeBinary)


class SigningKeyRow(Stamped, Base):
    """A private key, only ever stored encrypted (PKCS#8); ``protection`` says under what."""

    __tablename__ = "signing_keys"

    certificate_id: Mapped[str] = mapped_column(FK, ForeignKey("certificates.id"), unique=True)
    protection: Mapped[str] = mapped_column(String(32))
    encrypted_pem: Mapped[str] = mapped_column(Text)


class SignedDocumentRow(Stamped, Base):
    """One signed version of one report, with the data it was drawn from, frozen.

    A later version names the one it ``supersedes`` and says why; old versions stay.
    ``pdf`` and ``sha256`` are the document as it is now (after any countersignature).
    """

    __tablename__ = "signed_documents"
    __table_args__ = (UniqueConstraint("report_key", "version"),)

    report_key: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    sitting_id: Mapped[str | None] = mapped_column(FK, ForeignKey("sittings.id"), index=True, default=None)
    station_id: Mapped[str | None] = mapped_column(String(64), default=None)
    day: Mapped[date] = mapped_column(Date, index=True)
    version: Mapped[int] = mapped_column(Integer)
    supersedes_id: Mapped[str | None] = mapped_column(FK, ForeignKey("signed_documents.id"), default=None)
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    title: Mapped[str] = mapped_column(String(300))
    snapshot: Mapped[str] = mapped_column(Text)
    snapshot_sha256: Mapped[str] = mapped_column(String(64))
    slots: Mapped[str] = mapped_column(Text)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    signed_by: Mapped[str] = mapped_column(FK, ForeignKey("accounts.id"))
    signed_at: Mapped[datetime] = mapped_column(UtcDateTime())


class DocumentSignatureRow(Stamped, Base):
    """One signature on a signed document: the first, or a countersignature added later."""

    __tablename__ = "document_signatures"
    __table_args__ = (UniqueConstraint("document_id", "slot"),)

    document_id: Mapped[str] = mapped_column(FK, ForeignKey("signed_documents.id"), index=True)
    account_id: Mapped[str] = mapped_column(FK, ForeignKey("accounts.id"))
    certificate_id: Mapped[str] = mapped_column(FK, ForeignKey("certificates.id"))
    slot: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(20))
    signed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    sha256: Mapped[str] = mapped_column(String(64))


class ModerationRow(Stamped, Base):
    """What was agreed where the two assessors differed: a criterion's level, or (with
    ``criterion_id`` "") the station's overall judgement."""

    __tablename__ = "moderations"
    __table_args__ = (UniqueConstraint("sitting_id", "station_id", "criterion_id"),)

    sitting_id: Mapped[str] = mapped_column(FK, ForeignKey("sittings.id"), index=True)
    station_id: Mapped[str] = mapped_column(String(64))
    criterion_id: Mapped[str] = mapped_column(String(64))
    level: Mapped[int | None] = mapped_column(Integer, default=None)
    judgement: Mapped[str | None] = mapped_column(String(20), default=None)
    reason: Mapped[str] = mapped_column(Text)
    moderator_id: Mapped[str] = mapped_column(FK, ForeignKey("accounts.id"))


class ExchangeSentRow(Stamped, Base):
    """One row as it left in a bundle (``direction`` "sent") or was taken in from one
    ("received"): the latest such entry is the base a later merge compares both sides
    with (see naas_centre.exchange.merge)."""

    __tablename__ = "exchange_sent"
    __table_args__ = (Index("ix_exchange_sent_row", "table_name", "row_id", "sent_at"),)

    bundle_id: Mapped[str] = mapped_column(String(36), index=True)
    table_name: Mapped[str] = mapped_column(String(60))
    row_id: Mapped[str] = mapped_column(String(36))
    content_hash: Mapped[str] = mapped_column(String(64))
    direction: Mapped[str] = mapped_column(String(10), default="sent")
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ExchangeConflictRow(Stamped, Base):
    """A row changed both here and on the workstation a bundle came from: both versions
    kept (as canonical JSON), the local one still in place, open until resolved."""

    __tablename__ = "exchange_conflicts"
    __table_args__ = (
        # One conflict per pair of versions: merging the same bundle again adds none.
        UniqueConstraint(
            "table_name", "row_id", "local_hash", "incoming_hash", name="uq_exchange_conflicts_pair"
        ),
    )

    table_name: Mapped[str] = mapped_column(String(60))
    row_id: Mapped[str] = mapped_column(String(36), index=True)
    local_content: Mapped[str] = mapped_column(Text)
    local_hash: Mapped[str] = mapped_column(String(64))
    incoming_content: Mapped[str] = mapped_column(Text)
    incoming_hash: Mapped[str] = mapped_column(String(64))
    bundle_id: Mapped[str] = mapped_column(String(36))
    origin_workstation: Mapped[str] = mapped_column(String(36))
    found_at: Mapped[datetime] = mapped_column(UtcDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    resolved_by: Mapped[str | None] = mapped_column(FK, ForeignKey("accounts.id"), default=None)
    kept: Mapped[str | None] = mapped_column(String(10), default=None)  # local or incoming
    reason: Mapped[str | None] = mapped_column(Text, default=None)


class StationPassMarkRow(Stamped, Base):
    """A station pass mark adopted for a pack (by its name and version), in force from a
    day: the station score (the sum of its criterion levels) a sitting on or after that
    day must reach. Never edited: adopting again makes the next version."""

    __tablename__ = "station_pass_marks"
    __table_args__ = (
        UniqueConstraint(
            "pack_name", "pack_version", "station_id", "version", name="uq_station_pass_marks_version"
        ),
    )

    pack_name: Mapped[str] = mapped_column(String(64))
    pack_version: Mapped[str] = mapped_column(String(32))
    station_id: Mapped[str] = mapped_column(String(64))
    pass_mark: Mapped[float] = mapped_column(Float)
    # borderline_regression, borderline_group or by_hand
    method: Mapped[str] = mapped_column(String(32))
    # The figures it came from (None when set by hand): candidates, R², standard error.
    n: Mapped[int | None] = mapped_column(Integer, default=None)
    r_squared: Mapped[float | None] = mapped_column(Float, default=None)
    se: Mapped[float | None] = mapped_column(Float, default=None)
    effective_from: Mapped[date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    adopted_by: Mapped[str] = mapped_column(FK, ForeignKey("accounts.id"))
    adopted_at: Mapped[datetime] = mapped_column(UtcDateTime())


class RecordingConsentRow(Stamped, Base):
    """Consent to record a sitting, given or withdrawn: never edited, the newest for a
    person counts. ``subject`` is "candidate" or "actor"; an actor's consent is for the
    station they play (``station_id``), the candidate's for the whole sitting ("")."""

    __tablename__ = "recording_consents"

    sitting_id: Mapped[str] = mapped_column(FK, ForeignKey("sittings.id"), index=True)
    station_id: Mapped[str] = mapped_column(String(64), default="", server_default="")
    subject: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[str | None] = mapped_column(FK, ForeignKey("actors.id"), default=None)
    given: Mapped[bool] = mapped_column(Boolean)
    recorded_by: Mapped[str] = mapped_column(FK, ForeignKey("accounts.id"))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())


class RecordingRow(Stamped, Base):
    """One recording of a station of a sitting: a folder (relative to the data folder)
    holding the MP4 and its index. ``status``: recording, finished, stopped (by itself:
    camera or disk), deleted (by a manager), expired (past the retention period) or
    failed (never started); a deleted or expired recording keeps its row, without its media."""

    __tablename__ = "recordings"

    sitting_id: Mapped[str] = mapped_column(FK, ForeignKey("sittings.id"), index=True)
    station_id: Mapped[str] = mapped_column(String(64))
    folder: Mapped[str] = mapped_column(String(400))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    duration: Mapped[float | None] = mapped_column(Float, default=None)
    status: Mapped[str] = mapped_column(String(20), default="recording")
    started_by: Mapped[str] = mapped_column(FK, ForeignKey("accounts.id"))
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    deleted_by: Mapped[str | None] = mapped_column(FK, ForeignKey("accounts.id"), default=None)


class RecordingBookmarkRow(Stamped, Base):
    """A reviewer's mark at a moment of a recording."""

    __tablename__ = "recording_bookmarks"

    recording_id: Mapped[str] = mapped_column(FK, ForeignKey("recordings.id"), index=True)
    position_ms: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    made_by: Mapped[str] = mapped_column(FK, ForeignKey("accounts.id"))
    made_at: Mapped[datetime] = mapped_column(UtcDateTime())


class KnowledgeFormRow(Stamped, Base):
    """A candidate's knowledge-test form, drawn once from the pack's bank by a blueprint
    and a seed: ``items`` is JSON, each item's id, version and option order as shown, in
    the order shown. ``allowed_ms`` is the blueprint's time with the candidate's extra
    time. Marks are a fraction ("83/2") set on submission, with whether they reach the
    form's pass mark; a resumed form is this row, unchanged."""

    __tablename__ = "knowledge_forms"
    __table_args__ = (UniqueConstraint("sitting_id", "form_id", name="uq_knowledge_forms_sitting_form"),)

    sitting_id: Mapped[str] = mapped_column(FK, ForeignKey("sittings.id"), index=True)
    pack_id: Mapped[str] = mapped_column(FK, ForeignKey("packs.id"))
    form_id: Mapped[str] = mapped_column(String(64))
    seed: Mapped[str] = mapped_column(String(64))
    items: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    allowed_ms: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    submitted_how: Mapped[str | None] = mapped_column(String(20), default=None)
    marks: Mapped[str | None] = mapped_column(String(20), default=None)
    passed: Mapped[bool | None] = mapped_column(Boolean, default=None)


class KnowledgeAnswerRow(Stamped, Base):
    """A candidate's answer to one item of a form: the option ids chosen (JSON), whether
    they flagged it, and when. ``write_id`` is the kiosk's write that last set it, so a
    replay after a crash is recognised by its own id."""

    __tablename__ = "knowledge_answers"
    __table_args__ = (
        UniqueConstraint("knowledge_form_id", "item_id", name="uq_knowledge_answers_form_item"),
    )

    knowledge_form_id: Mapped[str] = mapped_column(FK, ForeignKey("knowledge_forms.id"), index=True)
    item_id: Mapped[str] = mapped_column(String(64))
    item_version: Mapped[int] = mapped_column(Integer)
    chosen: Mapped[str] = mapped_column(Text, default="[]")
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    write_id: Mapped[str | None] = mapped_column(String(36), default=None)


class RetentionPeriodRow(Stamped, Base):
    """How long the centre keeps one kind of personal data (see
    naas_centre.services.retention): months after the event it is counted from. A kind
    with no row keeps the default written in the service."""

    __tablename__ = "retention_periods"

    kind: Mapped[str] = mapped_column(String(32), unique=True)
    months: Mapped[int] = mapped_column(Integer)


class LegalHoldRow(Stamped, Base):
    """A hold on one candidate's data (an appeal, a complaint, a claim): while it is not
    released, neither retention nor an erasure request removes anything of theirs."""

    __tablename__ = "legal_holds"

    candidate_id: Mapped[str] = mapped_column(FK, ForeignKey("candidates.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    placed_by: Mapped[str] = mapped_column(FK, ForeignKey("accounts.id"))
    placed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    released_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    released_by: Mapped[str | None] = mapped_column(FK, ForeignKey("accounts.id"), default=None)
    release_reason: Mapped[str | None] = mapped_column(Text, default=None)


class CalibrationExerciseRow(Stamped, Base):
    """A consented recording of a station, with the levels a panel agreed for it
    (``CalibrationAgreedLevelRow``), that assessors score before a day to see where they
    stand. ``closed_at``: no new attempts once set."""

    __tablename__ = "calibration_exercises"

    recording_id: Mapped[str] = mapped_column(FK, ForeignKey("recordings.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    made_by: Mapped[str] = mapped_column(FK, ForeignKey("accounts.id"))
    made_at: Mapped[datetime] = mapped_column(UtcDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)


class CalibrationAgreedLevelRow(Stamped, Base):
    """The level the panel agreed for one criterion of an exercise's station."""

    __tablename__ = "calibration_agreed_levels"
    __table_args__ = (
        UniqueConstraint(
            "exercise_id", "criterion_id", name="uq_calibration_agreed_levels_exercise_criterion"
        ),
    )

    exercise_id: Mapped[str] = mapped_column(FK, ForeignKey("calibration_exercises.id"), index=True)
    criterion_id: Mapped[str] = mapped_column(String(64))
    level: Mapped[int] = mapped_column(Integer)


class CalibrationAttemptRow(Stamped, Base):
    """One assessor's attempt at an exercise: one each; ``finished_at`` once they have
    scored every criterion and asked to see where they stand (their levels are then fixed)."""

    __tablename__ = "calibration_attempts"
    __table_args__ = (
        UniqueConstraint("exercise_id", "assessor_id", name="uq_calibration_attempts_exercise_assessor"),
    )

    exercise_id: Mapped[str] = mapped_column(FK, ForeignKey("calibration_exercises.id"), index=True)
    assessor_id: Mapped[str] = mapped_column(FK, ForeignKey("accounts.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)


class CalibrationLevelRow(Stamped, Base):
    """An assessor's level for one criterion in their attempt; ``level`` None means cleared."""

    __tablename__ = "calibration_levels"
    __table_args__ = (
        UniqueConstraint("attempt_id", "criterion_id", name="uq_calibration_levels_attempt_criterion"),
    )

    attempt_id: Mapped[str] = mapped_column(FK, ForeignKey("calibration_attempts.id"), index=True)
    criterion_id: Mapped[str] = mapped_column(String(64))
    level: Mapped[int | None] = mapped_column(Integer, default=None)
