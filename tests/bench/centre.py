"""Running a real centre at national scale: ``python tests/bench/centre.py``.

Builds a centre of 30,000 candidates (``_national.py``), then measures each figure in a
child process of its own, so one measurement's memory never counts in another's:

- ``csv_export_s``, ``xlsx_export_s``: every score sheet to CSV and to XLSX (and the
  processor time each took, ``*_cpu_s``: the wall time's floor on a busy machine);
- ``xlsx_peak_mb``: the peak resident memory (VmHWM) of the process exporting XLSX;
- ``board_refresh_ms``: the day board's change check and read, on that database;
- ``rota_build_s``: a rota for 48 candidates across 8 stations, built and checked;
- ``import_500_s``: a 500-row candidate file previewed and imported (last: it writes).

The last line printed is one JSON object with every figure. Targets: CSV <= 5 s,
XLSX <= 30 s at <= 500 MB, import <= 3 s, board <= 200 ms, rota <= 2 s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CANDIDATES = 30_000


def _peak_mb() -> float:
    """This process's peak resident memory, from /proc (VmHWM), else getrusage."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child_export(db_path: Path, fmt: str, out: Path) -> None:
    """In the child: one export, timed; prints its figures as JSON."""
    from db.engine import Database
    from naas_centre.services import exports
    from naas_centre.services.views import Actor, Role

    db = Database(db_path, "bench-export")
    actor = Actor("", "bench", "Benchmark", Role.CENTRE_MANAGER)
    start, cpu = time.perf_counter(), time.process_time()
    result = exports.export_score_sheets(db, actor, out, fmt)  # type: ignore[arg-type]
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    db.dispose()
    figures = {"seconds": seconds, "cpu": cpu, "rows": result.rows, "peak_mb": _peak_mb()}
    print(json.dumps({**figures, "bytes": out.stat().st_size}))


