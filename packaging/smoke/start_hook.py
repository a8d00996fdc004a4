"""The smoke test's start-up hook, frozen beside ``naas-centre`` in the bundle: it opens
the centre given, signs in as soon as the centre is open, and quits once the day has
been painted, printing ``shown login``, ``signed in`` and ``shown day`` as each happens.
It drives the application through its public signals only, like ``tests/drivers/launch.py``.

    naas-centre-smoke --sign-in USER:PASSWORD -- [naas-centre OPTIONS]

Exit status 0 once the day is shown; 1 if it is not shown within ``--give-up`` seconds.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="naas-centre-smoke")
    parser.add_argument("--sign-in", required=True, metavar="USER:PASSWORD")
    parser.add_argument("--give-up", type=float, default=120.0, metavar="SECONDS")
    return parser


def main(argv: list[str]) -> int:
    ours, app_args = (argv[: argv.index("--")], argv[argv.index("--") + 1 :]) if "--" in argv else (argv, [])
    args = _parser().parse_args(ours)
    user, _, password = args.sign_in.partition(":")

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from ui.main import build_parser
    from ui.shell.app import run_gui

    app = build_parser().parse_args(app_args)
    outcome = {"day": False}

    def attach(centre: Any) -> None:
        def sign_in() -> None:
            centre.login.username.setText(user)
            centre.sign_in(user, password)

        def day_painted() -> None:
            outcome["day"] = True
            print("shown day", flush=True)
            QTimer.singleShot(0, QApplication.quit)

        def signed_in(actor: Any) -> None:
            print(f"signed in {user}", flush=True)
            centre.main_window.day_view.day_painted.connect(day_painted)

        centre.login.first_painted.connect(lambda: print("shown login", flush=True))
        centre.centre_ready.connect(sign_in)
        centre.signed_in.connect(signed_in)

        def give_up() -> None:
            print(f"naas-centre-smoke: the day was not shown within {args.give_up:g} s", file=sys.stderr)
            QApplication.exit(1)

        QTimer.singleShot(int(args.give_up * 1000), give_up)

    code = run_gui(db=app.db, data_dir=app.data_dir, demo=app.demo, theme_name=app.theme, on_start=attach)
    return code if code else (0 if outcome["day"] else 1)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
