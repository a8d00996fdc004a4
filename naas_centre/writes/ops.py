"""The changes an assessor or a candidate makes, as plain functions run on the write worker.

A screen names a change with a typed constructor (``record_level(sitting, station,
criterion, level)``, ``add_note(...)``, ``save_script(...)``), which gives a ``Write``:
its name and plain arguments, as the journal stores it so it can be replayed after a
crash, and the ``Changes`` it makes. ``run_op`` runs one on the write worker.

A replay (``retry``) must not record a change twice: a note is stored under the
write's own id, so the service itself recognises a replay; a clock event is found by
its kind and instant; a script's save older than what the disk has is not replayed;
a level, a judgement or a pause reason set twice changes nothing; a knowledge-test
answer or flag is stored with the write's own id, so a replay finds it by that id.

No Qt here: ``ui/work/pending_writes.py`` queues these on the task manager.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from db.engine import Database
from naas_centre.clocks import events_of
from naas_centre.services.views import Actor
from naas_centre.writes.changes import Changes

Op = Callable[[Database, Actor, dict[str, Any], bool, str], Any]


def _record_level(db: Database, actor: Actor, a: dict[str, Any], retry: bool, write_id: str) -> None:
    from naas_centre.services import scoring

    scoring.record_level(
        db, actor, a["sitting_id"], a["station_id"], a["criterion_id"], a["level"], a.get("reason")
    )


def _record_calibration_level(
    db: Database, actor: Actor, a: dict[str, Any], retry: bool, write_id: str
) -> None:
    from naas_centre.services import calibration

    calibration.record_level(db, actor, a["exercise_id"], a["criterion_id"], a["level"])


def _set_judgement(db: Database, actor: Actor, a: dict[str, Any], retry: bool, write_id: str) -> None:
    from naas_centre.services import scoring

    scoring.set_judgement(
        db,
        actor,
        a["sitting_id"],
        a["station_id"],
        a["judgement"],
        a.get("rationale", ""),
        borderline=bool(a.get("borderline", False)),
    )


def _add_note(db: Database, actor: Actor, a: dict[str, Any], retry: bool, write_id: str) -> str:
    from naas_centre.services import scoring

    # The note is stored under the write's own id, so a replay finds it by that id.
    return scoring.add_note(
        db,
        actor,
        a["sitting_id"],
        a["station_id"],
        a["text"],
        criterion_id=a.get("criterion_id"),
        phase=a.get("phase"),
        phase_clock_ms=a.get("phase_clock_ms"),
        written_at=datetime.fromisoformat(a["written_at"]),
        note_id=write_id,
    )


def _edit_note(db: Database, actor: Actor, a: dict[str, Any], retry: bool, write_id: str) -> None:
    from naas_centre.services import scoring

    scoring.edit_note(db, actor, a["note_id"], a["text"], a.get("criterion_id"))


def _delete_note(db: Database, actor: Actor, a: dict[str, Any], retry: bool, write_id: str) -> None:
    from naas_centre.errors import NotFound
    from naas_centre.services import scoring

    try:
        scoring.delete_note(db, actor, a["note_id"])
    except NotFound:
        if not retry:
            raise  # on a retry it is already gone: what was asked for


def _record_event(db: Database, actor: Actor, a: dict[str, Any], retry: bool, write_id: str) -> object:
    from naas_centre.services import timing

    at = datetime.fromisoformat(a["at"])
    if retry:
        now = timing.station_timing(db, actor, a["sitting_id"], a["station_id"])
        for p in now.phases:
            if p.plan.phase == a["phase"] and any(
                e.kind == a["kind"] and e.at == at for e in events_of(p.state)
            ):
                return now
    return timing.record_event(
        db, actor, a["sitting_id"], a["station_id"], a["phase"], a["kind"], reason=a.get("reason"), at=at
    )


def _set_pause_reason(db: Database, actor: Actor, a: dict[str, Any], retry: bool, write_id: str) -> object:
    from naas_centre.services import timing

    # Setting the same reason twice changes nothing: a replay needs no check of its own.
    return timing.set_pause_reason(
        db, actor, a["sitting_id"], a["station_id"], a["phase"], datetime.fromisoformat(a["at"]), a["reason"]
    )


def _save_script(db: Database, actor: Actor, a: dict[str, Any], retry: bool, write_id: str) -> object:
    from naas_centre.services import written
    from naas_centre.services.written import KioskGrant

    grant = KioskGrant(a["sitting_id"], a["station_id"], actor)
    at = datetime.fromisoformat(a["at"])
    if retry:  # a save older than what the disk has (or a submitted script) is not replayed
        now = written.script(db, grant)
        if now.submitted_at is not None or (now.saved_at is not None and now.saved_at >= at):
            return now
    return written.save(db, grant, a["text"], at=at)


def _knowledge_grant(a: dict[str, Any], actor: Actor) -> Any:
    from naas_centre.services.knowledge import KnowledgeGrant

    return KnowledgeGrant(a["sitting_id"], a["form_id"], actor)


def _answer_item(db: Database, actor: Actor, a: dict[str, Any], retry: bool, write_id: str) -> object:
    from naas_centre.services import knowledge

    grant = _knowledge_grant(a, actor)
    if retry and (done := knowledge.already_written(db, grant, a["item_id"], write_id)) is not None:
        return done
    return knowledge.answer(
        db, grant, a["item_id"], list(a["chosen"]), at=datetime.fromisoformat(a["at"]), write_id=write_id
    )


def _flag_item(db: Database, actor: Actor, a: dict[str, Any], retry: bool, write_id: str) -> object:
    from naas_centre.services import knowledge

    grant = _knowledge_grant(a, actor)
    if retry and (done := knowledge.already_written(db, grant, a["item_id"], write_id)) is not None:
        return done
    return knowledge.flag(
        db, grant, a["item_id"], bool(a["flagged"]), at=datetime.fromisoformat(a["at"]), write_id=write_id
    )


OPS: dict[str, Op] = {
    "record_level": _record_level,
    "record_calibration_level": _record_calibration_level,
    "set_judgement": _set_judgement,
    "add_note": _add_note,
    "edit_note": _edit_note,
    "delete_note": _delete_note,
    "record_event": _record_event,
    "set_pause_reason": _set_pause_reason,
    "save_script": _save_script,
    "answer_item": _answer_item,
    "flag_item": _flag_item,
}


def run_op(db: Database, actor: Actor, op: str, args: dict[str, Any], retry: bool, write_id: str) -> Any:
    """Runs one change on the write worker. ``retry``: it may have reached the disk already.

    ``write_id`` is the change's own id (the journal's), carried to the service where the
    service can store it (a note's id), so a replay is recognised by it.
    """
    try:
        fn = OPS[op]
    except KeyError:
        raise ValueError(f"unknown change {op!r}") from None
    return fn(db, actor, args, retry, write_id)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


_KINDS: dict[str, dict[str, bool]] = {
    "record_level": {"scores": True},
    "record_calibration_level": {"calibration": True},
    "set_judgement": {"scores": True},
    "add_note": {"notes": True},
    "edit_note": {"notes": True},
    "delete_note": {"notes": True},
    "record_event": {"clocks": True},
    "set_pause_reason": {"clocks": True},
    "save_script": {"scripts": True},
    "answer_item": {"scripts": True},
    "flag_item": {"scripts": True},
}


def changes_of(op: str, args: dict[str, Any]) -> Changes:
    """What one change touches once it is saved: its kind, in its sitting."""
    sitting = args.get("sitting_id")
    return Changes.of(sitting if isinstance(sitting, str) else None, **_KINDS.get(op, {}))


# -- the changes, named and typed: what the screens ask for ---------------------------------------


@dataclass(frozen=True)
class Write:
    """One change as it is queued and journaled: its operation and plain (JSON) arguments.

    Made by the typed constructors below, never by hand, so a reader and a type checker
    can follow every change from the click to the service."""

    op: str
    args: dict[str, Any]

    @property
    def changes(self) -> Changes:
        return changes_of(self.op, self.args)


def record_level(
    sitting_id: str, station_id: str, criterion_id: str, level: int | None, reason: str | None = None
) -> Write:
    args: dict[str, Any] = {
        "sitting_id": sitting_id,
        "station_id": station_id,
        "criterion_id": criterion_id,
        "level": level,
    }
    if reason is not None:
        args["reason"] = reason
    return Write("record_level", args)


def record_calibration_level(exercise_id: str, criterion_id: str, level: int | None) -> Write:
    """A level of the assessor's calibration attempt: no sitting's sheet changes."""
    return Write(
        "record_calibration_level", {"exercise_id": exercise_id, "criterion_id": criterion_id, "level": level}
    )


def set_judgement(sitting_id: str, station_id: str, judgement: str | None, borderline: bool = False) -> Write:
    args: dict[str, Any] = {"sitting_id": sitting_id, "station_id": station_id, "judgement": judgement}
    if borderline:
        args["borderline"] = True
    return Write("set_judgement", args)


def add_note(
    sitting_id: str,
    station_id: str,
    text: str,
    *,
    written_at: datetime,
    criterion_id: str | None = None,
    phase: str | None = None,
    phase_clock_ms: int | None = None,
) -> Write:
    return Write(
        "add_note",
        {
            "sitting_id": sitting_id,
            "station_id": station_id,
            "text": text,
            "criterion_id": criterion_id,
            "phase": phase,
            "phase_clock_ms": phase_clock_ms,
            "written_at": iso(written_at),
        },
    )


def edit_note(sitting_id: str, station_id: str, note_id: str, text: str, criterion_id: str | None) -> Write:
    return Write(
        "edit_note",
        {
            "sitting_id": sitting_id,
            "station_id": station_id,
            "note_id": note_id,
            "text": text,
            "criterion_id": criterion_id,
        },
    )


def delete_note(sitting_id: str, station_id: str, note_id: str) -> Write:
    return Write("delete_note", {"sitting_id": sitting_id, "station_id": station_id, "note_id": note_id})


def record_event(
    sitting_id: str, station_id: str, phase: str, kind: str, *, at: datetime, reason: str | None = None
) -> Write:
    return Write(
        "record_event",
        {
            "sitting_id": sitting_id,
            "station_id": station_id,
            "phase": phase,
            "kind": kind,
            "reason": reason,
            "at": iso(at),
        },
    )


def set_pause_reason(sitting_id: str, station_id: str, phase: str, paused_at: datetime, reason: str) -> Write:
    return Write(
        "set_pause_reason",
        {
            "sitting_id": sitting_id,
            "station_id": station_id,
            "phase": phase,
            "at": iso(paused_at),
            "reason": reason,
        },
    )


def save_script(sitting_id: str, station_id: str, text: str, at: datetime) -> Write:
    return Write(
        "save_script", {"sitting_id": sitting_id, "station_id": station_id, "text": text, "at": iso(at)}
    )


def answer_item(sitting_id: str, form_id: str, item_id: str, chosen: list[str], at: datetime) -> Write:
    """A knowledge-test answer: the option ids chosen for one item (empty: none)."""
    return Write(
        "answer_item",
        {"sitting_id": sitting_id, "form_id": form_id, "item_id": item_id, "chosen": chosen, "at": iso(at)},
    )


def flag_item(sitting_id: str, form_id: str, item_id: str, flagged: bool, at: datetime) -> Write:
    return Write(
        "flag_item",
        {"sitting_id": sitting_id, "form_id": form_id, "item_id": item_id, "flagged": flagged, "at": iso(at)},
    )
