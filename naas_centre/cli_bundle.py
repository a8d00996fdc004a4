"""The command line for bundles between workstations: ``naas-centre bundle``.

``bundle export-results`` writes this workstation's results (a room's) to one signed,
encrypted file; ``bundle import`` merges such a file into this database, all of it or
nothing. Both act as a named account (``--user`` with ``--password-file``): exporting
signs with that person's certificate, so their password unlocks their key, and the
bundle's passphrase is read from a file (``--passphrase-file``), never from the command
line where other users could see it. A refusal is one plain line and exit status 2.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from naas_centre import paths
from naas_centre.errors import UserError

EXIT_OK = 0
SUBCOMMANDS = ("bundle",)


def add_parsers(sub: Any, parser_class: type[argparse.ArgumentParser], add_db: Callable[[Any], None]) -> None:
    bundle = sub.add_parser(
        "bundle",
        help="move results between workstations as signed, encrypted files",
        description="Rooms without a network send their results to the centre manager's "
        "workstation as one file, encrypted under the centre's passphrase and signed by the "
        "person who exports it. docs/bundles.md describes the file.",
    )
    actions = bundle.add_subparsers(dest="bundle_action", metavar="ACTION", parser_class=parser_class)
    actions.required = True
    out = actions.add_parser("export-results", help="write this workstation's results to FILE")
    out.add_argument("--out", type=Path, required=True, metavar="FILE", help="the bundle file to write")
    inn = actions.add_parser("import", help="merge a room's result bundle into this database")
    inn.add_argument("file", type=Path, metavar="FILE", help="the bundle file")
    for p in (out, inn):
        p.add_argument("--user", metavar="USERNAME", required=True, help="act as this account")
        p.add_argument(
            "--password-file",
            type=Path,
            metavar="FILE",
            required=True,
            help="a file whose first line is that account's password",
        )
        p.add_argument(
            "--passphrase-file",
            type=Path,
            metavar="FILE",
            required=True,
            help="a file whose first line is the centre's bundle passphrase",
        )
        add_db(p)
    out.set_defaults(run=_export_results)
    inn.set_defaults(run=_import)


def _target(args: argparse.Namespace) -> str | Path:
    if args.db:
        return str(args.db)
    return paths.default_db_path(paths.data_dir(args.data_dir))


def _secrets(args: argparse.Namespace) -> tuple[str, str]:
    from naas_centre.cli_reports import _password_from

    password, passphrase = _password_from(args.password_file), _password_from(args.passphrase_file)
    if not passphrase:
        raise UserError(f"{args.passphrase_file}: its first line is empty: no passphrase")
    return password, passphrase


def _export_results(args: argparse.Namespace) -> int:
    from naas_centre.exchange.container import signer_of
    from naas_centre.exchange.results import export_results
    from naas_centre.services import accounts, certificates
    from naas_centre.services.centre import open_database

    password, passphrase = _secrets(args)
    data_dir = paths.data_dir(args.data_dir)
    db = open_database(_target(args), args.data_dir, create=False)
    try:
        actor = accounts.authenticate(db, args.user, password)
        identity = certificates.unlock_signer(db, actor, password, data_dir)
        done = export_results(db, actor, args.out, passphrase, signer_of(identity))
    finally:
        db.dispose()
    what = f"{done.rows} record(s) and {done.entries} audit entries"
    print(f"{done.info.path}: {what}, signed by {done.info.signer}.")
    return EXIT_OK


def _import(args: argparse.Namespace) -> int:
    from naas_centre.exchange.results import import_results
    from naas_centre.services import accounts
    from naas_centre.services.centre import open_database

    password, passphrase = _secrets(args)
    db = open_database(_target(args), args.data_dir, create=False)
    try:
        actor = accounts.authenticate(db, args.user, password)
        done = import_results(db, actor, args.file, passphrase)
    finally:
        db.dispose()
    print(f"{args.file}: signed by {done.info.signer}; merged in one transaction:")
    for line in done.summary_lines():
        print(f"  {line}")
    if done.report.conflicts:
        print(f"{done.report.conflicts} conflict(s) wait for a centre manager to resolve them.")
    return EXIT_OK
