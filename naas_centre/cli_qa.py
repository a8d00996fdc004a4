"""The command line for quality assurance: ``naas-centre qa --out DIR`` and
``naas-centre qa compute``.

Kept beside ``naas_centre.cli``, which adds it to its parser with ``add_parsers``.
``qa --out DIR [--from DATE --to DATE]`` runs the centre's whole analysis as the signed-in
person, writes the signed QA report and every table as CSV and XLSX into DIR, and says
what it wrote. ``qa compute`` works on a ratings file alone, so that anyone can check a
figure by hand; it opens no database. A bad file, date or folder is one plain line, exit
status 2. numpy and scipy are imported only when a command runs.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from naas_centre.errors import UserError

EXIT_OK = 0
SUBCOMMANDS = ("qa",)
# Kept here as well as in naas_centre.qa.compute, so that building the parser imports no numpy.
STATISTICS = (
    "icc",
    "kappa",
    "weighted-kappa",
    "fleiss-kappa",
    "krippendorff-alpha",
    "alpha",
    "borderline-regression",
)


def _grade(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a grade: {text!r} (a number on the judgement scale)") from None


def _date(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UserError(f"{option} {text}: not a date (YYYY-MM-DD)") from None


def add_parsers(sub: Any, parser_class: type[argparse.ArgumentParser], add_db: Callable[[Any], None]) -> None:
    qa = sub.add_parser(
        "qa",
        help="quality assurance: the centre's analysis and signed QA report, or one statistic on a file",
        description="With --out DIR: the centre's quality-assurance analysis (assessor agreement, "
        "reliability, standard setting, examiner stringency and drift, and fairness for the QA lead) "
        "for the period, written as a signed PDF report and one CSV and one XLSX file per table. "
        "Without a period, all time (fairness needs a closed period).",
    )
    qa.add_argument("--out", type=Path, metavar="DIR", help="the folder to write the report and tables into")
    # Dates are read by the command, not the parser, so a bad one is one plain line.
    qa.add_argument("--from", dest="start", metavar="DATE", help="the period's first day, YYYY-MM-DD")
    qa.add_argument("--to", dest="end", metavar="DATE", help="the period's last day, YYYY-MM-DD")
    qa.add_argument("--user", metavar="USERNAME", help="act, and sign, as this account")
    qa.add_argument(
        "--password-file",
        type=Path,
        metavar="FILE",
        help="a file whose first line is that account's password",
    )
    add_db(qa)
    qa_sub = qa.add_subparsers(dest="action", metavar="ACTION", parser_class=parser_class)
    qa.set_defaults(run=_centre)
    comp = qa_sub.add_parser(
        "compute",
        help="one statistic on a ratings table (CSV), to check a figure by hand",
        description="A ratings table is a CSV file: a header row naming the columns, then one row per "
        "subject and one column per rater or item; an empty cell is missing. For kappa and "
        "weighted-kappa, two rater columns; for borderline-regression, the global judgement then the "
        "score. docs/qa-statistics.md gives each statistic's definition and source.",
    )
    comp.add_argument("--ratings", type=Path, required=True, metavar="FILE.csv", help="the ratings table")
    comp.add_argument(
        "--statistic", required=True, choices=STATISTICS, metavar="NAME", help=", ".join(STATISTICS)
    )
    comp.add_argument(
        "--weights",
        metavar="linear|quadratic|FILE.csv",
        help="weighted-kappa's agreement weights (default linear); a file is a square matrix, 1 on the "
        "diagonal, a row and a column per level, lowest first, optionally after a header row of the levels",
    )
    comp.add_argument(
        "--metric",
        choices=("nominal", "ordinal", "interval", "ratio"),
        default="ordinal",
        help="krippendorff-alpha's level of measurement (default ordinal)",
    )
    comp.add_argument(
        "--borderline",
        type=_grade,
        default=2.0,
        metavar="GRADE",
        help="borderline-regression's borderline grade on the judgement scale (default 2)",
    )
    comp.add_argument("--json", action="store_true", help="print one JSON object instead of lines to read")
    comp.set_defaults(run=_compute, data_dir=None)


def _centre(args: argparse.Namespace) -> int:
    """The centre's analysis, signed, with its tables, into ``--out``."""
    if args.out is None:
        raise UserError(
            "qa needs --out DIR (the centre's analysis and signed report) or an action: "
            "naas-centre qa compute --ratings FILE.csv --statistic NAME"
        )
    if not args.user or not args.password_file:
        raise UserError("qa --out signs the report as you: give --user USERNAME and --password-file FILE")
    period = _period(args.start, args.end)
    _folder(args.out)
    from naas_centre import paths
    from naas_centre.cli_reports import _password_from
    from naas_centre.services import accounts, capabilities, certificates, qa_analysis, qa_signing, qa_tables
    from naas_centre.services.centre import open_database

    password = _password_from(args.password_file)
    target = str(args.db) if args.db else paths.default_db_in(args.data_dir)
    db = open_database(target, args.data_dir, create=False)
    try:
        actor = accounts.authenticate(db, args.user, password)
        accounts.require(actor, *capabilities.OVERSEE)
        if not capabilities.may(actor.role, capabilities.SIGN_QA_REPORT):
            raise UserError(
                f"{actor.role.label} accounts do not sign the QA report; "
                "the QA lead or a centre manager does."
            )
        identity = certificates.unlock_signer(db, actor, password, paths.data_dir(args.data_dir))
        analysis = qa_analysis.analyse(db, actor, period)
        signed = qa_signing.sign_qa_report(db, actor, identity, analysis)
    finally:
        db.dispose()
    _made(args.out)
    name = f"qa-report-{period.start}-to-{period.end}" if period is not None else "qa-report-all-time"
    pdf = paths.write_atomic(args.out / f"{name}.pdf", signed.pdf)
    lines = [f"{pdf}: {signed.title}, version {signed.version}, signed by {actor.display_name}."]
    found = qa_analysis.tables(analysis)
    for table in found:
        for fmt in ("csv", "xlsx"):
            qa_tables.write(table, args.out / f"{table.name}.{fmt}", fmt)
    lines.append(
        f"{args.out}: {len(found)} tables, each as CSV and XLSX ({', '.join(t.name for t in found)})."
    )
    if analysis.fairness is None and analysis.fairness_note:
        lines.append(f"No fairness figures: {analysis.fairness_note}")
    print("\n".join(lines))
    return EXIT_OK


