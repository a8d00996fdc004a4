"""The command line for quality assurance: ``naas-centre qa compute``.

Kept beside ``naas_centre.cli``, which adds it to its parser with ``add_parsers``.
``qa compute`` works on a ratings file alone, so that anyone can check a figure by hand;
it opens no database. A bad file is one plain line naming the file and line, exit status 2.
numpy and scipy are imported only when the command runs.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
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


def add_parsers(sub: Any, parser_class: type[argparse.ArgumentParser], add_db: Callable[[Any], None]) -> None:
    qa = sub.add_parser("qa", help="quality assurance: assessor agreement, reliability, standard setting")
    qa_sub = qa.add_subparsers(dest="action", metavar="ACTION", parser_class=parser_class)
    # No database is opened here; cli.main still reads data_dir (where a bug is logged).
    qa.set_defaults(run=_no_action, data_dir=None)
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


def _no_action(args: argparse.Namespace) -> int:
    raise UserError("qa needs an action: naas-centre qa compute --ratings FILE.csv --statistic NAME")


def _compute(args: argparse.Namespace) -> int:
    from naas_centre.qa.compute import Request, compute

    answer = compute(Request(args.ratings, args.statistic, args.weights, args.metric, args.borderline))
    if args.json:
        print(json.dumps(answer.figures, ensure_ascii=False, allow_nan=False))
    else:
        print("\n".join(answer.lines))
    return EXIT_OK
