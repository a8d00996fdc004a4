"""What the kiosk asks of the services, as plain functions for the background workers.

Each takes the ``Database`` and the ``KioskGrant`` and returns frozen data; the kiosk
window runs them through ``ui.work.tasks`` (writes on the single write worker).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from naas_centre.errors import Conflict, PermissionDenied
from naas_centre.services.views import Actor

if TYPE_CHECKING:
    from db.engine import Database
    from naas_centre.services.timing import StationTiming
    from naas_centre.services.written import KioskGrant, KioskMaterial, ScriptState


@dataclass(frozen=True)
class KioskStart:
    """All the kiosk needs to appear: read in one go by a worker."""

    grant: KioskGrant
    material: KioskMaterial
    script: ScriptState
    timing: StationTiming
    downtime_ms: int = 0


def _gather(db: Database, grant: KioskGrant, downtime_ms: int) -> KioskStart:
    from naas_centre.services import timing, written

    timing.heartbeat(db, grant.actor, grant.sitting_id)
    return KioskStart(
        grant,
        written.material(db, grant),
        written.script(db, grant),
        written.kiosk_timing(db, grant),
        downtime_ms,
    )


def open_for_sitting(db: Database, actor: Actor, sitting_id: str, *, check_in: bool = False) -> KioskStart:
    """An assessor or manager hands the workstation over (checking the candidate in first)."""
    from naas_centre.services import sittings, written

    if check_in:
        sittings.set_status(db, actor, sitting_id, "checked_in")
    return _gather(db, written.open_kiosk(db, actor, sitting_id), 0)


def resume(db: Database, grant: KioskGrant) -> KioskStart:
    """The same kiosk again after a restart; the time the app was down is recorded."""
    from naas_centre.services import timing

    gap = timing.reopen(db, grant.actor, grant.sitting_id, grant.station_id)
    return _gather(db, grant, gap)


def find_left_open(db: Database) -> KioskStart | None:
    """The kiosk this workstation left open (the app was killed or crashed), if any."""
    from naas_centre.services import kiosk

    grant = kiosk.left_open(db)
    return resume(db, grant) if grant is not None else None


def submit(db: Database, grant: KioskGrant, text: str, how: str) -> tuple[ScriptState, StationTiming]:
    """Submits the final text (once) and ends the writing phase."""
    from naas_centre.services import timing, written

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
    from naas_centre.services import accounts, timing, written

    who = accounts.authenticate(db, username, password, door=accounts.KIOSK_EXIT)
    if who.role not in written.STARTERS:
        raise PermissionDenied("Only an assessor or a centre manager can pause or resume the clock.")
    return timing.record_event(db, who, grant.sitting_id, grant.station_id, "writing", kind, reason=reason)


def leave(db: Database, grant: KioskGrant, username: str, password: str) -> Actor:
    from naas_centre.services import written

    return written.leave_kiosk(db, grant, username, password)


def save(db: Database, grant: KioskGrant, text: str) -> ScriptState:
    from naas_centre.services import written

    return written.save(db, grant, text)


def read_timing(db: Database, grant: KioskGrant) -> StationTiming:
    from naas_centre.services import written

    return written.kiosk_timing(db, grant)


def heartbeat(db: Database, grant: KioskGrant) -> None:
    from naas_centre.services import timing

    timing.heartbeat(db, grant.actor, grant.sitting_id)


def start_clock(db: Database, grant: KioskGrant) -> StationTiming:
    from naas_centre.services import timing

    return timing.record_event(db, grant.actor, grant.sitting_id, grant.station_id, "writing", "start")
