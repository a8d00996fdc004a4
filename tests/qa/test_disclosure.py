"""Suppression: every hidden count is tried for exact recovery from what is shown."""

from __future__ import annotations

import itertools
import random
from datetime import date

import pytest
from scipy.optimize import linprog  # type: ignore[import-untyped]

from naas_centre.qa import disclosure
from naas_centre.qa.disclosure import Period, PeriodNotPublishable, TwoWay


def one_way_recoverable(shown: tuple[int | None, ...], total: int) -> set[int]:
    """Hidden groups whose count every table consistent with what is shown agrees on."""
    hidden = [i for i, n in enumerate(shown) if n is None]
    left = total - sum(n for n in shown if n is not None)
    values: dict[int, set[int]] = {i: set() for i in hidden}
    for combo in itertools.product(range(1, left + 1), repeat=len(hidden)):  # a listed group is >= 1
        if sum(combo) == left:
            for i, v in zip(hidden, combo, strict=True):
                values[i].add(v)
    return {i for i, v in values.items() if len(v) == 1}


def test_the_screens_leak_a_group_of_6_beside_a_hidden_one_is_closed() -> None:
    # Six candidates, five women and one man: "5" and "fewer than 5" beside a known 6.
    shown = disclosure.suppress_one_way([5, 1])
    assert shown == (None, None)
    assert one_way_recoverable(shown, 6) == set()


def test_two_hidden_groups_of_one_are_not_enough() -> None:
    shown = disclosure.suppress_one_way([1, 1, 20, 9])
    assert shown == (None, None, 20, None)  # 1 + 1 = 2 would give both away: the 9 joins them
    assert one_way_recoverable(shown, 31) == set()


@pytest.mark.parametrize("seed", range(200))
def test_no_hidden_one_way_count_is_recovered(seed: int) -> None:
    rng = random.Random(seed)
    counts = [rng.choice([1, 1, 2, 3, 4, 5, 6, 8, 12]) for _ in range(rng.randint(1, 5))]
    small = any(n < disclosure.SMALLEST_CELL for n in counts)
    if small and (len(counts) == 1 or all(n == 1 for n in counts)):  # nothing can hide them
        with pytest.raises(PeriodNotPublishable, match="without giving someone away"):
            disclosure.suppress_one_way(counts)
        return
    shown = disclosure.suppress_one_way(counts)
    assert all(s is None or s >= disclosure.SMALLEST_CELL for s in shown)
    assert all(s is None or s == n for s, n in zip(shown, counts, strict=True))
    assert one_way_recoverable(shown, sum(counts)) == set()


def ranges(table: TwoWay) -> dict[str, tuple[float, float]]:
    """Each hidden cell's least and greatest value over every consistent table.

    The row-and-column constraints are totally unimodular, so the linear programme's
    bounds are whole numbers: an independent audit of the one in the module."""
    rows, cols = len(table.cells), len(table.cells[0])
    names: list[str] = []
    index: dict[tuple[int, int], int] = {}
    lows: list[int] = []
    for r in range(rows + 1):
        for c in range(cols + 1):
            if (r, c) == (rows, cols):
                continue
            value = (
                table.row_totals[r]
                if c == cols
                else table.column_totals[c]
                if r == rows
                else table.cells[r][c]
            )
            if value is None:
                index[(r, c)] = len(names)
                names.append(f"{r},{c}")
                lows.append(1 if c == cols else 0)

    def value_of(r: int, c: int) -> int | None:
        if (r, c) == (rows, cols):
            return table.total
        if c == cols:
            return table.row_totals[r]
        if r == rows:
            return table.column_totals[c]
        return table.cells[r][c]

    eq, rhs = [], []
    lines = [([(r, c) for c in range(cols)], (r, cols)) for r in range(rows + 1)]
    lines += [([(r, c) for r in range(rows)], (rows, c)) for c in range(cols + 1)]
    for parts, whole in lines:
        row = [0.0] * len(names)
        b = 0.0
        for cell, coef in [*((p, 1.0) for p in parts), (whole, -1.0)]:
            if cell in index:
                row[index[cell]] += coef
            else:
                b -= coef * (value_of(*cell) or 0)
        if any(row):
            eq.append(row)
            rhs.append(b)
    out = {}
    for k, name in enumerate(names):
        goal = [0.0] * len(names)
        goal[k] = 1.0
        bounds = [(lo, None) for lo in lows]
        low = linprog(goal, A_eq=eq, b_eq=rhs, bounds=bounds).fun
        high = -linprog([-g for g in goal], A_eq=eq, b_eq=rhs, bounds=bounds).fun
        out[name] = (round(low), round(high))
    return out


def test_a_group_by_outcome_table_hides_enough_and_shows_the_rest() -> None:
    counts = [[12, 6, 2], [3, 9, 0], [20, 11, 7], [8, 1, 5]]
    table = disclosure.suppress_two_way(counts)
    assert table.cells[1][0] is None and table.cells[0][2] is None and table.cells[3][1] is None
    assert table.total == 84
    for row, shown in zip(counts, table.cells, strict=True):
        assert all(s is None or s == n for s, n in zip(shown, row, strict=True))
    assert all(low < high for low, high in ranges(table).values())


def test_a_row_whose_group_is_small_is_hidden_and_cannot_be_subtracted_back() -> None:
    counts = [[2, 1, 0], [10, 7, 3], [9, 6, 2]]
    table = disclosure.suppress_two_way(counts)
    assert table.row_totals[0] is None
    assert all(low < high for low, high in ranges(table).values())


@pytest.mark.parametrize("seed", range(150))
def test_no_hidden_two_way_count_is_recovered(seed: int) -> None:
    rng = random.Random(seed)
    rows, cols = rng.randint(2, 6), rng.randint(2, 3)
    counts = [[rng.choice([0, 1, 2, 3, 4, 5, 6, 9, 14]) for _ in range(cols)] for _ in range(rows)]
    for row in counts:
        row[0] += 1 if sum(row) == 0 else 0  # a listed group has somebody in it
    table = disclosure.suppress_two_way(counts)
    shown = [*(v for row in table.cells for v in row), *table.row_totals, *table.column_totals]
    assert all(v is None or v >= disclosure.SMALLEST_CELL for v in shown)
    assert all(low < high for low, high in ranges(table).values()), (counts, table)


def test_the_row_and_column_rule_alone_leaves_a_bridge_the_audit_closes() -> None:
    # Two blocks of small cells joined through one row: every hidden cell has a hidden
    # neighbour in its row and column, yet a cell joining the blocks could be worked out.
    counts = [[1, 1, 30, 30], [1, 1, 1, 30], [30, 30, 1, 1], [30, 30, 1, 1]]
    table = disclosure.suppress_two_way(counts)
    assert all(low < high for low, high in ranges(table).values())


def test_only_closed_periods_with_enough_candidates() -> None:
    today = date(2026, 3, 10)
    with pytest.raises(PeriodNotPublishable, match="has not ended yet"):
        disclosure.check_period(Period(date(2026, 3, 1), date(2026, 3, 10)), today)
    with pytest.raises(PeriodNotPublishable, match="ends before it starts"):
        disclosure.check_period(Period(date(2026, 3, 5), date(2026, 3, 1)), today)
    disclosure.check_period(Period(date(2026, 3, 1), date(2026, 3, 9)), today)
    with pytest.raises(PeriodNotPublishable, match="holds 19 candidates, fewer than the 20"):
        disclosure.check_enough(Period(date(2026, 3, 1), date(2026, 3, 9)), 19)
    disclosure.check_enough(Period(date(2026, 3, 1), date(2026, 3, 9)), 20)
