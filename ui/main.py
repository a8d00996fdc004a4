"""The entry point: ``naas-centre`` (the GUI) and its command-line subcommands.

Kept light on purpose: this module imports neither PySide6 nor SQLAlchemy, so
``--help``, subcommands and the display check answer at once, and the GUI path imports
Qt only once it knows it will show a window. The database is opened after the sign-in
window is on screen, in the background.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

# Only if the command line cannot be imported (a broken install); a test holds it to the parser.
FALLBACK_SUBCOMMANDS = (
    "demo",
    "scenarios",
    "audit",
    "db",
    "verify",
    "ca",
    "reports",
    "candidates",
    "plan",
    "runsheets",
    "export",
    "bundle",
    "qa",
    "video",
    "backup",
    "restore",
    "retention",
)

NO_DISPLAY = (
    "naas-centre: no display: run under a desktop session, or `xvfb-run ./start --demo`, "
    "or QT_QPA_PLATFORM=offscreen for a headless check."
)


def _subcommands() -> tuple[str, ...]:
    try:
        from naas_centre.cli import SUBCOMMANDS
    except ImportError:
        return FALLBACK_SUBCOMMANDS
    return tuple(SUBCOMMANDS)


def _epilog() -> str:
    """The subcommands as the command line's own parser declares them."""
    try:
        from naas_centre.cli import epilog
    except ImportError:
        return "subcommands (naas-centre SUBCOMMAND --help): " + ", ".join(FALLBACK_SUBCOMMANDS) + "."
    return epilog()


def wants_cli(argv: Sequence[str]) -> bool:
    """A subcommand or ``--version`` goes to the command line, not the GUI."""
    if "--version" in argv:
        return True
    if not argv or argv[0].startswith("-"):
        return False  # only options: the GUI (and no import of the CLI's services)
    return argv[0] in _subcommands()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="naas-centre",
        description="Observed practice assessment: score actor-played scenarios against rubric grids.",
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--db", metavar="URL-or-PATH", help="the centre database to open (a file or a URL)")
    parser.add_argument("--data-dir", metavar="DIR", type=Path, help="the data folder (default: the user's)")
    parser.add_argument("--demo", action="store_true", help="open the demo centre (made on first use)")
    shade = parser.add_mutually_exclusive_group()
    shade.add_argument("--dark", dest="theme", action="store_const", const="dark", help="dark theme")
    shade.add_argument("--light", dest="theme", action="store_const", const="light", help="light theme")
    shade.add_argument(
        "--high-contrast",
        dest="theme",
        action="store_const",
        const="high-contrast",
        help="high-contrast theme",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    return parser


def has_display(env: os._Environ[str] | dict[str, str] | None = None) -> bool:
    env = os.environ if env is None else env
    if env.get("QT_QPA_PLATFORM"):
        return True
    if not sys.platform.startswith("linux"):
        return True  # Windows and macOS always have their own window system
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def main(argv: Sequence[str] | None = None) -> int:
    from naas_centre.paths import owner_only_umask

    owner_only_umask()  # every file the app writes (journal, logs, exports) is its owner's alone
    args_list = list(sys.argv[1:] if argv is None else argv)
    if wants_cli(args_list):
        try:
            from naas_centre import cli
        except ImportError as exc:
            if "--version" in args_list:
                from naas_centre import __version__

                print(f"naas-centre {__version__}")
                return 0
            print(f"naas-centre: the command line is not available ({exc}).", file=sys.stderr)
            return 2
        return int(cli.main(args_list) or 0)
    args = build_parser().parse_args(args_list)
    if args.db and args.demo:
        print("naas-centre: --db and --demo name two databases; give one of them.", file=sys.stderr)
        return 2
    if not has_display():
        print(NO_DISPLAY, file=sys.stderr)
        return 2
    from ui.shell.app import run_gui  # Qt is imported from here on

    return run_gui(db=args.db, data_dir=args.data_dir, demo=args.demo, theme_name=args.theme)


if __name__ == "__main__":
    sys.exit(main())
