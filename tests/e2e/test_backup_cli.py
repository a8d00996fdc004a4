"""``naas-centre backup`` and ``restore`` as a user meets them: real processes on real files.

A backup taken while another process writes is consistent; a restore finds every record
(each table counted); each bad file is refused in one line with the database unchanged
(its bytes, its time, its folder); copies beyond ``--keep`` are rotated away.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from db.engine import Database
from db.migrate import open_read_only
from db.models import CentreRow
from naas_centre.backup import check, names
from naas_centre.backup.take import take
from naas_centre.demo.centre import ACCOUNTS, create_demo
from naas_centre.services import audit

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
ADMIN = next(a for a in ACCOUNTS if a.role.value == "administrator")
PROGRAM = [sys.executable, "-m", "ui.main"]  # the real program, as the installed script runs it
WRITER = """
import os, sys
from db.engine import Database
from naas_centre.services import accounts, resources

db = Database(sys.argv[1], "00000000-0000-4000-8000-0000000000b1")
admin = accounts.authenticate(db, sys.argv[2], sys.argv[3])
stop, n = sys.argv[4], 0
while True:
    n += 1
    resources.add_room(db, admin, f"Writer's room {n}")
    if n == 1:
        print("writing", flush=True)
    if os.path.exists(stop):
        break
