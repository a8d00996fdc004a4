"""The command line for bundles between workstations: ``naas-centre bundle``.

``bundle export`` writes a room's part of a day, on the manager's workstation, to one
signed, encrypted file; ``bundle export-results`` writes this workstation's results (a
room's); ``bundle import`` takes either in, by the kind the file declares, all of it or
nothing. A day bundle can set up a fresh install: there is no account to act as yet,
and the centre CA certificate (``--ca FILE``, from ``naas-centre ca export``) is what
the bundle is trusted by. Otherwise each acts as a named account (``--user`` with
``--password-file``): exporting signs with that person's certificate, so their password
unlocks their key; ``export-results --recordings`` carries the media of this
workstation's finished recordings as well (audited). The bundle's passphrase is read
from a file (``--passphrase-file``), never from the command line where other users
could see it. A refusal is one plain
line and exit status 2.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from naas_centre import paths
from naas_centre.errors import UserError

EXIT_OK = 0
T = TypeVar("T")
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
    day = actions.add_parser("export", help="write a room workstation's part of a day to FILE")
    day.add_argument("--room", required=True, metavar="NAME", help="the room (its name)")
    day.add_argument(
        "--day",
        type=_day,
        metavar="DATE",
        help="the day, YYYY-MM-DD (default: the room's next planned day, from today on)",
    )
    day.add_argument("--out", type=Path, required=True, metavar="FILE", help="the bundle file to write")
    out = actions.add_parser("export-results", help="write this workstation's results to FILE")
    out.add_argument("--out", type=Path, required=True, metavar="FILE", help="the bundle file to write")
    out.add_argument(
        "--recordings",
        action="store_true",
        help="carry the media of this workstation's finished recordings too (the file grows by "
        "their size; audited)",
    )
    inn = actions.add_parser("import", help="take in a day bundle or a room's result bundle")
    inn.add_argument("file", type=Path, metavar="FILE", help="the bundle file")
    inn.add_argument(
        "--ca",
        type=Path,
        metavar="FILE",
        help="on a fresh install: the centre CA certificate (naas-centre ca export) to trust the bundle by",
    )
    for p in (day, out, inn):
        required = p is not inn  # a fresh install has no account yet
        p.add_argument("--user", metavar="USERNAME", required=required, help="act as this account")
        p.add_argument(
            "--password-file",
            type=Path,
            metavar="FILE",
            required=required,
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
    day.set_defaults(run=_export_day)
    out.set_defaults(run=_export_results)
    inn.set_defaults(run=_import)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _target(args: argparse.Namespace) -> str | Path:
    if args.db:
        return str(args.db)
    return paths.default_db_in(args.data_dir)


def _secrets(args: argparse.Namespace) -> tuple[str | None, str]:
    from naas_centre.cli_reports import _password_from

    passphrase = _password_from(args.passphrase_file)
    if not passphrase:
        raise UserError(f"{args.passphrase_file}: its first line is empty: no passphrase")
    if args.password_file is None:
        return None, passphrase
    return _password_from(args.password_file), passphrase


def _signed_export(args: argparse.Namespace, write: Callable[..., T]) -> T:
    """Signs in, unlocks the person's signing key with their password, and writes:
    ``write(db, actor, passphrase, signer)``."""
    from naas_centre.exchange.container import signer_of
    from naas_centre.services import accounts, certificates
    from naas_centre.services.centre import open_database

    password, passphrase = _secrets(args)
    assert password is not None  # required by the parser
    data_dir = paths.data_dir(args.data_dir)
    db = open_database(_target(args), args.data_dir, create=False)
    try:
        actor = accounts.authenticate(db, args.user, password)
        identity = certificates.unlock_signer(db, actor, password, data_dir)
        return write(db, actor, passphrase, signer_of(identity))
    finally:
        db.dispose()


def _export_day(args: argparse.Namespace) -> int:
    from naas_centre.exchange.day import export_day, next_day_for_room

    def write(db: Any, actor: Any, phrase: str, signer: Any) -> Any:
        day = args.day or next_day_for_room(db, actor, args.room, date.today())
        return export_day(db, actor, args.room, day, args.out, phrase, signer)

    done = _signed_export(args, write)
    what = f"{done.sittings} sitting(s), {done.people} people, {done.rows} record(s) in all"
    print(f"{done.info.path}: {done.room} on {done.day.isoformat()}: {what}, signed by {done.info.signer}.")
    return EXIT_OK


def _export_results(args: argparse.Namespace) -> int:
    from naas_centre.exchange.results import export_results

    data_dir = paths.data_dir(args.data_dir)
    done = _signed_export(
        args,
        lambda db, actor, phrase, signer: export_results(
            db, actor, args.out, phrase, signer, recordings=args.recordings, data_dir=data_dir
        ),
    )
    what = f"{done.rows} record(s) and {done.entries} audit entries"
    if args.recordings:
        what += f", the media of {done.recordings} recording(s) ({done.media_bytes} bytes)"
    print(f"{done.info.path}: {what}, signed by {done.info.signer}.")
    return EXIT_OK


def _import(args: argparse.Namespace) -> int:
    from naas_centre.exchange import day

    kind = day.peek_kind(args.file)
    if kind == day.KIND:
        return _import_day(args)
    return _import_results(args)  # a result bundle, or a file it refuses plainly


def _actor(db: Any, args: argparse.Namespace, password: str | None) -> Any:
    from naas_centre.services import accounts

    if args.user is None or password is None:
        if args.user is not None or password is not None:
            raise UserError("Give both --user and --password-file, or neither (a fresh install).")
        return None
    return accounts.authenticate(db, args.user, password)


def _import_day(args: argparse.Namespace) -> int:
    from naas_centre.exchange.day import import_day, load_ca_file
    from naas_centre.services.centre import centre_info, open_database

    password, passphrase = _secrets(args)
    cas = load_ca_file(args.ca) if args.ca is not None else []
    target = _target(args)
    new_file = _new_sqlite_file(target)
    db = open_database(target, args.data_dir, create=True)  # a fresh install is made as the app makes it
    try:
        set_up = centre_info(db) is not None
        actor = _actor(db, args, password) if set_up else None
        done = import_day(db, actor, args.file, passphrase, ca_certificates=cas)
    except BaseException:
        db.dispose()
        if new_file is not None:  # refused: a fresh install is left as it was, with no file
            for suffix in ("", "-wal", "-shm", "-journal"):
                with contextlib.suppress(FileNotFoundError):
                    Path(f"{new_file}{suffix}").unlink()
        raise
    db.dispose()
    how = "set up this workstation" if done.fresh else "merged in one transaction"
    print(f"{args.file}: a day bundle signed by {done.info.signer}; {how}:")
    for line in done.summary_lines():
        print(f"  {line}")
    return EXIT_OK


def _new_sqlite_file(target: str | Path) -> Path | None:
    """The database file a fresh install is about to create, None if it exists or is a server."""
    text = str(target)
    if "://" in text and not text.startswith("sqlite:///"):
        return None
    path = Path(text.removeprefix("sqlite:///"))
    return None if path.exists() else path


def _import_results(args: argparse.Namespace) -> int:
    from naas_centre.exchange.results import import_results
    from naas_centre.services.centre import open_database

    password, passphrase = _secrets(args)
    if args.user is None or password is None:
        raise UserError("A result bundle is merged by a centre manager: give --user and --password-file.")
    db = open_database(_target(args), args.data_dir, create=False)
    try:
        actor = _actor(db, args, password)
        done = import_results(db, actor, args.file, passphrase, data_dir=paths.data_dir(args.data_dir))
    finally:
        db.dispose()
    print(f"{args.file}: signed by {done.info.signer}; merged in one transaction:")
    for line in done.summary_lines():
        print(f"  {line}")
    if done.report.conflicts:
        print(f"{done.report.conflicts} conflict(s) wait for a centre manager to resolve them.")
    return EXIT_OK
