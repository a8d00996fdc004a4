"""Result bundles: what a room's workstation recorded, carried to the manager's database.

Out, on the room's workstation: every row of the result tables that this workstation
wrote or last changed (``workstation_id``), its own audit chain, and a manifest, as
JSON-lines members of one signed, encrypted bundle (``container``). In, on the
manager's: the bundle is checked whole first, then one transaction merges every table
in foreign-key order (``merge``), takes in the room's audit chain
(``audit.import_entries``), and records, for each row this database kept in another
state than the room's (changed here too, or in conflict), that state as its newest
audit entry, so the trail and the data still agree. Any refusal leaves nothing changed;
importing the same bundle again changes nothing.

Recordings' rows (consents, recordings, bookmarks) travel like every other result; their
media only when asked (``recordings=True``), as streamed members placed by ``media``
once the transaction has committed. Sending media is audited: who, how many, how large.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from db.base import new_id
from db.engine import Database
from naas_centre.errors import UserError
from naas_centre.exchange import media, members, records, trust
from naas_centre.exchange.audited_state import audited_model, record_where_changed
from naas_centre.exchange.container import Bundle, BundleInfo, open_bundle, write_bundle
from naas_centre.exchange.merge import MergeReport, merge
from naas_centre.exchange.records import RowData
from naas_centre.services import accounts, audit, capabilities, checkpoints
from naas_centre.services import recordings as recordings_service
from naas_centre.services.views import Actor
from naas_centre.signing import ca

KIND = "results"
FORMAT = 1  # of the members' contents; the file's own version is the container's
MANIFEST = members.MANIFEST
NOUN = "result bundle"
MANIFEST_FIELDS = {"trail": dict, "workstation": str, "chain": str}
TRAIL = "audit.jsonl"


class BadResults(UserError):
    """A bundle that opened and verified but whose contents are not a result bundle's."""


@dataclass(frozen=True)
class ExportedResults:
    info: BundleInfo
    rows: int
    entries: int
    recordings: int = 0  # recordings whose media the bundle carries
    media_bytes: int = 0


@dataclass(frozen=True)
class ImportedResults:
    info: BundleInfo
    report: MergeReport
    entries_added: int
    entries_held: int
    media: media.Landing | None = None

    def summary_lines(self) -> list[str]:
        trail = f"audit trail: {self.entries_added} entries added, {self.entries_held} already there"
        held = self.media.summary() if self.media is not None else []
        return [*self.report.summary_lines(), trail, *held]


def export_results(
    db: Database,
    actor: Actor,
    target: Path,
    passphrase: str,
    signer: ca.Issued,
    *,
    recordings: bool = False,
    data_dir: Path | None = None,
) -> ExportedResults:
    """Writes this workstation's results to ``target`` (atomically), signed by ``signer``;
    with ``recordings``, the media of its recordings too (read from ``data_dir``)."""
    accounts.require(actor, *capabilities.SEND_RESULTS)
    if recordings and data_dir is None:
        raise UserError("Recordings are sent from the data folder, and none was given.")
    with db.read() as s:
        centre_id = members.centre_id(s)
        chain = audit.own_chain(s)
        spooled: list[tuple[str, IO[bytes]]] = []
        counts: dict[str, int] = {}
        try:
            for model in records.RESULT_BUNDLE:
                table = cast(Table, model.__table__)
                rows = list(records.dump_rows(s, model, table.c.workstation_id == db.workstation_id))
                counts[table.name] = len(rows)
                spooled.append((members.member_name(table.name), members.spool(rows)))
            entries = audit.export_entries(s, chain)
            # The head of the trail sent, signed by the sender: kept by whoever takes it in.
            held = checkpoints.sign_with(
                checkpoints.head(s), checkpoints.BUNDLE, signer.key, signer.certificate
            )
            spooled.append((TRAIL, members.spool(entries)))
            sealed_under = recordings_service.media_passphrase(db)
            files = (
                media.gather(s, data_dir, db.workstation_id, sealed_under) if recordings and data_dir else []
            )
            carried = sorted({f.recording_id for f in files})
            manifest = {
                "format": FORMAT,
                "kind": KIND,
                "workstation": db.workstation_id,
                "chain": chain,
                "tables": [
                    {"name": t, "member": members.member_name(t), "rows": n} for t, n in counts.items()
                ],
                "trail": {"member": TRAIL, "entries": len(entries)},
                "checkpoint": held.to_json(),
                "media": {"recordings": carried, "files": [f.to_json() for f in files]},
            }
            head: list[tuple[str, Any]] = [(MANIFEST, json.dumps(manifest, sort_keys=True).encode())]
            streamed = media.streams(data_dir, files, sealed_under) if data_dir else iter(())
            info = write_bundle(
                target, KIND, centre_id, itertools.chain(head, spooled, streamed), passphrase, signer
            )
        finally:
            for _, fh in spooled:
                fh.close()
    size = sum(f.size for f in files)
    if recordings:
        _audit_media_sent(db, actor, info, len(carried), len(files), size, target)
    checkpoints.keep(db, held)
    return ExportedResults(info, sum(counts.values()), len(entries), len(carried), size)


