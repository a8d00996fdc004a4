"""Day bundles: a room's part of a day, from the manager's workstation to the room's.

Out, on the manager's: the centre row, the CA certificates (never the CA's key) and
revocation lists, the pack(s), the day's plan row and the room's station, the sittings
that visit the room with their candidates, visits and actors, and the accounts of the
people who work there (the room's assessors and the centre managers) with their
certificates and their signing keys, encrypted under each person's own password as
they are stored. Never equality monitoring, never a plaintext key. What was sent is
remembered (``records.remember_sent``) in one transaction once the file is written.

In, on the room's (a fresh install or one set up before): the bundle is checked whole,
then one transaction merges every table (``merge``), gives the database a trail of its
own if it was copied from the manager's, and records each audited row it took in as
its newest entry (``exchange.received``). The manager's trail is not imported: it holds
every room's candidates and people, and the room would then hold entries for rows it
never received. The room's entries go back in its result bundle, and each one records
the state the manager sent, so the manager's trail still matches its rows.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, cast

from cryptography import x509
from sqlalchemy import ColumnElement, Table, false, or_, select, true
from sqlalchemy.orm import Session

from db.base import Base
from db.engine import Database
from db.models import (
    AccountRow,
    CentreRow,
    CertificateRow,
    DayPlanRow,
    PlanStationRow,
    RoomRow,
    SigningKeyRow,
    SittingActorRow,
    SittingAssessorRow,
    SittingRow,
    VisitRow,
)
from naas_centre.errors import PermissionDenied, UserError
from naas_centre.exchange import layout, members, records, trust
from naas_centre.exchange.audited_state import audited_model, record_where_changed
from naas_centre.exchange.container import Bundle, BundleInfo, open_bundle, write_bundle
from naas_centre.exchange.merge import MergeReport, merge
from naas_centre.exchange.records import RowData
from naas_centre.services import accounts, audit, capabilities, checkpoints
from naas_centre.services.views import Actor, Role
from naas_centre.signing import ca

KIND = "day"
FORMAT = 1  # of the members' contents; the file's own version is the container's
MANIFEST = members.MANIFEST
NOUN = "day bundle"
MANIFEST_FIELDS = {"chain": str, "workstation": str}
RECEIVED = "exchange.received"
# The day tables and the people's own signing keys (each under its owner's password;
# the CA's key never leaves the manager's workstation: see _selection).
TABLES: tuple[type[Base], ...] = tuple(records.merge_order(records.DAY_BUNDLE_TABLES | {"signing_keys"}))


class NoSuchDay(UserError):
    """A room or a day the manager's database does not hold."""


class BadDay(UserError):
    """A bundle that opened and verified but whose contents are not a day bundle's."""


class NeedsCa(UserError):
    """A fresh workstation given no CA certificate to trust a bundle by."""


@dataclass(frozen=True)
class ExportedDay:
    info: BundleInfo
    room: str
    day: date
    rows: int
    sittings: int
    people: int


@dataclass(frozen=True)
class ImportedDay:
    info: BundleInfo
    report: MergeReport
    fresh: bool  # the database had no centre before
    chain_started: bool
    entries_recorded: int

    def summary_lines(self) -> list[str]:
        trail = f"audit trail: {self.entries_recorded} records received"
        return [*self.report.summary_lines(), trail]


# Out -------------------------------------------------------------------------------


