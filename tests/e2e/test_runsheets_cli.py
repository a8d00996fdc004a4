"""``naas-centre runsheets`` as a user meets it: a real subprocess, exit codes, one line.

The subcommand is added to the program's parser by ``naas_centre.cli`` through
``cli_runsheets.add_parsers``; until it is, the test adds it the same way in the
subprocess, so what runs is the program's own ``main`` either way.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from db.engine import Database
from tests.services.circuit_day import ACTOR_SECRET, DAY, make_circuit

SHIM = """
import argparse, sys
from naas_centre import cli, cli_runsheets
built = cli.build_parser
def build():
    parser = built()
    if "runsheets" not in parser.format_help():
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        cli_runsheets.add_parsers(sub, cli._Parser, cli._add_db)
    return parser
cli.build_parser = build
sys.exit(cli.main(sys.argv[1:]))
"""


def run(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NAAS_DATA_DIR": str(data_dir)}
    env.pop("DISPLAY", None)
    return subprocess.run(
        [sys.executable, "-c", SHIM, "runsheets", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )


@pytest.fixture
def centre(sqlite_db: Database) -> Path:
    make_circuit(sqlite_db)
    sqlite_db.dispose()
    return Path(sqlite_db.url.removeprefix("sqlite:///"))


def test_the_day_is_written_as_pdfs(tmp_path: Path, centre: Path) -> None:
    out = tmp_path / "sheets"
    r = run("--day", DAY.isoformat(), "--out", str(out), "--db", str(centre), data_dir=tmp_path)
    assert r.returncode == 0, r.stderr
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "2026-12-01-actor-joanne-whitfield.pdf",
        "2026-12-01-rota.pdf",
        "2026-12-01-sign-in.pdf",
        "2026-12-01-timetables.pdf",
    ]
    assert all((out / n).read_bytes().startswith(b"%PDF") for n in names)
    assert "4 run-sheet(s) written" in r.stdout
    assert not any(p.name.startswith(".") for p in out.iterdir())  # no temporary file left


@pytest.mark.parametrize(
    ("day", "says"),
    [
        ("2026-12-02", "There is no circuit plan for 2 December 2026"),
        ("2026-13-01", "not a date: '2026-13-01'"),
        ("tomorrow", "not a date: 'tomorrow'"),
    ],
)
def test_a_bad_day_is_one_line_and_exit_2(tmp_path: Path, centre: Path, day: str, says: str) -> None:
    out = tmp_path / "sheets"
    r = run("--day", day, "--out", str(out), "--db", str(centre), data_dir=tmp_path)
    assert r.returncode == 2, r
    assert says in r.stderr and "Traceback" not in r.stderr
    assert not out.exists()  # nothing made for a day that cannot be printed
    if "circuit" in says:
        assert len(r.stderr.strip().splitlines()) == 1


def test_a_bad_folder_is_one_line_and_exit_2(tmp_path: Path, centre: Path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    cases = {
        str(a_file): "is a file, not a folder",
        str(a_file / "below"): "cannot be used",
        str(tmp_path / ("x" * 300)): "longer than",
    }
    if os.geteuid() != 0:  # root writes anywhere
        cases[str(locked)] = "cannot be written to"
    try:
        for folder, says in cases.items():
            r = run("--day", DAY.isoformat(), "--out", folder, "--db", str(centre), data_dir=tmp_path)
            assert r.returncode == 2, (folder, r)
            lines = r.stderr.strip().splitlines()
            assert len(lines) == 1 and says in lines[0], (folder, r.stderr)
    finally:
        locked.chmod(0o700)


def test_the_actor_brief_goes_into_the_actor_pack_only(tmp_path: Path, centre: Path) -> None:
    out = tmp_path / "sheets"
    assert (
        run("--day", DAY.isoformat(), "--out", str(out), "--db", str(centre), data_dir=tmp_path).returncode
        == 0
    )
    for pdf in out.iterdir():
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert (" ".join(ACTOR_SECRET.split()) in " ".join(text.split())) == ("actor" in pdf.name), pdf.name
