"""Which candidate kiosk this workstation has open: it stays open until an assessor or a
manager leaves it with their password, through a crash or a restart.

The audit trail is the record: ``written.open_kiosk`` notes ``kiosk.open`` and
``written.leave_kiosk`` notes ``kiosk.exit``, in the same transactions as the change,
each stamped with the workstation that wrote it. A kiosk whose last entry here is an
open (or a resume) was never left, so the app reopens it at start, before anyone signs
in: killing the program does not free the workstation, and the candidate's script and
clock carry on where the database has them.

It is also what the kiosk screen asks of the services, as plain functions for the
task manager's workers: each takes the ``Database`` and the ``KioskGrant`` and returns
frozen data. The orchestration of submitting (the final text once, then the end of the
writing phase) and the rule for who may pause or resume the writing clock live here,
not in the screen.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from db.engine import Database
from db.models import AccountRow, AuditEntryRow, KnowledgeFormRow, ScriptRow, SittingRow
from naas_centre.errors import Conflict, PermissionDenied
from naas_centre.services import accounts, audit, packs, sittings, timing, written
from naas_centre.services.timing import StationTiming
from naas_centre.services.views import Actor, Role
from naas_centre.services.written import STARTERS, KioskGrant, KioskMaterial, ScriptState
from naas_centre.writes.journal import Journal, KeptScript, journal_path, kept_script

if TYPE_CHECKING:
    from naas_centre.services.knowledge import KnowledgeStart

log = logging.getLogger(__name__)

OPEN_ACTIONS = ("kiosk.open", "kiosk.resume")
KIOSK_ACTIONS = (*OPEN_ACTIONS, "kiosk.exit")


def _last_open(db: Database) -> tuple[str, str, str] | None:
    """(table, row id, opener's account id) of a kiosk left open here, else None: the
    table is ``scripts`` for the written exercise, ``knowledge_forms`` for a knowledge test."""
    with db.read() as s:
        last = s.execute(
            select(
                AuditEntryRow.action, AuditEntryRow.entity, AuditEntryRow.entity_id, AuditEntryRow.account_id
            )
            .where(
                AuditEntryRow.workstation_id == db.workstation_id,
                AuditEntryRow.action.in_(KIOSK_ACTIONS),
            )
            .order_by(AuditEntryRow.seq.desc())
            .limit(1)
        ).first()
    if last is None or last.action not in OPEN_ACTIONS or last.account_id is None:
        return None
    return last.entity, last.entity_id, last.account_id


def left_open(db: Database) -> KioskGrant | None:
    """The kiosk this workstation left open, as a grant for its opener, or None.

    Reopening is audited (``kiosk.resume``). A kiosk whose opener can no longer start
    one (the account was disabled or changed role) is not reopened: someone signs in.
    """
    found = _last_open(db)
    if found is None or found[0] != ScriptRow.__tablename__:
        return None
    _, script_id, opener_id = found
    with db.write() as s:
        script = s.get(ScriptRow, script_id)
        opener = s.get(AccountRow, opener_id)
        if script is None or opener is None or not opener.active or Role(opener.role) not in STARTERS:
            return None
        sitting = s.get(SittingRow, script.sitting_id)
        assert sitting is not None  # a foreign key
        we = packs.pack_by_id(s, sitting.pack_id).written_exercise
        if we is None:
            return None
        actor = accounts.actor_of(opener)
        audit.note(s, actor, "kiosk.resume", script.__tablename__, script.id, {"sitting": sitting.id})
        return KioskGrant(sitting.id, we.id, actor)


# -- what the kiosk screen asks, run on the task manager's workers ----------------------


@dataclass(frozen=True)
class KioskStart:
    """All the kiosk needs to appear: read in one go by a worker."""

    grant: KioskGrant
    material: KioskMaterial
    script: ScriptState
    timing: StationTiming
    downtime_ms: int = 0
    kept: KeptScript | None = None  # typed before a crash, kept in the journal, not yet saved


def _gather(db: Database, grant: KioskGrant, downtime_ms: int) -> KioskStart:
    timing.heartbeat(db, grant.actor, grant.sitting_id)
    script = written.script(db, grant)
    return KioskStart(
        grant,
        written.material(db, grant),
        script,
        written.kiosk_timing(db, grant),
        downtime_ms,
        _kept(db, grant, script),
    )


def _kept(db: Database, grant: KioskGrant, script: ScriptState) -> KeptScript | None:
    """What the journal beside the database holds of this script that the database does not."""
    if script.submitted_at is not None:
        return None
    try:
        records = Journal(journal_path(db)).open_items()
    except OSError as exc:  # unreadable: the database's text is the best there is
        log.error("cannot read the journal for the kiosk: %s", exc)
        return None
    return kept_script(records, grant.sitting_id, grant.station_id, script.saved_at)


def open_for_sitting(db: Database, actor: Actor, sitting_id: str, *, check_in: bool = False) -> KioskStart:
    """An assessor or manager hands the workstation over (checking the candidate in first)."""
    if check_in:
        sittings.set_status(db, actor, sitting_id, "checked_in")
    return _gather(db, written.open_kiosk(db, actor, sitting_id), 0)


def resume(db: Database, grant: KioskGrant) -> KioskStart:
    """The same kiosk again after a restart; the time the app was down is recorded."""
    gap = timing.reopen(db, grant.actor, grant.sitting_id, grant.station_id)
    return _gather(db, grant, gap)


def find_left_open(db: Database) -> KioskStart | KnowledgeStart | None:
    """The kiosk this workstation left open (the app was killed or crashed), if any: the
    written exercise's, or a knowledge test's with its form, answers, flags and clock."""
    found = _last_open(db)
    if found is not None and found[0] == KnowledgeFormRow.__tablename__:
        from naas_centre.services import knowledge  # only then: start-up reads no bank

        return knowledge.find_left_open(db)
    grant = left_open(db)
    return resume(db, grant) if grant is not None else None


def require_starter(who: Actor) -> None:
    """The kiosk's permission rule: only an assessor or a centre manager runs its clock."""
    if who.role not in STARTERS:
        raise PermissionDenied("Only an assessor or a centre manager can pause or resume the clock.")


def submit(db: Database, grant: KioskGrant, text: str, how: str) -> tuple[ScriptState, StationTiming]:
    """Submits the final text (once) and ends the writing phase."""
    state = written.script(db, grant)
    if state.submitted_at is None:
        state = written.submit(db, grant, text, how)
    now = written.kiosk_timing(db, grant)
    if now.phases[0].state.status in ("running", "paused"):
        try:
            now = timing.record_event(db, grant.actor, grant.sitting_id, grant.station_id, "writing", "end")
        except Conflict:
            now = written.kiosk_timing(db, grant)
    return state, now


def staff_clock(
    db: Database, grant: KioskGrant, username: str, password: str, kind: str, reason: str | None
) -> StationTiming:
    """An assessor or manager, by password, pauses or resumes the writing clock."""
    who = accounts.authenticate(db, username, password, door=accounts.KIOSK_EXIT)
    require_starter(who)
    return timing.record_event(db, who, grant.sitting_id, grant.station_id, "writing", kind, reason=reason)


def leave(db: Database, grant: KioskGrant, username: str, password: str) -> Actor:
    return written.leave_kiosk(db, grant, username, password)


def save(db: Database, grant: KioskGrant, text: str) -> ScriptState:
    return written.save(db, grant, text)


def read_timing(db: Database, grant: KioskGrant) -> StationTiming:
    return written.kiosk_timing(db, grant)


def heartbeat(db: Database, grant: KioskGrant) -> None:
    timing.heartbeat(db, grant.actor, grant.sitting_id)


def start_clock(db: Database, grant: KioskGrant) -> StationTiming:
    return timing.record_event(db, grant.actor, grant.sitting_id, grant.station_id, "writing", "start")
