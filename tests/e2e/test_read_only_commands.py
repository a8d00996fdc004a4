"""Commands that read never write: each reading command, pointed at each kind of file that
is not a database of this version, says so in one line naming the file, exits 2, and
leaves the file (and its folder) byte for byte as it was; on a good centre it works and
still changes nothing. Real subprocesses of ``python -m ui.main`` on real files.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import func, select

from db.engine import Database
from db.migrate import alembic_config, head_revision, open_read_only
from db.models import CertificateRow
from naas_centre.demo.centre import create_demo
from tests.conftest import WORKSTATION

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
PACK = ROOT / "scenarios"


@dataclass(frozen=True)
class Ran:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


def run(args: Sequence[str], data_dir: Path) -> Ran:
    env = {**os.environ, "NAAS_DATA_DIR": str(data_dir)}
    env.pop("DISPLAY", None)
    r = subprocess.run(
        [sys.executable, "-m", "ui.main", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
        timeout=300,
    )
    return Ran(tuple(args), r.returncode, r.stdout, r.stderr)


def run_many(cases: Sequence[Sequence[str]], data_dir: Path) -> list[Ran]:
    with ThreadPoolExecutor(max_workers=3) as pool:
        return list(pool.map(lambda args: run(args, data_dir), cases))


def reading_commands(db: Path, out: Path, pdf: Path) -> list[list[str]]:
    """Every command that only reads the database, pointed at ``db``."""
    return [
        ["audit", "verify", "--db", str(db)],
        ["verify", str(pdf), "--db", str(db)],
        ["ca", "export", "--out", str(out / f"{db.stem}-ca.pem"), "--db", str(db)],
        [
            "ca",
            "export",
            "--out",
            str(out / f"{db.stem}-ca2.pem"),
            "--crl-out",
            str(out / "c.crl"),
            "--db",
            str(db),
        ],
        ["scenarios", "list", "--db", str(db)],
        ["scenarios", "validate", str(PACK), "--db", str(db)],
        ["reports", "--out", str(out), "--db", str(db)],  # unsigned drafts: reading only
        ["plan", "check", "--day", "2026-01-05", "--db", str(db)],
        ["runsheets", "--day", "2026-01-05", "--out", str(out / "sheets"), "--db", str(db)],
    ]


def state(folder: Path) -> dict[str, tuple[str, int, int]]:
    """Every file in the folder: its hash, its modification time (ns) and its mode."""
    found = {}
    for path in sorted(folder.iterdir()):
        st = path.stat()
        found[path.name] = (hashlib.sha256(path.read_bytes()).hexdigest(), st.st_mtime_ns, st.st_mode)
    return found


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    """Each kind of file a reading command must refuse, with what its line must say."""
    folder = tmp_path_factory.mktemp("bad")
    empty = folder / "empty.db"
    empty.write_bytes(b"")
    text = folder / "notes.db"
    text.write_bytes(b"minutes of the moderation meeting\n" * 200)
    foreign = folder / "places.db"  # another application's database, in WAL mode as many are
    with sqlite3.connect(foreign) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
        conn.execute("INSERT INTO moz_places (url) VALUES ('https://example.org')")
    conn.close()
    older = folder / "older.db"
    db = Database(older, WORKSTATION)
    cfg = alembic_config(db.url)
    with db.engine.begin() as c:
        cfg.attributes["connection"] = c
        command.upgrade(cfg, "0009")  # one revision short of head
    db.dispose()
    newer = folder / "newer.db"
    db = Database(newer, WORKSTATION)
    cfg = alembic_config(db.url)
    with db.engine.begin() as c:
        cfg.attributes["connection"] = c
        command.upgrade(cfg, "head")
        c.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    db.dispose()
    assert head_revision() != "0009"
    return {
        "empty": (empty, "is empty"),
        "not SQLite": (text, "the file is not a database"),
        "foreign": (foreign, "not a naas-centre database"),
        "older": (older, "older naas-centre"),
        "newer": (newer, "newer naas-centre"),
    }


@pytest.fixture(scope="module")
def centre(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A demo centre (no CA yet: nothing signed), closed cleanly, and its data folder."""
    folder = tmp_path_factory.mktemp("centre")
    (folder / "db").mkdir()
    made = create_demo(folder / "db" / "demo.db", data_dir=folder / "data")
    made.db.dispose()
    return folder / "db" / "demo.db", folder / "data"


def test_each_reading_command_refuses_each_bad_file_and_leaves_it_as_it_was(
    bad_files: dict[str, tuple[Path, str]], tmp_path: Path
) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.7\n%%EOF\n")  # read before the database; never reached
    out = tmp_path / "out"
    out.mkdir()
    folder = next(iter(bad_files.values()))[0].parent
    before = state(folder)
    cases = [
        (kind, args) for kind, (path, _) in bad_files.items() for args in reading_commands(path, out, pdf)
    ]
    results = run_many([args for _, args in cases], tmp_path / "data")
    for (kind, _), r in zip(cases, results, strict=True):
        path, said = bad_files[kind]
        where = f"{kind}: {r}"
        assert r.returncode == 2, where
        assert "Traceback" not in r.stderr, where
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and str(path) in lines[0] and said in lines[0], where
        assert r.stdout == "", where  # nothing was listed or checked before the refusal
    assert state(folder) == before  # byte for byte, the same times, no -wal or -shm left
    assert list(out.iterdir()) == []  # no CA certificate was written for any of them


