"""Start the real application and drive it from outside, for the end-to-end tests and the
start-up benchmark. Run by path (``tests/drivers/__init__.py`` says why)::

    python tests/drivers/launch.py --quit-after-shown -- --demo --data-dir DIR

``--quit-after-shown``   print ``shown login 0.21s`` (seconds since the process started)
                         once the sign-in window is painted, then quit
``--sign-in USER:PW``    print that line too, sign in as soon as the centre is open, print
                         ``shown day 0.12s`` (from signing in to the day painted), then quit
``--kiosk MODE``         drive the candidate kiosk once it shows (``kiosk_pilot.py``):
                         ``type`` types into it, ``report`` prints its state and quits;
                         a knowledge test's (``knowledge_pilot.py``): ``answer`` answers
                         and flags, ``report`` prints what it shows and quits
``--scoring PLAN``       the scripted assessor (``scoring_pilot.py``); PLAN is a JSON
                         object or the path of a file holding one

Everything after ``--`` is the program's own command line (``naas-centre --help``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

STARTED = time.perf_counter()


def process_age(fallback_start: float) -> float:
    """Seconds since this process started (from /proc where there is one)."""
    try:
        with open("/proc/self/stat", encoding="ascii") as f:
            start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as f:
            uptime = float(f.read().split()[0])
        return max(0.0, uptime - start_ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return time.perf_counter() - fallback_start


def _plan(raw: str) -> dict[str, Any]:
    raw = raw.strip()
    if not raw.startswith("{"):
        raw = Path(raw).read_text(encoding="utf-8")
    plan = json.loads(raw)
    if not isinstance(plan, dict):
        raise SystemExit("launch.py: --scoring must be a JSON object")
    return plan


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="launch.py", description="Start naas-centre and drive it.")
    parser.add_argument("--quit-after-shown", action="store_true")
    parser.add_argument("--sign-in", metavar="USER:PASSWORD")
    parser.add_argument("--kiosk", choices=("type", "answer", "report"))
    parser.add_argument("--scoring", metavar="PLAN")
    return parser


def drive(centre: Any, args: argparse.Namespace) -> None:
    """Attach the chosen drivers to the application before it starts."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    # Each driver is a QObject owned by what it drives, so it lives as long as that does.
    if args.quit_after_shown or args.sign_in:

        def painted() -> None:
            print(f"shown login {process_age(STARTED):.3f}s", flush=True)
            if not args.sign_in:
                QTimer.singleShot(0, QApplication.quit)

        centre.login.first_painted.connect(painted)

    if args.sign_in:
        user, _, password = args.sign_in.partition(":")
        began = [0.0]

        def sign_in() -> None:
            began[0] = time.perf_counter()
            centre.login.username.setText(user)
            centre.sign_in(user, password)

        def day_painted() -> None:
            print(f"shown day {time.perf_counter() - began[0]:.3f}s", flush=True)
            QTimer.singleShot(0, QApplication.quit)

        centre.centre_ready.connect(sign_in)
        centre.signed_in.connect(lambda _actor: centre.main_window.day_view.day_painted.connect(day_painted))

    if args.kiosk:
        import kiosk_pilot
        import knowledge_pilot

        def attach(kiosk: Any) -> None:
            if kiosk.objectName() == "KnowledgeKioskWindow":
                knowledge_pilot.attach(kiosk, args.kiosk)
            else:
                kiosk_pilot.attach(kiosk, args.kiosk)

        centre.kiosk_shown.connect(attach)

    if args.scoring:
        import scoring_pilot

        scoring_pilot.Autopilot(centre, _plan(args.scoring))


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    ours, app_args = (argv[: argv.index("--")], argv[argv.index("--") + 1 :]) if "--" in argv else (argv, [])
    args = _parser().parse_args(ours)

    from ui.main import build_parser

    app = build_parser().parse_args(app_args)
    from ui.shell.app import run_gui

    return run_gui(
        db=app.db,
        data_dir=app.data_dir,
        demo=app.demo,
        theme_name=app.theme,
        on_start=lambda centre: drive(centre, args),
    )


if __name__ == "__main__":
    sys.exit(main())
