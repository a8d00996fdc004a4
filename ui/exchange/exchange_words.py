"""What a merge did and what a conflict holds, in words a centre manager can judge.

Plain data only (no Qt): the collect screen turns an ``ImportedResults`` into lines, and
the conflicts screen reads each open conflict as its record and the two versions of it,
looked up through the services (the candidate, the station, the criterion and its
level names from the sitting's own pack, the assessor's name).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from db.engine import Database
from naas_centre.errors import UserError
from naas_centre.exchange.conflicts import ConflictView
from naas_centre.exchange.results import ImportedResults
from naas_centre.packs.schema import Pack
from naas_centre.services import accounts, packs, sittings
from naas_centre.services.views import Actor, SittingSummary

# Each result table as a person names what it holds: (one, many).
TABLE_WORDS: dict[str, tuple[str, str]] = {
    "sittings": ("sitting", "sittings"),
    "sitting_assessors": ("assessor's sheet", "assessors' sheets"),
    "scores": ("score", "scores"),
    "judgements": ("overall judgement", "overall judgements"),
    "evidence_notes": ("evidence note", "evidence notes"),
    "phase_events": ("timing", "timings"),
    "presence": ("presence record", "presence records"),
    "scripts": ("written script", "written scripts"),
    "moderations": ("moderation", "moderations"),
    "signed_documents": ("signed report", "signed reports"),
    "document_signatures": ("signature", "signatures"),
    "recording_consents": ("recording consent", "recording consents"),
    "recordings": ("recording", "recordings"),
    "recording_bookmarks": ("recording bookmark", "recording bookmarks"),
}


def counted(n: int, table: str) -> str:
    one, many = TABLE_WORDS.get(table, (table.replace("_", " "), table.replace("_", " ")))
    return f"{n} {one if n == 1 else many}"


def summary_lines(done: ImportedResults) -> list[str]:
    """The first line says it all (added, already there, conflicts); one line follows
    per kind of record that came in."""
    tables = done.report.tables
    added = sum(t.added + t.updated for t in tables)
    there = sum(t.already_there + t.kept for t in tables)
    conflicts = done.report.conflicts
    made = done.info.created
    signed = f"Signed by {done.info.signer} on {made.day} {made:%B %Y at %H:%M} (UTC)."
    head = f"{added} record(s) added, {there} already there, {conflicts} in conflict."
    lines = [head, signed]
    for t in tables:
        if not (t.added or t.already_there or t.updated or t.kept or t.conflicts):
            continue
        parts = [f"{t.added} added", f"{t.already_there} already there"]
        if t.updated:
            parts.append(f"{t.updated} updated from the room")
        if t.kept:
            parts.append(f"{t.kept} kept as changed here")
        if t.conflicts:
            parts.append(f"{t.conflicts} in conflict")
        many = TABLE_WORDS.get(t.table, (t.table, t.table))[1]
        lines.append(f"{many[0].upper()}{many[1:]}: {', '.join(parts)}.")
    lines.append(f"Audit trail: {done.entries_added} entries added, {done.entries_held} already there.")
    lines.extend(_media_lines(done))
    if conflicts:
        lines.append("Open Conflicts to choose which version of each is kept.")
    return lines


def _media_lines(done: ImportedResults) -> list[str]:
    """The recordings' files the bundle carried, and any kept as they were here."""
    landed = done.media
    if landed is None or not (landed.placed or landed.same or landed.not_placed or landed.conflicts):
        return []
    line = f"Recording files: {landed.placed} added, {landed.same} already there"
    if landed.not_placed:
        line += f", {landed.not_placed} left out (the recording was deleted here)"
    if landed.conflicts:
        line += f", {len(landed.conflicts)} differing from the file here (the file here is kept)"
    return [line + ".", *(f"Kept as it is here: {path}" for path in landed.conflicts)]


@dataclass(frozen=True)
class ConflictLine:
    """One open conflict as the conflicts screen shows it."""

    id: str
    kind: str  # "score", "sitting", …
    record: str  # whose record, where
    here: str  # what this workstation holds
    room: str  # what the room's bundle holds
    found_at: datetime


class _Lookup:
    """The sittings, packs and names the conflicts point at, each read once."""

    def __init__(self, db: Database, actor: Actor) -> None:
        self.db, self.actor = db, actor
        self._packs: dict[str, Pack | None] = {}
        self._sittings: dict[str, SittingSummary | None] = {}
        self._names: dict[str, str] | None = None

    def pack(self, sitting_id: str) -> Pack | None:
        if sitting_id not in self._packs:
            try:
                self._packs[sitting_id] = packs.pack_for_sitting(self.db, self.actor, sitting_id)
            except UserError:
                self._packs[sitting_id] = None
        return self._packs[sitting_id]

    def sitting(self, sitting_id: str) -> SittingSummary | None:
        if sitting_id not in self._sittings:
            try:
                self._sittings[sitting_id] = sittings.sitting_detail(self.db, self.actor, sitting_id).summary
            except UserError:
                self._sittings[sitting_id] = None
        return self._sittings[sitting_id]

    def name(self, account_id: str) -> str:
        if self._names is None:
            try:
                self._names = {a.id: a.display_name for a in accounts.list_accounts(self.db, self.actor)}
            except UserError:
                self._names = {}
        return self._names.get(account_id, "an assessor")