def _export(db_path: Path, fmt: str, folder: Path) -> dict[str, float]:
    out = folder / f"score-sheets.{fmt}"
    done = subprocess.run(
        [sys.executable, __file__, "--child-export", fmt, str(db_path), str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


# The other figures of running a centre, each in this process after the exports. -----


def _manager(db_path: Path):  # type: ignore[no-untyped-def]
    from db.engine import Database
    from naas_centre.services import accounts

    db = Database(db_path, "bench-centre")
    return db, accounts.authenticate(db, "manager", "demo-manager-2026")


def import_500_s(db_path: Path, folder: Path) -> float:
    """A 500-row candidate file previewed and imported (target <= 3 s)."""
    import csv

    from naas_centre.services import candidates

    file = folder / "candidates-500.csv"
    with file.open("w", newline="", encoding="utf-8") as out:
        w = csv.writer(out)
        w.writerow(
            ["Full name", "Registration number", "Employer", "Level", "Email", "Endorsed by", "Endorsed on"]
        )
        for i in range(500):
            w.writerow(
                [
                    f"Imported Candidate {i:03d}",
                    f"SWI{i:06d}",
                    "Leeds City Council",
                    "practitioner",
                    f"c{i}@example.org",
                    "Head of Service",
                    "2026-11-02",
                ]
            )
    db, manager = _manager(db_path)
    try:
        start = time.perf_counter()
        preview = candidates.preview_import(db, manager, file)
        assert not preview.errors, preview.errors[:3]
        candidates.import_candidates(db, manager, file)
        return round(time.perf_counter() - start, 2)
    finally:
        db.dispose()


def board_refresh_ms(db_path: Path, folder: Path) -> float:
    """The day board refreshed: the change check and a full read of the day (target <= 200 ms),
    the median of 20 after one warm-up, with every candidate of the centre in the database."""
    import statistics

    from naas_centre.services import board, planning

    db, manager = _manager(db_path)
    try:
        day = planning.plan_days(db, manager)[0]
        times = []
        for _ in range(21):
            start = time.perf_counter()
            board.data_version(db)
            board.day_board(db, manager, day)
            times.append((time.perf_counter() - start) * 1000)
        return round(statistics.median(times[1:]), 1)
    finally:
        db.dispose()


def rota_build_s(db_path: Path, folder: Path) -> float:
    """A rota for 48 candidates across 8 stations, built and checked (target <= 2 s)."""
    from datetime import UTC, datetime

    from naas_centre.core.rota import (
        Break,
        Candidate,
        Grid,
        Person,
        Place,
        Plan,
        Station,
        Written,
        build_rota,
        check_rota,
    )

    employers = (
        "Bury Council",
        "Leeds City Council",
        "Manchester City Council",
        "Oldham Council",
        "Wigan Council",
    )
    stations = tuple(
        Station(
            f"s{k}",
            f"Scenario {k}",
            Place(f"r{k}", f"Room {k}"),
            (Person(f"a{k}x", f"A{k}X", "Trafford Council"), Person(f"a{k}y", f"A{k}Y", employers[k % 5])),
            Person(f"act{k}", f"Actor {k}"),
            45,
            10,
        )
        for k in range(1, 9)
    )
    cands = tuple(
        Candidate(f"c{i}", f"Candidate {i}", employers[i % 5], 25 if i % 7 == 0 else 0, 0, i % 11 == 0)
        for i in range(48)
    )
    grid = Grid(datetime(2027, 3, 8, 9, 0, tzinfo=UTC), 55, (Break(4, 45, "Lunch"),))
    plan = Plan(
        stations, cands, grid, Written(Place("w", "Written room"), 16, 60), frozenset({("a1x", "c3")})
    )
    start = time.perf_counter()
    built = build_rota(plan)
    refusals = check_rota(plan, built)
    seconds = time.perf_counter() - start
    assert not refusals, refusals[:3]
    return round(seconds, 3)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=CANDIDATES)
    parser.add_argument("--db", type=Path, help="reuse a centre built before (else one is built)")
    parser.add_argument("--child-export", nargs=3, metavar=("FORMAT", "DB", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_export:
        fmt, db_path, out = args.child_export
        _child_export(Path(db_path), fmt, Path(out))
        return 0

    with tempfile.TemporaryDirectory(prefix="naas-bench-centre-") as tmp:
        folder = Path(tmp)
        db_path = args.db
        built_s = None
        if db_path is not None:  # a copy: the import below writes, and the centre given stays as it was
            import shutil

            shutil.copy(db_path, folder / "national.db")
            db_path = folder / "national.db"
        else:
            from tests.bench._national import national_centre

            db_path = folder / "national.db"
            start = time.perf_counter()
            national_centre(db_path, args.candidates).db.dispose()
            built_s = time.perf_counter() - start
            print(f"built {args.candidates} candidates in {built_s:.1f} s", file=sys.stderr)
        csv_run = _export(db_path, "csv", folder)
        xlsx_run = _export(db_path, "xlsx", folder)
        print(f"csv: {csv_run}", file=sys.stderr)
        print(f"xlsx: {xlsx_run}", file=sys.stderr)
        figures = {
            "candidates": args.candidates,
            "rows": csv_run["rows"],
            "build_s": round(built_s, 1) if built_s is not None else None,
            "csv_export_s": round(csv_run["seconds"], 2),
            "csv_export_cpu_s": round(csv_run["cpu"], 2),
            "csv_mb": round(csv_run["bytes"] / 2**20, 1),
            "xlsx_export_s": round(xlsx_run["seconds"], 2),
            "xlsx_export_cpu_s": round(xlsx_run["cpu"], 2),
            "xlsx_peak_mb": round(xlsx_run["peak_mb"], 1),
            "xlsx_mb": round(xlsx_run["bytes"] / 2**20, 1),
            "board_refresh_ms": board_refresh_ms(db_path, folder),
            "rota_build_s": rota_build_s(db_path, folder),
            "import_500_s": import_500_s(db_path, folder),
            "load_1min": round(os.getloadavg()[0], 1),  # how busy the machine was meanwhile
        }
        print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
