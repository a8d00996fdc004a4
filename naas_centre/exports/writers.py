"""Rows to files: CSV (UTF-8 with a byte-order mark, so Excel reads it as UTF-8) and
XLSX (xlsxwriter in constant-memory mode: each row goes to disk as it is written).

Both stream, report progress and look for a cancel request every ``CHECK_EVERY`` rows,
and write through ``atomic.replacing``: the target appears whole or not at all.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, Literal

from naas_centre.exports.atomic import replacing
from naas_centre.exports.score_sheets import Column, Value

Format = Literal["csv", "xlsx"]
FORMATS: tuple[Format, ...] = ("csv", "xlsx")
CHECK_EVERY = 250
# A spreadsheet would read a text starting with one of these as a formula.
_DECIMAL = re.compile(r"^-?\d+\.\d+$")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ExportCancelled(Exception):
    """The export was cancelled before it finished: nothing was written."""


Progress = Callable[[int, int], object]
Cancelled = Callable[[], bool]


def _checkpoint(done: int, total: int, progress: Progress | None, cancelled: Cancelled | None) -> None:
    if cancelled is not None and cancelled():
        raise ExportCancelled("The export was cancelled; no file was written.")
    if progress is not None:
        progress(done, total)


def safe_text(text: str) -> str:
    """A text cell as a spreadsheet will show it, never run: a leading ``=`` (and the
    like) gets an apostrophe, as spreadsheets themselves mark text."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_csv(
    target: Path,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Value]],
    total: int,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> int:
    """Writes the rows; returns how many. Dates as ISO dates (2025-03-14)."""
    done = 0
    with replacing(target) as tmp, open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow([c.title for c in columns])
        _checkpoint(0, total, progress, cancelled)
        # Only the text and date columns need a look: levels and ids go out as they are.
        texts = [i for i, c in enumerate(columns) if c.kind == "text"]
        dates = [i for i, c in enumerate(columns) if c.kind == "date"]
        for given in rows:
            row = list(given)
            for i in texts:
                v = row[i]
                if isinstance(v, str) and v.startswith(_FORMULA_START):
                    row[i] = "'" + v
            for i in dates:
                v = row[i]
                if isinstance(v, date):
                    row[i] = v.isoformat()
            out.writerow(row)
            done += 1
            if done % CHECK_EVERY == 0:
                _checkpoint(done, total, progress, cancelled)
        fh.flush()
    if progress is not None:
        progress(done, total)
    return done


def write_xlsx(
    target: Path,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Value]],
    total: int,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    sheet_name: str = "Score sheets",
) -> int:
    """Writes the rows to one worksheet with a frozen, formatted header, dates as dates
    and numbers as numbers; returns how many."""
    import xlsxwriter  # type: ignore[import-untyped]  # only an XLSX export needs it

    done = 0
    with replacing(target) as tmp:
        book = xlsxwriter.Workbook(
            str(tmp), {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
        )
        try:
            header = book.add_format(
                {
                    "bold": True,
                    "text_wrap": True,
                    "valign": "top",
                    "bg_color": "#DCE6F1",
                    "bottom": 1,
                    "font_size": 10,
                }
            )
            day = book.add_format({"num_format": "dd/mm/yyyy", "align": "left"})
            number = book.add_format({"num_format": "0", "align": "center"})
            decimals: dict[int, Any] = {}  # places → a format showing that many, as the text did
            sheet = book.add_worksheet(sheet_name)
            for i, c in enumerate(columns):
                sheet.set_column(i, i, c.width)
            sheet.freeze_panes(1, 1)
            # On paper: A4 landscape, the header and the candidate's name on every page.
            sheet.set_paper(9)
            sheet.set_landscape()
            sheet.repeat_rows(0)
            sheet.repeat_columns(0)
            sheet.print_across()  # a block of candidates across all their columns, then the next
            # Tall enough for the longest title as it wraps in its column (13 points a line).
            lines = max(-(-len(c.title) // max(1, c.width - 2)) for c in columns)
            sheet.set_row(0, min(160, 13 * max(2, lines) + 4))
            for i, c in enumerate(columns):
                sheet.write_string(0, i, c.title, header)
            _checkpoint(0, total, progress, cancelled)
            kinds = [c.kind for c in columns]
            for r, row in enumerate(rows, start=1):
                for i, v in enumerate(row):
                    if v is None:
                        continue
                    if isinstance(v, date):
                        sheet.write_datetime(r, i, v, day)
                    elif isinstance(v, int) and kinds[i] == "number":
                        sheet.write_number(r, i, v, number)
                    elif kinds[i] == "number" and isinstance(v, str) and _DECIMAL.match(v):
                        # A figure given as text to so many places ("0.8125"): a number here,
                        # so a spreadsheet can sort and sum it, shown to the same places.
                        places = len(v) - v.index(".") - 1
                        if places not in decimals:
                            decimals[places] = book.add_format({"num_format": "0." + "0" * places})
                        sheet.write_number(r, i, float(v), decimals[places])
                    else:
                        sheet.write_string(r, i, str(v))
                done += 1
                if done % CHECK_EVERY == 0:
                    _checkpoint(done, total, progress, cancelled)
            sheet.autofilter(0, 0, max(done, 1), len(columns) - 1)
        except BaseException:
            # Close to release its temporary files; the half-made file is removed above.
            try:
                book.close()
            finally:
                raise
        book.close()
    if progress is not None:
        progress(done, total)
    return done