def export_day(
    db: Database, actor: Actor, room: str, day: date, target: Path, passphrase: str, signer: ca.Issued
) -> ExportedDay:
    """Writes room ``room`` (its id or name)'s part of ``day`` to ``target``, signed by ``signer``."""
    accounts.require(actor, *capabilities.EXCHANGE)
    with db.read() as s:
        centre_id = members.centre_id(s)
        room_row = _room(s, room)
        plan = s.scalar(select(DayPlanRow).where(DayPlanRow.day == day))
        if plan is None:
            raise NoSuchDay(f"{day:%d %B %Y}: no day is planned then; plan it before preparing rooms.")
        where, sitting_ids, people = _selection(s, plan, room_row, actor)
        dumped = {
            cast(Table, m.__table__).name: list(records.dump_rows(s, m, where[m.__tablename__]))
            for m in TABLES
        }
        manifest = {
            "format": FORMAT,
            "kind": KIND,
            "workstation": db.workstation_id,
            "chain": audit.own_chain(s),
            "room": {"id": room_row.id, "name": room_row.name},
            "day": day.isoformat(),
            "tables": [
                {"name": t, "member": members.member_name(t), "rows": len(r)} for t, r in dumped.items()
            ],
            # The head of the trail the day was prepared from, signed by the sender.
            "checkpoint": checkpoints.sign_with(
                checkpoints.head(s), checkpoints.BUNDLE, signer.key, signer.certificate
            ).to_json(),
        }
    contents: list[tuple[str, bytes]] = [(MANIFEST, json.dumps(manifest, sort_keys=True).encode())]
    contents += [(members.member_name(t), members.jsonl(rows)) for t, rows in dumped.items()]
    info = write_bundle(target, KIND, centre_id, contents, passphrase, signer)
    checkpoints.keep(db, checkpoints.from_json(manifest["checkpoint"], "the day bundle's checkpoint"))
    try:
        with db.write() as s:  # the file is written: now remember it, or take the file away
            for table, rows in dumped.items():
                records.remember_sent(s, info.digest, table, rows)
            detail = {"room": room_row.name, "day": day.isoformat(), "digest": info.digest}
            audit.note(s, actor, "exchange.day_export", "exchange_bundles", info.digest[:36], detail)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    total = sum(len(r) for r in dumped.values())
    return ExportedDay(info, room_row.name, day, total, len(sitting_ids), len(people))


def next_day_for_room(db: Database, actor: Actor, room: str, today: date) -> date:
    """The first planned day from ``today`` on that room ``room`` works: its station or a
    sitting there (what ``bundle export`` prepares when no day is named)."""
    accounts.require(actor, *capabilities.EXCHANGE)
    with db.read() as s:
        room_row = _room(s, room)
        stationed = select(PlanStationRow.plan_id).where(PlanStationRow.room_id == room_row.id)
        sat = select(SittingRow.day).where(SittingRow.room_id == room_row.id)
        day = s.scalar(
            select(DayPlanRow.day)
            .where(DayPlanRow.day >= today, or_(DayPlanRow.id.in_(stationed), DayPlanRow.day.in_(sat)))
            .order_by(DayPlanRow.day)
            .limit(1)
        )
    if day is None:
        raise NoSuchDay(f"{room_row.name}: no planned day from {today:%d %B %Y} on uses this room; name one.")
    return day


def _room(s: Session, room: str) -> RoomRow:
    found = s.get(RoomRow, room) or s.scalar(select(RoomRow).where(RoomRow.name == room))
    if found is None:
        names = ", ".join(s.scalars(select(RoomRow.name).order_by(RoomRow.name))) or "none yet"
        raise NoSuchDay(f"{room!r}: no such room (the rooms are: {names}).")
    return found


