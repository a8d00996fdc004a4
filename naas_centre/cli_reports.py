"""The command line for signed reports: ``verify``, ``ca export`` and ``reports``.

Kept beside ``naas_centre.cli``, which adds these subcommands to its parser. Bad input
(a missing file, a file that is not a PDF, an unknown user) is a plain message and
exit status 2; a document that fails verification is exit status 1.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from naas_centre import paths
from naas_centre.errors import UserError

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2
SUBCOMMANDS = ("verify", "ca", "reports")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (use YYYY-MM-DD)") from None


def add_parsers(sub: Any, parser_class: type[argparse.ArgumentParser], add_db: Callable[[Any], None]) -> None:
    ver = sub.add_parser(
        "verify",
        help="check signed reports: signer, time, chain to the centre CA, and that nothing changed",
    )
    ver.add_argument("files", nargs="+", type=Path, metavar="FILE.pdf")
    ver.add_argument(
        "--ca",
        type=Path,
        action="append",
        metavar="FILE",
        help="a centre CA certificate (PEM or DER) to trust; may be repeated "
        "(default: the CA of the centre database)",
    )
    add_db(ver)
    ver.set_defaults(run=_verify)

    cap = sub.add_parser("ca", help="the centre's certificate authority")
    ca_sub = cap.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=parser_class)
    exp = ca_sub.add_parser(
        "export", help="write the centre CA certificate (PEM), for employers to verify with"
    )
    exp.add_argument("--out", type=Path, required=True, metavar="FILE")
    add_db(exp)
    exp.set_defaults(run=_ca_export)

    rep = sub.add_parser(
        "reports", help="write a sitting's or a day's reports, signing what is complete first"
    )
    add_db(rep)
    rep.add_argument("--out", type=Path, required=True, metavar="DIR", help="the folder to write the PDFs to")
    which = rep.add_mutually_exclusive_group()
    which.add_argument("--sitting", metavar="ID", help="one sitting")
    which.add_argument("--day", type=_day, metavar="DATE", help="every sitting of a day (default: today)")
    rep.add_argument(
        "--signer", metavar="USER", help="sign as this account first (an assessor or a centre manager)"
    )
    rep.add_argument(
        "--passphrase-file",
        type=Path,
        metavar="FILE",
        help="a file whose first line is the signer's password (needed with --signer)",
    )
    rep.add_argument("--workers", type=int, metavar="N", help="worker processes (default: one per core)")
    rep.set_defaults(run=_reports)


def _target(args: argparse.Namespace) -> str | Path:
    if args.db:
        return str(args.db)
    return paths.default_db_path(paths.data_dir(args.data_dir))


# verify ----------------------------------------------------------------------------------


def _trusted(args: argparse.Namespace) -> list[Any]:
    from naas_centre.signing import ca

    if args.ca:
        certs = []
        for path in args.ca:
            try:
                certs += ca.load_any(path.read_bytes())
            except FileNotFoundError:
                raise UserError(f"{path}: no such file") from None
            except IsADirectoryError:
                raise UserError(f"{path} is a folder, not a certificate") from None
            except ValueError:
                raise UserError(f"{path} is not a certificate (PEM or DER)") from None
        return certs
    from naas_centre.services import signatures
    from naas_centre.services.centre import open_database

    db = open_database(_target(args), args.data_dir, create=False)
    try:
        certs = signatures.trusted_cas(db)
    finally:
        db.dispose()
    if not certs:
        raise UserError("the centre has no CA yet (nothing was ever signed); give the CA with --ca FILE")
    return certs


def _verify(args: argparse.Namespace) -> int:
    from naas_centre.reports.layout import stamp
    from naas_centre.signing.verify import verify_pdf

    # pyHanko logs every failed check with a traceback; the verdict below says it plainly.
    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
    logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)
    trusted = _trusted(args)
    status = EXIT_OK
    for path in args.files:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            print(f"{path}: no such file", file=sys.stderr)
            status = EXIT_USAGE
            continue
        except IsADirectoryError:
            print(f"{path}: is a folder, not a PDF", file=sys.stderr)
            status = EXIT_USAGE
            continue
        except OSError as exc:
            print(f"{path}: cannot be read ({exc.strerror})", file=sys.stderr)
            status = EXIT_USAGE
            continue
        if data.lstrip()[:5] != b"%PDF-":
            print(f"{path}: not a PDF file", file=sys.stderr)
            status = EXIT_USAGE
            continue
        verdict = verify_pdf(data, trusted)
        print(f"{path}: {'VALID' if verdict.ok else 'NOT VALID'}")
        if not verdict.signatures:
            print(f"  {verdict.problem}")
        for i, sig in enumerate(verdict.signatures, 1):
            when = stamp(sig.signed_at, "UTC") if sig.signed_at else "no signing time"
            print(f"  signature {i}: {sig.signer} ({sig.signer_subject})")
            print(f"    signed:  {when}")
            chain = " <- ".join(sig.chain) if sig.chain else "no chain to a trusted centre CA"
            print(f"    chain:   {chain}{' (trusted)' if sig.trusted else ''}")
            print(f"    intact:  {'yes' if sig.intact else 'NO'}; covers {sig.covers}")
            if sig.problem:
                print(f"    problem: {sig.problem}")
        if not verdict.ok and status == EXIT_OK:
            status = EXIT_FAIL
    return status


# ca export ------------------------------------------------------------------------------


def _ca_export(args: argparse.Namespace) -> int:
    from naas_centre.services import signatures
    from naas_centre.services.centre import open_database

    db = open_database(_target(args), args.data_dir, create=False)
    try:
        info = signatures.export_ca(db, paths.data_dir(args.data_dir), args.out)
    finally:
        db.dispose()
    print(f"{args.out}: {info.subject}")
    print(f"  sha256 fingerprint {info.fingerprint}; valid until {info.not_after:%d %B %Y}")
    return EXIT_OK


# reports --------------------------------------------------------------------------------


def _reports(args: argparse.Namespace) -> int:
    from naas_centre.reports import batch
    from naas_centre.reports.data import DEFAULT_TIMEZONE
    from naas_centre.services import accounts, signatures
    from naas_centre.services.centre import open_database
    from naas_centre.services.views import Actor, Role

    if args.signer and not args.passphrase_file:
        raise UserError("--signer needs --passphrase-file FILE (the signer's password on its first line)")
    if args.passphrase_file and not args.signer:
        raise UserError("--passphrase-file goes with --signer USER")
    if args.workers is not None and args.workers < 1:
        raise UserError("--workers must be at least 1")
    if args.out.exists() and not args.out.is_dir():
        raise UserError(f"{args.out} is a file; --out needs a folder")
    password = None
    if args.passphrase_file:
        try:
            lines = args.passphrase_file.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            raise UserError(f"{args.passphrase_file}: no such file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise UserError(f"{args.passphrase_file}: cannot be read ({exc})") from None
        password = lines[0] if lines else ""
    data_dir = paths.data_dir(args.data_dir)
    db = open_database(_target(args), args.data_dir, create=False)
    try:
        identity = None
        if args.signer:
            assert password is not None
            actor = accounts.authenticate(db, args.signer, password)
            identity = signatures.unlock_signer(db, actor, password, data_dir)
        else:
            # Reading only: the command line holds the database file already, so it reads
            # as quality assurance does (every report, nothing changed).
            actor = Actor("", "cli", "Command line", Role.QA_LEAD)
        day = None
        if not args.sitting:
            day = args.day or datetime.now(ZoneInfo(DEFAULT_TIMEZONE)).date()
        result = batch.run(
            db,
            actor,
            args.out,
            sitting_id=args.sitting,
            day=day,
            identity=identity,
            workers=args.workers,
            progress=batch.TextProgress(),
        )
    finally:
        db.dispose()
    print(f"{len(result.written)} report(s) written to {args.out}; {result.signed} signed now.")
    for key, why in result.skipped:
        print(f"  {key}: {why}")
    if not result.written and not result.skipped:
        print("  nothing to write: no sitting matched", file=sys.stderr)
    return EXIT_OK
