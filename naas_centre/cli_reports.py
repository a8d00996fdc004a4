"""The command line for signed reports: ``verify``, ``ca export``, ``ca revoke`` and ``reports``.

Kept beside ``naas_centre.cli``, which adds these subcommands to its parser. Bad input
(a missing file, a file that is not a PDF, an unknown user) is a plain message and
exit status 2; a document that fails verification is exit status 1.

``verify``, ``ca export`` and ``reports`` without ``--signer`` only read the database: they open it read-only
(``db.migrate.open_read_only``) and leave it byte for byte as it was; ``ca export``
writes the CA the centre has and never makes one.
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
        help="check signed reports: signers, times, chain to the centre CA, every required signature, "
        "revocation, and that nothing changed",
        description="Exit status 0 only when every file is signed, intact, complete and trusted; "
        "1 when a file fails; 2 for bad arguments or files. With --db (or without --ca) the centre's "
        "records are checked too: that the centre issued the document, newer versions, certificate "
        "status and the centre's revocation lists.",
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
    ver.add_argument(
        "--crl",
        type=Path,
        action="append",
        metavar="FILE",
        help="a revocation list from the centre (DER or PEM), in addition to those in the document; "
        "may be repeated",
    )
    add_db(ver)
    ver.set_defaults(run=_verify)

    cap = sub.add_parser("ca", help="the centre's certificate authority")
    ca_sub = cap.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=parser_class)
    exp = ca_sub.add_parser(
        "export", help="write the centre CA certificate (PEM), for employers to verify with"
    )
    exp.add_argument("--out", type=Path, required=True, metavar="FILE")
    exp.add_argument(
        "--crl-out", type=Path, metavar="FILE", help="also write the centre's newest revocation list (DER)"
    )
    add_db(exp)
    exp.set_defaults(run=_ca_export)
    rev = ca_sub.add_parser(
        "revoke",
        help="revoke a person's signing certificates (audited; a new revocation list is issued)",
    )
    rev.add_argument("username", metavar="USERNAME", help="the person whose certificates are revoked")
    rev.add_argument(
        "--reason", required=True, metavar="TEXT", help="why, in words (kept in the audit trail)"
    )
    rev.add_argument("--admin", required=True, metavar="ADMIN_USERNAME", help="the administrator revoking")
    rev.add_argument(
        "--password-file",
        type=Path,
        required=True,
        metavar="FILE",
        help="a file whose first line is the administrator's password",
    )
    add_db(rev)
    rev.set_defaults(run=_ca_revoke)

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
    rep.add_argument(
        "--reason",
        metavar="TEXT",
        help="why new versions are signed, where the data changed after a report was signed",
    )
    rep.add_argument("--workers", type=int, metavar="N", help="worker processes (default: one per core)")
    rep.set_defaults(run=_reports)


def _target(args: argparse.Namespace) -> str | Path:
    if args.db:
        return str(args.db)
    return paths.default_db_in(args.data_dir)


# verify ----------------------------------------------------------------------------------


def _read_arg_file(path: Path, what: str) -> bytes:
    try:
        return paths.read_regular(path)  # a FIFO is refused, not waited on
    except paths.NotRegularFile:
        raise UserError(f"{path} is not a regular file (a pipe or a device), not {what}") from None
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"{path} is a folder, not {what}") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot be read ({exc.strerror})") from None


def _given_cas(args: argparse.Namespace) -> list[Any]:
    from naas_centre.signing import ca

    certs = []
    for path in args.ca or ():
        data = _read_arg_file(path, "a certificate")
        try:
            certs += ca.load_any(data)
        except ValueError:
            raise UserError(f"{path} is not a certificate (PEM or DER)") from None
    return certs


def _given_crls(args: argparse.Namespace) -> list[Any]:
    from naas_centre.signing import ca

    crls = []
    for path in args.crl or ():
        data = _read_arg_file(path, "a revocation list")
        try:
            crls.append(ca.load_crl(data))
        except ValueError:
            raise UserError(f"{path} is not a certificate revocation list (DER or PEM)") from None
    return crls


def _read_pdf(path: Path) -> bytes | str:
    """The file's bytes, or why it cannot be checked."""
    try:
        data = paths.read_regular(path)  # a FIFO is refused, not waited on
    except paths.NotRegularFile:
        return f"{path}: not a regular file (a pipe or a device), not a PDF"
    except FileNotFoundError:
        return f"{path}: no such file"
    except IsADirectoryError:
        return f"{path}: is a folder, not a PDF"
    except OSError as exc:
        return f"{path}: cannot be read ({exc.strerror})"
    if data.lstrip()[:5] != b"%PDF-":
        return f"{path}: not a PDF file"
    return data


