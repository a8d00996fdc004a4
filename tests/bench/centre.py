"""Running a real centre at national scale: ``python tests/bench/centre.py``.

Builds a centre of 30,000 candidates (``_national.py``), then measures each figure in a
child process of its own, so one measurement's memory never counts in another's:

- ``csv_export_s``, ``xlsx_export_s``: every score sheet to CSV and to XLSX;
- ``xlsx_peak_mb``: the peak resident memory (VmHWM) of the process exporting XLSX;
- ``import_500_s``, ``board_refresh_ms``, ``rota_build_s``: measured by their own
  functions below (None until each is written).

The last line printed is one JSON object with every figure. Targets: CSV <= 5 s,
XLSX <= 30 s at <= 500 MB.
"""

from __future__ import annotations

import argparse
import json
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
    start = time.perf_counter()
    result = exports.export_score_sheets(db, actor, out, fmt)  # type: ignore[arg-type]
    seconds = time.perf_counter() - start
    db.dispose()
    print(
        json.dumps(
            {"seconds": seconds, "rows": result.rows, "peak_mb": _peak_mb(), "bytes": out.stat().st_size}
        )
    )


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


# Figures measured elsewhere in the centre's work: each returns None until written. ---


def import_500_s(db_path: Path, folder: Path) -> float | None:
    """A 500-row candidate file previewed and imported (target <= 3 s)."""
    return None


def board_refresh_ms(db_path: Path, folder: Path) -> float | None:
    """The day board refreshed (target <= 200 ms)."""
    return None


def rota_build_s(db_path: Path, folder: Path) -> float | None:
    """A rota for 48 candidates across 8 stations (target <= 2 s)."""
    return None


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
        if db_path is None:
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
            "csv_mb": round(csv_run["bytes"] / 2**20, 1),
            "xlsx_export_s": round(xlsx_run["seconds"], 2),
            "xlsx_peak_mb": round(xlsx_run["peak_mb"], 1),
            "xlsx_mb": round(xlsx_run["bytes"] / 2**20, 1),
            "import_500_s": import_500_s(db_path, folder),
            "board_refresh_ms": board_refresh_ms(db_path, folder),
            "rota_build_s": rota_build_s(db_path, folder),
        }
        print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
