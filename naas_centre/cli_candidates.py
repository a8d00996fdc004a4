"""The command line for candidates: ``naas-centre candidates import FILE [--accept]``,
``candidates export-subject --candidate REG --out DIR`` (everything held about one, as
JSON and PDF) and ``candidates erase --candidate REG --reason TEXT`` (erasure on request).

Without ``--accept`` the file is only checked: one line per problem, as
``FILE:ROW: column: message``, and what would be imported. Exit status 2 when the file
has any error (nothing is imported, with or without ``--accept``); warnings (trimmed
spaces, dates read from Excel serial numbers) and notes (empty rows skipped) are
printed but do not stop an import. The one who imports signs in with ``--user`` and a
password file, as a centre manager or an administrator.

Kept beside ``naas_centre.cli``, which adds these subcommands to its parser; it also
runs on its own (``python -m naas_centre.cli_candidates candidates import ...``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from naas_centre import paths
from naas_centre.errors import UserError

EXIT_OK, EXIT_USAGE = 0, 2
SUBCOMMANDS = ("candidates",)


def add_parsers(sub: Any, parser_class: type[argparse.ArgumentParser], add_db: Callable[[Any], None]) -> None:
    cand = sub.add_parser("candidates", help="bring candidates in from a CSV or XLSX file")
    cand_sub = cand.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=parser_class)
    imp = cand_sub.add_parser(
        "import",
        help="check a candidate file and, with --accept, import it",
        description="Prints one line per problem as FILE:ROW: column: message. Exit status 2 when "
        "the file has any error: nothing is imported. On a clean file, prints what would be "
        "imported; with --accept, imports every row in one transaction.",
    )
    imp.add_argument(
        "file", type=Path, metavar="FILE", help="a CSV (UTF-8) or XLSX file, one row per candidate"
    )
    imp.add_argument("--accept", action="store_true", help="import the file if it has no errors")
    imp.add_argument("--user", required=True, metavar="USERNAME", help="a centre manager or administrator")
    imp.add_argument(
        "--password-file",
        type=Path,
        required=True,
        metavar="FILE",
        help="a file whose first line is that account's password",
    )
    add_db(imp)
    imp.set_defaults(run=_import)

    sar = cand_sub.add_parser(
        "export-subject",
        help="everything held about one candidate, as JSON and PDF (subject access)",
        description="Writes subject-access-REG.json (every record, every column), subject-access-REG.pdf "
        "(the same to read) and the candidate's signed reports into DIR. The export is audited.",
    )
    sar.add_argument("--candidate", required=True, metavar="REG", help="the candidate's registration number")
    sar.add_argument("--out", required=True, type=Path, metavar="DIR", help="an existing folder")
    add_signer(sar, add_db)
    sar.set_defaults(run=_export_subject)

    erase = cand_sub.add_parser(
        "erase",
        help="erase a candidate's data on their request, keeping what must be kept",
        description="Pseudonymises the candidate and removes their adjustments, equality data, "
        "endorsements, script text, evidence notes and recordings; keeps signed reports, the scores "
        "they were drawn from and the audit trail, and says so. Refused under a legal hold.",
    )
    erase.add_argument(
        "--candidate", required=True, metavar="REG", help="the candidate's registration number"
    )
    erase.add_argument("--reason", required=True, metavar="TEXT", help="the request, and when it was made")
    add_signer(erase, add_db)
    erase.set_defaults(run=_erase)


def add_signer(p: Any, add_db: Callable[[Any], None]) -> None:
    """``--user`` and ``--password-file``: the person acting, whose password is asked again."""
    p.add_argument("--user", required=True, metavar="USERNAME", help="a centre manager or administrator")
    p.add_argument(
        "--password-file",
        type=Path,
        required=True,
        metavar="FILE",
        help="a file whose first line is that account's password",
    )
    add_db(p)


def _target(args: argparse.Namespace) -> str | Path:
    if args.db:
        return str(args.db)
    return paths.default_db_in(args.data_dir)


def _password_from(path: Path) -> str:
    try:
        lines = paths.read_regular(path).decode("utf-8").splitlines()
    except paths.NotRegularFile:
        raise UserError(f"{path} is not a regular file (a pipe or a device), not a password file") from None
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"{path} is a folder, not a password file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot be read ({exc})") from None
    return lines[0] if lines else ""


def _import(args: argparse.Namespace) -> int:
    from naas_centre.services import accounts, candidates
    from naas_centre.services.booking import long_date
    from naas_centre.services.centre import open_database

    password = _password_from(args.password_file)
    given = str(args.file)
    db = open_database(_target(args), args.data_dir, create=False)
    try:
        actor = accounts.authenticate(db, args.user, password)
        preview = candidates.preview_import(db, actor, args.file)
        for problem in preview.problems:
            print(problem.line(given))
        if not preview.clean:
            count = len(preview.errors)
            print(
                f"{given}: {count} error{'s' if count != 1 else ''}; nothing was imported.",
                file=sys.stderr,
            )
            return EXIT_USAGE
        if not args.accept:
            for r in preview.rows:
                endorsed = (
                    f"; endorsed by {r.endorsed_by} on {long_date(r.endorsed_on)}" if r.endorsed_on else ""
                )
                who = f"{r.full_name} ({r.registration_number})"
                print(f"  row {r.row}: {who}, {r.employer}, {r.level}{endorsed}")
            print(
                f"{given}: {len(preview.rows)} candidates ({preview.endorsements} endorsed) would be "
                "imported; run again with --accept to import them."
            )
            return EXIT_OK
        result = candidates.import_candidates(db, actor, args.file)
    finally:
        db.dispose()
    print(f"{given}: imported {result.candidates} candidates and {result.endorsements} endorsements.")
    return EXIT_OK


def _export_subject(args: argparse.Namespace) -> int:
    from naas_centre.services import accounts, retention, subject_access
    from naas_centre.services.centre import open_database

    password = _password_from(args.password_file)
    db = open_database(_target(args), args.data_dir, create=False)
    try:
        actor = accounts.authenticate(db, args.user, password)
        cid = retention.candidate_by_registration(db, actor, args.candidate)
        made = subject_access.export_subject_access(db, actor, cid, args.out, password)
    finally:
        db.dispose()
    records = sum(n for table, n in made.counts.items() if table != "audit_entries")
    print(f"{made.json_path}: {records} records and {made.counts.get('audit_entries', 0)} trail entries")
    print(f"{made.pdf_path}: the same, to read")
    for path in made.documents:
        print(f"{path}: a signed report")
    return EXIT_OK


def _erase(args: argparse.Namespace) -> int:
    from naas_centre.services import accounts, erasure, retention
    from naas_centre.services.centre import open_database

    password = _password_from(args.password_file)
    data_dir = paths.data_dir(args.data_dir)
    db = open_database(_target(args), args.data_dir, create=False)
    try:
        actor = accounts.authenticate(db, args.user, password)
        cid = retention.candidate_by_registration(db, actor, args.candidate)
        result = erasure.erase_candidate(db, actor, cid, args.reason, password, data_dir=data_dir)
    finally:
        db.dispose()
    print("\n".join(result.lines()))
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
        status = run(args)
        return status
    except UserError as exc:
        print(f"naas-centre: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"naas-centre: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
