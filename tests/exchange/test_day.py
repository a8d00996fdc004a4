"""Day bundles: the manager's workstation prepares a room's, a fresh install takes it in,
the room scores and signs, and its results go back. Real databases made through the
services (the room's through migrations, as the app makes one), real files on disk."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.engine import Database
from db.models import (
    AccountRow,
    AuditEntryRow,
    CertificateRow,
    DayPlanRow,
    EqualityMonitoringRow,
    ExchangeSentRow,
    PlanStationRow,
    RoomRow,
    ScoreRow,
    SigningKeyRow,
    SittingRow,
)
from naas_centre.demo.centre import ACCOUNTS, create_demo
from naas_centre.errors import PermissionDenied, UserError
from naas_centre.exchange.container import signer_of
from naas_centre.exchange.day import NeedsCa, export_day, import_day, load_ca_file, next_day_for_room
from naas_centre.exchange.results import export_results, import_results
from naas_centre.services import access, accounts, audit, authority, certificates, packs, scoring, sittings
from naas_centre.services.centre import open_database
from naas_centre.services.views import Actor
from naas_centre.signing import ca

CENTRE_WS = "00000000-0000-4000-8000-0000000000c0"
PASSWORDS = {a.username: a.password for a in ACCOUNTS}
PASSPHRASE = "elm room, fourth of march"


@dataclass
class Centre:
    db: Database
    day: date
    data_dir: Path
    room: str  # the room whose station assessor1 observes

    def login(self, username: str) -> Actor:
        return accounts.authenticate(self.db, username, PASSWORDS[username])


@pytest.fixture(scope="session")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, date]:
    folder = tmp_path_factory.mktemp("day-demo")
    made = create_demo(folder / "demo.db", data_dir=folder)
    authority.ensure_ca(made.db, folder)
    for username in ("manager", "assessor1", "assessor2"):  # certificates issued at the centre
        who = accounts.authenticate(made.db, username, PASSWORDS[username])
        certificates.unlock_signer(made.db, who, PASSWORDS[username], folder)
    made.db.dispose()
    return folder, made.day


@pytest.fixture
def centre(tmp_path: Path, demo_folder: tuple[Path, date]) -> Iterator[Centre]:
    folder = tmp_path / "centre"
    shutil.copytree(demo_folder[0], folder)
    db = Database(folder / "demo.db", CENTRE_WS)
    a1 = accounts.authenticate(db, "assessor1", PASSWORDS["assessor1"])
    with db.read() as s:
        room = next(
            s.get(RoomRow, st.room_id).name  # type: ignore[union-attr]
            for st in s.scalars(select(PlanStationRow))
            if a1.account_id in json.loads(st.assessor_ids)
        )
    yield Centre(db, demo_folder[1], folder, room)
    db.dispose()


def _ca_file(c: Centre, tmp_path: Path) -> Path:
    out = tmp_path / "centre-ca.pem"
    authority.export_ca(c.db, c.data_dir, out)
    return out


def _export(c: Centre, target: Path) -> None:
    manager = c.login("manager")
    identity = certificates.unlock_signer(c.db, manager, PASSWORDS["manager"], c.data_dir)
    export_day(c.db, manager, c.room, c.day, target, PASSPHRASE, signer_of(identity))


def _fresh_room(tmp_path: Path) -> tuple[Database, Path]:
    folder = tmp_path / "room-ws"
    folder.mkdir()
    return open_database(folder / "room.db", folder), folder


def _counts(db: Database) -> dict[str, int]:
    models = (AccountRow, SittingRow, ScoreRow, AuditEntryRow, CertificateRow, SigningKeyRow, ExchangeSentRow)
    with db.read() as s:
        return {m.__tablename__: int(s.scalar(select(func.count()).select_from(m)) or 0) for m in models}


def test_a_fresh_room_is_set_up_scores_signs_and_its_results_come_back(
    centre: Centre, tmp_path: Path
) -> None:
    bundle = tmp_path / "day.naasbundle"
    _export(centre, bundle)
    with centre.db.read() as s:
        sent = int(s.scalar(select(func.count()).select_from(ExchangeSentRow)) or 0)
        manager_serial = s.scalar(
            select(CertificateRow.serial)
            .join(AccountRow, AccountRow.id == CertificateRow.account_id)
            .where(AccountRow.username == "assessor1")
        )
    assert sent > 0  # remembered as sent
    room, folder = _fresh_room(tmp_path)
    try:
        done = import_day(
            room, None, bundle, PASSPHRASE, ca_certificates=load_ca_file(_ca_file(centre, tmp_path))
        )
        assert done.fresh and done.report.table("sittings").added > 0 and done.entries_recorded > 0
        verdict = audit.verify(room)
        assert verdict.ok, verdict.problem
        with room.read() as s:
            assert s.scalar(select(func.count()).select_from(EqualityMonitoringRow)) == 0
            protections = set(s.scalars(select(SigningKeyRow.protection)))
            assert "centre-passphrase-file" not in protections  # never the CA's key
            held = set(s.scalars(select(AccountRow.username)))
        assert {"manager", "assessor1"} <= held

        # The same file again changes nothing (a manager of the room now imports it).
        before = _counts(room)
        manager_here = accounts.authenticate(room, "manager", PASSWORDS["manager"])
        before = _counts(room)
        again = import_day(room, manager_here, bundle, PASSPHRASE)
        assert again.entries_recorded == 0 and not again.fresh
        assert _counts(room) == before

        # The room's assessor signs in, scores and signs with the certificate the centre issued.
        a1 = accounts.authenticate(room, "assessor1", PASSWORDS["assessor1"])
        sid = sittings.list_for_assessor(room, a1, centre.day)[0].id
        pack = packs.pack_for_sitting(room, a1, sid)
        with room.read() as s:
            station = access.observed_stations(s, sid, a1.account_id, pack)[0]
        criteria = [c for st, c in pack.criteria() if st == station]
        for k, c in enumerate(criteria):
            scoring.record_level(room, a1, sid, station, c.id, 1 + k % 4)
        identity = certificates.unlock_signer(room, a1, PASSWORDS["assessor1"], folder)
        assert identity.serial == manager_serial  # found, not issued anew
        results = tmp_path / "results.naasbundle"
        export_results(room, a1, results, PASSPHRASE, signer_of(identity))
        verdict = audit.verify(room)
        assert verdict.ok, verdict.problem
    finally:
        room.dispose()

    back = import_results(centre.db, centre.login("manager"), results, PASSPHRASE)
    assert back.report.table("scores").added == len(criteria)
    verdict = audit.verify(centre.db)
    assert verdict.ok, verdict.problem


def test_a_fresh_room_without_a_ca_or_with_another_is_refused_and_nothing_is_written(
    centre: Centre, tmp_path: Path
) -> None:
    bundle = tmp_path / "day.naasbundle"
    _export(centre, bundle)
    room, _ = _fresh_room(tmp_path)
    try:
        empty = _counts(room)
        with pytest.raises(NeedsCa, match="ca export"):
            import_day(room, None, bundle, PASSPHRASE)
        other = ca.new_ca("Another Centre")
        cas = load_ca_file(_ca_file(centre, tmp_path))
        with pytest.raises(NeedsCa) as refused:
            import_day(room, None, bundle, PASSPHRASE, ca_certificates=[other.certificate])
        # Both key ids named, as a person compares them with what `ca export` printed.
        assert ca.key_id(other.certificate) in str(refused.value)
        assert any(ca.key_id(c) in str(refused.value) for c in cas)
        with pytest.raises(UserError, match="passphrase"):
            import_day(room, None, bundle, "not the passphrase", ca_certificates=cas)
        data = bundle.read_bytes()
        cut = tmp_path / "cut.naasbundle"
        cut.write_bytes(data[: len(data) * 2 // 3])
        with pytest.raises(UserError, match="cut short"):
            import_day(room, None, cut, PASSPHRASE, ca_certificates=cas)
        flipped = bytearray(data)
        flipped[len(data) // 2] ^= 0x01
        changed = tmp_path / "changed.naasbundle"
        changed.write_bytes(bytes(flipped))
        with pytest.raises(UserError, match=r"changed|damaged"):
            import_day(room, None, changed, PASSPHRASE, ca_certificates=cas)
        assert _counts(room) == empty
    finally:
        room.dispose()


def test_only_a_manager_exports_a_day_and_an_unknown_room_is_named(centre: Centre, tmp_path: Path) -> None:
    a1 = centre.login("assessor1")
    identity = certificates.unlock_signer(centre.db, a1, PASSWORDS["assessor1"], centre.data_dir)
    target = tmp_path / "day.naasbundle"
    with pytest.raises(PermissionDenied):
        export_day(centre.db, a1, centre.room, centre.day, target, PASSPHRASE, signer_of(identity))
    manager = centre.login("manager")
    identity = certificates.unlock_signer(centre.db, manager, PASSWORDS["manager"], centre.data_dir)
    with pytest.raises(UserError, match="no such room"):
        export_day(centre.db, manager, "Cellar", centre.day, target, PASSPHRASE, signer_of(identity))
    assert not target.exists()


def test_the_rooms_next_planned_day_is_the_one_prepared_when_none_is_named(centre: Centre) -> None:
    manager = centre.login("manager")
    with centre.db.read() as s:
        planned = sorted(s.scalars(select(DayPlanRow.day)))
    assert centre.day in planned
    earlier = [d for d in planned if d < centre.day]
    since = earlier[-1] + timedelta(days=1) if earlier else centre.day - timedelta(days=30)
    assert next_day_for_room(centre.db, manager, centre.room, since) == centre.day
    assert next_day_for_room(centre.db, manager, centre.room, centre.day) == centre.day
    with pytest.raises(UserError, match="no planned day from"):
        next_day_for_room(centre.db, manager, centre.room, planned[-1] + timedelta(days=1))
    with pytest.raises(PermissionDenied):
        next_day_for_room(centre.db, centre.login("assessor1"), centre.room, centre.day)
