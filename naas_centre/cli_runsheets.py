"""The command line for the day's run-sheets: ``naas-centre runsheets --day DATE --out DIR``.

Kept beside ``naas_centre.cli``, which adds the subcommand to its parser
(``add_parsers``, as ``cli_reports`` does). Bad input (a date that is not one, a day
with no circuit plan, a folder that cannot be written) is one plain line and exit
status 2; nothing is written for a day that cannot be printed.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from naas_centre import paths

EXIT_OK = 0
SUBCOMMANDS = ("runsheets",)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (use YYYY-MM-DD)") from None


def add_parsers(sub: Any, parser_class: type[argparse.ArgumentParser], add_db: Callable[[Any], None]) -> None:
    run = sub.add_parser(
        "runsheets",
        help="print the day's run-sheets as PDFs: each room's rota, each actor's pack, each "
        "candidate's timetable and the sign-in sheet",
        description="Writes the run-sheets of a day planned as a circuit into a folder. Each actor's "
        "pack holds their confidential brief: hand it to that actor only.",
    )
    run.add_argument("--day", type=_day, required=True, metavar="DATE", help="the day, as YYYY-MM-DD")
    run.add_argument("--out", type=Path, required=True, metavar="DIR", help="the folder to write them into")
    add_db(run)
    run.set_defaults(run=_runsheets)


def _target(args: argparse.Namespace) -> str | Path:
    if args.db:
        return str(args.db)
    return paths.default_db_in(args.data_dir)


def _runsheets(args: argparse.Namespace) -> int:
    from db.migrate import open_read_only
    from naas_centre.services import run_sheets
    from naas_centre.services.views import Actor, Role

    paths.check_name(args.out, "--out")
    db = open_read_only(_target(args))  # reads only: an empty or foreign file stays as it was
    try:
        # The command line holds the database file already: it prints as the centre's
        # manager would (reading only; nothing in the database changes).
        actor = Actor("", "cli", "Command line", Role.CENTRE_MANAGER)
        run_sheets.gather(db, actor, args.day)  # a day that cannot be printed: before any folder is made
        paths.usable_folder(args.out, "--out")
        written = run_sheets.write(db, actor, args.day, args.out)
    finally:
        db.dispose()
    print(f"{len(written)} run-sheet(s) written to {args.out}:")
    for path in written:
        print(f"  {path.name}")
    return EXIT_OK
