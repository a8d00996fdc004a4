"""The command line as a user runs it: the real program in a subprocess, with its own data
folder and no display, so that a test sees exactly the exit status and the words a user
would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROGRAM = [sys.executable, "-m", "ui.main"]  # as the installed `naas-centre` script runs it


def program_env(data_dir: Path) -> dict[str, str]:
    env = {**os.environ, "NAAS_DATA_DIR": str(data_dir)}
    env.pop("DISPLAY", None)
    return env


def run_program(
    *args: str, data_dir: Path, timeout: float = 300, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``naas-centre ARGS`` run to its end; a hang fails at ``timeout`` instead of stalling."""
    return subprocess.run(
        [*PROGRAM, *args],
        capture_output=True,
        text=True,
        env=program_env(data_dir),
        cwd=cwd,
        check=False,
        timeout=timeout,
    )
