"""``naas-centre qa compute`` as a user meets it: the real program in a subprocess on
ratings files written here; figures read back from its JSON and its lines; each kind of
bad file one plain line naming the file (and line), exit status 2, no traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
PROGRAM = [sys.executable, "-m", "ui.main"]
# Shrout & Fleiss (1979) Table 2, whose published ICCs the figures must round to.
SHROUT_FLEISS = "j1,j2,j3,j4\n9,2,5,8\n6,1,3,2\n8,4,6,8\n7,1,2,6\n10,5,6,9\n6,2,4,7\n"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NAAS_DATA_DIR": str(cwd / "data")}
    env.pop("DISPLAY", None)
    return subprocess.run(
        [*PROGRAM, "qa", "compute", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        check=False,
        timeout=120,
    )


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_icc_as_json_and_as_lines(tmp_path: Path) -> None:
    ratings = write(tmp_path, "sf.csv", SHROUT_FLEISS)
    r = run("--ratings", str(ratings), "--statistic", "icc", "--json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert len(r.stdout.strip().splitlines()) == 1
    figures = json.loads(r.stdout)
    assert figures["statistic"] == "icc" and figures["n"] == 6 and figures["raters"] == 4
    assert [round(f["icc"], 2) for f in figures["forms"]] == [0.17, 0.29, 0.71, 0.44, 0.62, 0.91]
    assert all(f["ci_low"] < f["icc"] < f["ci_high"] for f in figures["forms"])
    r = run("--ratings", str(ratings), "--statistic", "icc", cwd=tmp_path)
    assert r.returncode == 0 and "ICC(3,k)  0.9093  95% CI 0.6757 to 0.9859" in r.stdout


def test_every_statistic_runs(tmp_path: Path) -> None:
    four = write(tmp_path, "four.csv", SHROUT_FLEISS)
    two = write(tmp_path, "two.csv", "first,second\n1,1\n2,2\n3,2\n4,4\n2,3\n,1\n3,3\n")
    grades = write(tmp_path, "brm.csv", "global,score\n1,15\n2,20\n3,25\n4,30\n2,21\n3,24\n")
    weights = write(tmp_path, "w.csv", "1,2,3,4\n1,0.5,0,0\n0.5,1,0.5,0\n0,0.5,1,0.5\n0,0,0.5,1\n")
    cases = [
        (four, "alpha", [], "alpha", 0.9093),
        (four, "fleiss-kappa", [], "kappa", None),
        (four, "krippendorff-alpha", ["--metric", "interval"], "alpha", None),
        (two, "kappa", [], None, None),
        (two, "weighted-kappa", ["--weights", "quadratic"], None, None),
        (two, "weighted-kappa", ["--weights", str(weights)], None, None),
        (grades, "borderline-regression", [], "pass_mark", None),
    ]
    for file, statistic, extra, key, value in cases:
        r = run("--ratings", str(file), "--statistic", statistic, *extra, "--json", cwd=tmp_path)
        assert r.returncode == 0, (statistic, r.stderr)
        figures = json.loads(r.stdout)
        if key and value is not None:
            assert figures[key] == pytest.approx(value, abs=5e-5)
    r = run(
        "--ratings",
        str(two),
        "--statistic",
        "weighted-kappa",
        "--weights",
        str(weights),
        "--json",
        cwd=tmp_path,
    )
    assert json.loads(r.stdout)["kappa"]["weights"] == "given"
    r = run("--ratings", str(grades), "--statistic", "borderline-regression", "--json", cwd=tmp_path)
    figures = json.loads(r.stdout)
    assert figures["n_borderline"] == 2 and figures["borderline_group_mean"] == pytest.approx(20.5)


@pytest.mark.parametrize(
    ("name", "content", "statistic", "extra", "says"),
    [
        ("latin1.csv", "a,b\n1,2\nJos\xe9,3\n".encode("latin-1"), "icc", [], "line 3: not UTF-8"),
        ("ragged.csv", "a,b,c\n1,2,3\n4,5\n", "icc", [], "line 3: 2 cells, but the header names 3 columns"),
        ("word.csv", "a,b\n1,2\n3,four\n", "alpha", [], "line 3, column «b»: «four» is not a number"),
        ("few.csv", "a,b\n1,2\n", "icc", [], "needs at least 2 subjects"),
        ("one.csv", "a\n1\n2\n3\n", "fleiss-kappa", [], "needs at least 2 rater columns"),
        ("gap.csv", "a,b\n1,2\n2,\n3,4\n", "icc", [], "line 3: the ICC needs a value from every rater"),
        ("three.csv", "a,b,c\n1,2,3\n2,2,3\n", "kappa", [], "needs exactly 2 columns"),
        ("empty.csv", "", "icc", [], "the file is empty"),
    ],
)
def test_bad_ratings_files(
    tmp_path: Path, name: str, content: str | bytes, statistic: str, extra: list[str], says: str
) -> None:
    path = write(tmp_path, name, content)
    r = run("--ratings", str(path), "--statistic", statistic, *extra, cwd=tmp_path)
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert r.stderr.startswith(f"naas-centre: {path}") and says in r.stderr, r.stderr


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("1,0.5,0\n0.5,1,0.5\n", "not square"),
        ("1,0.5,0\n0.5,0.9,0.5\n0,0.5,1\n", "1 on the diagonal; row 2 has 0.9"),
        ("1,0.5\n0.5,1\n", "the weights are 2×2, but there are 3 levels"),
        ("1,x\n0,1\n", "«x» is not a number"),
    ],
)
def test_bad_weights_files(tmp_path: Path, content: str, says: str) -> None:
    ratings = write(tmp_path, "two.csv", "first,second\n1,1\n2,3\n3,2\n")
    weights = write(tmp_path, "w.csv", content)
    r = run(
        "--ratings", str(ratings), "--statistic", "weighted-kappa", "--weights", str(weights), cwd=tmp_path
    )
    assert r.returncode == 2 and r.stdout == ""
    assert (
        r.stderr.count("\n") == 1 and r.stderr.startswith(f"naas-centre: {weights}") and says in r.stderr
    ), r.stderr


def test_a_missing_file_and_an_unknown_statistic(tmp_path: Path) -> None:
    r = run("--ratings", str(tmp_path / "nothing.csv"), "--statistic", "icc", cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.strip() == f"naas-centre: {tmp_path / 'nothing.csv'}: no such file"
    r = run("--ratings", str(tmp_path / "x.csv"), "--statistic", "median", cwd=tmp_path)
    assert r.returncode == 2 and "invalid choice: 'median'" in r.stderr
