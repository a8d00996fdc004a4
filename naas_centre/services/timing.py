"""Phase timing for a station: start, pause (with a reason), resume, end, and reopen.

Events are stored as exact instants; the clock shown is computed from them (see
``naas_centre.core.timing``), so a restart shows the true remaining time, and the
time the app was down is recorded as a gap.

A pause is stored at the instant the assessor pressed "Pause"; its reason is asked
afterwards and added to that same pause (``set_pause_reason``), so no time runs while
a dialog is open. A phase ended by mistake can be reopened with a reason (audited):
the clock carries on from where it ended, and the gap is recorded.

The writing clock of a written exercise starts only when the candidate starts on
their own screen (the kiosk): never from an assessor's sitting screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.base import utcnow
from db.engine import Database
from db.models import CandidateRow, PhaseEventRow, PresenceRow, SittingAssessorRow, SittingRow
from naas_centre.core.timing import (
    Adjustment,
    PhaseEvent,
    PhaseState,
    TimingError,
    adjusted_ms,
    check_next,
    phase_state,
)
from naas_centre.errors import Conflict, NotFound, PermissionDenied, UserError
from naas_centre.packs.schema import Pack
from naas_centre.services import access, audit, packs
from naas_centre.services.views import Actor, Role

PHASE_TITLES = {
    "reading": "Reading",
    "role_play": "Role-play",
    "discussion": "Discussion",
    "writing": "Writing",
}
TIMING_KINDS = ("start", "pause", "resume", "end", "reopen")
# Only the candidate starts the writing clock, from the kiosk's start screen.
CANDIDATE_STARTS = ("writing",)
# Extra time is for reading and writing, where a candidate's adjustment bears on the
# task; a role-play or discussion with an actor and assessors keeps its set length.
EXTENDED_PHASES = ("reading", "writing")


@dataclass(frozen=True)
class PhasePlan:
    phase: str
    title: str
    planned_ms: int
    adjusted_ms: int


@dataclass(frozen=True)
class PhaseTiming:
    plan: PhasePlan
    state: PhaseState
    downtime_ms: int  # time the app was not running during this phase


@dataclass(frozen=True)
class StationTiming:
    sitting_id: str
    station_id: str
    phases: tuple[PhaseTiming, ...]
    alert_points_ms: tuple[int, ...]
    computed_at: datetime

    @property
    def current(self) -> PhaseTiming | None:
        """The phase running or paused, else the next to start, else None (all ended)."""
        for p in self.phases:
            if p.state.status in ("running", "paused"):
                return p
        for p in self.phases:
            if p.state.status == "not_started":
                return p
        return None


def station_plan(pack: Pack, station_id: str, adjustment: Adjustment) -> list[PhasePlan]:
    """The station's phases in order, with lengths adjusted for the candidate."""
    for sc in pack.scenarios:
        if sc.id == station_id:
            minutes = [("reading", sc.timing.reading), ("role_play", sc.timing.role_play)]
            if sc.timing.discussion:
                minutes.append(("discussion", sc.timing.discussion))
            break
    else:
        we = pack.written_exercise
        if we is None or we.id != station_id:
            raise UserError(f"The pack has no station {station_id!r}.")
        minutes = [("writing", we.minutes)]
    return [
        PhasePlan(
            phase,
            PHASE_TITLES[phase],
            round(m * 60_000),
            adjusted_ms(m, adjustment if phase in EXTENDED_PHASES else Adjustment()),
        )
        for phase, m in minutes
    ]


def _load(s: Session, actor: Actor, sitting_id: str) -> tuple[SittingRow, Pack, Adjustment]:
    sitting = access.open_sitting(
        s,
        actor,
        sitting_id,
        (Role.CENTRE_MANAGER, Role.ADMINISTRATOR, Role.QA_LEAD, Role.CANDIDATE_KIOSK),
        "see timings",
    )
    candidate = s.get(CandidateRow, sitting.candidate_id)
    assert candidate is not None
    adjustment = Adjustment(candidate.extra_time_percent, candidate.extra_time_minutes)
    return sitting, packs.pack_by_id(s, sitting.pack_id), adjustment


def _events(s: Session, sitting_id: str, station_id: str) -> list[PhaseEventRow]:
    return list(
        s.scalars(
            select(PhaseEventRow)
            .where(PhaseEventRow.sitting_id == sitting_id, PhaseEventRow.station_id == station_id)
            .order_by(PhaseEventRow.at)
        )
    )


