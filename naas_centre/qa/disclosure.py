"""Counts published without giving anybody away: suppression, and closed periods.

Primary suppression hides every count under ``SMALLEST_CELL``, zero too: a group's
zero "not met" beside a small group tells each member's outcome. Complementary
suppression then hides more, so that no hidden count can be worked out exactly from
what is shown.

The reader we guard against knows every shown cell and margin, that a table's cells add
up to its margins, that no count is negative and that a listed group has at least one
member; a hidden count is *safe* when at least two whole numbers fit all of that.

- **One-way tables** (groups and their total, which is always taken as known: the same
  candidates answer every monitoring question, so one fully shown question gives the
  total of all). Rule: a line with a hidden cell holds at least two hidden cells, and
  not all of them at their lowest possible value (two hidden groups of 1 would add up
  to 2 and give both away); the complement is the smallest shown cell.
- **Two-way tables with margins** (groups by outcome, with each group's total, each
  outcome's total and the grand total shown). Rule: every row and column of the table
  with its margins that holds a hidden cell holds another one, chosen smallest first;
  then each hidden cell is audited exactly (below), and a cell that could still be
  worked out gets the smallest shown cell of its row hidden beside it, until none can.

The audit: write each margin with a minus sign and every row and column of the bordered
table sums to zero; two tables that agree on what is shown then differ by a sum of
cycles through hidden cells (rows and columns alternating), and a hidden cell can take
another value exactly when some cycle through it can be added or taken away without a
count falling below its lowest value. The audit searches for that cycle.

Differencing: figures are published for closed periods only (``check_period``): a
period that has ended holds a fixed set of sittings, so recording a new candidate, who
sits today or later, changes no figure of any period that may be published; and only
when the period holds at least ``MIN_PERIOD_CANDIDATES`` candidates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from naas_centre.errors import UserError

SMALLEST_CELL = 5  # counts from 0 to 4 are hidden
# A period is published only with this many candidates: four times the smallest cell, so
# that a two-way group-by-outcome table is more than its hidden cells.
MIN_PERIOD_CANDIDATES = 20

Shown = int | None  # None: hidden


class PeriodNotPublishable(UserError):
    """A period whose figures may not be published: open, reversed or too small."""


@dataclass(frozen=True)
class Period:
    """From ``start`` to ``end``, both days included."""

    start: date
    end: date

    def in_words(self) -> str:
        return f"{self.start:%d %B %Y} to {self.end:%d %B %Y}"


def check_period(period: Period, today: date) -> None:
    """Refuses a period that has not ended (figures for closed periods only)."""
    if period.end < period.start:
        raise PeriodNotPublishable(
            f"The period {period.in_words()} ends before it starts: give the earlier date first."
        )
    if period.end >= today:
        raise PeriodNotPublishable(
            f"The period {period.in_words()} has not ended yet: figures are published only for "
            f"periods that have closed (ending on {_yesterday(today)} at the latest)."
        )


def check_enough(period: Period, candidates: int) -> None:
    if candidates < MIN_PERIOD_CANDIDATES:
        raise PeriodNotPublishable(
            f"The period {period.in_words()} holds {candidates} candidate"
            f"{'' if candidates == 1 else 's'}, fewer than the {MIN_PERIOD_CANDIDATES} needed "
            "before figures are published: choose a longer period."
        )


def _yesterday(today: date) -> str:
    return f"{date.fromordinal(today.toordinal() - 1):%d %B %Y}"


def _primary(n: int) -> bool:
    return n < SMALLEST_CELL


# One-way ----------------------------------------------------------------------------


def suppress_one_way(counts: Sequence[int], lowest: int = 1) -> tuple[Shown, ...]:
    """``counts`` (each at least ``lowest``) as shown beside their known total."""
    hidden = {i for i, n in enumerate(counts) if _primary(n)}
    while hidden and not _line_safe([counts[i] for i in hidden], lowest):
        shown = [i for i in range(len(counts)) if i not in hidden]
        if not shown:  # every group of one, or the whole line small: the names alone tell
            raise PeriodNotPublishable(
                f"A table of {len(counts)} groups and {sum(counts)} people cannot be shown without "
                "giving someone away: choose a longer period."
            )
        hidden.add(min(shown, key=lambda i: (counts[i], i)))
    return tuple(None if i in hidden else n for i, n in enumerate(counts))


def _line_safe(hidden: list[int], lowest: int) -> bool:
    # Exactly one hidden cell is the total less the rest; all of them at their lowest
    # value leaves no other way to make up their sum.
    return len(hidden) >= 2 and any(n > lowest for n in hidden)


# Two-way with margins ------------------------------------------------------------------


@dataclass(frozen=True)
class TwoWay:
    """A table of counts with its margins, as shown (None: hidden)."""

    cells: tuple[tuple[Shown, ...], ...]
    row_totals: tuple[Shown, ...]
    column_totals: tuple[Shown, ...]
    total: int


def suppress_two_way(counts: Sequence[Sequence[int]]) -> TwoWay:
    """``counts`` (rows of equal length, each row a listed group) with its margins."""
    rows, cols = len(counts), len(counts[0]) if counts else 0
    grid = _bordered(counts)
    lowest = _lowest(rows, cols)
    hidden = {
        (r, c)
        for r in range(rows + 1)
        for c in range(cols + 1)
        if (r, c) != (rows, cols) and _primary(grid[r][c])
    }
    while True:
        _complete_lines(grid, hidden, rows, cols)
        exposed = next(
            (cell for cell in sorted(hidden) if not _free(cell, grid, hidden, lowest, rows, cols)), None
        )
        if exposed is None:
            break
        r, c = exposed
        line = [(r, j) for j in range(cols + 1)] + [(i, c) for i in range(rows + 1)]
        choice = _smallest_shown(line, grid, hidden, rows, cols)
        if choice is None:  # nothing left to hide around it: hide the whole table
            hidden |= {(i, j) for i in range(rows + 1) for j in range(cols + 1) if (i, j) != (rows, cols)}
            break
        hidden.add(choice)

    def shown(r: int, c: int) -> Shown:
        return None if (r, c) in hidden else grid[r][c]

    return TwoWay(
        cells=tuple(tuple(shown(r, c) for c in range(cols)) for r in range(rows)),
        row_totals=tuple(shown(r, cols) for r in range(rows)),
        column_totals=tuple(shown(rows, c) for c in range(cols)),
        total=grid[rows][cols],
    )


def _bordered(counts: Sequence[Sequence[int]]) -> list[list[int]]:
    grid = [[*row, sum(row)] for row in counts]
    cols = len(grid[0]) if grid else 1
    grid.append([sum(row[c] for row in grid) for c in range(cols)])
    return grid


def _lowest(rows: int, cols: int) -> dict[tuple[int, int], int]:
    # A listed group has at least one member; every other count may be zero.
    return {(r, cols): 1 for r in range(rows)}


def _complete_lines(grid: list[list[int]], hidden: set[tuple[int, int]], rows: int, cols: int) -> None:
    """Until every row and column with a hidden cell holds another, hide the smallest shown."""
    changed = True
    while changed:
        changed = False
        lines = [[(r, c) for c in range(cols + 1)] for r in range(rows + 1)]
        lines += [[(r, c) for r in range(rows + 1)] for c in range(cols + 1)]
        for line in lines:
            if sum(cell in hidden for cell in line) == 1:
                choice = _smallest_shown(line, grid, hidden, rows, cols)
                if choice is not None:
                    hidden.add(choice)
                    changed = True


def _smallest_shown(
    line: list[tuple[int, int]], grid: list[list[int]], hidden: set[tuple[int, int]], rows: int, cols: int
) -> tuple[int, int] | None:
    # The grand total is the period's size, published with it; never a complement.
    candidates = [cell for cell in line if cell not in hidden and cell != (rows, cols)]
    return min(candidates, key=lambda cell: (grid[cell[0]][cell[1]], cell), default=None)


def _free(
    target: tuple[int, int],
    grid: list[list[int]],
    hidden: set[tuple[int, int]],
    lowest: dict[tuple[int, int], int],
    rows: int,
    cols: int,
) -> bool:
    """Whether a cycle of hidden cells through ``target`` can move it by one either way."""

    def sign(cell: tuple[int, int]) -> int:  # margins carry a minus sign, the grand total a plus
        r, c = cell
        return -1 if (r == rows) != (c == cols) else 1

    def can_fall(cell: tuple[int, int]) -> bool:
        return grid[cell[0]][cell[1]] > lowest.get(cell, 0)

    def feasible(cycle: list[tuple[int, int]]) -> bool:
        # Alternate +1 and -1 around the cycle (in the signed table), in both directions.
        for first in (1, -1):
            ok = True
            for k, cell in enumerate(cycle):
                change = first * (1 if k % 2 == 0 else -1) * sign(cell)
                if change < 0 and not can_fall(cell):
                    ok = False
                    break
            if ok:
                return True
        return False

    by_row: dict[int, list[tuple[int, int]]] = {}
    by_col: dict[int, list[tuple[int, int]]] = {}
    for cell in sorted(hidden):
        by_row.setdefault(cell[0], []).append(cell)
        by_col.setdefault(cell[1], []).append(cell)
    r0, c0 = target

    # A cycle leaves the target along its row, turns down a column, along a row again,
    # ..., until a row step lands in the target's column, whose step closes it.
    def search(path: list[tuple[int, int]], used_rows: set[int], used_cols: set[int]) -> bool:
        here = path[-1]
        for along in by_row.get(here[0], []):
            if along == here:
                continue
            if along[1] == c0:
                if len(path) > 1 and feasible([*path, along]):
                    return True
                continue
            if along[1] in used_cols:
                continue
            for down in by_col.get(along[1], []):
                if down[0] not in used_rows and search(
                    [*path, along, down], used_rows | {down[0]}, used_cols | {along[1]}
                ):
                    return True
        return False

    return search([target], {r0}, {c0})
