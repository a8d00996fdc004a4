"""``naas-centre candidates export-subject|erase`` and ``retention apply|hold|release``:
a real subprocess on a scored centre, its output, exit codes and the trail after."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from db.models import CandidateRow, EqualityMonitoringRow
from naas_centre import cli
from tests.reports import conftest as scored
from tests.reports.conftest import NAMES, PASSWORDS, Centre

scored_template, centre = scored.scored_template, scored.centre
ROOT = Path(__file__).resolve().parents[2]


def _module(command: str) -> list[str]:
    """The main command line once it names these subcommands, else the module on its own."""
    wired = command in {name for name, _ in cli.subcommands()}
    return ["-m", "naas_centre.cli"] if wired else ["-m", f"naas_centre.cli_{command}"]


def _run(
    centre: Centre, password: Path, *args: str, user: str = "manager"
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("DISPLAY", None)
    return subprocess.run(
        [
            sys.executable,
            *_module(args[0]),
            *args,
            *("--db", str(centre.path), "--data-dir", str(centre.data_dir)),
            *("--user", user, "--password-file", str(password)),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        cwd=ROOT,
        timeout=120,
    )


def _audit_verify(centre: Centre) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "naas_centre.cli", "audit", "verify", "--db", str(centre.path)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
        cwd=ROOT,
        timeout=120,
    )


def _state(centre: Centre) -> tuple[set[str], int]:
    with centre.db.read() as s:
        names = set(s.scalars(select(CandidateRow.full_name)))
        return names, int(s.scalar(select(func.count()).select_from(EqualityMonitoringRow)) or 0)


def _registration(centre: Centre, name: str) -> str:
    with centre.db.read() as s:
        return str(
            s.scalars(select(CandidateRow.registration_number).where(CandidateRow.full_name == name)).one()
        )


def test_subject_access_hold_retention_and_erasure_from_the_command_line(
    centre: Centre, tmp_path: Path
) -> None:
    password = tmp_path / "manager.pw"
    password.write_text(PASSWORDS["manager"] + "\n")
    wrong = tmp_path / "wrong.pw"
    wrong.write_text("not the password at all\n")
    held, other = _registration(centre, NAMES[0]), _registration(centre, NAMES[1])

    out = tmp_path / "sar"
    out.mkdir()
    run = _run(centre, password, "candidates", "export-subject", "--candidate", held, "--out", str(out))
    assert run.returncode == 0, run.stderr
    made = json.loads((out / f"subject-access-{held}.json").read_text("utf-8"))
    assert made["tables"]["candidates"][0]["full_name"] == NAMES[0]
    assert (out / f"subject-access-{held}.pdf").read_bytes().startswith(b"%PDF")

    run = _run(centre, password, "retention", "hold", "--candidate", held, "--reason", "Appeal lodged")
    assert run.returncode == 0 and f"{held}: held" in run.stdout, run.stderr
    before = _state(centre)
    run = _run(centre, password, "retention", "apply", "--dry-run", "--today", "2060-01-01")
    assert run.returncode == 0 and "would remove" in run.stdout and "dry run" in run.stdout, run.stderr
    assert _state(centre) == before  # signing in writes; the data does not change
    run = _run(centre, password, "retention", "apply", "--today", "2060-01-01")
    assert run.returncode == 0, run.stderr
    assert (
        "identity: removed" in run.stdout and f"held: 1 candidate(s) kept as they are: {held}" in run.stdout
    )
    with centre.db.read() as s:
        names = set(s.scalars(select(CandidateRow.full_name)))
        assert NAMES[0] in names and NAMES[1] not in names
        assert s.scalar(select(func.count()).select_from(EqualityMonitoringRow)) == 1
    verified = _audit_verify(centre)
    assert verified.returncode == 0 and "intact" in verified.stdout, verified.stdout + verified.stderr

    run = _run(centre, password, "candidates", "erase", "--candidate", held, "--reason", "Her request")
    assert run.returncode == 2 and "legal hold" in run.stderr and "Traceback" not in run.stderr
    run = _run(centre, wrong, "candidates", "erase", "--candidate", held, "--reason", "Her request")
    assert run.returncode == 2 and "Traceback" not in run.stderr
    run = _run(centre, password, "retention", "release", "--candidate", held, "--reason", "Appeal decided")
    assert run.returncode == 0, run.stderr
    run = _run(centre, password, "candidates", "erase", "--candidate", held, "--reason", "Her request")
    assert run.returncode == 0, run.stderr
    assert (
        "Erased; the candidate is now Erased candidate" in run.stdout
        and "kept: audit trail entries" in run.stdout
    )
    run = _run(centre, password, "candidates", "erase", "--candidate", other, "--reason", "again")
    assert run.returncode == 2 and "No candidate has the registration number" in run.stderr  # already gone
    verified = _audit_verify(centre)
    assert verified.returncode == 0 and "intact" in verified.stdout, verified.stdout + verified.stderr
