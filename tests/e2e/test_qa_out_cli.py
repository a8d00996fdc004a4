"""``naas-centre qa --out DIR`` as a user meets it: a real subprocess on a centre filled
through the services, the signed report checked by pdfsig and by ``naas-centre verify``,
the tables read back (CSV, and XLSX with openpyxl) against the statistics computed from
what was scored; bad input is one plain line, exit status 2, and nothing written."""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pytest

from naas_centre.qa import agreement
from tests.program import run_program
from tests.services import qa_centre
from tests.services.qa_centre import LENIENT, PASSWORD, PERIOD_END, PERIOD_START, QaCentre

pytestmark = pytest.mark.slow


def run(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return run_program(*args, data_dir=data_dir, timeout=600)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> tuple[Path, QaCentre]:
    return qa_centre.built(tmp_path_factory.mktemp("qa-cli"), sqlite_template)


@pytest.fixture
def db(tmp_path: Path, built: tuple[Path, QaCentre]) -> Path:
    shutil.copy(built[0], tmp_path / "qa.db")
    (tmp_path / "password").write_text(PASSWORD + "\n")
    return tmp_path / "qa.db"


def qa_out(db: Path, out: Path, *extra: str, user: str = "manager") -> subprocess.CompletedProcess[str]:
    return run(
        "qa",
        "--out",
        str(out),
        "--user",
        user,
        "--password-file",
        str(db.parent / "password"),
        "--db",
        str(db),
        *extra,
        data_dir=db.parent / "data",
    )


def rows_of(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_the_signed_report_and_every_table(db: Path, tmp_path: Path, built: tuple[Path, QaCentre]) -> None:
    import openpyxl

    out = tmp_path / "qa"
    r = qa_out(db, out, "--from", PERIOD_START.isoformat(), "--to", PERIOD_END.isoformat())
    assert r.returncode == 0, r.stderr
    pdf = out / f"qa-report-{PERIOD_START}-to-{PERIOD_END}.pdf"
    assert r.stdout.splitlines()[0].startswith(f"{pdf}: Quality assurance report")
    assert "signed by Helen Brooks" in r.stdout

    sig = subprocess.run(["pdfsig", str(pdf)], capture_output=True, text=True, check=False).stdout
    assert "Signature Validation: Signature is Valid." in sig, sig
    assert "Signer Certificate Common Name: Helen Brooks" in sig
    verified = run("verify", str(pdf), "--db", str(db), data_dir=tmp_path / "data")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"{pdf}: VALID" in verified.stdout and "issued by the centre" in verified.stdout

    names = {p.stem for p in out.glob("*.csv")}
    assert names == {p.stem for p in out.glob("*.xlsx")}
    assert {
        "agreement-pairs",
        "agreement-icc",
        "reliability-alpha",
        "standard-setting",
        "examiners",
        "drift",
    } <= names
    assert not any(n.startswith("fairness") for n in names)  # a centre manager has no equality access

    centre = built[1]
    a, b = qa_centre.pair_levels(centre, LENIENT, "Omar Haddad")
    pair = next(row for row in rows_of(out / "agreement-pairs.csv") if row["First assessor"] == LENIENT)
    assert pair["Second assessor"] == "Omar Haddad" and int(pair["Levels both gave"]) == len(a)
    assert float(pair["Weighted kappa (quadratic)"]) == pytest.approx(
        agreement.weighted_kappa(a, b, "quadratic").kappa, abs=5e-5
    )
    assert float(pair["Exact agreement"]) == pytest.approx(agreement.agreement(a, b).exact, abs=5e-5)

    book = openpyxl.load_workbook(out / "examiners.xlsx", read_only=True)
    try:
        sheet = book.active
        assert sheet is not None
        table = [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()  # a read-only workbook holds its file open until closed
    header, body = table[0], table[1:]
    flagged = {row[0] for row in body if row[header.index("Flagged")] == "yes"}
    assert flagged == {LENIENT}
    csv_rows = {row["Assessor"]: row for row in rows_of(out / "examiners.csv")}
    assert {row[0] for row in body} == set(csv_rows)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--from", "2026-13-01", "--to", "2026-12-31"), "--from 2026-13-01: not a date (YYYY-MM-DD)"),
        (("--from", "2026-11-02"), "needs both --from DATE and --to DATE"),
        (("--from", "2026-11-09", "--to", "2026-11-02"), "is before --from"),
    ],
)
def test_bad_dates_are_one_plain_line(db: Path, tmp_path: Path, extra: tuple[str, ...], message: str) -> None:
    out = tmp_path / "qa"
    r = qa_out(db, out, *extra)
    assert r.returncode == 2
    assert message in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "Traceback" not in r.stderr
    assert not out.exists()


def test_bad_folders_and_people_are_refused_plainly(db: Path, tmp_path: Path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    cases = [
        (qa_out(db, a_file), "is a file, not a folder"),
        (qa_out(db, tmp_path / "missing" / "qa"), "no such folder"),
        (qa_out(db, tmp_path / "qa", user="lena"), "Assessor accounts cannot do this"),
        (qa_out(db, tmp_path / "qa", user="admin"), "Administrator accounts do not sign the QA report"),
        (run("qa", "--out", str(tmp_path / "qa"), "--db", str(db), data_dir=tmp_path), "--user USERNAME"),
    ]
    for r, message in cases:
        assert r.returncode == 2, r.stdout + r.stderr
        assert message in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert a_file.read_text() == "not a folder"
    assert not (tmp_path / "missing").exists()
    assert not (tmp_path / "qa").exists()