def _period(start_text: str | None, end_text: str | None) -> Any:
    from naas_centre.qa.disclosure import Period

    start, end = _date(start_text, "--from"), _date(end_text, "--to")
    if start is None and end is None:
        return None
    if start is None or end is None:
        raise UserError("a period needs both --from DATE and --to DATE (or neither, for all time)")
    if end < start:
        raise UserError(f"--to {end} is before --from {start}: give the earlier date first")
    return Period(start, end)


def _folder(out: Path) -> None:
    """Refuses, before any work, a folder that could not be written into (or made in its
    parent); it is made only once there is something to write."""
    import os

    if out.exists() and not out.is_dir():
        raise UserError(f"{out} is a file, not a folder: give a folder for --out")
    where = out if out.exists() else out.parent
    if not where.is_dir():
        raise UserError(f"{out.parent}: no such folder, so {out.name} cannot be made in it")
    if not os.access(where, os.W_OK | os.X_OK):
        raise UserError(f"{where}: the folder cannot be written to (permission denied)")


def _made(out: Path) -> None:
    try:
        out.mkdir(exist_ok=True)
    except OSError as exc:
        raise UserError(f"{out}: the folder cannot be made ({exc.strerror or exc})") from None


def _compute(args: argparse.Namespace) -> int:
    from naas_centre.qa.compute import Request, compute

    answer = compute(Request(args.ratings, args.statistic, args.weights, args.metric, args.borderline))
    if args.json:
        print(json.dumps(answer.figures, ensure_ascii=False, allow_nan=False))
    else:
        print("\n".join(answer.lines))
    return EXIT_OK
