"""Candidate files, written by the csv module, by openpyxl and by LibreOffice: every kind
of problem, all-or-nothing imports, and the saved problem list."""

from __future__ import annotations

import csv
import os
import subprocess
import time
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from db.engine import Database
from db.models import AuditEntryRow, CandidateRow, CentreRow, EmployerRow, EndorsementRow
from naas_centre.errors import PermissionDenied, UserError
from naas_centre.imports.problems import Problem, Severity
from naas_centre.services import accounts, candidates, sittings
from naas_centre.services.views import Actor, Role
from tests.services.small_centre import PASSWORD

HEADER = [
    "Full name",
    "Registration number",
    "Employer",
    "Level",
    "Email",
    "Endorsed by",
    "Endorsed on",
    "Extra time (%)",
    "Break between scenarios",
    "Adjustment notes",
]
GOOD = [
    ["Aisha Rahman", "SW100001", "Leeds City Council", "practitioner", "aisha.rahman@leeds.gov.uk",
     "Jo Bell, team manager", "2026-01-05", "25", "no", "Reader on request"],
    ["Tomasz Nowak", "SW100002", "Bury Council", "Practice supervisor", "", "Ann Lee, head of service",
     "12/01/2026", "", "yes", ""],
    ["Siân Llewelyn", "SW100003", "wigan council", "leader", "", "", "", "0", "", ""],
]  # fmt: skip


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER, encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list[object]], header: list[str] = HEADER) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Candidates"
    sheet.append(header)
    for r in rows:
        sheet.append(r)
    book.save(path)
    return path


@pytest.fixture
def manager(sqlite_db: Database) -> Actor:
    with sqlite_db.write() as s:
        s.add(CentreRow(name="Northern Assessment Centre"))
        for name in ("Leeds City Council", "Bury Council", "Wigan Council"):
            s.add(EmployerRow(name=name))
        s.add(EmployerRow(name="Oldham Council", active=False))
    accounts.create_account(sqlite_db, None, "manager", "Helen Brooks", Role.CENTRE_MANAGER, PASSWORD)
    return accounts.authenticate(sqlite_db, "manager", PASSWORD)


def problems_of(db: Database, who: Actor, path: Path) -> list[tuple[int | None, str, str]]:
    preview = candidates.preview_import(db, who, path)
    return [(p.row, p.column, p.message) for p in preview.problems if p.is_error]


def count(db: Database, model: type[object]) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_a_clean_csv_previews_then_imports_with_endorsements(
    sqlite_db: Database, manager: Actor, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "cohort.csv", GOOD)
    preview = candidates.preview_import(sqlite_db, manager, path)
    assert preview.clean, preview.problems
    assert [r.level for r in preview.rows] == ["practitioner", "supervisor", "leader"]
    assert preview.rows[2].employer == "Wigan Council"  # the employer's own spelling
    assert preview.rows[1].endorsed_on == date(2026, 1, 12)  # day first
    assert count(sqlite_db, CandidateRow) == 0  # a preview writes nothing
    result = candidates.import_candidates(sqlite_db, manager, path)
    assert (result.candidates, result.endorsements) == (3, 2)
    listed = {c.full_name: c for c in candidates.list_candidates(sqlite_db, manager)}
    assert listed["Aisha Rahman"].extra_time_percent == 25
    assert listed["Aisha Rahman"].email == "aisha.rahman@leeds.gov.uk"
    assert listed["Tomasz Nowak"].break_between_scenarios
    assert listed["Aisha Rahman"].endorsed and not listed["Siân Llewelyn"].endorsed
    assert listed["Aisha Rahman"].endorsements[0].recorded_by == "Helen Brooks"
    with sqlite_db.read() as s:
        actions = list(s.scalars(select(AuditEntryRow.action).where(AuditEntryRow.action.like("%.import"))))
    assert actions.count("candidate.import") == 3 and actions.count("endorsement.import") == 2
    # The same file again: every row is a candidate already known.
    again = problems_of(sqlite_db, manager, path)
    assert (2, "Registration number", "SW100001 is already known as Aisha Rahman.") in again


