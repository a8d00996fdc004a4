"""Which candidate kiosk this workstation has open: it stays open until an assessor or a
manager leaves it with their password, through a crash or a restart.

The audit trail is the record: ``written.open_kiosk`` notes ``kiosk.open`` and
``written.leave_kiosk`` notes ``kiosk.exit``, in the same transactions as the change,
each stamped with the workstation that wrote it. A kiosk whose last entry here is an
open (or a resume) was never left, so the app reopens it at start, before anyone signs
in: killing the program does not free the workstation, and the candidate's script and
clock carry on where the database has them.
"""

from __future__ import annotations

from sqlalchemy import select

from db.engine import Database
from db.models import AccountRow, AuditEntryRow, ScriptRow, SittingRow
from naas_centre.services import accounts, audit, packs
from naas_centre.services.views import Role
from naas_centre.services.written import STARTERS, KioskGrant

OPEN_ACTIONS = ("kiosk.open", "kiosk.resume")
KIOSK_ACTIONS = (*OPEN_ACTIONS, "kiosk.exit")


def _last_open(db: Database) -> tuple[str, str] | None:
    """(script id, opener's account id) of a kiosk left open here, else None."""
    with db.read() as s:
        last = s.execute(
            select(AuditEntryRow.action, AuditEntryRow.entity_id, AuditEntryRow.account_id)
            .where(
                AuditEntryRow.workstation_id == db.workstation_id,
                AuditEntryRow.action.in_(KIOSK_ACTIONS),
            )
            .order_by(AuditEntryRow.seq.desc())
            .limit(1)
        ).first()
    if last is None or last.action not in OPEN_ACTIONS or last.account_id is None:
        return None
    return last.entity_id, last.account_id


def left_open(db: Database) -> KioskGrant | None:
    """The kiosk this workstation left open, as a grant for its opener, or None.

    Reopening is audited (``kiosk.resume``). A kiosk whose opener can no longer start
    one (the account was disabled or changed role) is not reopened: someone signs in.
    """
    found = _last_open(db)
    if found is None:
        return None
    script_id, opener_id = found
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
