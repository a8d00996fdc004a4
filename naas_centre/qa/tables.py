"""Turning plain sequences into float arrays, and the one error the statistics raise.

Missing values may be ``None`` or NaN; both become NaN here.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from naas_centre.errors import UserError

Cell = float | int | None
Floats = npt.NDArray[np.float64]


class NotEnoughData(UserError):
    """The table cannot give the statistic: too few subjects or raters, or a row it cannot use.

    ``row`` is the 0-based subject at fault when one is, so a caller that knows where the
    rows came from (a file's line numbers) can say so.
    """

    def __init__(self, reason: str, row: int | None = None) -> None:
        self.reason = reason
        self.row = row
        super().__init__(reason if row is None else f"subject {row + 1}: {reason}")


def column(values: Sequence[Cell] | Floats) -> Floats:
    """One rater's or item's values as floats, missing as NaN."""
    return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)


def matrix(rows: Sequence[Sequence[Cell]] | Floats) -> Floats:
    """A subjects × raters table as floats, missing as NaN; every row as long as the first."""
    if isinstance(rows, np.ndarray):
        table = rows.astype(np.float64)
        if table.ndim != 2:
            raise NotEnoughData("the table must have two dimensions: subjects by raters")
        return table
    widths = {len(r) for r in rows}
    if len(widths) > 1:
        raise NotEnoughData("the rows are not all the same length")
    width = widths.pop() if widths else 0
    out = np.full((len(rows), width), np.nan, dtype=np.float64)
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            if v is not None:
                out[i, j] = float(v)
    return out


class NotDefined(UserError):
    """A statistic the data leaves undefined (no variance to compare): the reason, in words."""


def need(count: int, least: int, what: str) -> None:
    if count < least:
        raise NotEnoughData(f"needs at least {least} {what}; there {'is' if count == 1 else 'are'} {count}")


def complete_rows(table: Floats, statistic: str) -> Floats:
    """The table itself, refused with the first subject that lacks a value."""
    missing = np.isnan(table).any(axis=1)
    if missing.any():
        raise NotEnoughData(
            f"{statistic} needs a value from every rater; a cell is empty", int(missing.argmax())
        )
    return table