def test_every_row_problem_is_located(sqlite_db: Database, manager: Actor, tmp_path: Path) -> None:
    sittings.add_candidate(
        sqlite_db, manager, sittings.CandidateInput("Ruth Allen", "SW900009", "Bury Council", "practitioner")
    )
    rows = [
        ["Amy Price", "", "Leeds City Council", "practitioner", "", "", "", "", "", ""],  # 2: no number
        ["Ben Carter", "SW200001", "Leeds City Council", "practitioner", "", "", "", "", "", ""],  # 3
        [
            "Cara Dunn",
            "sw 200001",
            "Leeds City Council",
            "practitioner",
            "",
            "",
            "",
            "",
            "",
            "",
        ],  # 4: duplicate
        ["Dev Shah", "SW900009", "Bury Council", "practitioner", "", "", "", "", "", ""],  # 5: known
        ["Eve Ford", "SW200005", "Leeds City Council", "expert", "", "", "", "", "", ""],  # 6: level
        ["Finn Gray", "SW200006", "Narnia Council", "leader", "", "", "", "", "", ""],  # 7: employer
        ["Gail Hope", "SW200007", "Oldham Council", "leader", "", "", "", "", "", ""],  # 8: deactivated
        [
            "Hal Ince",
            "SW200008",
            "Bury Council",
            "leader",
            "",
            "Jo Bell",
            "31/02/2026",
            "",
            "",
            "",
        ],  # 9: date
        ["Ian Jones", "SW200009", "Bury Council", "leader", "not-an-email", "", "", "300", "maybe", ""],  # 10
        ["", "", "", "", "", "", "", "", "", ""],  # 11: empty, noted
        ["  Jan  Kerr ", "SW200011", "Bury Council", "leader", "", "Jo Bell", "", "", "", ""],  # 12
        [
            "Kim Lowe",
            "SW200012",
            "Bury Council",
            "leader",
            "",
            "",
            "46027",
            "",
            "",
            "",
        ],  # 13: serial, no endorser
        [
            "Lee Moss",
            "SW200013",
            "Bury Council",
            "leader",
            "",
            "Jo Bell",
            "46027",
            "",
            "",
            "",
        ],  # 14: serial ok
        ["Max Nye", "SW200014", "Bury Council", "leader", "", "Jo Bell", "123", "", "", ""],  # 15: a number
    ]
    path = write_csv(tmp_path / "cohort.csv", rows)
    preview = candidates.preview_import(sqlite_db, manager, path)
    got = {(p.row, p.column): p for p in preview.problems}
    assert got[(2, "Registration number")].message == "is empty; every candidate needs one."
    assert got[(4, "Registration number")].message == "sw 200001 is also on row 3: one row per candidate."
    assert got[(5, "Registration number")].message == "SW900009 is already known as Ruth Allen."
    assert "'expert' is not a level" in got[(6, "Level")].message
    assert "'Narnia Council' is not an employer the centre knows" in got[(7, "Employer")].message
    assert "deactivated" in got[(8, "Employer")].message
    assert "'31/02/2026' is not a date" in got[(9, "Endorsed on")].message
    assert "is not an email address" in got[(10, "Email")].message
    assert "300 is not a whole percentage" in got[(10, "Extra time (%)")].message
    assert "'maybe' is not yes or no" in got[(10, "Break between scenarios")].message
    assert got[(11, "")].severity == Severity.NOTE and "empty row" in got[(11, "")].message
    assert got[(12, "Full name")].severity == Severity.WARNING
    assert "stray spaces" in got[(12, "Full name")].message
    assert "give the date" in got[(12, "Endorsed on")].message
    assert "say who endorsed" in got[(13, "Endorsed by")].message
    serial = got[(14, "Endorsed on")]
    assert serial.severity == Severity.WARNING and "read as 5 January 2026" in serial.message
    assert "123 is a number, not a date" in got[(15, "Endorsed on")].message
    assert [r.full_name for r in preview.rows if r.row == 12] == ["Jan Kerr"]
    assert {r.row for r in preview.rows if r.errors} >= {2, 4, 5, 6, 7, 8, 9, 10, 12, 13, 15}
    assert not next(r for r in preview.rows if r.row == 14).errors
    # Refused whole: nothing written, not even the good rows.
    before = count(sqlite_db, CandidateRow)
    with pytest.raises(
        UserError, match=r"Nothing was imported: cohort.csv:2: Registration number: .* more problems"
    ):
        candidates.import_candidates(sqlite_db, manager, path)
    assert count(sqlite_db, CandidateRow) == before and count(sqlite_db, EndorsementRow) == 0
    # The list saved as CSV, read back by the csv module.
    out = tmp_path / "problems.csv"
    assert candidates.save_problems(preview.problems, out) == len(preview.problems)
    with out.open(encoding="utf-8-sig", newline="") as f:
        saved = list(csv.reader(f))
    assert saved[0] == ["File", "Row", "Column", "Severity", "Problem"]
    assert ["cohort.csv", "6", "Level", "error", got[(6, "Level")].message] in saved


