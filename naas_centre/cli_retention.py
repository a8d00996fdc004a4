"""The command line for retention: ``naas-centre retention apply [--dry-run] [--today DATE]``
removes what has run out of its period (``--dry-run`` only says what would go);
``retention hold --candidate REG --reason TEXT`` and ``retention release ...`` place and
lift a legal hold; ``retention periods`` lists the periods.

Kept beside ``naas_centre.cli``, which adds these subcommands to its parser; it also
runs on its own (``python -m naas_centre.cli_retention retention apply ...``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from naas_centre import paths
from naas_centre.cli_candidates import _password_from, _target, add_signer
from naas_centre.errors import UserError

EXIT_OK, EXIT_USAGE = 0, 2
SUBCOMMANDS = ("retention",)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date such as 2027-01-31") from None


def add_parsers(sub: Any, parser_class: type[argparse.ArgumentParser], add_db: Callable[[Any], None]) -> None:
    ret = sub.add_parser("retention", help="retention periods, removing what has run out, legal holds")
    ret_sub = ret.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=parser_class)
    apply = ret_sub.add_parser(
        "apply",
        help="remove or blank every kind of data past its retention period",
        description="Removes or blanks what has run out, one transaction, audited by kind and count. "
        "Candidates under a legal hold are left as they are.",
    )
    apply.add_argument("--dry-run", action="store_true", help="only say what would be removed")
    apply.add_argument("--today", type=_day, metavar="DATE", help="the day to count from (default: today)")
    add_signer(apply, add_db)
    apply.set_defaults(run=_apply)
    periods = ret_sub.add_parser("periods", help="list the retention period of each kind of data")
    add_signer(periods, add_db)
    periods.set_defaults(run=_periods)
    for name, helps in (
        ("hold", "stop retention and erasure for one candidate (an appeal in progress)"),
        ("release", "lift a candidate's legal hold"),
    ):
        p = ret_sub.add_parser(name, help=helps)
        p.add_argument(
            "--candidate", required=True, metavar="REG", help="the candidate's registration number"
        )
        p.add_argument("--reason", required=True, metavar="TEXT", help="why (kept with the hold)")
        add_signer(p, add_db)
        p.set_defaults(run=_hold if name == "hold" else _release)


def _periods(args: argparse.Namespace) -> int:
    from naas_centre.services import accounts, retention
    from naas_centre.services.centre import open_database

    db = open_database(_target(args), args.data_dir, create=False)
    try:
        actor = accounts.authenticate(db, args.user, _password_from(args.password_file))
        for period in retention.retention_periods(db, actor):
            print(f"{period.kind.value}: {period.text}{' (default)' if period.default else ''}")
    finally:
        db.dispose()
    return EXIT_OK


def _apply(args: argparse.Namespace) -> int:
    from naas_centre.services import accounts, retention
    from naas_centre.services.centre import open_database

    today = args.today or date.today()
    db = open_database(_target(args), args.data_dir, create=False)
    try:
        actor = accounts.authenticate(db, args.user, _password_from(args.password_file))
        result = retention.apply_retention(
            db, actor, today, dry_run=args.dry_run, data_dir=paths.data_dir(args.data_dir)
        )
    finally:
        db.dispose()
    verb = "would remove" if result.dry_run else "removed"
    for r in result.removed:
        print(f"{r.kind.value}: {verb} {r.count} from {r.table}")
    if result.held:
        print(f"held: {len(result.held)} candidate(s) kept as they are: {', '.join(result.held)}")
    if result.audit_entries_past_period:
        print(
            f"audit: {result.audit_entries_past_period} entries are past the period and kept "
            "(the trail is never shortened)"
        )
    print(
        f"{today.isoformat()}: {verb} {result.total} record(s)"
        + (" (dry run: nothing changed)" if result.dry_run else "")
    )
    return EXIT_OK


def _hold(args: argparse.Namespace) -> int:
    return _holding(args, place=True)


def _release(args: argparse.Namespace) -> int:
    return _holding(args, place=False)


def _holding(args: argparse.Namespace, *, place: bool) -> int:
    from naas_centre.services import accounts, retention
    from naas_centre.services.centre import open_database

    db = open_database(_target(args), args.data_dir, create=False)
    try:
        actor = accounts.authenticate(db, args.user, _password_from(args.password_file))
        cid = retention.candidate_by_registration(db, actor, args.candidate)
        act = retention.place_hold if place else retention.release_hold
        view = act(db, actor, cid, args.reason)
    finally:
        db.dispose()
    print(f"{view.registration_number}: {'held' if place else 'hold released'} ({args.reason.strip()})")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """These subcommands alone, with the main command line's error handling."""
    from naas_centre import cli

    parser = cli._Parser(prog="naas-centre")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=cli._Parser)
    add_parsers(sub, cli._Parser, cli._add_db)
    args = parser.parse_args(argv)
    run: Callable[[argparse.Namespace], int] | None = getattr(args, "run", None)
    if run is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return run(args)
    except UserError as exc:
        print(f"naas-centre: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"naas-centre: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