def _timing(
    sitting_id: str,
    station_id: str,
    plans: list[PhasePlan],
    rows: list[PhaseEventRow],
    pack: Pack,
    now: datetime,
) -> StationTiming:
    phases = []
    for plan in plans:
        mine = [r for r in rows if r.phase == plan.phase]
        events = [PhaseEvent(r.kind, r.at, r.reason) for r in mine if r.kind in TIMING_KINDS]  # type: ignore[arg-type]
        # The length fixed when the phase started is the one that counts.
        started = next((r for r in mine if r.kind == "start" and r.adjusted_ms), None)
        length = started.adjusted_ms if started and started.adjusted_ms else plan.adjusted_ms
        downtime = sum(r.gap_ms or 0 for r in mine if r.kind == "downtime")
        phases.append(PhaseTiming(plan, phase_state(length, events, now), downtime))
    points = tuple(round(m * 60_000) for m in pack.timing_alerts)
    return StationTiming(sitting_id, station_id, tuple(phases), points, now)


def station_timing(db: Database, actor: Actor, sitting_id: str, station_id: str) -> StationTiming:
    with db.read() as s:
        _sitting, pack, adjustment = _load(s, actor, sitting_id)
        plans = station_plan(pack, station_id, adjustment)
        return _timing(sitting_id, station_id, plans, _events(s, sitting_id, station_id), pack, utcnow())


def _refuse_for(s: Session, actor: Actor, sitting_id: str, phase: str, kind: str) -> None:
    """Who may do what to a clock: checked here, whatever screen asks."""
    if actor.role not in (Role.ASSESSOR, Role.CENTRE_MANAGER, Role.CANDIDATE_KIOSK):
        raise PermissionDenied(f"{actor.role.label} accounts cannot run the clock.")
    if kind == "start" and phase in CANDIDATE_STARTS and actor.role != Role.CANDIDATE_KIOSK:
        raise PermissionDenied(
            "The writing clock starts when the candidate presses Start on their own screen: "
            "hand the workstation over for the written exercise."
        )
    if actor.role == Role.CANDIDATE_KIOSK and (phase not in CANDIDATE_STARTS or kind not in ("start", "end")):
        raise PermissionDenied("The candidate's screen can only start and end the writing clock.")
    if actor.role == Role.ASSESSOR and kind in ("start", "reopen"):
        submitted = s.scalar(
            select(SittingAssessorRow.submitted_at).where(
                SittingAssessorRow.sitting_id == sitting_id,
                SittingAssessorRow.assessor_id == actor.account_id,
            )
        )
        if submitted is not None:
            raise Conflict("You have submitted your scores for this sitting: its clocks no longer start.")


def record_event(
    db: Database,
    actor: Actor,
    sitting_id: str,
    station_id: str,
    phase: str,
    kind: str,
    *,
    reason: str | None = None,
    at: datetime | None = None,
) -> StationTiming:
    """Records one timing event (durably) and returns the station's new timing.

    A pause may come without its reason (the clock stops at the press; the reason is
    added with ``set_pause_reason``). A reopening needs one, and is audited.
    """
    if kind not in TIMING_KINDS:
        raise UserError(f"Unknown timing event {kind!r}.")
    reason = " ".join(reason.split()) if reason else None
    if kind == "reopen" and not reason:
        raise UserError("Reopening a phase needs a reason (say why it was ended by mistake).")
    now = at or utcnow()
    with db.write() as s:
        sitting, pack, adjustment = _load(s, actor, sitting_id)
        plans = {p.phase: p for p in station_plan(pack, station_id, adjustment)}
        if phase not in plans:
            raise UserError(f"Station {station_id!r} has no {phase!r} phase.")
        _refuse_for(s, actor, sitting_id, phase, kind)
        rows = _events(s, sitting_id, station_id)
        existing = [
            PhaseEvent(r.kind, r.at, r.reason)  # type: ignore[arg-type]
            for r in rows
            if r.phase == phase and r.kind in TIMING_KINDS
        ]
        try:
            check_next(plans[phase].adjusted_ms, existing, PhaseEvent(kind, now, reason))  # type: ignore[arg-type]
        except TimingError as exc:
            raise Conflict(f"{PHASE_TITLES[phase]}: {exc}.") from exc
        order = list(plans)
        if kind == "start":
            for earlier in order[: order.index(phase)]:
                if any(r.phase == earlier and r.kind == "start" for r in rows) and not any(
                    r.phase == earlier and r.kind == "end" for r in rows
                ):
                    raise Conflict(f"End the {PHASE_TITLES[earlier].lower()} phase first.")
        if kind == "reopen":
            for later in order[order.index(phase) + 1 :]:
                if any(r.phase == later and r.kind == "start" for r in rows):
                    raise Conflict(
                        f"The {PHASE_TITLES[later].lower()} has started: the "
                        f"{PHASE_TITLES[phase].lower()} can no longer be reopened."
                    )
        row = PhaseEventRow(
            sitting_id=sitting_id,
            station_id=station_id,
            phase=phase,
            kind=kind,
            at=now,
            reason=reason,
            account_id=actor.account_id,
            planned_ms=plans[phase].planned_ms if kind == "start" else None,
            adjusted_ms=plans[phase].adjusted_ms if kind == "start" else None,
        )
        if kind == "reopen":
            ended = max(r.at for r in rows if r.phase == phase and r.kind == "end")
            row.gap_ms = max(0, int((now - ended).total_seconds() * 1000))
        s.add(row)
        if kind == "start" and sitting.status in ("planned", "checked_in"):
            before = audit.snapshot(sitting)
            sitting.status = "in_progress"
            audit.record(s, actor, "sitting.status", sitting, before)
        if kind == "reopen":  # its own entry says why (record flushes; the session adds none)
            audit.record(s, actor, "phase.reopen", row, None)
        else:
            s.flush()
        return _timing(sitting_id, station_id, list(plans.values()), [*rows, row], pack, now)


