"""The command line for score sheets: ``naas-centre export``.

Kept beside ``naas_centre.cli``, which adds it to its parser with ``add_parsers``. Who
acts is decided as ``reports`` decides it: with ``--user`` and ``--password-file`` the
named account (checked by the services like any other); without them, whoever holds
the database file acts as its centre manager. Bad input (an unknown employer, a date
that is not one, a folder that does not exist) is one plain line and exit status 2,
and nothing is written.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from naas_centre import paths
from naas_centre.errors import UserError

EXIT_OK, EXIT_USAGE = 0, 2
SUBCOMMANDS = ("export",)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (use YYYY-MM-DD)") from None


def add_parsers(sub: Any, parser_class: type[argparse.ArgumentParser], add_db: Callable[[Any], None]) -> None:
    exp = sub.add_parser(
        "export",
        help="write score sheets for employers (CSV or XLSX), one row per candidate attempt",
        description="One row per sitting: the candidate, employer, level, day and attempt, each "
        "criterion's agreed level, each KSS area's result, the outcome, the assessors and each signed "
        "report's id and SHA-256. Equality monitoring never appears. With --equality, outcomes counted "
        "by monitoring group instead, for a period that has ended (--from, --to; small counts and what "
        "would give them away suppressed), for the quality-assurance lead only.",
    )
    exp.add_argument("--format", choices=("csv", "xlsx"), default=None, help="default: from --out's suffix")
    exp.add_argument("--out", type=Path, required=True, metavar="FILE", help="the file to write")
    exp.add_argument("--employer", metavar="NAME", help="only this employer's candidates")
    exp.add_argument("--day", type=_day, metavar="DATE", help="only this day (YYYY-MM-DD)")
    exp.add_argument("--level", metavar="LEVEL", help="practitioner, supervisor or leader")
    exp.add_argument(
        "--equality",
        action="store_true",
        help="outcomes by equality monitoring group, in aggregate (needs --user as the QA lead)",
    )
    exp.add_argument(
        "--from", dest="start", type=_day, metavar="DATE", help="with --equality: the period's first day"
    )
    exp.add_argument(
        "--to", dest="end", type=_day, metavar="DATE", help="with --equality: its last day (before today)"
    )
    exp.add_argument("--user", metavar="USERNAME", help="act as this account")
    exp.add_argument(
        "--password-file",
        type=Path,
        metavar="FILE",
        help="a file whose first line is that account's password (needed with --user)",
    )
    add_db(exp)
    exp.set_defaults(run=_export)


def _target(args: argparse.Namespace) -> str | Path:
    if args.db:
        return str(args.db)
    return paths.default_db_in(args.data_dir)


def _format(args: argparse.Namespace) -> str:
    out: Path = args.out.expanduser()
    if out.is_dir():
        raise UserError(f"{out} is a folder; give a file name such as {out / 'score-sheets.csv'}")
    if args.format:
        return str(args.format)
    suffix = out.suffix.lower().lstrip(".")
    if suffix in ("csv", "xlsx"):
        return suffix
    raise UserError(f"--format csv or --format xlsx: the format cannot be told from «{args.out.name}»")


def _check_equality_arguments(args: argparse.Namespace) -> None:
    if args.format == "xlsx":
        raise UserError("--equality writes CSV only")
    if args.day or args.employer or args.level:
        raise UserError(
            "--equality counts a whole period: give --from and --to, not --day, --employer or --level"
        )
    if not (args.start and args.end):
        raise UserError(
            "--equality needs a period that has ended: --from DATE --to DATE (figures are published "
            "for closed periods only)"
        )


def _export(args: argparse.Namespace) -> int:
    from naas_centre.cli_reports import _password_from
    from naas_centre.services import accounts, exports
    from naas_centre.services.centre import open_database
    from naas_centre.services.views import Actor, Role

    if args.user and not args.password_file:
        raise UserError("--user needs --password-file FILE (the password on its first line)")
    if args.password_file and not args.user:
        raise UserError("--password-file goes with --user USERNAME")
    fmt = "csv" if args.equality else _format(args)
    if args.equality:
        _check_equality_arguments(args)
    elif args.start or args.end:
        raise UserError("--from and --to go with --equality; score sheets take --day")
    password = _password_from(args.password_file) if args.password_file else None
    db = open_database(_target(args), args.data_dir, create=False)
    try:
        if args.user:
            assert password is not None
            actor = accounts.authenticate(db, args.user, password)
        else:
            # As ``reports`` does: the command line holds the database file already.
            actor = Actor("", "cli", "Command line", Role.CENTRE_MANAGER)
        if args.equality:
            from naas_centre.qa.disclosure import Period

            period = Period(args.start, args.end)
            result = exports.export_equality(db, actor, args.out, period, password=password)
            print(
                f"{result.path}: {result.rows} group(s) counted for {period.in_words()}, "
                "counts under 5 and what would give them away suppressed."
            )
            return EXIT_OK
        filters = exports.filters_for(db, args.day, args.employer, args.level)
        result = exports.export_score_sheets(
            db,
            actor,
            args.out,
            fmt,  # type: ignore[arg-type]
            filters,
            password=password,
        )
    finally:
        db.dispose()
    print(f"{result.path}: {result.rows} score sheet row(s) as {fmt.upper()}.", file=sys.stdout)
    return EXIT_OK
