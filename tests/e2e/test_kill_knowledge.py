"""Killing the knowledge-test kiosk mid-form loses no answer or flag it showed, and the
form comes back at the next start, before anyone signs in, with the same items in the
same order, the same answers and flags and the same clock.

The real program runs as a subprocess (offscreen) under ``tests/drivers/launch.py``: it
finds the knowledge test left open on the workstation as it starts, and the candidate
pilot (``tests/drivers/knowledge_pilot.py``) answers and flags through real mouse events,
printing each once it is durable; the test kills it with SIGKILL after a few answers,
then starts the program again to report what the reopened kiosk shows.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from db.models import KnowledgeAnswerRow, KnowledgeFormRow
from naas_centre import paths
from naas_centre.demo.centre import create_demo
from naas_centre.services import accounts, centre, knowledge, sittings
from tests import drivers
from tests.drivers.knowledge_pilot import FLAGGED_AT

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")]

ANSWERS_BEFORE_KILL = 6


def _pilot(folder: Path, mode: str, errors: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("NAAS_DATA_DIR", None)
    with errors.open("w", encoding="utf-8") as err:
        return subprocess.Popen(
            drivers.command("--kiosk", mode, app_args=["--demo", "--data-dir", str(folder)]),
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )


def test_a_killed_knowledge_kiosk_resumes_the_same_form_answers_and_clock(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    made = create_demo(paths.demo_db_path(folder), data_dir=folder)
    try:
        a1 = accounts.authenticate(made.db, "assessor1", "demo-assessor-2026")
        sitting_id = sittings.list_for_assessor(made.db, a1, made.day)[0].id
        sittings.set_status(made.db, a1, sitting_id, "checked_in")
        knowledge.open_form(made.db, a1, sitting_id)
    finally:
        made.db.dispose()

    errors = tmp_path / "answer.err"
    first = _pilot(folder, "answer", errors)
    answered: list[tuple[int, str, str]] = []
    flagged: list[str] = []
    try:
        assert first.stdout is not None
        for line in first.stdout:  # blocks until the kiosk says an answer is durable
            if line.startswith("pilot flagged "):
                flagged.append(line.split()[3])
            if line.startswith("pilot answered "):
                _, _, n, item, option = line.split()
                answered.append((int(n), item, option))
                if len(answered) == ANSWERS_BEFORE_KILL:
                    os.kill(first.pid, signal.SIGKILL)
                    break
        first.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
        if first.stdout is not None:
            first.stdout.close()
    assert len(answered) == ANSWERS_BEFORE_KILL, errors.read_text(encoding="utf-8")
    assert first.returncode == -signal.SIGKILL

    db = centre.open_database(paths.demo_db_path(folder), folder)
    try:
        with db.read() as s:
            form = s.scalar(select(KnowledgeFormRow))
            assert form is not None
            order = [i["id"] for i in json.loads(form.items)]
            saved = {r.item_id: json.loads(r.chosen) for r in s.scalars(select(KnowledgeAnswerRow))}
            flags = [r.item_id for r in s.scalars(select(KnowledgeAnswerRow)) if r.flagged]
    finally:
        db.dispose()
    for n, item, option in answered:  # every answer shown as chosen is on disk
        assert order[n] == item and saved[item] == [option]
    assert flagged == flags == [order[FLAGGED_AT]]  # the flag shown is on disk, and only it

    errors = tmp_path / "report.err"
    second = _pilot(folder, "report", errors)
    stdout, _ = second.communicate(timeout=90)
    assert second.returncode == 0, stdout + errors.read_text(encoding="utf-8")
    shown = json.loads(
        next(x for x in stdout.splitlines() if x.startswith("pilot shown ")).removeprefix("pilot shown ")
    )
    assert [i for i, _ in shown["items"]] == order
    chosen = {i: c for i, c in shown["items"] if c}
    assert chosen == saved
    assert shown["flagged"] == flags
    assert 0 < shown["remaining_ms"] <= form.allowed_ms
    assert "Traceback" not in errors.read_text(encoding="utf-8")
