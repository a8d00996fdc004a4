"""A room's results carried to the manager's database in a bundle file: real databases
filled through the services, a real signed and encrypted file on disk, merged, verified.

Two copies of the demo centre stand for the manager's workstation and a room's; the
room gets a trail of its own (as a workstation set up from a day bundle has).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.engine import Database
from db.models import AuditEntryRow, ExchangeConflictRow, ScoreRow, SittingRow
from naas_centre.errors import PermissionDenied, UserError
from naas_centre.exchange.container import signer_of
from naas_centre.exchange.results import export_results, import_results
from naas_centre.services import audit, certificates, sittings
from tests.exchange.sides import CENTRE_WS, PASSWORDS, ROOM_WS, Side, copy_side, demo_with_ca, score_a_station

PASSPHRASE = "oak room, second of march"


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, date]:
    return demo_with_ca(tmp_path_factory.mktemp("results-demo"))


@pytest.fixture
def centre(tmp_path: Path, demo_file: tuple[Path, date]) -> Iterator[Side]:
    side = copy_side(demo_file, tmp_path / "centre", CENTRE_WS)
    yield side
    side.db.dispose()


@pytest.fixture
def room(tmp_path: Path, demo_file: tuple[Path, date]) -> Iterator[Side]:
    side = copy_side(demo_file, tmp_path / "room", ROOM_WS, own_trail=True)
    yield side
    side.db.dispose()


def _score_a_station(room: Side) -> tuple[str, int]:
    sid, _station, criteria = score_a_station(room)
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