def set_pause_reason(
    db: Database,
    actor: Actor,
    sitting_id: str,
    station_id: str,
    phase: str,
    paused_at: datetime,
    reason: str,
) -> StationTiming:
    """Gives the reason for the pause recorded at ``paused_at`` (asked after the clock stopped).

    Setting the same reason again changes nothing (a retried write is harmless); a
    different reason for a pause that has one is a change, and the audit trail keeps
    the earlier one.
    """
    reason = " ".join(reason.split())
    if not reason:
        raise UserError("Give a reason for the pause.")
    with db.write() as s:
        _sitting, pack, adjustment = _load(s, actor, sitting_id)
        _refuse_for(s, actor, sitting_id, phase, "pause")
        plans = station_plan(pack, station_id, adjustment)
        rows = _events(s, sitting_id, station_id)
        row = next((r for r in rows if r.phase == phase and r.kind == "pause" and r.at == paused_at), None)
        if row is None:
            raise NotFound("No pause was recorded at that moment.")
        if row.reason != reason:
            before = audit.snapshot(row)
            row.reason = reason
            audit.record(s, actor, "phase.pause_reason", row, before)
        return _timing(sitting_id, station_id, plans, rows, pack, utcnow())


def heartbeat(db: Database, actor: Actor, sitting_id: str, *, now: datetime | None = None) -> None:
    """Marks this workstation as present in the sitting (cheap: one small upsert)."""
    now = now or utcnow()
    with db.write() as s:
        row = s.scalar(
            select(PresenceRow).where(
                PresenceRow.sitting_id == sitting_id,
                PresenceRow.account_id == actor.account_id,
                PresenceRow.workstation_id == db.workstation_id,
            )
        )
        if row is None:
            s.add(PresenceRow(sitting_id=sitting_id, account_id=actor.account_id, seen_at=now))
        else:
            row.seen_at = now


def reopen(
    db: Database, actor: Actor, sitting_id: str, station_id: str, *, now: datetime | None = None
) -> int:
    """Called when a sitting is opened: records the gap if a phase ran while the app was down.

    Returns the gap in ms (0 when nothing was running or nothing was missed).
    """
    now = now or utcnow()
    with db.write() as s:
        _sitting, pack, adjustment = _load(s, actor, sitting_id)
        seen = s.scalar(
            select(PresenceRow.seen_at).where(
                PresenceRow.sitting_id == sitting_id,
                PresenceRow.account_id == actor.account_id,
                PresenceRow.workstation_id == db.workstation_id,
            )
        )
        plans = station_plan(pack, station_id, adjustment)
        timing = _timing(sitting_id, station_id, plans, _events(s, sitting_id, station_id), pack, now)
        current = timing.current
        gap = 0
        if seen is not None and current is not None and current.state.status == "running":
            gap = max(0, int((now - seen).total_seconds() * 1000))
            if gap >= 5_000:  # shorter than two heartbeats is no gap worth recording
                s.add(
                    PhaseEventRow(
                        sitting_id=sitting_id,
                        station_id=station_id,
                        phase=current.plan.phase,
                        kind="downtime",
                        at=now,
                        reason="the app was not running",
                        account_id=actor.account_id,
                        gap_ms=gap,
                    )
                )
            else:
                gap = 0
        return gap
