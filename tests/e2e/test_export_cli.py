"""``naas-centre export`` as a user meets it: a real subprocess on the scored demo,
files read back, and bad input as one plain line with exit status 2 and nothing written."""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pytest

from naas_centre.demo.centre import ACCOUNTS
from tests.program import run_program

pytestmark = pytest.mark.slow
PASSWORDS = {a.username: a.password for a in ACCOUNTS}


def run(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return run_program(*args, data_dir=data_dir, timeout=600)


@pytest.fixture(scope="module")
def scored_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("export-demo")
    made = run(
        "demo", "--scored", "--history", "none", "--db", str(folder / "demo.db"), data_dir=folder / "data"
    )
    assert made.returncode == 0, made.stderr
    return folder / "demo.db"


@pytest.fixture
def db(tmp_path: Path, scored_demo: Path) -> Path:
    path = tmp_path / "demo.db"
    shutil.copy(scored_demo, path)
    return path


def test_csv_and_xlsx_are_written_and_read_back(db: Path, tmp_path: Path) -> None:
    import openpyxl

    out = tmp_path / "sheets.csv"
    r = run("export", "--format", "csv", "--out", str(out), "--db", str(db), data_dir=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"{out}: 6 score sheet row(s) as CSV."
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 6 and {r["Outcome"] for r in rows} == {"met", "not met"}

    book = tmp_path / "leeds.xlsx"  # the format told by the suffix
    r = run(
        "export", "--out", str(book), "--employer", "leeds city council", "--db", str(db), data_dir=tmp_path
    )
    assert r.returncode == 0, r.stderr
    sheet = openpyxl.load_workbook(book).active
    assert sheet is not None and sheet.freeze_panes == "B2"
    employers = {row[2] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert employers == {"Leeds City Council"}


def test_equality_is_exported_for_a_closed_period_by_the_quality_assurance_lead(
    db: Path, tmp_path: Path
) -> None:
    """The file's figures are held to the fairness service's in ``tests/services/test_fairness``."""
    out = tmp_path / "equality.csv"
    period = ("--from", "2026-01-01", "--to", "2026-03-31")
    r = run("export", "--equality", *period, "--out", str(out), "--db", str(db), data_dir=tmp_path)
    assert r.returncode == 2 and not out.exists()
    assert "cannot" in r.stderr and "Traceback" not in r.stderr
    password = tmp_path / "pw"
    password.write_text(PASSWORDS["qa"] + "\n")
    qa = ("--user", "qa", "--password-file", str(password), "--db", str(db))
    said = {
        (): "--equality needs a period that has ended: --from DATE --to DATE",
        ("--from", "2026-01-01", "--to", "2999-01-01"): "has not ended yet",
        ("--from", "2026-01-01", "--to", "2026-01-02"): "fewer than the 20 needed",
        (*period, "--day", "2026-01-05"): "give --from and --to, not --day",
    }
    for extra, words in said.items():
        r = run("export", "--equality", *extra, "--out", str(out), *qa, data_dir=tmp_path)
        assert r.returncode == 2 and words in r.stderr, (extra, r.stderr)
        assert "Traceback" not in r.stderr and not out.exists()
    r = run("export", "--from", "2026-01-01", "--out", str(out), "--db", str(db), data_dir=tmp_path)
    assert r.returncode == 2 and "--from and --to go with --equality" in r.stderr


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("--employer", "Narnia"), "No employer called «Narnia» (known: "),
        (("--level", "expert"), "No level called «expert» (known: practitioner, supervisor, leader)."),
        (("--day", "2026-13-01"), "not a date: '2026-13-01' (use YYYY-MM-DD)"),
        (("--day", "2020-01-01"), "No sitting on 01 January 2020: nothing to export"),
        (("--format", "pdf"), "invalid choice: 'pdf'"),
        (("--user", "manager"), "--user needs --password-file FILE"),
    ],
)
def test_bad_input_is_one_plain_line_and_nothing_is_written(
    db: Path, tmp_path: Path, args: tuple[str, ...], said: str
) -> None:
    out = tmp_path / "sheets.csv"
    r = run("export", "--out", str(out), *args, "--db", str(db), data_dir=tmp_path)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    # One line that says it (argparse puts its usage above, for its own refusals).
    assert said in r.stderr.strip().splitlines()[-1]
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_bad_targets_are_refused_before_any_work(db: Path, tmp_path: Path) -> None:
    cases = {
        str(tmp_path / "nowhere" / "sheets.csv"): "no such folder",
        str(tmp_path): "is a folder",
        str(tmp_path / "sheets.txt"): "the format cannot be told",
    }
    for target, said in cases.items():
        r = run("export", "--out", target, "--db", str(db), data_dir=tmp_path)
        assert r.returncode == 2 and said in r.stderr and "Traceback" not in r.stderr, (target, r.stderr)
    r = run(
        "export", "--out", str(tmp_path / "x.csv"), "--db", str(tmp_path / "missing.db"), data_dir=tmp_path
    )
    assert r.returncode == 2 and "Traceback" not in r.stderr