def _sitting_words(look: _Lookup, sitting_id: str) -> str:
    summary = look.sitting(sitting_id)
    if summary is None:
        return f"sitting {sitting_id[:8]}"
    return f"{summary.candidate_name}'s sitting at {summary.starts_at:%H:%M} in {summary.room}"


def _station_title(pack: Pack | None, station_id: str) -> str:
    if pack is not None:
        for sc in pack.scenarios:
            if sc.id == station_id:
                return sc.title
        if pack.written_exercise is not None and pack.written_exercise.id == station_id:
            return pack.written_exercise.title
    return station_id


def _level_words(pack: Pack | None, station_id: str, criterion_id: str) -> tuple[str, dict[int, str]]:
    """The criterion's heading and its rubric's level names."""
    if pack is not None:
        for station, rubric in pack.rubrics():
            for c in rubric.criteria:
                if station == station_id and c.id == criterion_id:
                    return c.heading(), {lv.value: lv.label for lv in pack.levels_for(rubric)}
    return criterion_id, {}


def _level(value: Any, names: dict[int, str]) -> str:
    if value is None:
        return "not scored"
    name = names.get(value) if isinstance(value, int) else None
    return f"level {value} ({name})" if name else f"level {value}"


def _status(value: Any) -> str:
    return str(value).replace("_", " ") if value else "no status"


def _rest(c: ConflictView, side: dict[str, Any], shown: set[str]) -> str:
    """The other columns that differ, named, for whatever the words above leave out."""
    skip = shown | {"id", "updated_at", "created_at", "workstation_id"}
    parts = [f"{k.replace('_', ' ')}: {side.get(k)!s}" for k in c.differing if k not in skip]
    return "; ".join(parts)


def _joined(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


def _describe(look: _Lookup, c: ConflictView) -> ConflictLine:
    local, incoming = c.local, c.incoming
    sid = str(local.get("sitting_id") or incoming.get("sitting_id") or "")
    kind = TABLE_WORDS.get(c.table, (c.table.replace("_", " "), ""))[0]
    if c.table == "sittings":
        record = _sitting_words(look, c.row_id)
        here = _joined(_status(local.get("status")), _rest(c, local, {"status"}))
        room = _joined(_status(incoming.get("status")), _rest(c, incoming, {"status"}))
    elif c.table in ("scores", "moderations") and sid:
        pack = look.pack(sid)
        station = str(local.get("station_id", ""))
        criterion_id = str(local.get("criterion_id", ""))
        if c.table == "moderations" and not criterion_id:
            record = f"{_sitting_words(look, sid)}, {_station_title(pack, station)}: agreed judgement"
            here = _joined(str(local.get("judgement") or "none"), _rest(c, local, {"judgement"}))
            room = _joined(str(incoming.get("judgement") or "none"), _rest(c, incoming, {"judgement"}))
        else:
            heading, names = _level_words(pack, station, criterion_id)
            who = (
                f"scored by {look.name(str(local.get('assessor_id', '')))}"
                if c.table == "scores"
                else "agreed in moderation"
            )
            record = f"{_sitting_words(look, sid)}, {_station_title(pack, station)}: «{heading}», {who}"
            here = _joined(_level(local.get("level"), names), _rest(c, local, {"level"}))
            room = _joined(_level(incoming.get("level"), names), _rest(c, incoming, {"level"}))
    elif c.table == "judgements" and sid:
        pack = look.pack(sid)
        station = _station_title(pack, str(local.get("station_id", "")))
        who = look.name(str(local.get("assessor_id", "")))
        record = f"{_sitting_words(look, sid)}, {station}: overall judgement by {who}"
        here = _joined(str(local.get("judgement") or "none"), _rest(c, local, {"judgement"}))
        room = _joined(str(incoming.get("judgement") or "none"), _rest(c, incoming, {"judgement"}))
    else:
        record = f"{_sitting_words(look, sid)}, {kind}" if sid else f"{kind} {c.row_id[:8]}"
        here, room = _rest(c, local, set()), _rest(c, incoming, set())
    return ConflictLine(c.id, kind, record, here or "(the same)", room or "(the same)", c.found_at)


def describe_conflicts(db: Database, actor: Actor, views: list[ConflictView]) -> list[ConflictLine]:
    """Every conflict in words, in the order given."""
    look = _Lookup(db, actor)
    return [_describe(look, c) for c in views]