def _audit_media_sent(
    db: Database, actor: Actor, info: BundleInfo, recordings: int, files: int, size: int, target: Path
) -> None:
    """Recordings left in a bundle: who sent them, how many, how large. The bundle is
    already written; if the entry cannot be kept, the bundle goes (nothing unaudited leaves)."""
    detail = {
        "recordings": recordings,
        "files": files,
        "bytes": size,
        "to": str(target),
        "bundle": info.digest,
    }
    try:
        with db.write() as s:
            audit.note(s, actor, "recording.bundle_export", "export", new_id(), detail)
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def import_results(
    db: Database, actor: Actor, path: Path, passphrase: str, *, data_dir: Path | None = None
) -> ImportedResults:
    """Merges a room's result bundle into this database: all of it, or nothing. Media
    it carries land in ``data_dir`` once the merge has committed."""
    accounts.require(actor, *capabilities.EXCHANGE)
    with db.read() as s:
        centre_id = members.centre_id(s)
    cas, crls = trust.from_database(db)
    landing = (
        media.Landing(data_dir, recordings_service.media_passphrase(db)) if data_dir is not None else None
    )
    try:
        with open_bundle(path, passphrase, cas, centre_id, crls=crls, expected_kind=KIND) as bundle:
            with db.write() as s:
                report, added, held, sent = _merge_bundle(s, actor, bundle, landing)
            if landing is not None:
                landing.place()
            if sent is not None:  # the room's checkpoint, now that its trail is held here
                checkpoints.keep(db, sent)
            return ImportedResults(bundle.info, report, added, held, landing)
    finally:
        if landing is not None:
            landing.discard()


def _merge_bundle(
    s: Session, actor: Actor, bundle: Bundle, landing: media.Landing | None
) -> tuple[MergeReport, int, int, checkpoints.Checkpoint | None]:
    where = bundle.info.path.name
    inside = bundle.members()
    raw = members.first_manifest(where, inside, NOUN, BadResults)
    manifest = members.read_manifest(
        where, raw, kind=KIND, newest=FORMAT, noun=NOUN, bad=BadResults, needs=MANIFEST_FIELDS
    )
    if not isinstance(manifest["trail"].get("member"), str):
        raise BadResults(f"{where}: its manifest cannot be read: it is not a {NOUN}")
    tables = {t["member"]: t["name"] for t in manifest["tables"]}
    files = media.plan(where, manifest, BadResults)  # every path checked before any is written
    if files and landing is None:
        raise BadResults(f"{where}: it carries recordings, and this import has no data folder to put them in")
    report = MergeReport()
    incoming: dict[str, dict[str, str]] = {}  # table → row id → the room's content hash
    folders: dict[str, str] = {}  # recording id → its folder, as the bundle's rows give it
    taken: set[str] = set()  # media members read
    trail: list[dict[str, Any]] = []
    for member in inside:  # read to the end: the file is proven unchanged only there
        if member.name == manifest["trail"]["member"]:
            trail = members.read_records(where, member.name, member.read(), BadResults)
            continue
        if member.name in files:
            assert landing is not None
            landing.take(s, where, files[member.name], folders, member, BadResults)
            taken.add(member.name)
            continue
        table = tables.get(member.name)
        if table is None:
            raise BadResults(f"{where}: «{member.name}» is not named in the bundle's manifest")
        rows = cast(list[RowData], members.read_records(where, member.name, member.read(), BadResults))
        incoming[table] = {r["id"]: r["hash"] for r in rows}
        if table == "recordings":
            folders.update({r["id"]: str(r["values"].get("folder")) for r in rows})
        report.extend(
            merge(s, table, rows, bundle_id=bundle.info.digest, origin_workstation=manifest["workstation"])
        )
    if len(taken) != len(files):
        raise BadResults(
            f"{where}: a media file its manifest lists is not in the bundle; nothing was imported"
        )
    imported = audit.import_entries(s, manifest["chain"], trail, actor=actor)
    sent = None
    if "checkpoint" in manifest:  # bundles written before checkpoints carry none
        try:
            sent = checkpoints.from_json(manifest["checkpoint"], f"{where}: the checkpoint of its trail")
        except checkpoints.CheckpointRefused as exc:
            raise BadResults(f"{exc} Nothing was imported.") from None
        standing = checkpoints.check(s, [(f"{where}'s manifest", sent)])
        if standing.problem is not None:
            raise BadResults(f"{where}: {standing.problem}. Nothing was imported.")
    _record_kept(s, actor, {t.table: t.differing for t in report.tables})
    _record_kept_named_by_trail(s, actor, trail, incoming)
    return report, imported.added, imported.skipped, sent


def _record_kept(s: Session, actor: Actor, differing: dict[str, list[str]]) -> None:
    """Rows kept here in another state than the room's (the merge names them: kept as
    changed here, or in conflict): their state here is the newest entry of their trail
    (the room's entries, just taken in, describe the room's)."""
    audited = {cast(Table, m.__table__).name: m for m in (*audit.AUDITED, *audit.COVERED)}
    for table, ids in differing.items():
        model = audited.get(table)
        if model is None or not ids:
            continue
        id_col = cast(Table, model.__table__).c.id
        for row in s.scalars(select(model).where(id_col.in_(ids))):
            audit.record(s, actor, "exchange.kept", row, None)


def _record_kept_named_by_trail(
    s: Session, actor: Actor, trail: list[dict[str, Any]], incoming: dict[str, dict[str, str]]
) -> None:
    """Audited rows the room's trail speaks of but the bundle does not carry (the accounts
    and candidates a day bundle brought it): where this database holds them in another
    state than the room's last entry, that state becomes their newest entry."""
    named: dict[str, set[str]] = {}
    for entry in trail:
        table, rid = entry.get("entity"), entry.get("entity_id")
        if isinstance(table, str) and isinstance(rid, str) and table not in incoming:
            named.setdefault(table, set()).add(rid)
    for table, ids in named.items():
        model = audited_model(table)
        if model is not None:
            record_where_changed(s, actor, "exchange.kept", model, ids)