db.dispose()
print(n, flush=True)
"""


@dataclass(frozen=True)
class Ran:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    def line(self) -> str:
        """The one plain line of a refusal (exit 2, no trace)."""
        where = f"{self.args}: exit {self.returncode}\n{self.stdout}{self.stderr}"
        assert self.returncode == 2 and "Traceback" not in self.stderr, where
        lines = self.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("naas-centre: "), where
        return lines[0]


def run(*args: str, data_dir: Path) -> Ran:
    env = {**os.environ, "NAAS_DATA_DIR": str(data_dir)}
    env.pop("DISPLAY", None)
    r = subprocess.run([*PROGRAM, *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    return Ran(tuple(args), r.returncode, r.stdout, r.stderr)


def state(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file under the folder: its hash and modification time (ns)."""
    return {
        str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def counts(path: Path) -> dict[str, int]:
    db = open_read_only(path)
    try:
        return check.counts(db)
    finally:
        db.dispose()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("backup-demo")
    made = create_demo(folder / "demo.db", data_dir=folder)
    made.db.dispose()
    return folder / "demo.db"


@pytest.fixture
def centre(template: Path, tmp_path: Path) -> Path:
    (tmp_path / "centre").mkdir()
    db = tmp_path / "centre" / "demo.db"
    shutil.copyfile(template, db)
    return db


def test_a_backup_taken_while_another_process_writes_is_consistent(centre: Path, tmp_path: Path) -> None:
    rooms_before = counts(centre)["rooms"]
    stop = tmp_path / "stop"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(centre), ADMIN.username, ADMIN.password, str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "writing"
        out = tmp_path / "backups"
        taken = [
            run("backup", "--out", str(out), "--db", str(centre), data_dir=tmp_path / "data") for _ in (1, 2)
        ]
    finally:
        stop.touch()
        written, errors = writer.communicate(timeout=300)
    assert writer.returncode == 0, errors
    for r in taken:
        assert r.returncode == 0, r
        assert "integrity ok; audit trail intact" in r.stdout, r
    # In the order they were taken (two in one second are "<time>" and "<time>-2").
    copies = [Path(r.stdout.split(": a checked copy", 1)[0]) for r in taken]
    assert sorted(copies) == sorted(out.glob(f"*{names.SUFFIX}")) and len(set(copies)) == 2
    rooms = []
    for copy in copies:
        assert stat.S_IMODE(copy.stat().st_mode) == 0o600
        conn = sqlite3.connect(f"file:{copy}?mode=ro&immutable=1", uri=True)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one file, no -wal
        finally:
            conn.close()
        db = open_read_only(copy)
        try:
            verified = audit.verify(db)  # every room it holds has its audit entry, and no more
            assert verified.ok, verified.problem
            rooms.append(check.counts(db)["rooms"])
        finally:
            db.dispose()
    total = rooms_before + int(written.strip())
    # Both copies were taken mid-stream: after the first write and before the last.
    assert rooms_before < rooms[0] <= rooms[1] < total, (rooms_before, rooms, total)
    assert counts(centre)["rooms"] == total


def test_restore_finds_every_record_and_keeps_the_replaced_database(centre: Path, tmp_path: Path) -> None:
    data_dir, out = tmp_path / "data", tmp_path / "backups"
    made = run("backup", "--out", str(out), "--db", str(centre), data_dir=data_dir)
    assert made.returncode == 0, made
    (copy,) = out.glob(f"*{names.SUFFIX}")
    original = counts(centre)
    assert sum(original.values()) > 100 and original["audit_entries"] > 0

    fresh = tmp_path / "elsewhere" / "restored.db"
    fresh.parent.mkdir()
    r = run("restore", str(copy), "--db", str(fresh), data_dir=data_dir)
    assert r.returncode == 0, r
    assert counts(fresh) == original  # every table, every record
    assert "kept at" not in r.stdout and sorted(p.name for p in fresh.parent.iterdir()) == ["restored.db"]
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600

    # Over a database that has moved on since: it comes back to the backup, and what it
    # was is kept aside where the output says.
    with sqlite3.connect(centre) as conn:
        conn.execute("UPDATE centre SET name = 'Renamed since the backup'")
    conn.close()
    moved_on = counts(centre)
    r = run("restore", str(copy), "--db", str(centre), data_dir=data_dir)
    assert r.returncode == 0, r
    assert counts(centre) == original
    kept = Path(r.stdout.split("the database it replaced is kept at ", 1)[1].strip())
    assert kept.parent == centre.parent / "backups" and stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert counts(kept) == moved_on
    restored = Database(centre, "00000000-0000-4000-8000-0000000000b2")
    try:
        with restored.read() as s:
            assert s.scalar(select(CentreRow.name)) == "Pennine Assessment Centre (demo)"
        assert audit.verify(restored).ok
    finally:
        restored.dispose()


def _bad_backups(good: Path, folder: Path) -> dict[str, tuple[Path, str]]:
    """Each kind of file restore must refuse, with what its line must say."""
    folder.mkdir()
    data = good.read_bytes()
    damaged = folder / "damaged.naas-backup"
    page = 4096
    damaged.write_bytes(data[: 3 * page] + os.urandom(4 * page) + data[7 * page :])
    truncated = folder / "truncated.naas-backup"
    truncated.write_bytes(data[: len(data) // 2])
    foreign = folder / "foreign.naas-backup"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    conn.close()
    newer = folder / "newer.naas-backup"
    shutil.copyfile(good, newer)
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.close()
    tampered = folder / "tampered.naas-backup"
    shutil.copyfile(good, tampered)
    with sqlite3.connect(tampered) as conn:
        conn.execute("DELETE FROM audit_entries WHERE seq = 3")
    conn.close()
    text = folder / "notes.naas-backup"
    text.write_text("not a backup at all\n" * 100, encoding="utf-8")
    empty = folder / "empty.naas-backup"
    empty.write_bytes(b"")
    return {
        "damaged": (damaged, "damaged or cut short"),
        "truncated": (truncated, "damaged or cut short"),
        "foreign": (foreign, "not a naas-centre backup"),
        "newer": (newer, "newer naas-centre"),
        "tampered": (tampered, "audit trail is broken"),
        "not SQLite": (text, "not a database"),
        "empty": (empty, "is empty"),
    }


def test_restore_refuses_each_bad_file_and_leaves_the_database_as_it_was(
    centre: Path, tmp_path: Path
) -> None:
    data_dir, out = tmp_path / "data", tmp_path / "backups"
    assert run("backup", "--out", str(out), "--db", str(centre), data_dir=data_dir).returncode == 0
    (good,) = out.glob(f"*{names.SUFFIX}")
    bad = _bad_backups(good, tmp_path / "bad")
    before = state(centre.parent)
    for kind, (path, said) in bad.items():
        line = run("restore", str(path), "--db", str(centre), data_dir=data_dir).line()
        assert str(path) in line and said in line, (kind, line)
        assert state(centre.parent) == before, kind  # bytes, times, and no file added beside it
    missing = run("restore", str(tmp_path / "none.naas-backup"), "--db", str(centre), data_dir=data_dir)
    assert "no such backup" in missing.line()
    # And over a file that is not a centre's database, even a good backup is refused.
    other = tmp_path / "other" / "places.db"
    other.parent.mkdir()
    shutil.copyfile(bad["foreign"][0], other)
    line = run("restore", str(good), "--db", str(other), data_dir=data_dir).line()
    assert f"{other} is not a naas-centre database" in line
    assert sorted(p.name for p in other.parent.iterdir()) == ["places.db"]


def clock(at: datetime) -> Callable[[], datetime]:
    return lambda: at


def test_backups_beyond_keep_are_rotated_away_newest_kept(centre: Path, tmp_path: Path) -> None:
    out = tmp_path / "backups"
    out.mkdir()
    other_centre = out / f"other-centre-12345678-20200101T000000Z{names.SUFFIX}"
    other_centre.write_bytes(b"another centre's copy, never rotated by this one")
    start = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    made = []
    for n in range(5):
        made.append(take(centre, out, keep=3, now=clock(start + timedelta(hours=n))))
    kept = sorted(p.name for p in out.glob(f"pennine*{names.SUFFIX}"))
    assert kept == sorted(b.path.name for b in made[2:])
    assert [len(b.removed) for b in made] == [0, 0, 0, 1, 1]
    assert other_centre.exists()
    assert made[-1].path.name.endswith(f"-20261202T130000Z{names.SUFFIX}")
    # Two in the same second get names of their own, and rotate in the order taken.
    twice = [take(centre, out, keep=2, now=clock(start + timedelta(hours=9))) for _ in (1, 2)]
    assert twice[1].path.name.endswith(f"-20261202T180000Z-2{names.SUFFIX}")
    assert sorted(p.name for p in out.glob(f"pennine*{names.SUFFIX}")) == sorted(b.path.name for b in twice)
    # Through the command line, --keep as the user types it.
    assert (
        run("backup", "--out", str(out), "--keep", "1", "--db", str(centre), data_dir=tmp_path).returncode
        == 0
    )
    assert len(list(out.glob(f"pennine*{names.SUFFIX}"))) == 1
    refused = run("backup", "--out", str(out), "--keep", "0", "--db", str(centre), data_dir=tmp_path)
    assert refused.returncode == 2 and "at least 1" in refused.stderr


def test_what_cannot_be_backed_up_is_one_plain_line(tmp_path: Path) -> None:
    out = tmp_path / "backups"
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    server = "postgresql+psycopg://nobody@127.0.0.1:1/centre"
    cases: Sequence[tuple[tuple[str, ...], str]] = [
        (("backup", "--out", str(out), "--db", server), "pg_dump"),
        (("restore", str(empty), "--db", server), "pg_dump"),
        (("backup", "--out", str(out), "--db", str(empty)), "is empty"),
        (("backup", "--out", str(out), "--db", str(tmp_path / "none.db")), "no such database"),
    ]
    for args, said in cases:
        assert said in run(*args, data_dir=tmp_path / "data").line(), args
    assert not out.exists() or not list(out.iterdir())
    assert empty.read_bytes() == b""
