"""Killing the kiosk mid-typing loses at most the last two seconds, and the next start
reopens the same script in the kiosk with the clock right.

The real program runs as a subprocess (offscreen) under ``tests/drivers/launch.py``:
``--kiosk type`` types into the real editor through key events and prints what it has
typed, with the time; the test kills the process with SIGKILL in the middle of it, reads
the database, and starts the program again with ``--kiosk report`` to see what the kiosk
shows.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from db.models import AuditEntryRow, PhaseEventRow, ScriptRow
from naas_centre import paths
from naas_centre.demo.centre import create_demo
from naas_centre.services import accounts, centre, sittings, written
from tests import drivers

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")]

LOSS_ALLOWED_S = 2.0


def _env() -> dict[str, str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("NAAS_DATA_DIR", None)
    return env


def _start(folder: Path, mode: str, errors: Path) -> subprocess.Popen[str]:
    with errors.open("w", encoding="utf-8") as err:  # a file: Qt's chatter never fills a pipe
        return subprocess.Popen(
            drivers.command("--kiosk", mode, app_args=["--demo", "--data-dir", str(folder)]),
            cwd=ROOT,
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )


def _kiosk_left_open(folder: Path) -> str:
    """A demo centre whose first sitting's candidate is in the kiosk on this workstation."""
    folder.mkdir(parents=True, exist_ok=True)
    made = create_demo(paths.demo_db_path(folder), data_dir=folder)
    try:
        a1 = accounts.authenticate(made.db, "assessor1", "demo-assessor-2026")
        sitting_id = sittings.list_for_assessor(made.db, a1, made.day)[0].id
        sittings.set_status(made.db, a1, sitting_id, "checked_in")
        written.open_kiosk(made.db, a1, sitting_id)
        return sitting_id
    finally:
        made.db.dispose()


class _Lines:
    """Reads a process's output on a thread, so the test can watch it as it comes."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self._thread.start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            self.lines.append(line.rstrip("\n"))

    def typed(self) -> list[tuple[float, int]]:
        out = []
        for line in list(self.lines):
            if line.startswith("autopilot typed "):
                _, _, at, count = line.split()
                out.append((float(at), int(count)))
        return out

    def join(self) -> None:
        self._thread.join(timeout=10)


def test_a_killed_kiosk_loses_at_most_two_seconds_and_reopens_the_same_script(tmp_path: Path) -> None:
    from tests.drivers.kiosk_pilot import typed_text

    folder = tmp_path / "data"
    sitting_id = _kiosk_left_open(folder)

    # 1. The app starts, finds the kiosk open, reopens it; the autopilot starts and types.
    first_errors = tmp_path / "first.err"
    first = _start(folder, "type", first_errors)
    out = _Lines(first)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and first.poll() is None:
            typed = out.typed()
            if typed and typed[-1][0] - typed[0][0] >= 6.0:  # six seconds of typing
                break
            time.sleep(0.05)
        assert first.poll() is None, first_errors.read_text(encoding="utf-8")
        time.sleep(0.37)  # somewhere between two autosaves, not in step with them
        killed_at = time.time()
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    out.join()
    assert first.stdout is not None
    first.stdout.close()
    typed = out.typed()
    assert typed, "\n".join(out.lines)
    assert first.returncode == -signal.SIGKILL

    db = centre.open_database(paths.demo_db_path(folder), folder)
    try:
        with db.read() as s:
            script = s.scalar(select(ScriptRow).where(ScriptRow.sitting_id == sitting_id))
            assert script is not None
            saved = script.text
            start = s.scalar(
                select(PhaseEventRow.at).where(
                    PhaseEventRow.sitting_id == sitting_id,
                    PhaseEventRow.phase == "writing",
                    PhaseEventRow.kind == "start",
                )
            )
            actions = list(
                s.scalars(select(AuditEntryRow.action).where(AuditEntryRow.action.like("kiosk.%")))
            )
    finally:
        db.dispose()

    # Everything typed up to two seconds before the kill is in the database, exactly.
    safe = max((count for at, count in typed if at <= killed_at - LOSS_ALLOWED_S), default=0)
    print(f"typed {typed[-1][1]} chars, saved {len(saved)}, safe {safe}, lost {typed[-1][1] - len(saved)}")
    assert safe > 100, f"only {safe} characters typed two seconds before the kill"
    assert saved == typed_text(len(saved)), "the saved script is not what was typed"
    assert len(saved) >= safe, f"{safe - len(saved)} characters typed > 2 s before the kill were lost"
    assert len(saved) <= typed[-1][1] + 20
    assert start is not None
    assert actions == ["kiosk.open", "kiosk.resume"]  # reopened at start, never left

    # 2. The app starts again: the same kiosk, the same script, the clock from the instants.
    second_errors = tmp_path / "second.err"
    second = _start(folder, "report", second_errors)
    stdout, _ = second.communicate(timeout=90)
    stderr = second_errors.read_text(encoding="utf-8")
    assert second.returncode == 0, stdout + stderr
    line = next(x for x in stdout.splitlines() if x.startswith("autopilot resumed "))
    shown = json.loads(line.removeprefix("autopilot resumed "))
    assert shown["sitting_id"] == sitting_id
    assert shown["length"] == len(saved)
    assert shown["sha256"] == hashlib.sha256(saved.encode()).hexdigest()
    assert shown["status"] == "running" and not shown["read_only"] and shown["full_screen"]
    elapsed_ms = (datetime.fromisoformat(shown["at"]) - start).total_seconds() * 1000
    assert abs(shown["length_ms"] - elapsed_ms - shown["remaining_ms"]) < 1500
    assert "Traceback" not in stderr
