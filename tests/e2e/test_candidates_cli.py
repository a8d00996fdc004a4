"""``naas-centre candidates import``: real files, a real subprocess, its output and exit codes."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from db.models import EmployerRow
from naas_centre import cli
from naas_centre.services import candidates, centre
from naas_centre.services.accounts import authenticate

PASSWORD = "a long enough password"
HEADER = ["Full name", "Registration number", "Employer", "Level", "Endorsed by", "Endorsed on"]


def _module() -> list[str]:
    """The main command line once it names these subcommands, else the module on its own."""
    wired = "candidates" in {name for name, _ in cli.subcommands()}
    return ["-m", "ui.main"] if wired else ["-m", "naas_centre.cli_candidates"]


@pytest.fixture
def place(tmp_path: Path) -> Path:
    db = centre.create_centre(
        tmp_path / "centre.db", "Northern Assessment Centre", "admin", "Sam Okafor", PASSWORD
    )
    with db.write() as s:
        s.add(EmployerRow(name="Leeds City Council"))
    db.dispose()
    (tmp_path / "password.txt").write_text(PASSWORD + "\n")
    return tmp_path


def run(place: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NAAS_DATA_DIR": str(place / "data")}
    env.pop("DISPLAY", None)
    return subprocess.run(
        [
            sys.executable,
            *_module(),
            "candidates",
            "import",
            *args,
            *("--db", str(place / "centre.db"), "--user", "admin"),
            *("--password-file", str(place / "password.txt")),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([HEADER, *rows])
    return path


def imported(place: Path) -> list[str]:
    db = centre.open_database(place / "centre.db", place / "data", create=False)
    try:
        admin = authenticate(db, "admin", PASSWORD)
        return [c.registration_number for c in candidates.list_candidates(db, admin)]
    finally:
        db.dispose()


def test_a_file_with_problems_prints_one_line_each_and_exits_2(place: Path) -> None:
    path = write(
        place / "cohort.csv",
        [
            ["Aisha Rahman", "SW1", "Leeds City Council", "practitioner", "Jo Bell", "2026-01-05"],
            ["Ben Carter", "", "Narnia Council", "expert", "", ""],
            [" Cara Dunn", "SW1", "Leeds City Council", "leader", "", ""],
        ],
    )
    for accept in ((), ("--accept",)):
        r = run(place, str(path), *accept)
        assert r.returncode == 2, r.stderr
        lines = r.stdout.splitlines()
        assert f"{path}:3: Registration number: is empty; every candidate needs one." in lines
        assert any(
            line.startswith(f"{path}:3: Employer: 'Narnia Council' is not an employer") for line in lines
        )
        assert any(line.startswith(f"{path}:3: Level: 'expert' is not a level") for line in lines)
        assert f"{path}:4: Registration number: SW1 is also on row 2: one row per candidate." in lines
        assert any(
            line.startswith(f"{path}:4: Full name: stray spaces") and "(warning)" in line for line in lines
        )
        assert "nothing was imported" in r.stderr and "Traceback" not in r.stderr
    assert imported(place) == []


def test_a_clean_file_is_shown_then_imported_with_accept(place: Path) -> None:
    path = write(
        place / "cohort.csv",
        [
            ["Aisha Rahman", "SW1", "Leeds City Council", "practitioner", "Jo Bell", "2026-01-05"],
            ["Ben Carter", "SW2", "leeds city council", "leader", "", ""],
        ],
    )
    r = run(place, str(path))
    assert r.returncode == 0, r.stdout + r.stderr
    assert (
        "row 2: Aisha Rahman (SW1), Leeds City Council, practitioner; endorsed by Jo Bell on 5 January 2026"
        in r.stdout
    )
    assert "2 candidates (1 endorsed) would be imported" in r.stdout
    assert imported(place) == []
    r = run(place, str(path), "--accept")
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip().endswith("imported 2 candidates and 1 endorsements.")
    assert imported(place) == ["SW1", "SW2"]
    again = run(place, str(path), "--accept")  # everyone is known now
    assert again.returncode == 2
    assert f"{path}:2: Registration number: SW1 is already known as Aisha Rahman." in again.stdout


def test_bad_paths_get_one_line_and_exit_2(place: Path) -> None:
    latin = place / "latin.csv"
    latin.write_bytes(
        "Full name,Registration number,Employer,Level\nJosé,SW9,Leeds City Council,leader\n".encode("latin-1")
    )
    r = run(place, str(latin))
    assert r.returncode == 2
    assert r.stdout.splitlines() == [
        f"{latin}:2: The file is not UTF-8: byte 0xE9 at offset 48 (row 2) is not valid UTF-8. "
        'Save it as "CSV UTF-8" and try again.'
    ]
    for bad, says in (
        (place / "absent.csv", "There is no file at"),
        (place, "is a folder"),
    ):
        r = run(place, str(bad))
        assert r.returncode == 2
        assert says in r.stderr and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    (place / "wrong.txt").write_text("not the password\n")
    env = {**os.environ, "NAAS_DATA_DIR": str(place / "data")}
    r = subprocess.run(
        [sys.executable, *_module(), "candidates", "import", str(latin), "--db", str(place / "centre.db"),
         "--user", "admin", "--password-file", str(place / "wrong.txt")],
        capture_output=True, text=True, env=env, check=False, timeout=120,
    )  # fmt: skip
    assert r.returncode == 2 and "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
