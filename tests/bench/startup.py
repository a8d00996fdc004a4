"""Startup speed: launch → sign-in window on screen, and sign-in → the day painted.

Starts the real program (``tests/drivers/launch.py``) as a subprocess, offscreen, N times each:

* ``login_window_s``: from launching the process to its "shown login" line (the window
  has been painted), measured from outside, so it includes the interpreter's own start.
* ``day_after_login_s``: from signing in (done by the launcher's ``--sign-in`` once the
  centre is open) to the day view painted, as the program reports it; this includes
  checking the password (argon2) and reading the day.

Prints one JSON object (medians, in seconds) on its last line.

    python tests/bench/startup.py [--runs 7] [--user assessor1]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def launch(db: Path, data_dir: Path, driver_args: list[str], pattern: str) -> tuple[float, float]:
    """(seconds from launch to the line, the seconds the line reports)."""
    from tests import drivers

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    start = time.perf_counter()
    proc = subprocess.Popen(
        drivers.command(*driver_args, app_args=["--db", str(db), "--data-dir", str(data_dir)]),
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    found: tuple[float, float] | None = None
    for line in proc.stdout:
        match = re.match(pattern, line.strip())
        if match and found is None:
            found = (time.perf_counter() - start, float(match.group(1)))
    code = proc.wait(timeout=120)
    if found is None or code != 0:
        raise SystemExit(f"the app did not report {pattern!r} (exit {code})")
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--user", default="assessor1", help="a demo account to sign in as")
    args = parser.parse_args()

    from naas_centre.demo.centre import ACCOUNTS, create_demo

    password = next(a.password for a in ACCOUNTS if a.username == args.user)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db_path = folder / "demo-centre.db"
        create_demo(db_path, data_dir=folder).db.dispose()

        shown = [
            launch(db_path, folder, ["--quit-after-shown"], r"^shown login (\d+\.\d+)s$")
            for _ in range(args.runs)
        ]
        day = [
            launch(db_path, folder, ["--sign-in", f"{args.user}:{password}"], r"^shown day (\d+\.\d+)s$")
            for _ in range(args.runs)
        ]
    result = {
        "runs": args.runs,
        "user": args.user,
        "login_window_s": round(statistics.median(s[0] for s in shown), 3),
        "login_window_max_s": round(max(s[0] for s in shown), 3),
        "login_window_in_process_s": round(statistics.median(s[1] for s in shown), 3),
        "day_after_login_s": round(statistics.median(d[1] for d in day), 3),
        "day_after_login_max_s": round(max(d[1] for d in day), 3),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
