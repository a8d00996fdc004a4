"""Rows out of a CSV or XLSX file, one at a time, numbered as the spreadsheet shows them.

What kind of file it is comes from its first bytes, not only its name: a workbook
renamed ``.csv`` is still read as a workbook, and a PDF or an old ``.xls`` is refused
with a sentence saying what to do instead. CSV must be UTF-8 (a byte-order mark is
allowed, as Excel's "CSV UTF-8" writes one); otherwise the first bad byte is named.
"""

from __future__ import annotations

import codecs
import csv
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path

from naas_centre.errors import UserError

Cell = str | int | float | datetime | date | time | bool | None
Row = tuple[int, list[Cell]]  # (row number, cells)

_SNIFF = 4096
_CHUNK = 1 << 16


class FileProblem(Exception):
    """The file as a whole cannot be read (``row``: where reading stopped, if known)."""

    def __init__(self, message: str, row: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.row = row


def _head(path: Path) -> bytes:
    if path.exists() and not path.is_file() and not path.is_dir():
        raise UserError(f"{path} is not a regular file (a pipe or a device): give a CSV or XLSX file.")
    try:
        with path.open("rb") as f:
            return f.read(_SNIFF)
    except FileNotFoundError:
        raise UserError(f"There is no file at {path}.") from None
    except IsADirectoryError:
        raise UserError(f"{path} is a folder, not a file.") from None
    except OSError as exc:
        raise UserError(f"{path} cannot be read: {exc.strerror or exc}.") from None


def kind_of(path: Path) -> str:
    """``csv`` or ``xlsx``; raises ``FileProblem`` for anything that is neither."""
    head = _head(path)
    suffix = path.suffix.lower()
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as z:
                names = set(z.namelist())
        except zipfile.BadZipFile:
            raise FileProblem("The file is a damaged ZIP archive, not a workbook that can be read.") from None
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "content.xml" in names:
            raise FileProblem(
                "This is an OpenDocument spreadsheet: save it as XLSX or CSV (UTF-8) and try again."
            )
        raise FileProblem(
            "This is a ZIP archive (perhaps a Word document), not a spreadsheet: use CSV or XLSX."
        )
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileProblem(
            "This is an old Excel (.xls) or Office file: save it as XLSX or CSV (UTF-8) and try again."
        )
    if head.startswith(b"%PDF"):
        raise FileProblem("This is a PDF, not a spreadsheet: use CSV or XLSX.")
    if suffix in {".xlsx", ".xlsm"}:
        raise FileProblem(f"The file is named {suffix} but is not an Excel workbook: use CSV or XLSX.")
    if b"\x00" in head:
        raise FileProblem("This is not a spreadsheet (it holds binary data): use CSV or XLSX.")
    return "csv"


def rows(path: Path, notes: list[str] | None = None) -> Iterator[Row]:
    """Every row of the file (the first sheet of a workbook), empty ones included.
    ``notes`` receives what the reader passed over (the other sheets of a workbook)."""
    if kind_of(path) == "xlsx":
        yield from _xlsx_rows(path, notes if notes is not None else [])
    else:
        yield from _csv_rows(path)


def _first_bad_byte(path: Path) -> tuple[int, int, int]:
    """(byte offset, the byte, row) of the first byte that is not UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset, newlines = 0, 0
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            pending = decoder.getstate()[0]  # a sequence begun at the end of the last chunk
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                data = pending + chunk
                at = offset - len(pending) + exc.start
                before = data[: exc.start]
                return at, data[exc.start], newlines + before.count(b"\n") + 1
            newlines += chunk.count(b"\n")
            offset += len(chunk)
    return offset, 0, newlines + 1


def _delimiter(path: Path) -> str:
    with path.open("rb") as f:
        first = f.readline(_SNIFF)
    counts = {d: first.count(d.encode()) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_rows(path: Path) -> Iterator[Row]:
    delimiter = _delimiter(path)
    number = 0
    try:
        with path.open("r", encoding="utf-8-sig", newline="") as f:
            for number, cells in enumerate(csv.reader(f, delimiter=delimiter, strict=True), start=1):
                yield number, list(cells)
    except UnicodeDecodeError:
        offset, byte, row = _first_bad_byte(path)
        raise FileProblem(
            f"The file is not UTF-8: byte 0x{byte:02X} at offset {offset} (row {row}) is not valid UTF-8. "
            'Save it as "CSV UTF-8" and try again.',
            row,
        ) from None
    except csv.Error as exc:
        raise FileProblem(f"The file is not valid CSV after row {number}: {exc}.", number + 1) from None


def _xlsx_rows(path: Path, notes: list[str]) -> Iterator[Row]:
    import openpyxl  # type: ignore[import-untyped]  # imported when a workbook is read: it is slow to import
    from openpyxl.utils.exceptions import InvalidFileException  # type: ignore[import-untyped]

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, KeyError, ValueError, zipfile.BadZipFile, OSError) as exc:
        raise FileProblem(f"The workbook cannot be read: {exc}.") from None
    try:
        sheet = book.worksheets[0]
        if len(book.worksheets) > 1:
            notes.append(f"Only the first sheet, {sheet.title!r}, is read.")
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            values: list[Cell] = []
            for cell in cells:
                value = getattr(cell, "value", None)
                fmt = getattr(cell, "number_format", "") or ""
                if isinstance(value, int | float) and not isinstance(value, bool) and "%" in fmt:
                    value = value * 100  # a percentage cell: read as the percentage shown
                values.append(value)
            yield number, values
    except (KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise FileProblem(f"The workbook is damaged: {exc}.") from None
    finally:
        book.close()
