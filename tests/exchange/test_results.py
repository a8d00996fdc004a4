"""A room's results carried to the manager's database in a bundle file: real databases
filled through the services, a real signed and encrypted file on disk, merged, verified.

Two copies of the demo centre stand for the manager's workstation and a room's; the
room gets a trail of its own (as a workstation set up from a day bundle has).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.engine import Database
from db.models import AuditEntryRow, ExchangeConflictRow, ScoreRow, SittingRow
from naas_centre.demo.centre import ACCOUNTS, create_demo
from naas_centre.errors import PermissionDenied, UserError
from naas_centre.exchange.container import signer_of
from naas_centre.exchange.results import export_results, import_results
from naas_centre.services import access, accounts, audit, authority, certificates, packs, scoring, sittings
from naas_centre.services.views import Actor

CENTRE_WS = "00000000-0000-4000-8000-0000000000c0"
ROOM_WS = "00000000-0000-4000-8000-0000000000a1"
PASSWORDS = {a.username: a.password for a in ACCOUNTS}
PASSPHRASE = "oak room, second of march"


@dataclass
class Side:
    db: Database
    day: date
    data_dir: Path

    def login(self, username: str) -> Actor:
        return accounts.authenticate(self.db, username, PASSWORDS[username])


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, date]:
    folder = tmp_path_factory.mktemp("results-demo")
    made = create_demo(folder / "demo.db", data_dir=folder)
    authority.ensure_ca(made.db, folder)  # one centre CA, which both copies hold
    made.db.dispose()
    return folder / "demo.db", made.day


def _side(tmp_path: Path, demo_file: tuple[Path, date], name: str, ws: str) -> Side:
    folder = tmp_path / name
    shutil.copytree(demo_file[0].parent, folder)  # the database and its data folder (the CA's key)
    return Side(Database(folder / "demo.db", ws), demo_file[1], folder)


@pytest.fixture
def centre(tmp_path: Path, demo_file: tuple[Path, date]) -> Iterator[Side]:
    side = _side(tmp_path, demo_file, "centre", CENTRE_WS)
    yield side
    side.db.dispose()


@pytest.fixture
def room(tmp_path: Path, demo_file: tuple[Path, date]) -> Iterator[Side]:
    side = _side(tmp_path, demo_file, "room", ROOM_WS)
    with side.db.write() as s:
        audit.start_own_chain(s)
    yield side
    side.db.dispose()


def _score_a_station(room: Side) -> tuple[str, int]:
    """assessor1 scores every criterion of one station they observe, in the room."""
    a1 = room.login("assessor1")
    sid = sittings.list_for_assessor(room.db, a1, room.day)[0].id
    pack = packs.pack_for_sitting(room.db, a1, sid)
    with room.db.read() as s:
        station = access.observed_stations(s, sid, a1.account_id, pack)[0]
    criteria = [c for st, c in pack.criteria() if st == station]
    for k, c in enumerate(criteria):
        scoring.record_level(room.db, a1, sid, station, c.id, 1 + k % 4)
    return sid, len(criteria)


def _export(room: Side, path: Path, username: str = "assessor1") -> None:
    who = room.login(username)
    identity = certificates.unlock_signer(room.db, who, PASSWORDS[username], room.data_dir)
    export_results(room.db, who, path, PASSPHRASE, signer_of(identity))


def _counts(db: Database) -> tuple[int, int, int]:
    with db.read() as s:
        return (
            int(s.scalar(select(func.count()).select_from(ScoreRow)) or 0),
            int(s.scalar(select(func.count()).select_from(AuditEntryRow)) or 0),
            int(s.scalar(select(func.count()).select_from(ExchangeConflictRow)) or 0),
        )


def test_a_rooms_scores_reach_the_centre_once_with_both_trails_intact(
    centre: Side, room: Side, tmp_path: Path
) -> None:
    sid, scored = _score_a_station(room)
    bundle = tmp_path / "oak-results.naasbundle"
    _export(room, bundle)
    before = _counts(centre.db)

    done = import_results(centre.db, centre.login("manager"), bundle, PASSPHRASE)
    assert done.report.table("scores").added == scored
    assert done.entries_added > 0
    assert any(line.startswith(f"scores: {scored} added") for line in done.summary_lines())
    with centre.db.read() as s:
        held = s.scalars(select(ScoreRow).where(ScoreRow.sitting_id == sid)).all()
        assert len(held) == scored and {r.workstation_id for r in held} == {ROOM_WS}
    verdict = audit.verify(centre.db)
    assert verdict.ok, verdict.problem
    assert verdict.chains >= 2  # the centre's own trail and the room's
    after = _counts(centre.db)
    assert after[0] == before[0] + scored

    # The same file again: nothing changes at all.
    again = import_results(centre.db, centre.login("manager"), bundle, PASSPHRASE)
    assert again.report.table("scores").added == 0 and again.entries_added == 0
    assert _counts(centre.db) == after
    assert audit.verify(centre.db).ok


def test_a_record_changed_on_both_sides_is_a_conflict_and_the_trail_still_holds(
    centre: Side, room: Side, tmp_path: Path
) -> None:
    sid, _ = _score_a_station(room)
    sittings.set_status(room.db, room.login("assessor1"), sid, "checked_in")
    sittings.set_status(centre.db, centre.login("manager"), sid, "withdrawn")
    bundle = tmp_path / "results.naasbundle"
    _export(room, bundle)

    done = import_results(centre.db, centre.login("manager"), bundle, PASSPHRASE)
    assert done.report.table("sittings").conflicts == 1
    with centre.db.read() as s:
        sitting = s.get(SittingRow, sid)
        assert sitting is not None and sitting.status == "withdrawn"  # never overwritten silently
    verdict = audit.verify(centre.db)
    assert verdict.ok, verdict.problem
    assert _counts(centre.db)[2] == 1


def test_a_bad_passphrase_a_cut_file_or_an_assessor_change_nothing(
    centre: Side, room: Side, tmp_path: Path
) -> None:
    _score_a_station(room)
    bundle = tmp_path / "results.naasbundle"
    _export(room, bundle)
    before = _counts(centre.db)
    manager = centre.login("manager")
    with pytest.raises(UserError, match="passphrase"):
        import_results(centre.db, manager, bundle, "not the passphrase")
    cut = tmp_path / "cut.naasbundle"
    cut.write_bytes(bundle.read_bytes()[: bundle.stat().st_size // 2])
    with pytest.raises(UserError, match="cut short"):
        import_results(centre.db, manager, cut, PASSPHRASE)
    with pytest.raises(PermissionDenied):
        import_results(centre.db, centre.login("assessor2"), bundle, PASSPHRASE)
    assert _counts(centre.db) == before