def _selection(
    s: Session, plan: DayPlanRow, room: RoomRow, actor: Actor
) -> tuple[dict[str, ColumnElement[bool]], set[str], set[str]]:
    """Which rows of each day table the room gets, the sittings and the people it gets."""
    station = s.scalar(
        select(PlanStationRow).where(PlanStationRow.plan_id == plan.id, PlanStationRow.room_id == room.id)
    )
    visiting = select(VisitRow.sitting_id).where(VisitRow.room_id == room.id)
    sitting_ids = set(
        s.scalars(
            select(SittingRow.id).where(
                SittingRow.day == plan.day, or_(SittingRow.room_id == room.id, SittingRow.id.in_(visiting))
            )
        )
    )
    people = {actor.account_id}
    people |= set(s.scalars(select(AccountRow.id).where(AccountRow.role == Role.CENTRE_MANAGER.value)))
    if station is not None:
        people |= {str(a) for a in json.loads(station.assessor_ids or "[]")}
    for assessor, observes in s.execute(
        select(SittingAssessorRow.assessor_id, SittingAssessorRow.stations).where(
            SittingAssessorRow.sitting_id.in_(sitting_ids)
        )
    ):
        if not observes or (station is not None and station.station_id in observes.split(",")):
            people.add(str(assessor))
    packs = {plan.pack_id} | set(s.scalars(select(SittingRow.pack_id).where(SittingRow.id.in_(sitting_ids))))
    actors = set(
        s.scalars(select(SittingActorRow.actor_id).where(SittingActorRow.sitting_id.in_(sitting_ids)))
    )
    if station is not None and station.actor_id:
        actors.add(station.actor_id)
    signer_certs = select(CertificateRow.id).where(
        CertificateRow.kind == "signer", CertificateRow.account_id.in_(people)
    )
    candidates = select(SittingRow.candidate_id).where(SittingRow.id.in_(sitting_ids))
    where: dict[str, ColumnElement[bool]] = {
        "centre": true(),
        "employers": true(),
        "rooms": true(),  # names only; a candidate's visits name every room of the circuit
        "accounts": AccountRow.id.in_(people),
        "packs": cast(Any, records.model_of("packs")).id.in_(packs),
        "actors": cast(Any, records.model_of("actors")).id.in_(actors),
        "candidates": cast(Any, records.model_of("candidates")).id.in_(candidates),
        "sittings": SittingRow.id.in_(sitting_ids),
        "sitting_assessors": SittingAssessorRow.sitting_id.in_(sitting_ids)
        & SittingAssessorRow.assessor_id.in_(people),
        "day_plans": DayPlanRow.id == plan.id,
        "plan_stations": PlanStationRow.id == station.id if station is not None else false(),
        "sitting_visits": VisitRow.sitting_id.in_(sitting_ids),
        "sitting_actors": SittingActorRow.sitting_id.in_(sitting_ids),
        "certificates": or_(CertificateRow.kind == "ca", CertificateRow.id.in_(signer_certs)),
        # Only people's keys, each under its owner's password: never the CA's.
        "signing_keys": SigningKeyRow.certificate_id.in_(signer_certs),
        "crls": true(),
    }
    return where, sitting_ids, people


# In --------------------------------------------------------------------------------


def load_ca_file(path: Path) -> list[x509.Certificate]:
    """The CA certificate(s) in a PEM file, as ``naas-centre ca export`` writes it."""
    try:
        certs = x509.load_pem_x509_certificates(path.read_bytes())
    except FileNotFoundError:
        raise NeedsCa(f"{path}: no such file.") from None
    except OSError as exc:
        raise NeedsCa(f"{path}: {exc.strerror or exc}.") from None
    except ValueError:
        raise NeedsCa(
            f"{path}: not a CA certificate in PEM (write one with naas-centre ca export)."
        ) from None
    return certs


def import_day(
    db: Database,
    actor: Actor | None,
    path: Path,
    passphrase: str,
    *,
    ca_certificates: Sequence[x509.Certificate] = (),
) -> ImportedDay:
    """Takes a day bundle into this database: all of it, or nothing.

    A database with no centre yet (a fresh install) trusts the bundle by
    ``ca_certificates`` (the centre CA, from the manager's workstation) and needs no
    ``actor``; one already set up trusts its own CAs, and ``actor`` must be allowed to
    exchange bundles.
    """
    with db.read() as s:
        centre_id = s.scalar(select(CentreRow.id))
    fresh = centre_id is None
    if fresh:
        if not ca_certificates:
            raise NeedsCa(
                f"{path}: this workstation holds no centre yet, so nothing here can vouch for the "
                f"bundle's signer ({_signer(path)}). Give the centre CA certificate from the manager's "
                "workstation (naas-centre ca export --out FILE, then --ca FILE). Nothing was imported."
            )
        cas: list[x509.Certificate] = list(ca_certificates)
        _check_ca_certified_signer(path, cas)
        crls: list[x509.CertificateRevocationList] = []
        expected = _peek_centre(path)
    else:
        if actor is None:
            raise PermissionDenied("This workstation is set up: sign in as a centre manager to import.")
        accounts.require(actor, *capabilities.EXCHANGE)
        cas, crls = trust.from_database(db)
        expected = str(centre_id)
    with open_bundle(path, passphrase, cas, expected, crls=crls, expected_kind=KIND) as bundle:
        with db.write() as s:
            report, started, recorded = _merge_day(s, actor, bundle)
            if fresh:
                _check_trusted_ca_arrived(s, path, cas)
        return ImportedDay(bundle.info, report, fresh, started, recorded)


