"""``naas-centre bundle`` as a user meets it: real processes, a room's database and the
centre's, a bundle file on disk between them; bad input one plain line, exit 2, no change."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from db.engine import Database
from db.models import PlanStationRow, RoomRow
from naas_centre.demo.centre import ACCOUNTS, create_demo
from naas_centre.services import access, accounts, audit, authority, certificates, packs, scoring, sittings
from tests.program import run_program

pytestmark = pytest.mark.slow
PASSWORDS = {a.username: a.password for a in ACCOUNTS}
ROOM_WS = "00000000-0000-4000-8000-0000000000a2"


def run(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return run_program(*args, data_dir=data_dir, timeout=600)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, date]:
    folder = tmp_path_factory.mktemp("bundle-demo")
    made = create_demo(folder / "demo.db", data_dir=folder)
    authority.ensure_ca(made.db, folder)
    made.db.dispose()
    return folder, made.day


def _copy(template: tuple[Path, date], to: Path) -> Path:
    shutil.copytree(template[0], to)
    return to


def _score_in_room(room: Path, day: date) -> int:
    db = Database(room / "demo.db", ROOM_WS)
    try:
        with db.write() as s:
            audit.start_own_chain(s)
        a1 = accounts.authenticate(db, "assessor1", PASSWORDS["assessor1"])
        sid = sittings.list_for_assessor(db, a1, day)[0].id
        pack = packs.pack_for_sitting(db, a1, sid)
        with db.read() as s:
            station = access.observed_stations(s, sid, a1.account_id, pack)[0]
        criteria = [c for st, c in pack.criteria() if st == station]
        for c in criteria:
            scoring.record_level(db, a1, sid, station, c.id, 3)
        return len(criteria)
    finally:
        db.dispose()


def _held(path: Path) -> dict[str, int]:
    """How many rows the tables a bundle writes to hold."""
    with closing(sqlite3.connect(path)) as conn:
        tables = ("scores", "sittings", "exchange_sent", "exchange_conflicts")
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
        trail = "SELECT count(*) FROM audit_entries WHERE action NOT LIKE 'account.%'"
        return {**counts, "audit": conn.execute(trail).fetchone()[0]}


def _secret(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.write_text(text + "\n", encoding="utf-8")
    path.chmod(0o600)
    return str(path)


def test_a_rooms_results_go_to_the_centre_by_file(tmp_path: Path, template: tuple[Path, date]) -> None:
    room, centre = _copy(template, tmp_path / "room"), _copy(template, tmp_path / "centre")
    (room / "workstation-id").write_text(ROOM_WS + "\n", encoding="utf-8")  # each has its own
    scored = _score_in_room(room, template[1])
    phrase = _secret(tmp_path, "phrase", "birch room, long table")
    bundle = tmp_path / "room-results.naasbundle"

    out = run(
        "bundle", "export-results", "--out", str(bundle), "--db", str(room / "demo.db"),
        "--user", "assessor1", "--password-file", _secret(tmp_path, "a1", PASSWORDS["assessor1"]),
        "--passphrase-file", phrase, data_dir=room,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert bundle.exists() and "signed by Helen Brady" in out.stdout

    manager = _secret(tmp_path, "m", PASSWORDS["manager"])
    args = ("bundle", "import", str(bundle), "--db", str(centre / "demo.db"), "--user", "manager")
    done = run(*args, "--password-file", manager, "--passphrase-file", phrase, data_dir=centre)
    assert done.returncode == 0, done.stderr
    assert f"scores: {scored} added" in done.stdout, "\n".join(done.stdout.splitlines()[1:8])
    again = run(*args, "--password-file", manager, "--passphrase-file", phrase, data_dir=centre)
    assert again.returncode == 0 and "scores: 0 added" in again.stdout
    verified = run("audit", "verify", "--db", str(centre / "demo.db"), data_dir=centre)
    assert verified.returncode == 0, verified.stdout + verified.stderr

    # A wrong passphrase: one plain line, exit 2, nothing merged (signing in is recorded, as ever).
    before = _held(centre / "demo.db")
    wrong = _secret(tmp_path, "wrong", "not it")
    refused = run(*args, "--password-file", manager, "--passphrase-file", wrong, data_dir=centre)
    assert refused.returncode == 2
    assert len(refused.stderr.strip().splitlines()) == 1 and "passphrase" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert _held(centre / "demo.db") == before


def test_the_whole_day_goes_out_to_a_fresh_room_and_its_results_come_back(
    tmp_path: Path, template: tuple[Path, date]
) -> None:
    centre = _copy(template, tmp_path / "centre")
    phrase = _secret(tmp_path, "phrase", "hazel room, short table")
    manager = _secret(tmp_path, "m", PASSWORDS["manager"])
    a1 = _secret(tmp_path, "a1", PASSWORDS["assessor1"])
    centre_db = str(centre / "demo.db")
    day = template[1]
    # assessor1 has a certificate before the day goes out (signing in to sign once, at the centre).
    db = Database(centre / "demo.db", "00000000-0000-4000-8000-0000000000c1")
    try:
        who = accounts.authenticate(db, "assessor1", PASSWORDS["assessor1"])
        certificates.unlock_signer(db, who, PASSWORDS["assessor1"], centre)
        with db.read() as s:
            room_name = next(
                str(s.get(RoomRow, st.room_id).name)  # type: ignore[union-attr]
                for st in s.scalars(select(PlanStationRow))
                if who.account_id in json.loads(st.assessor_ids)
            )
    finally:
        db.dispose()
    ca_file = tmp_path / "centre-ca.pem"
    assert run("ca", "export", "--out", str(ca_file), "--db", centre_db, data_dir=centre).returncode == 0

    day_bundle = tmp_path / "day.naasbundle"
    out = run(
        "bundle", "export", "--room", room_name, "--out", str(day_bundle),  # the room's next day
        "--db", centre_db, "--user", "manager", "--password-file", manager, "--passphrase-file", phrase,
        data_dir=centre,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert f"{room_name} on {day.isoformat()}" in out.stdout

    room = tmp_path / "room"
    room.mkdir()
    room_db = room / "room.db"
    imp = ("bundle", "import", str(day_bundle), "--db", str(room_db), "--passphrase-file", phrase)
    refused = run(*imp, data_dir=room)  # no CA to trust it by: refused, and no database left behind
    assert refused.returncode == 2 and len(refused.stderr.strip().splitlines()) == 1
    assert "ca export" in refused.stderr and "Traceback" not in refused.stderr
    assert not room_db.exists()
    done = run(*imp, "--ca", str(ca_file), data_dir=room)
    assert done.returncode == 0, done.stderr
    assert "set up this workstation" in done.stdout
    verified = run("audit", "verify", "--db", str(room_db), data_dir=room)
    assert verified.returncode == 0, verified.stdout + verified.stderr

    # The room's assessor scores through the services, then sends the results back by file.
    db = Database(room_db, (room / "workstation-id").read_text().strip())
    try:
        who = accounts.authenticate(db, "assessor1", PASSWORDS["assessor1"])
        sid = sittings.list_for_assessor(db, who, day)[0].id
        pack = packs.pack_for_sitting(db, who, sid)
        with db.read() as s:
            station = access.observed_stations(s, sid, who.account_id, pack)[0]
        criteria = [c for st, c in pack.criteria() if st == station]
        for c in criteria:
            scoring.record_level(db, who, sid, station, c.id, 3)
    finally:
        db.dispose()
    results = tmp_path / "results.naasbundle"
    sent = run(
        "bundle", "export-results", "--out", str(results), "--db", str(room_db), "--user", "assessor1",
        "--password-file", a1, "--passphrase-file", phrase, data_dir=room,
    )  # fmt: skip
    assert sent.returncode == 0, sent.stderr
    back = run(
        "bundle", "import", str(results), "--db", centre_db, "--user", "manager",
        "--password-file", manager, "--passphrase-file", phrase, data_dir=centre,
    )  # fmt: skip
    assert back.returncode == 0, back.stderr
    assert f"scores: {len(criteria)} added" in back.stdout
    for folder, path in ((centre, centre_db), (room, str(room_db))):
        verified = run("audit", "verify", "--db", path, data_dir=folder)
        assert verified.returncode == 0, verified.stdout + verified.stderr