def test_reading_commands_on_a_good_centre_work_and_change_nothing(
    centre: tuple[Path, Path], tmp_path: Path
) -> None:
    db, data_dir = centre
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.7\n%%EOF\n")
    before = state(db.parent)
    out = tmp_path / "out"
    out.mkdir()
    ran = run_many(reading_commands(db, out, pdf), data_dir)
    verified, checked, ca, ca_crl, listed, validated, reports, *planning = ran
    assert all("Traceback" not in r.stderr for r in planning), planning
    assert verified.returncode == 0 and "intact" in verified.stdout, verified
    assert checked.returncode == 2 and "the centre has no CA yet" in checked.stderr, checked
    assert listed.returncode == 0 and "Held in the centre database" in listed.stdout, listed
    assert "naas-practitioner" in listed.stdout.split("Held in the centre database", 1)[1], listed
    assert validated.returncode == 0, validated
    assert reports.returncode == 0 and "unsigned draft(s)" in reports.stdout, reports
    assert list(out.glob("*_unsigned.pdf")), reports
    # The demo has signed nothing: there is no CA, and exporting one must not make one.
    for r in (ca, ca_crl):
        assert r.returncode == 2 and "no certificate authority yet" in r.stderr, r
        assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr, r
    assert state(db.parent) == before
    reader = open_read_only(db)
    try:
        with reader.read() as s:
            assert s.scalar(select(func.count()).select_from(CertificateRow)) == 0
    finally:
        reader.dispose()
    assert state(db.parent) == before


def test_reading_while_the_app_holds_the_database_open(centre: tuple[Path, Path], tmp_path: Path) -> None:
    """With a writer's -wal and -shm beside it, a reader sees its commits and keeps its files."""
    db_copy = tmp_path / "demo.db"
    shutil.copyfile(centre[0], db_copy)
    writer = Database(db_copy, WORKSTATION)
    try:
        with writer.write() as s:
            s.execute(select(1))
        assert (tmp_path / "demo.db-wal").exists()
        r = run(["audit", "verify", "--db", str(db_copy)], centre[1])
        assert r.returncode == 0 and "intact" in r.stdout, r
        assert (tmp_path / "demo.db-wal").exists() and (tmp_path / "demo.db-shm").exists()
    finally:
        writer.dispose()


def test_a_validated_pack_that_differs_from_the_stored_one_is_named(
    centre: tuple[Path, Path], tmp_path: Path
) -> None:
    packs = tmp_path / "packs"
    shutil.copytree(PACK, packs)  # with anything the packs name beside them
    edited = packs / "practitioner.yaml"
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("title:", "title: Corrected -", 1), encoding="utf-8")
    alone = run(["scenarios", "validate", str(edited)], centre[1])
    assert alone.returncode == 0, alone
    against = run(["scenarios", "validate", str(edited), "--db", str(centre[0])], centre[1])
    assert against.returncode == 2, against
    assert f"{edited}: naas-practitioner" in against.stdout and "needs a new version" in against.stdout


def test_a_command_that_writes_refuses_an_empty_file_as_no_centre(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    (r,) = run_many([["export", "--out", str(tmp_path / "s.csv"), "--db", str(empty)]], tmp_path / "data")
    assert r.returncode == 2 and "is empty: it holds no centre" in r.stderr, r
    assert empty.read_bytes() == b"" and not (tmp_path / "s.csv").exists()


def test_reading_commands_on_a_fresh_machine_make_no_data_folder(tmp_path: Path) -> None:
    """Before any centre: the data folder named (or the platform's) is not there yet. A
    command that reads says there is no database, or lists what ships, and makes nothing:
    no empty data folder is left behind for the next command to take for a centre."""
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.7\n%%EOF\n")
    out = tmp_path / "out"
    out.mkdir()
    fresh = tmp_path / "never-made" / "data"
    cases = [
        args[: args.index("--db")] + args[args.index("--db") + 2 :]
        for args in reading_commands(fresh / "centre.db", out, pdf)
    ]
    ran = run_many(cases, fresh)
    for r in ran:
        assert "Traceback" not in r.stderr, r
        if r.args[:2] in (("scenarios", "list"), ("scenarios", "validate")):
            assert r.returncode == 0 and "problem" not in r.stdout, r  # no "packs: no such folder"
        else:
            assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r
            assert "centre.db" in r.stderr or "no CA" in r.stderr, r
    assert not fresh.parent.exists()
    assert list(out.iterdir()) == []