def _merge_day(s: Session, actor: Actor | None, bundle: Bundle) -> tuple[MergeReport, bool, int]:
    where = bundle.info.path.name
    inside = bundle.members()
    raw = members.first_manifest(where, inside, NOUN, BadDay)
    manifest = members.read_manifest(
        where, raw, kind=KIND, newest=FORMAT, noun=NOUN, bad=BadDay, needs=MANIFEST_FIELDS
    )
    tables = {t["member"]: t["name"] for t in manifest["tables"]}
    started = False
    if audit.own_chain(s) == manifest["chain"]:  # a copy of the manager's database
        audit.start_own_chain(s, actor)
        started = True
    report = MergeReport()
    received: dict[str, list[str]] = {}
    for member in inside:  # read to the end: the file is proven unchanged only there
        table = tables.get(member.name)
        if table is None:
            raise BadDay(f"{where}: «{member.name}» is not named in the bundle's manifest")
        rows = cast(list[RowData], members.read_records(where, member.name, member.read(), BadDay))
        received[table] = [r["id"] for r in rows]
        report.extend(
            merge(s, table, rows, bundle_id=bundle.info.digest, origin_workstation=manifest["workstation"])
        )
    recorded = 0
    for table, ids in received.items():
        model = audited_model(table)
        if model is not None:
            recorded += record_where_changed(s, actor, RECEIVED, model, ids)
    return report, started, recorded


def _check_trusted_ca_arrived(s: Session, path: Path, cas: Sequence[x509.Certificate]) -> None:
    """A fresh workstation trusts from now on the CAs the bundle brought: the one it was
    given must be among them, or it would hold a CA nobody vouched for."""
    held = set(s.scalars(select(CertificateRow.fingerprint).where(CertificateRow.kind == "ca")))
    if not held & {ca.fingerprint(c) for c in cas}:
        raise BadDay(f"{path.name}: it does not carry the CA certificate given: nothing was imported")


def peek_kind(path: Path) -> str | None:
    """The kind a bundle's plaintext header claims, None when it cannot be read; only to
    choose which import to run: ``open_bundle`` checks everything again."""
    header = _peek(path)
    return header.kind if header is not None else None


def _peek(path: Path) -> layout.Header | None:
    try:
        with open(path, "rb") as fh:
            if fh.read(len(layout.MAGIC)) != layout.MAGIC:
                return None
            version, _, length = layout.PREAMBLE.unpack(fh.read(layout.PREAMBLE.size))
            if version != layout.VERSION or not 0 < length <= layout.MAX_HEADER:
                return None
            return layout.Header.decode(fh.read(length))
    except Exception:  # any unreadable header: open_bundle then says exactly why
        return None


def _check_ca_certified_signer(path: Path, cas: Sequence[x509.Certificate]) -> None:
    """A CA file from another centre (or an older CA) is named for what it is, with the key
    identifiers a person can compare with what ``ca export`` prints on the manager's side."""
    header = _peek(path)
    if header is None:
        return  # open_bundle says what is wrong with the file
    try:
        signer = x509.load_der_x509_certificate(header.certificate_der)
    except ValueError:
        return
    wanted = ca.issuer_key_id(signer)
    given = [ca.key_id(c) for c in cas]
    if wanted is None or wanted in given:
        return
    raise NeedsCa(
        f"{path}: the CA certificate given (key id {', '.join(given)}) did not certify the bundle's "
        f"signer ({trust.describe(signer)}), whose CA has key id {wanted}. Give the CA file of the "
        "centre that made the bundle (naas-centre ca export prints its key id). Nothing was imported."
    )


def _peek_centre(path: Path) -> str:
    """The centre a fresh workstation is to join, as the bundle claims it; the claim is
    signed, and the signer must chain to the CA the person gave."""
    header = _peek(path)
    return header.centre_id if header is not None else ""


def _signer(path: Path) -> str:
    header = _peek(path)
    if header is None:
        return "unreadable"
    try:
        return trust.describe(x509.load_der_x509_certificate(header.certificate_der))
    except ValueError:
        return "unreadable"
