"""Reading a ratings table and a weights matrix from CSV files, with located problems.

A ratings table: a header row naming the columns, then one row per subject and one
column per rater or item; an empty cell is missing. A weights file: k rows of k numbers,
optionally after a header row naming the k levels, lowest first.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from naas_centre.errors import UserError
from naas_centre.qa.tables import Floats


class RatingsFileError(UserError):
    """A ratings or weights file that cannot be read as one; the message says where."""


@dataclass(frozen=True)
class Ratings:
    path: Path
    columns: tuple[str, ...]
    values: Floats  # subjects × columns, NaN where a cell is empty
    lines: tuple[int, ...]  # the file's line number of each subject's row

    def where(self, row: int | None) -> str:
        return f"{self.path}" if row is None else f"{self.path}, line {self.lines[row]}"


@dataclass(frozen=True)
class Weights:
    levels: tuple[float, ...] | None  # from the header row, when there is one
    matrix: Floats


def _rows(path: Path) -> list[tuple[int, list[str]]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise RatingsFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise RatingsFileError(f"{path} is a folder, not a CSV file") from None
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise RatingsFileError(f"{path}, line {line}: not UTF-8 text (save the file as UTF-8 CSV)") from None
    except OSError as exc:
        raise RatingsFileError(f"{path}: {exc.strerror or exc}") from None
    reader = csv.reader(text.splitlines(keepends=True))
    try:
        return [(reader.line_num, row) for row in reader if row]  # a blank line holds no subject
    except csv.Error as exc:
        raise RatingsFileError(f"{path}, line {reader.line_num}: {exc}") from None


def _number(text: str, where: str) -> float:
    cell = text.strip()
    if not cell:
        raise RatingsFileError(f"{where}: the cell is empty")
    try:
        value = float(cell)
    except ValueError:
        raise RatingsFileError(f"{where}: «{cell}» is not a number") from None
    if not math.isfinite(value):
        raise RatingsFileError(f"{where}: «{cell}» is not a finite number")
    return value


def read_ratings(path: Path) -> Ratings:
    rows = _rows(path)
    if not rows:
        raise RatingsFileError(f"{path}: the file is empty; it needs a header row and a row per subject")
    _, header = rows[0]
    columns = tuple(h.strip() for h in header)
    blank = [i for i, c in enumerate(columns) if not c]
    if blank:
        raise RatingsFileError(f"{path}, line {rows[0][0]}: column {blank[0] + 1} of the header has no name")
    twice = sorted({c for c in columns if columns.count(c) > 1})
    if twice:
        raise RatingsFileError(f"{path}, line {rows[0][0]}: the header names «{twice[0]}» twice")
    values = np.full((len(rows) - 1, len(columns)), np.nan)
    lines = []
    for i, (line, row) in enumerate(rows[1:]):
        if len(row) != len(columns):
            raise RatingsFileError(
                f"{path}, line {line}: {len(row)} cells, but the header names {len(columns)} columns"
            )
        for j, cell in enumerate(row):
            if cell.strip():
                values[i, j] = _number(cell, f"{path}, line {line}, column «{columns[j]}»")
        lines.append(line)
    if not lines:
        raise RatingsFileError(f"{path}: there is a header row but no subjects")
    return Ratings(path, columns, values, tuple(lines))


def read_weights(path: Path) -> Weights:
    rows = _rows(path)
    if not rows:
        raise RatingsFileError(f"{path}: the weights file is empty")
    width = len(rows[0][1])
    for line, row in rows:
        if len(row) != width:
            raise RatingsFileError(f"{path}, line {line}: {len(row)} cells where the first row has {width}")
    levels: tuple[float, ...] | None = None
    if len(rows) == width + 1:  # a header row of the levels, then the matrix
        levels = tuple(_number(c, f"{path}, line {rows[0][0]} (the levels)") for c in rows[0][1])
        rows = rows[1:]
    if len(rows) != width:
        raise RatingsFileError(f"{path}: the weights are not square ({len(rows)} rows of {width})")
    matrix = np.array(
        [
            [_number(c, f"{path}, line {line}, column {j + 1}") for j, c in enumerate(row)]
            for line, row in rows
        ]
    )
    return Weights(levels, matrix)
