"""Nothing lost: the real app, killed with SIGKILL in the middle of a sitting.

An assessor (``tests/drivers/scoring_pilot.py``, driving the real widgets) starts the reading phase,
then clicks rubric cells and types notes; the app prints a line for each change once
the screen shows it as saved. The test kills the process at an arbitrary point of that
stream, then checks that (a) every change shown as saved is in the database, and (b)
the restarted app, opening the same sitting, shows every one of them, a clock that
kept running while the app was down, and a recorded gap.
"""

from __future__ import annotations

import json
import os
import queue
import random
import signal
import subprocess
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from db.models import EvidenceNoteRow, PhaseEventRow, ScoreRow
from naas_centre import paths
from naas_centre.demo.centre import ACCOUNTS, create_demo
from naas_centre.services import accounts, sittings
from tests import drivers

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow
PASSWORD = next(a.password for a in ACCOUNTS if a.username == "assessor1")


def run_app(db: Path, data_dir: Path, plan: dict[str, Any], log: Path, done: Any, *, kill: bool) -> list[str]:
    """Starts the app, reads its lines until ``done(lines)``, then SIGKILLs it or lets it quit."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    lines: list[str] = []
    with (
        log.open("w", encoding="utf-8") as errors,
        subprocess.Popen(
            drivers.command(
                "--scoring", json.dumps(plan), app_args=["--db", str(db), "--data-dir", str(data_dir)]
            ),
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            bufsize=1,
        ) as proc,
    ):
        assert proc.stdout is not None
        incoming: queue.Queue[str | None] = queue.Queue()
        stdout = proc.stdout

        def pump() -> None:
            for line in stdout:
                incoming.put(line.rstrip("\n"))
            incoming.put(None)

        threading.Thread(target=pump, daemon=True).start()
        deadline = time.monotonic() + 90
        try:
            while not done(lines):
                try:
                    line = incoming.get(timeout=max(0.1, deadline - time.monotonic()))
                except queue.Empty:
                    line = None
                if line is None:
                    raise AssertionError(
                        f"the app stopped or stalled; it printed {lines}; its log:\n"
                        + log.read_text(encoding="utf-8")[-3000:]
                    )
                lines.append(line)
            if kill:
                proc.send_signal(signal.SIGKILL)  # no goodbye: mid-stream, writes may be in flight
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return lines


@pytest.mark.parametrize("seed", [1, 2])
def test_killed_mid_sitting_nothing_saved_is_lost_and_the_clock_is_right(tmp_path: Path, seed: int) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    db_path = paths.demo_db_path(data_dir)
    made = create_demo(db_path, data_dir=data_dir)
    assessor = accounts.authenticate(made.db, "assessor1", PASSWORD)
    sitting_id = sittings.list_for_assessor(made.db, assessor, made.day)[0].id
    made.db.dispose()

    kill_after = random.Random(seed).randint(4, 14)  # saved changes seen before the kill
    plan = {
        "login": ["assessor1", PASSWORD],
        "sitting": sitting_id,
        "start_phase": True,
        "items": 60,
        "interval_ms": 40,
    }
    lines = run_app(
        db_path,
        data_dir,
        plan,
        tmp_path / "first.log",
        lambda ls: sum(1 for line in ls if line.startswith("saved ")) >= 1 + kill_after,
        kill=True,
    )
    killed_at = time.monotonic()
    saved = [line.split(" ", 4) for line in lines if line.startswith("saved ")]
    start = [s for s in saved if s[1] == "start"]
    levels = {(s[2], s[3]): int(s[4]) for s in saved if s[1] == "level"}
    noted = {s[3]: s[4] for s in saved if s[1] == "note"}
    assert len(start) == 1 and levels and noted, lines

    # (a) Everything the screen showed as saved is in the database.
    from db.engine import Database

    db = Database(db_path, "00000000-0000-4000-8000-0000000000aa")
    try:
        with db.read() as s:
            started = s.scalar(
                select(PhaseEventRow).where(
                    PhaseEventRow.sitting_id == sitting_id, PhaseEventRow.kind == "start"
                )
            )
            assert started is not None and started.phase == "reading"
            start_at, length = started.at, started.adjusted_ms
            stored_levels = {
                (r.station_id, r.criterion_id): r.level
                for r in s.scalars(
                    select(ScoreRow).where(
                        ScoreRow.sitting_id == sitting_id, ScoreRow.assessor_id == assessor.account_id
                    )
                )
            }
            stored_notes = {
                r.id: r.text
                for r in s.scalars(select(EvidenceNoteRow).where(EvidenceNoteRow.sitting_id == sitting_id))
            }
    finally:
        db.dispose()
    for key, value in levels.items():
        assert stored_levels.get(key) == value, key
    for note_id, text in noted.items():
        assert stored_notes.get(note_id) == text, note_id

    # The app stays down for a while: the clock runs on, and the gap will be recorded.
    time.sleep(max(0.0, 6.0 - (time.monotonic() - killed_at)))

    # (b) Started again, the same sitting shows every saved change and the right time.
    out = run_app(
        db_path,
        data_dir,
        {"login": ["assessor1", PASSWORD], "sitting": sitting_id, "report": True},
        tmp_path / "again.log",
        lambda ls: any(line.startswith("snapshot ") for line in ls),
        kill=False,
    )
    snapshot = json.loads(next(line for line in out if line.startswith("snapshot "))[len("snapshot ") :])
    shown = snapshot["stations"]
    for (station, criterion), value in levels.items():
        assert shown[station]["levels"][criterion] == [value, "saved"], (station, criterion)
    shown_notes = {n["id"]: n for st in shown.values() for n in st["notes"]}
    for note_id, text in noted.items():
        assert shown_notes[note_id]["text"] == text and shown_notes[note_id]["state"] == "saved"
    station = start[0][2]
    clock = shown[station]["clock"]
    assert clock["phase"] == "reading" and clock["status"] == "running"
    expected = length - (datetime.fromisoformat(snapshot["now"]) - start_at).total_seconds() * 1000
    assert abs(clock["remaining_ms"] - expected) < 50  # computed from the recorded start
    assert expected < length - 6000  # the time the app was down has passed on the clock
    minutes, seconds = divmod(-(-int(clock["remaining_ms"]) // 1000), 60)
    assert (
        clock["shown"] == f"{minutes:02d}:{seconds:02d}"
        or abs(clock["remaining_ms"] - (minutes * 60 + seconds) * 1000) < 400
    )
    assert clock["downtime_ms"] >= 5000  # the gap, as the screen knows it

    db = Database(db_path, "00000000-0000-4000-8000-0000000000aa")
    try:
        with db.read() as s:
            gaps = s.scalars(
                select(PhaseEventRow).where(
                    PhaseEventRow.sitting_id == sitting_id, PhaseEventRow.kind == "downtime"
                )
            ).all()
            assert len(gaps) == 1 and gaps[0].phase == "reading" and (gaps[0].gap_ms or 0) >= 5000
    finally:
        db.dispose()
