"""The command line as a user meets it: real subprocesses, exit codes, no tracebacks."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from naas_centre import __version__
from tests.program import run_program


def run(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return run_program(*args, data_dir=data_dir, timeout=120)


def test_version(tmp_path: Path) -> None:
    r = run("--version", data_dir=tmp_path)
    assert r.returncode == 0 and __version__ in r.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("audit",),
        ("audit", "nonsense"),
        ("scenarios", "validate"),
        ("demo", "--no-such-flag"),
    ],
)
def test_bad_arguments_exit_2_without_traceback(tmp_path: Path, args: tuple[str, ...]) -> None:
    r = run(*args, data_dir=tmp_path)
    assert r.returncode == 2, r
    assert "Traceback" not in r.stderr
    assert r.stderr.strip()


def test_unreadable_databases_exit_2_with_what_and_where(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"\x00not sqlite\x00" * 500)
    cases = {
        str(tmp_path / "missing.db"): "no such database",
        str(tmp_path): "is a folder",
        str(garbage): "file is not a database",
        "postgresql+psycopg://nobody@127.0.0.1:1/none": "cannot open",
    }
    for target, message in cases.items():
        r = run("audit", "verify", "--db", target, data_dir=tmp_path)
        assert r.returncode == 2, (target, r.stdout, r.stderr)
        assert message in r.stderr, (target, r.stderr)
        assert "Traceback" not in r.stderr


def test_demo_then_verify(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    r = run("demo", "--db", str(db), data_dir=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "manager" in r.stdout and "demo-manager-2026" in r.stdout
    r = run("audit", "verify", "--db", str(db), data_dir=tmp_path)
    assert r.returncode == 0, r.stderr
    again = run("demo", "--db", str(db), data_dir=tmp_path)
    assert again.returncode == 2 and "already holds a centre" in again.stderr


def test_validate_good_and_bad_packs(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    good = run("scenarios", "validate", str(root / "scenarios"), data_dir=tmp_path)
    assert good.returncode == 0, good.stdout + good.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: 1\nname: x\n  broken: [\n", encoding="utf-8")
    r = run("scenarios", "validate", str(bad), data_dir=tmp_path)
    assert r.returncode == 2
    assert r.stdout.startswith(f"{bad}:") and "line" in r.stdout


@pytest.mark.slow
def test_scored_demo_day_has_every_report_signed_and_verifiable(tmp_path: Path) -> None:
    db = tmp_path / "scored.db"
    made = run("demo", "--scored", "--history", "none", "--db", str(db), data_dir=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "not met" in made.stdout and "moderated" in made.stdout
    out = tmp_path / "reports"
    written = run(
        "reports", "--db", str(db), "--out", str(out), "--day", _day(made.stdout), data_dir=tmp_path
    )
    assert written.returncode == 0, written.stderr
    pdfs = sorted(out.glob("*.pdf"))
    assert len(pdfs) == 37  # 6 x (3 observations, written, knowledge, outcome) + the day summary
    assert not [p for p in pdfs if "unsigned" in p.name]
    checked = run("verify", "--db", str(db), *map(str, pdfs), data_dir=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def _day(stdout: str) -> str:
    from datetime import datetime

    # "... a day of six candidates on Sunday 22 November 2026."
    text = stdout.split(" on ", 1)[1].split(".", 1)[0]
    return datetime.strptime(text, "%A %d %B %Y").date().isoformat()