def _verify(args: argparse.Namespace) -> int:
    from db.engine import DatabaseError
    from db.migrate import open_read_only
    from naas_centre.services import verification
    from naas_centre.signing.verify import verify_pdf

    # pyHanko logs every failed check with a traceback; the verdict below says it plainly.
    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
    logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)
    trusted = _given_cas(args)
    crls = _given_crls(args)
    documents: list[tuple[Path, bytes]] = []
    status = EXIT_OK
    for path in args.files:  # the files first: a missing one is named before any database
        data = _read_pdf(path)
        if isinstance(data, str):
            print(data, file=sys.stderr)
            status = EXIT_USAGE
        else:
            documents.append((path, data))
    if not documents:
        return status
    db = None
    if args.db or not trusted:
        try:
            db = open_read_only(_target(args))
        except (UserError, DatabaseError) as exc:
            if args.db:
                raise
            raise UserError(
                f"{exc}; give the centre's database with --db, or its CA certificate with --ca FILE"
            ) from None
    try:
        if db is not None:
            cas, db_crls = verification.trusted_material(db)
            if not args.ca:
                trusted = cas
            crls += db_crls
        if not trusted and db is not None and verification.has_ca(db):
            for path, _ in documents:
                print(f"{path}: NOT VALID\n  {verification.UNVOUCHED_CA}")
            return EXIT_FAIL
        if not trusted:
            raise UserError("the centre has no CA yet (nothing was ever signed); give the CA with --ca FILE")
        for path, data in documents:
            verdict = verify_pdf(data, trusted, crls=crls)
            record = verification.check(db, data, verdict) if db is not None and verdict.signatures else None
            ok = verdict.accepted and (record is None or record.ok)
            _print_verdict(path, verdict, record, ok)
            if not ok and status == EXIT_OK:
                status = EXIT_FAIL
        return status
    finally:
        if db is not None:
            db.dispose()


def _print_verdict(path: Path, verdict: Any, record: Any, ok: bool) -> None:
    from naas_centre.reports.layout import stamp

    print(f"{path}: {'VALID' if ok else 'NOT VALID'}")
    if not verdict.signatures:
        print(f"  {verdict.problem}")
        return
    if verdict.required:
        names = ", ".join(f"{r.name} ({r.role})" for r in verdict.required)
        print(f"  required signers: {names}")
        if verdict.complete:
            print("  complete: every required signature is present")
        else:
            print(f"  NOT COMPLETE: missing {', '.join(verdict.missing) or 'valid signatures'}")
    else:
        print("  required signers: NOT NAMED in the document; it cannot be complete")
    for i, sig in enumerate(verdict.signatures, 1):
        when = stamp(sig.signed_at, "UTC") if sig.signed_at else "no signing time"
        kind = "certifies the document" if sig.certifies else "approval"
        who = ", ".join(
            x
            for x in (
                sig.role,
                f"Registration {sig.registration}" if sig.registration else None,
                sig.organisation,
            )
            if x
        )
        print(f"  signature {i}: {sig.signer}{f' ({who})' if who else ''}; certificate {sig.serial}")
        print(f"    signed:  {when} (the signer's clock), revision {sig.revision}, {kind}")
        chain = " <- ".join(sig.chain) if sig.chain else "no chain to a trusted centre CA"
        print(f"    chain:   {chain}{' (trusted)' if sig.trusted else ''}")
        print(f"    intact:  {'yes' if sig.intact else 'NO'}; covers {sig.covers}")
        if sig.revoked_at is not None:
            print(f"    revoked: {stamp(sig.revoked_at, 'UTC')}")
        if sig.problem:
            print(f"    problem: {sig.problem}")
    if verdict.changes:
        print("  CHANGED after signing:")
        for change in verdict.changes:
            print(f"    revision {change.revision}: {change.what}")
    else:
        print("  changes after the first signature: none but the signatures themselves")
    other = [
        p
        for p in verdict.problems
        if not any(p == s.problem for s in verdict.signatures)
        and not p.startswith("revision ")
        and not p.startswith("not complete")
    ]
    for p in other:
        print(f"  problem: {p}")
    for note in verdict.notes:
        print(f"  note: {note}")
    if record is None:
        return
    if not record.issued:
        for p in record.problems:
            print(f"  centre records: {p}")
        return
    print(f"  centre records: issued by the centre: {record.title}, version {record.version}")
    for p in record.problems:
        print(f"    problem: {p}")
    for note in record.notes:
        print(f"    note: {note}")
    for newer in record.newer:
        why = f": {newer.reason}" if newer.reason else ""
        print(f"    SUPERSEDED by version {newer.version}, signed {newer.signed_at:%d %B %Y}{why}")


# ca export ------------------------------------------------------------------------------


