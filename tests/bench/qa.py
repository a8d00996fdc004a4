"""The centre's whole QA analysis at national scale: 30,000 candidates, each through a
circuit of four stations with two assessors at each, from a pool of 200
(``tests/bench/_qa_centre.py``), analysed as the QA lead for a closed period.

Timed: ``analyse`` from the first read to the last figure (fairness included), and each
of its sections (from the progress points it reports), then the tables and the report
drawn from it. The generated centre is not timed. Prints one JSON object on its last
line, with ``qa_30k_s`` (target: 10 s or less on a 2-core machine).

    python tests/bench/qa.py [--candidates 30000] [--repeat 1]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=30_000)
    parser.add_argument("--repeat", type=int, default=1, help="analyses timed; the best is reported")
    args = parser.parse_args()

    from naas_centre.demo.centre import ACCOUNTS
    from naas_centre.qa.disclosure import Period
    from naas_centre.services import accounts
    from naas_centre.services.qa_analysis import analyse, tables
    from tests.bench._qa_centre import FIRST_DAY, qa_centre

    passwords = {a.username: a.password for a in ACCOUNTS}
    result: dict[str, object] = {"candidates": args.candidates}
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        made = qa_centre(Path(tmp) / "qa.db", args.candidates)
        result["generate_s"] = round(time.perf_counter() - t0, 2)
        db = made.db
        qa = accounts.authenticate(db, "qa", passwords["qa"])
        period = Period(FIRST_DAY, datetime.now(UTC).date() - timedelta(days=1))
        best: dict[str, float] | None = None
        for _ in range(args.repeat):
            marks: list[tuple[float, str]] = []

            def mark(_share: float, what: str, marks: list[tuple[float, str]] = marks) -> None:
                marks.append((time.perf_counter(), what))

            start = time.perf_counter()
            analysis = analyse(db, qa, period, progress=mark)
            total = time.perf_counter() - start
            sections: dict[str, float] = {}
            for (at, what), (after, _) in itertools.pairwise(marks):
                sections[what] = sections.get(what, 0.0) + after - at
            # Before the first section: loading the numeric libraries and the modules of QA.
            begun = marks[0][0] - start if marks else 0.0
            run = {
                "qa_30k_s": total,
                "section_start_s": begun,
                **{f"section_{_key(k)}_s": v for k, v in sections.items()},
            }
            if best is None or run["qa_30k_s"] < best["qa_30k_s"]:
                best = run
        assert best is not None
        result.update({k: round(v, 3) for k, v in best.items()})
        t1 = time.perf_counter()
        found = tables(analysis)
        result["tables_s"] = round(time.perf_counter() - t1, 3)
        from naas_centre.reports.qa_report import Signer, render

        t2 = time.perf_counter()
        pdf = render(
            analysis, centre="Bench centre", signer=Signer("Dev Patel", "QA lead"), made_at=datetime.now(UTC)
        )
        result["report_s"] = round(time.perf_counter() - t2, 3)
        result["report_pages_bytes"] = len(pdf.pdf)
        result["sittings"] = analysis.scope.sittings
        result["assessors"] = analysis.scope.assessors
        result["tables"] = len(found)
        effects = analysis.examiners
        result["assessors_flagged"] = sum(e.flagged for e in effects.assessors) if effects else None
        result["fairness"] = analysis.fairness is not None
        db.dispose()
    if args.candidates != 30_000:  # the key names the size it was measured at
        result[f"qa_{args.candidates}_s"] = result.pop("qa_30k_s")
    result["cpus"] = os.cpu_count()
    result["load_1m"] = round(os.getloadavg()[0], 2)
    print(json.dumps(result))


def _key(what: str) -> str:
    return "_".join(what.lower().replace(",", "").split())


if __name__ == "__main__":
    main()
