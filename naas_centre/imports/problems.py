"""A problem found in an imported file: where it is (file, row, column) and what it is.

Errors stop the import; warnings say what was changed on the way in (a trimmed space,
a date read from an Excel serial number); notes say what was passed over (an empty
row). The list can be saved as CSV for whoever keeps the spreadsheet.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True)
class Problem:
    file: str  # the file's name as given
    row: int | None  # as the spreadsheet shows it (the header is row 1); None: the whole file
    column: str  # the column's heading, "" for none
    message: str
    severity: Severity = Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.severity == Severity.ERROR

    def line(self, file: str | None = None) -> str:
        """``FILE:ROW: column: message``, as compilers and linters write it (row 0: the
        whole file); ``file`` names the file as the user gave it."""
        where = f"{file or self.file}:{self.row if self.row is not None else 0}:"
        column = f" {self.column}:" if self.column else ""
        kind = "" if self.is_error else f" ({self.severity.value})"
        return f"{where}{column} {self.message}{kind}"


PROBLEM_COLUMNS = ("File", "Row", "Column", "Severity", "Problem")


def write_problems_csv(problems: Iterable[Problem], target: Path) -> int:
    """Writes the problems as CSV (UTF-8 with a byte-order mark, so Excel reads it right),
    atomically: a temporary file beside the target, then a rename. Returns how many."""
    target = Path(target)
    count = 0
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(PROBLEM_COLUMNS)
            for p in problems:
                writer.writerow(
                    [p.file, "" if p.row is None else p.row, p.column, p.severity.value, p.message]
                )
                count += 1
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count