def _ca_export(args: argparse.Namespace) -> int:
    from db.migrate import open_read_only
    from naas_centre.services import authority

    for given in (args.out, args.crl_out):
        # Before the database is touched: /dev/full or a FIFO is refused, never replaced.
        where = given.expanduser() if given is not None else None
        if where is not None and where.exists() and not (where.is_file() or where.is_dir()):
            raise UserError(f"{given}: not a regular file (a device or a pipe); not replaced")
    if args.crl_out is not None:
        target = args.crl_out.expanduser()
        if target.is_dir():
            raise UserError(f"{target} is a folder; give a file name such as {target / 'centre.crl'}")
        if not target.parent.is_dir():
            raise UserError(f"{target.parent}: no such folder")
    out = args.out.expanduser()
    if out.is_dir():
        raise UserError(f"{out} is a folder; give a file name such as {out / 'centre-ca.pem'}")
    if not out.parent.is_dir():
        raise UserError(f"{out.parent}: no such folder")
    db = open_read_only(_target(args))
    try:
        info = authority.centre_ca(db)
        crl = _newest_crl(db, info.id) if info is not None and args.crl_out is not None else None
    finally:
        db.dispose()
    if info is None:
        raise UserError(
            f"{_target(args)}: the centre has no certificate authority yet; it is made with the first "
            "signature, certificate or day bundle, and nothing was written"
        )
    paths.write_atomic(out, info.pem.encode("ascii"))  # fsync'd; a device is refused, not replaced
    print(f"{args.out}: {info.subject}")
    print(f"  sha256 fingerprint {info.fingerprint}; valid until {info.not_after:%d %B %Y}")
    if args.crl_out is not None:
        if crl is None:
            raise UserError(
                "the centre has issued no revocation list yet (one is made with the first signature "
                "or revocation); the CA certificate was written"
            )
        number, this_update, der = crl
        paths.write_atomic(args.crl_out, der)
        print(f"{args.crl_out}: revocation list number {number}, issued {this_update:%d %B %Y %H:%M} UTC")
    return EXIT_OK


def _newest_crl(db: Any, ca_id: str) -> tuple[int, datetime, bytes] | None:
    from sqlalchemy import select

    from db.models import CrlRow

    with db.read() as s:
        row = s.scalar(select(CrlRow).where(CrlRow.ca_id == ca_id).order_by(CrlRow.number.desc()).limit(1))
        return (row.number, row.this_update, row.der) if row is not None else None


# ca revoke ------------------------------------------------------------------------------


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


def _ca_revoke(args: argparse.Namespace) -> int:
    from naas_centre.services import accounts, signatures
    from naas_centre.services.centre import open_database

    if not args.reason.strip():
        raise UserError(
            "--reason needs words: why the certificate is revoked (it is kept in the audit trail)"
        )
    password = _password_from(args.password_file)
    db = open_database(_target(args), args.data_dir, create=False)
    try:
        admin = accounts.authenticate(db, args.admin, password)
        serials = signatures.revoke_certificates(
            db, admin, args.username, args.reason, paths.data_dir(args.data_dir), password=password
        )
    finally:
        db.dispose()
    print(f"Revoked {len(serials)} certificate(s) of {args.username}: {', '.join(serials)}")
    print(
        "  A new revocation list was issued; export it with: naas-centre ca export --out FILE --crl-out FILE"
    )
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
    if args.reason is not None and not args.signer:
        raise UserError("--reason goes with --signer USER: only a signer makes new versions")
    if args.workers is not None and args.workers < 1:
        raise UserError("--workers must be at least 1")
    if args.out.exists() and not args.out.is_dir():
        raise UserError(f"{args.out} is a file; --out needs a folder")
    paths.usable_folder(args.out, "--out")
    password = _password_from(args.passphrase_file) if args.passphrase_file else None
    if args.signer:
        db = open_database(_target(args), args.data_dir, create=False)
    else:
        from db.migrate import open_read_only

        db = open_read_only(_target(args))  # writing the PDFs only reads the database
    try:
        identity = None
        if args.signer:
            assert password is not None
            actor = accounts.authenticate(db, args.signer, password)
            identity = signatures.unlock_signer(db, actor, password, paths.data_dir(args.data_dir))
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
            reason=args.reason,
            workers=args.workers,
            progress=batch.TextProgress(),
        )
    finally:
        db.dispose()
    print(
        f"{len(result.written)} report(s) written to {args.out}; {result.signed} signed now"
        f" ({result.new_versions} as new versions); {result.drafts} unsigned draft(s)."
    )
    for key, why in result.skipped:
        print(f"  {key}: {why}")
    if not result.written and not result.skipped:
        print("  nothing to write: no sitting matched", file=sys.stderr)
    return EXIT_OK