def test_whole_file_problems(sqlite_db: Database, manager: Actor, tmp_path: Path) -> None:
    latin = write_csv(
        tmp_path / "latin1.csv",
        [["José Ruiz", "SW1", "Bury Council", "leader"] + [""] * 6],
        encoding="latin-1",
    )
    [(row, column, message)] = problems_of(sqlite_db, manager, latin)
    offset = latin.read_bytes().index(b"\xe9")
    assert row == 2 and column == ""
    assert f"not UTF-8: byte 0xE9 at offset {offset} (row 2)" in message
    missing = write_csv(tmp_path / "no-level.csv", [["A B", "SW1", "Bury Council"]], header=HEADER[:3])
    assert problems_of(sqlite_db, manager, missing) == [
        (1, "Level", "the required column is missing from the heading row.")
    ]
    twice = write_csv(tmp_path / "twice.csv", [], header=[*HEADER[:4], "Name"])
    assert any("appears twice" in m for _, _, m in problems_of(sqlite_db, manager, twice))
    pdf = tmp_path / "cohort.csv"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    assert problems_of(sqlite_db, manager, pdf) == [
        (None, "", "This is a PDF, not a spreadsheet: use CSV or XLSX.")
    ]
    fake = tmp_path / "cohort.xlsx"
    fake.write_text("Full name,Registration number\n")
    assert "is not an Excel workbook" in problems_of(sqlite_db, manager, fake)[0][2]
    png = tmp_path / "photo.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert "not a spreadsheet" in problems_of(sqlite_db, manager, png)[0][2]
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert "The file is empty" in problems_of(sqlite_db, manager, empty)[0][2]
    header_only = write_csv(tmp_path / "header.csv", [])
    assert "no candidates" in problems_of(sqlite_db, manager, header_only)[0][2]
    with pytest.raises(UserError, match="There is no file at"):
        candidates.preview_import(sqlite_db, manager, tmp_path / "absent.csv")
    with pytest.raises(UserError, match="is a folder"):
        candidates.preview_import(sqlite_db, manager, tmp_path)


def test_headings_are_matched_loosely_and_semicolons_are_read(
    sqlite_db: Database, manager: Actor, tmp_path: Path
) -> None:
    path = tmp_path / "excel-fr.csv"
    path.write_text(
        "\ufeffNAME;  Reg No ;employer;LEVEL;Extra time;Unused column\n"
        "Aisha Rahman;SW1;Leeds City Council;practitioner;25%;x\n",
        encoding="utf-8",
    )
    preview = candidates.preview_import(sqlite_db, manager, path)
    assert preview.clean, preview.problems
    assert preview.rows[0].extra_time_percent == 25
    assert [p.column for p in preview.problems] == ["Unused column"]  # a note


