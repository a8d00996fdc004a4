"""A candidate list (CSV or XLSX) read into rows and located problems.

One row per candidate: name, professional registration number, employer (one the centre
knows), level, and optionally an email address, who endorsed their practice and when,
and their reasonable adjustments. Nothing here touches the database: what the centre
already knows (registration numbers, employers) is passed in as ``Known``.

Dates: a date cell, ``2026-01-05``, ``05/01/2026`` (day first, as in the UK) and
``5 January 2026`` are read as they are. An Excel serial number where a date belongs
(a date column that lost its format, 46027 for 5 January 2026) is read as the date it
stands for when it plainly is one (a whole number between 1 January 2000 and 31
December 2099), with a warning that names the date so it can be checked; any other
number is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from naas_centre.imports import reading
from naas_centre.imports.columns import BY_KEY, COLUMNS, Column, column_for, normalise
from naas_centre.imports.problems import Problem, Severity
from naas_centre.imports.reading import Cell

LEVELS = {
    "practitioner": "practitioner",
    "approved child and family practitioner": "practitioner",
    "child and family practitioner": "practitioner",
    "acfp": "practitioner",
    "supervisor": "supervisor",
    "practice supervisor": "supervisor",
    "leader": "leader",
    "practice leader": "leader",
}
_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1 January 1900 (Excel's leap-year slip included)
_SERIAL_FIRST = (date(2000, 1, 1) - _EXCEL_EPOCH).days
_SERIAL_LAST = (date(2099, 12, 31) - _EXCEL_EPOCH).days
_YES = {"yes", "y", "true", "1", "x"}
_NO = {"no", "n", "false", "0", ""}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_MONTHS = {
    m.casefold(): i
    for i, names in enumerate(
        [
            ("January", "Jan"),
            ("February", "Feb"),
            ("March", "Mar"),
            ("April", "Apr"),
            ("May",),
            ("June", "Jun"),
            ("July", "Jul"),
            ("August", "Aug"),
            ("September", "Sep", "Sept"),
            ("October", "Oct"),
            ("November", "Nov"),
            ("December", "Dec"),
        ],
        start=1,
    )
    for m in names
}


def key_of(registration: str) -> str:
    """Registration numbers compare without case or spaces."""
    return "".join(registration.split()).casefold()


@dataclass(frozen=True)
class Known:
    """What the centre holds already: registration number key → candidate's name;
    normalised employer name → (the employer's own spelling, active)."""

    registrations: dict[str, str] = field(default_factory=dict)
    employers: dict[str, tuple[str, bool]] = field(default_factory=dict)


@dataclass(frozen=True)
class ImportedCandidate:
    """One row as read: ``shown`` is what the file holds, by column key, for the preview;
    the typed fields are what would be stored (meaningless on a row with errors)."""

    row: int
    shown: dict[str, str]
    full_name: str
    registration_number: str
    employer: str
    level: str
    email: str | None
    endorsed_by: str | None
    endorsed_on: date | None
    extra_time_percent: int
    break_between_scenarios: bool
    adjustment_notes: str
    errors: int  # how many of the file's errors are on this row


@dataclass(frozen=True)
class CandidateFile:
    path: str
    columns: tuple[str, ...]  # the keys of the columns found, in COLUMNS order
    rows: tuple[ImportedCandidate, ...]
    problems: tuple[Problem, ...]


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class _RowReader:
    """Reads one data row, adding its problems to the file's list."""

    def __init__(self, file: str, number: int, problems: list[Problem], today: date) -> None:
        self.file, self.number, self.problems, self.today = file, number, problems, today
        self.errors = 0

    def add(self, column: Column | None, message: str, severity: Severity = Severity.ERROR) -> None:
        self.problems.append(
            Problem(self.file, self.number, column.heading if column else "", message, severity)
        )
        self.errors += severity == Severity.ERROR

    def text(self, column: Column, value: Cell) -> str:
        raw = _text(value)
        clean = " ".join(raw.split())
        if clean != raw and clean:
            self.add(column, f"stray spaces in {raw!r}: read as {clean!r}.", Severity.WARNING)
        if column.required and not clean:
            self.add(column, "is empty; every candidate needs one.")
        return clean

    def day(self, column: Column, value: Cell) -> date | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if (isinstance(value, int | float) and not isinstance(value, bool)) or (
            isinstance(value, str) and re.fullmatch(r"\s*\d+(\.0+)?\s*", value)
        ):
            return self._serial(column, float(value))
        text = str(value).strip()
        found = _parse_date(text)
        if found is None:
            self.add(column, f"{text!r} is not a date: write it as 2026-01-05 or 05/01/2026 (day first).")
        return found

    def _serial(self, column: Column, serial: float) -> date | None:
        if serial.is_integer() and _SERIAL_FIRST <= serial <= _SERIAL_LAST:
            found = _EXCEL_EPOCH + timedelta(days=int(serial))
            self.add(
                column,
                f"{int(serial)} is an Excel date serial number: read as {long_date(found)}; check it, "
                "and format the column as dates.",
                Severity.WARNING,
            )
            return found
        shown = int(serial) if serial.is_integer() else serial
        self.add(column, f"{shown} is a number, not a date: format the column as dates (2026-01-05).")
        return None


def _parse_date(text: str) -> date | None:
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if m:
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
    else:
        m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
        if m:
            d, mo, y = int(m[1]), int(m[2]), int(m[3])
        else:
            m = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})", text)
            if not m or m[2].casefold() not in _MONTHS:
                return None
            d, mo, y = int(m[1]), _MONTHS[m[2].casefold()], int(m[3])
    try:
        return date(y, mo, d)
    except ValueError:
        return None


