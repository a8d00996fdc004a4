"""Two programs creating a centre at once leave exactly one centre.

Real processes: each imports everything, says it is ready, then waits on its standard
input; once both are ready both inputs are closed together, so both create at the same
moment (no sleeps). Many trials, on a new file (both also make the schema) and on an
empty migrated database.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.engine import Database
from db.models import AccountRow, CentreRow
from tests.conftest import WORKSTATION
from tests.pg_server import fresh_database

TRIALS = 10
CHILD = """
import sys
from naas_centre.errors import Conflict
from naas_centre.services.centre import create_centre

target, data_dir, name = sys.argv[1:4]
passphrase = sys.argv[4] if len(sys.argv) > 4 else None  # encrypted from the start
print("ready", flush=True)
sys.stdin.read()  # the barrier: returns when the test closes every child's input
try:
    db = create_centre(
        target, name, "admin", "Administrator", "correct horse battery 9", data_dir=data_dir,
        passphrase=passphrase,
    )
except Conflict as exc:
    print("refused:", exc, flush=True)
else:
    db.dispose()
    print("created", flush=True)
"""


def _race(target: Path | str, data_dir: Path, passphrase: str | None = None) -> list[str]:
    extra = [passphrase] if passphrase is not None else []
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(target), str(data_dir), f"Centre {n}", *extra],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in (1, 2)
    ]
    for child in children:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready", child.stderr.read() if child.stderr else ""
    for child in children:  # both start at once
        assert child.stdin is not None
        child.stdin.close()
    said = []
    for child in children:
        assert child.stdout is not None and child.stderr is not None
        out, err = child.stdout.read(), child.stderr.read()
        assert child.wait(timeout=120) == 0, err
        child.stdout.close()
        child.stderr.close()
        said.append(out.strip())
    return said


def _counts(target: Path | str) -> tuple[int, int]:
    db = Database(target, WORKSTATION)
    try:
        with db.read() as s:
            centres = s.scalar(select(func.count()).select_from(CentreRow))
            accounts = s.scalar(select(func.count()).select_from(AccountRow))
            return int(centres or 0), int(accounts or 0)
    finally:
        db.dispose()


@pytest.mark.parametrize("start", ["new file", "empty migrated database"])
def test_two_processes_creating_a_centre_at_once_leave_one(
    start: str, tmp_path: Path, sqlite_template: Path
) -> None:
    for trial in range(TRIALS):
        folder = tmp_path / f"trial-{trial}"
        folder.mkdir()
        target = folder / "centre.db"
        if start != "new file":
            shutil.copy(sqlite_template, target)
        said = _race(target, folder / "data")
        assert sorted(s.split(":")[0] for s in said) == ["created", "refused"], (trial, said)
        assert "already holds a centre" in next(s for s in said if s.startswith("refused"))
        assert _counts(target) == (1, 1), trial


def test_two_processes_creating_an_encrypted_centre_at_once_leave_one(tmp_path: Path) -> None:
    """Both make the file under the same passphrase: one links its new file into place and
    the other opens that one (with its salt), finds its centre and is refused."""
    from db import cipher

    passphrase = "quiet river under the old bridge"
    try:
        for trial in range(TRIALS // 2):  # each derives keys in two processes: slower
            folder = tmp_path / f"trial-{trial}"
            folder.mkdir()
            target = folder / "centre.db"
            said = _race(target, folder / "data", passphrase)
            assert sorted(s.split(":")[0] for s in said) == ["created", "refused"], (trial, said)
            assert "already holds a centre" in next(s for s in said if s.startswith("refused"))
            assert cipher.looks_encrypted(target)
            cipher.unlock(target, passphrase)
            assert _counts(target) == (1, 1), trial
            assert [p.name for p in folder.iterdir() if p.name.endswith(".new")] == []  # none left
    finally:
        cipher.forget()


@pytest.mark.postgres
def test_two_processes_creating_a_centre_on_a_server_at_once_leave_one(tmp_path: Path) -> None:
    server = os.environ.get("NAAS_TEST_PG_URL")
    if not server:
        if os.environ.get("CI"):
            pytest.fail("NAAS_TEST_PG_URL is not set: ./test starts PostgreSQL for CI")
        pytest.skip("no PostgreSQL server (./test starts one)")
    for trial in range(TRIALS // 2):  # each also makes the schema on an empty database: slower
        with fresh_database(server, "naas_one_centre") as url:
            said = _race(url, tmp_path / f"data-{trial}")
            assert sorted(s.split(":")[0] for s in said) == ["created", "refused"], (trial, said)
            assert _counts(url) == (1, 1), trial