def test_xlsx_from_openpyxl_with_dates_serials_and_percentages(
    sqlite_db: Database, manager: Actor, tmp_path: Path
) -> None:
    path = tmp_path / "cohort.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(
        [
            "Aisha Rahman",
            "SW1",
            "Leeds City Council",
            "practitioner",
            None,
            "Jo Bell",
            datetime(2026, 1, 5),
            0.25,
            True,
            None,
        ]
    )
    sheet.append(["Ben Carter", 100002, "Bury Council", "leader", None, "Ann Lee", 46027, None, None, None])
    sheet.append([None] * 10)
    sheet.append(["Cara Dunn", "SW3", "Bury Council", "leader", None, "Ann Lee", 46027.5, None, None, None])
    sheet["H2"].number_format = "0%"
    book.create_sheet("Notes")
    book.save(path)
    preview = candidates.preview_import(sqlite_db, manager, path)
    a, b, _ = preview.rows
    assert (a.endorsed_on, a.extra_time_percent, a.break_between_scenarios) == (date(2026, 1, 5), 25, True)
    assert (b.registration_number, b.endorsed_on) == ("100002", date(2026, 1, 5))
    kinds = {(p.row, p.severity) for p in preview.problems}
    assert (None, Severity.NOTE) in kinds  # only the first sheet is read
    assert (3, Severity.WARNING) in kinds and (4, Severity.NOTE) in kinds
    assert [(p.row, p.column) for p in preview.errors] == [(5, "Endorsed on")]


def test_xlsx_converted_by_libreoffice(
    sqlite_db: Database, manager: Actor, tmp_path: Path, soffice: str
) -> None:
    source = write_csv(tmp_path / "cohort.csv", GOOD)
    out = tmp_path / "lo"
    env = {**os.environ, "HOME": str(tmp_path)}  # a profile of its own, not the user's
    done = subprocess.run(
        [soffice, "--headless", "--convert-to", "xlsx", "--outdir", str(out), str(source)],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        check=False,
    )
    converted = out / "cohort.xlsx"
    assert converted.exists(), done.stdout + done.stderr
    preview = candidates.preview_import(sqlite_db, manager, converted)
    assert preview.clean, preview.problems
    assert [r.registration_number for r in preview.rows] == ["SW100001", "SW100002", "SW100003"]
    assert preview.rows[0].endorsed_on == date(2026, 1, 5)
    assert preview.rows[0].extra_time_percent == 25
    assert candidates.import_candidates(sqlite_db, manager, converted).candidates == 3


def test_a_damaged_workbook_is_one_problem(sqlite_db: Database, manager: Actor, tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", [GOOD[0]])
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(good.read_bytes()[:600])
    [(row, _, message)] = problems_of(sqlite_db, manager, damaged)
    assert row is None and "workbook" in message


def test_only_managers_and_administrators_import(sqlite_db: Database, manager: Actor, tmp_path: Path) -> None:
    accounts.create_account(sqlite_db, None, "priya", "Priya Shah", Role.ASSESSOR, PASSWORD, "Bury Council")
    assessor = accounts.authenticate(sqlite_db, "priya", PASSWORD)
    path = write_csv(tmp_path / "cohort.csv", GOOD)
    for call in (candidates.preview_import, candidates.import_candidates):
        with pytest.raises(PermissionDenied):
            call(sqlite_db, assessor, path)
    with pytest.raises(PermissionDenied):
        candidates.list_candidates(sqlite_db, assessor)


def test_problem_lines_read_like_a_compiler(tmp_path: Path) -> None:
    assert Problem("a.csv", 7, "Level", "'x' is not a level.").line() == "a.csv:7: Level: 'x' is not a level."
    assert Problem("a.csv", None, "", "The file is empty.").line() == "a.csv:0: The file is empty."
    with pytest.raises(UserError, match="cannot be written"):
        candidates.save_problems([], tmp_path / "no-such-folder" / "p.csv")


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_500_rows_previewed_and_imported_well_within_budget(
    sqlite_db: Database, manager: Actor, tmp_path: Path, kind: str
) -> None:
    rows = [
        [f"Candidate {i}", f"SW{300000 + i}", "Leeds City Council", "practitioner", f"c{i}@leeds.gov.uk",
         "Jo Bell", "2026-01-05", "25" if i % 7 == 0 else "", "no", ""]
        for i in range(500)
    ]  # fmt: skip
    path = write_csv(tmp_path / "big.csv", rows) if kind == "csv" else write_xlsx(tmp_path / "big.xlsx", rows)
    started = time.perf_counter()
    assert candidates.preview_import(sqlite_db, manager, path).clean
    result = candidates.import_candidates(sqlite_db, manager, path)
    took = time.perf_counter() - started
    assert (result.candidates, result.endorsements) == (500, 500)
    print(f"500 {kind} rows previewed and imported in {took:.2f} s")
