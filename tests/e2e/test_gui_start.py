"""The GUI as a user starts it: a real process, offscreen, quitting once the sign-in
window is on screen (``tests/drivers/launch.py --quit-after-shown``); and a plain message
(exit 2) where there is no display at all."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests import drivers

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def start(
    args: list[str], env: dict[str, str], *, drivers_args: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    command = (
        drivers.command(*drivers_args, app_args=args)
        if drivers_args
        else [sys.executable, "-m", "ui.main", *args]
    )
    return subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_sign_in_window_shows_and_the_app_quits_cleanly(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    run = start(["--demo", "--data-dir", str(tmp_path)], env, drivers_args=("--quit-after-shown",))
    assert run.returncode == 0, run.stdout + run.stderr
    shown = re.search(r"^shown login (\d+\.\d+)s$", run.stdout, re.MULTILINE)
    assert shown, run.stdout
    assert float(shown.group(1)) < 10  # the 0.5 s target is measured by tests/bench/startup.py
    assert "Traceback" not in run.stderr


def test_without_a_display_it_says_how_to_get_one(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    run = start(["--demo", "--data-dir", str(tmp_path)], env)
    assert run.returncode == 2
    assert "no display" in run.stderr
    assert "xvfb-run ./start --demo" in run.stderr and "QT_QPA_PLATFORM=offscreen" in run.stderr
    assert "Traceback" not in run.stderr
    assert not any(tmp_path.iterdir())  # nothing was created
