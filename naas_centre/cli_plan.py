"""The command line for a day's plan: ``plan check --day DATE``.

Kept beside ``naas_centre.cli``, which adds this subcommand to its parser. It only reads:
each rule the day's rota breaks is one line, and the exit status is 1 when there are
any, 0 when the day is feasible, 2 for bad arguments (no such day, no database).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from naas_centre import paths

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2
SUBCOMMANDS = ("plan",)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (use YYYY-MM-DD)") from None


def add_parsers(sub: Any, parser_class: type[argparse.ArgumentParser], add_db: Callable[[Any], None]) -> None:
    plan = sub.add_parser("plan", help="the day planned as a circuit")
    steps = plan.add_subparsers(dest="plan_command", metavar="STEP", parser_class=parser_class, required=True)
    check = steps.add_parser(
        "check",
        help="check a day's rota: nobody in two places at once, no assessor with their own employer's "
        "candidates or a declared conflict, adjustments kept",
        description="Prints each rule the day's rota breaks, one a line. Exit status 0 when the day "
        "is feasible, 1 when it breaks a rule, 2 for bad arguments. Changes nothing.",
    )
    check.add_argument("--day", type=_day, required=True, metavar="YYYY-MM-DD")
    add_db(check)
    check.set_defaults(run=_check)


def _target(args: argparse.Namespace) -> str | Path:
    if args.db:
        return str(args.db)
    return paths.default_db_in(args.data_dir)


def _check(args: argparse.Namespace) -> int:
    from db.migrate import open_read_only
    from naas_centre.services import planning
    from naas_centre.services.views import Actor, Role

    db = open_read_only(_target(args))  # reads only: an empty or foreign file stays as it was
    try:
        # Reading only: the command line holds the database file already, so it reads the
        # plan as its manager would, and changes nothing.
        actor = Actor("", "cli", "Command line", Role.CENTRE_MANAGER)
        refusals = planning.check(db, actor, args.day)
    finally:
        db.dispose()
    for r in refusals:
        print(r.text)
    if refusals:
        return EXIT_FAIL
    print(f"The rota for {args.day:%d %B %Y} keeps every rule.")
    return EXIT_OK
