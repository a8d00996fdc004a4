"""The command line for backups: ``naas-centre backup`` and ``naas-centre restore``.

Kept beside ``naas_centre.cli``, which adds these subcommands to its parser with
``add_parsers``. A backup is proven before it keeps its name; a restore refuses a damaged,
truncated, foreign or newer file in one plain line (exit status 2) and changes nothing.
A centre on a PostgreSQL server is refused plainly: ``pg_dump`` is the tool there.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from naas_centre import paths
from naas_centre.errors import UserError

EXIT_OK = 0
SUBCOMMANDS = ("backup", "restore")


def _keep(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def add_parsers(sub: Any, parser_class: type[argparse.ArgumentParser], add_db: Callable[[Any], None]) -> None:
    from naas_centre.backup.names import DEFAULT_KEEP

    back = sub.add_parser(
        "backup",
        help="a checked copy of the centre database into a folder, keeping the newest copies",
        description="The copy is consistent while the app runs, checked (integrity and the audit "
        "trail) before it takes its name, named with the centre and the time, and readable by "
        "its owner only. A centre on a PostgreSQL server is backed up with pg_dump instead.",
    )
    back.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="the folder or drive to write to"
    )
    back.add_argument(
        "--keep",
        type=_keep,
        default=DEFAULT_KEEP,
        metavar="N",
        help=f"copies of this centre to keep (default {DEFAULT_KEEP})",
    )
    add_db(back)
    back.set_defaults(run=_backup)

    rest = sub.add_parser(
        "restore",
        help="replace the centre database with a checked backup (the replaced one is kept aside)",
        description="The backup is checked whole first (integrity, a naas-centre centre of this or an "
        "older version, the audit trail); a file that fails changes nothing. The database it "
        "replaces is kept in backups/ beside it. Restore while the app is closed.",
    )
    rest.add_argument("file", type=Path, metavar="FILE", help="a backup written by naas-centre backup")
    add_db(rest)
    rest.set_defaults(run=_restore)


def _target(args: argparse.Namespace) -> str | Path:
    if args.db:
        return str(args.db)
    return paths.default_db_in(args.data_dir)


def _records(records: dict[str, int]) -> str:
    return f"{sum(records.values())} records in {sum(1 for n in records.values() if n)} tables"


def _backup(args: argparse.Namespace) -> int:
    from naas_centre.backup.take import take

    made = take(_target(args), args.out, keep=args.keep)
    print(f"{made.path}: a checked copy of {made.centre}")
    print(f"  integrity ok; audit trail intact ({made.entries} entries); {_records(made.records)}")
    if made.removed:
        copies = "copy" if len(made.removed) == 1 else "copies"
        print(f"  {len(made.removed)} older {copies} removed to keep {args.keep}:")
        for old in made.removed:
            print(f"    {old.name}")
    return EXIT_OK


def _restore(args: argparse.Namespace) -> int:
    from naas_centre.backup.restore import restore

    if not args.file.expanduser().exists():
        raise UserError(f"{args.file}: no such backup")
    done = restore(args.file, _target(args))
    print(f"{done.database}: restored from {done.backup} ({done.centre})")
    print(f"  integrity ok; audit trail intact ({done.entries} entries); {_records(done.records)}")
    if done.kept is not None:
        print(f"  the database it replaced is kept at {done.kept}")
    return EXIT_OK
