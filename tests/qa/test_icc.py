"""The six ICCs: Shrout & Fleiss (1979) Table 2, and pingouin on generated data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pingouin
import pytest

from naas_centre.qa.icc import icc
from naas_centre.qa.tables import NotDefined, NotEnoughData

# pingouin itself calls a pandas method that pandas has deprecated: its warning, not ours.
PINGOUIN_WARNING = "ignore:The inplace keyword:pandas.errors.Pandas4Warning"

# Shrout, P. E. & Fleiss, J. L. (1979). Intraclass correlations: uses in assessing rater
# reliability. Psychological Bulletin 86(2), 420-428, Table 2: six targets, four judges.
# Published (Table 4): ICC(1,1) .17, ICC(2,1) .29, ICC(3,1) .71, ICC(1,4) .44,
# ICC(2,4) .62, ICC(3,4) .91.
SHROUT_FLEISS = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]
PUBLISHED = {
    "ICC(1,1)": 0.17,
    "ICC(2,1)": 0.29,
    "ICC(3,1)": 0.71,
    "ICC(1,k)": 0.44,
    "ICC(2,k)": 0.62,
    "ICC(3,k)": 0.91,
}
PINGOUIN_NAMES = {  # pingouin writes McGraw & Wong's A (agreement) and C (consistency)
    "ICC(1,1)": "ICC(1,1)",
    "ICC(2,1)": "ICC(A,1)",
    "ICC(3,1)": "ICC(C,1)",
    "ICC(1,k)": "ICC(1,k)",
    "ICC(2,k)": "ICC(A,k)",
    "ICC(3,k)": "ICC(C,k)",
}


def test_shrout_fleiss_table_2() -> None:
    r = icc(SHROUT_FLEISS)
    assert {f.form: round(f.icc, 2) for f in r.forms} == PUBLISHED
    assert (r.n, r.raters) == (6, 4)
    for f in r.forms:
        assert f.ci_low < f.icc < f.ci_high


def _pingouin(table: np.ndarray) -> pd.DataFrame:
    long = pd.DataFrame(
        [(i, j, v) for i, row in enumerate(table) for j, v in enumerate(row)], columns=["t", "r", "s"]
    )
    key = "round.column.CI95"  # pingouin rounds its intervals to two places unless told not to
    before = pingouin.options[key]
    pingouin.options[key] = None
    try:
        return pingouin.intraclass_corr(long, "t", "r", "s").set_index("Type")
    finally:
        pingouin.options[key] = before


@pytest.mark.filterwarnings(PINGOUIN_WARNING)
def test_matches_pingouin_on_generated_tables() -> None:
    rng = np.random.default_rng(5)
    for n, k in [(6, 4), (20, 2), (35, 3), (50, 5)]:
        table = rng.normal(size=(n, 1)) * 2 + rng.normal(size=(1, k)) + rng.normal(size=(n, k))
        ours, theirs = icc(table), _pingouin(table)
        for f in ours.forms:
            row = theirs.loc[PINGOUIN_NAMES[f.form]]
            assert f.icc == pytest.approx(row["ICC"], abs=1e-6)
            assert f.f == pytest.approx(row["F"], rel=1e-6)
            assert f.p == pytest.approx(row["pval"], abs=1e-6)
            low, high = row["CI95"]
            assert f.ci_low == pytest.approx(low, abs=1e-6)
            assert f.ci_high == pytest.approx(high, abs=1e-6)


def test_an_incomplete_row_is_refused_by_its_subject() -> None:
    with pytest.raises(NotEnoughData) as caught:
        icc([[1, 2], [2, 3], [3, None]])
    assert caught.value.row == 2
    with pytest.raises(NotEnoughData, match="at least 2 raters"):
        icc([[1], [2], [3]])


@pytest.mark.parametrize(
    ("rows", "said"),
    [
        ([[3, 3], [3, 3], [3, 3]], "agreement is perfect"),  # one value throughout
        ([[2, 2], [3, 3], [4, 4]], "agreement is perfect"),  # raters identical, subjects differ
        ([[2, 4], [4, 2], [3, 3]], "no differences between them"),  # subjects' means all equal
    ],
)
def test_a_table_without_the_variance_an_icc_needs_says_why(rows: list[list[int]], said: str) -> None:
    with pytest.raises(NotDefined, match=said):
        icc(rows)


def test_the_command_line_says_so_plainly(tmp_path: Path) -> None:
    ratings = tmp_path / "same.csv"
    ratings.write_text("first,second\n3,3\n3,3\n3,3\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "ui.main", "qa", "compute", "--ratings", str(ratings), "--statistic", "icc"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.startswith("naas-centre: ") and "agreement is perfect" in done.stderr