def _cell(cells: list[Cell], index: int | None) -> Cell:
    if index is None or index >= len(cells):
        return None
    return cells[index]


def _empty(cells: list[Cell]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _header(file: str, number: int, cells: list[Cell], problems: list[Problem]) -> dict[str, int]:
    """Column key → index; problems for unknown, repeated and missing headings."""
    where: dict[str, int] = {}
    for index, value in enumerate(cells):
        heading = _text(value).strip()
        if not heading:
            continue
        column = column_for(heading)
        if column is None:
            problems.append(
                Problem(file, number, heading, "is not a column this import reads; ignored.", Severity.NOTE)
            )
        elif column.key in where:
            problems.append(
                Problem(
                    file,
                    number,
                    heading,
                    f"appears twice as {column.heading!r}: keep one of the two columns.",
                )
            )
        else:
            where[column.key] = index
    for column in COLUMNS:
        if column.required and column.key not in where:
            problems.append(
                Problem(file, number, column.heading, "the required column is missing from the heading row.")
            )
    return where


def read_candidate_file(path: Path, known: Known, *, today: date | None = None) -> CandidateFile:
    """Reads the whole file; raises ``UserError`` only when there is no file to read."""
    path = Path(path)
    file = path.name
    problems: list[Problem] = []
    rows: list[ImportedCandidate] = []
    where: dict[str, int] | None = None
    header_row = 0
    today = today or date.today()
    seen: dict[str, int] = {}  # registration key → first row
    empty_rows: list[int] = []
    notes: list[str] = []
    stream: Iterator[reading.Row] = reading.rows(path, notes) if _readable(path, problems) else iter(())
    try:
        for number, cells in stream:
            if _empty(cells):
                if where is not None:
                    empty_rows.append(number)
                continue
            if where is None:
                where, header_row = _header(file, number, cells, problems), number
                if any(p.is_error for p in problems):
                    break  # without its columns no row can be read
                continue
            for skipped in empty_rows:
                problems.append(Problem(file, skipped, "", "empty row: skipped.", Severity.NOTE))
            empty_rows.clear()
            rows.append(_read_row(file, number, cells, where, known, seen, problems, today))
    except reading.FileProblem as exc:
        problems.append(Problem(file, exc.row, "", exc.message))
    problems[:0] = [Problem(file, None, "", note, Severity.NOTE) for note in notes]
    if where is None and not any(p.is_error for p in problems):
        problems.append(
            Problem(file, None, "", "The file is empty: it needs a heading row and a row per candidate.")
        )
    elif where is not None and not rows and not any(p.is_error for p in problems):
        problems.append(Problem(file, header_row, "", "The file has a heading row but no candidates."))
    found = tuple(c.key for c in COLUMNS if where and c.key in where)
    return CandidateFile(str(path), found, tuple(rows), tuple(problems))


def _readable(path: Path, problems: list[Problem]) -> bool:
    try:
        reading.kind_of(path)
    except reading.FileProblem as exc:
        problems.append(Problem(path.name, exc.row, "", exc.message))
        return False
    return True


def _read_row(
    file: str,
    number: int,
    cells: list[Cell],
    where: dict[str, int],
    known: Known,
    seen: dict[str, int],
    problems: list[Problem],
    today: date,
) -> ImportedCandidate:
    r = _RowReader(file, number, problems, today)

    def raw(key: str) -> Cell:
        return _cell(cells, where.get(key))

    col = BY_KEY
    shown = {key: _text(raw(key)) for key in where}
    name = r.text(col["full_name"], raw("full_name"))
    registration = r.text(col["registration_number"], raw("registration_number"))
    if registration:
        key = key_of(registration)
        if key in seen:
            r.add(
                col["registration_number"],
                f"{registration} is also on row {seen[key]}: one row per candidate.",
            )
        else:
            seen[key] = number
        if key in known.registrations:
            r.add(
                col["registration_number"], f"{registration} is already known as {known.registrations[key]}."
            )
    employer_text = r.text(col["employer"], raw("employer"))
    employer = employer_text
    if employer_text:
        match = known.employers.get(normalise_name(employer_text))
        if match is None:
            r.add(
                col["employer"],
                f"{employer_text!r} is not an employer the centre knows: add it first, or correct it.",
            )
        else:
            employer = match[0]
            if not match[1]:
                r.add(col["employer"], f"{employer} is deactivated and takes no new candidates.")
    level_text = r.text(col["level"], raw("level"))
    level = LEVELS.get(normalise(level_text), "")
    if level_text and not level:
        r.add(col["level"], f"{level_text!r} is not a level: practitioner, supervisor or leader.")
    email: str | None = None
    if "email" in where:
        email = r.text(col["email"], raw("email")) or None
        if email and not _EMAIL.match(email):
            r.add(col["email"], f"{email!r} is not an email address.")
    endorsed_by = r.text(col["endorsed_by"], raw("endorsed_by")) if "endorsed_by" in where else ""
    endorsed_on = r.day(col["endorsed_on"], raw("endorsed_on")) if "endorsed_on" in where else None
    endorsed_cell = _text(raw("endorsed_on")).strip()
    if endorsed_on and endorsed_on > today:
        r.add(col["endorsed_on"], f"{long_date(endorsed_on)} is in the future.")
    if endorsed_by and not endorsed_cell:
        r.add(
            col["endorsed_on"],
            f"is empty, but the row says {endorsed_by} endorsed the candidate: give the date.",
        )
    if endorsed_cell and not endorsed_by:
        r.add(col["endorsed_by"], "is empty, but the row gives an endorsement date: say who endorsed.")
    extra = _extra_time(r, col["extra_time_percent"], raw("extra_time_percent"))
    breaks = _yes_no(r, col["break_between_scenarios"], raw("break_between_scenarios"))
    notes = r.text(col["adjustment_notes"], raw("adjustment_notes")) if "adjustment_notes" in where else ""
    return ImportedCandidate(
        number,
        shown,
        name,
        registration,
        employer,
        level,
        email,
        endorsed_by or None,
        endorsed_on,
        extra,
        breaks,
        notes,
        r.errors,
    )


def normalise_name(name: str) -> str:
    return " ".join(name.split()).casefold()


def _extra_time(r: _RowReader, column: Column, value: Cell) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        text = str(value).strip().removesuffix("%").strip()
        try:
            number = float(text)
        except ValueError:
            r.add(column, f"{str(value).strip()!r} is not a percentage: write 25 for 25% extra time.")
            return 0
    if not number.is_integer() or not 0 <= number <= 200:
        shown = int(number) if number.is_integer() else round(number, 2)
        r.add(column, f"{shown} is not a whole percentage from 0 to 200.")
        return 0
    return int(number)


def _yes_no(r: _RowReader, column: Column, value: Cell) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).strip().casefold()
    if text in _YES:
        return True
    if text not in _NO:
        r.add(column, f"{_text(value).strip()!r} is not yes or no.")
    return False
