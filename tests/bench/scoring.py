"""Scoring speed: click-to-durable-commit and GUI event-loop stalls.

With 5,000 sittings in the database, an assessor scores at 10 clicks per second for
30 seconds, through the real sitting screen (offscreen Qt) and the real write worker.
Measured: how long each click takes to be committed to disk (from the click to the
"saved" signal), and how long the GUI event loop is ever kept from running
(a 2 ms timer's lateness). Then, at the same pace and on the same disk, a bare SQLite
commit of one row with the same settings (WAL, synchronous=FULL): the floor that the
click's figures are held against. Prints one JSON object on its last line.

    python tests/bench/scoring.py [--clicks 300] [--sittings 5000]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q / 100 * (len(values) - 1)))]


def service_commits(demo, clicks: int) -> list[float]:  # type: ignore[no-untyped-def]
    """Direct service calls (no GUI), at the clicks' pace: what the GUI path adds to."""
    from naas_centre.services import access, accounts, packs, scoring, sittings

    a1 = accounts.authenticate(demo.db, "assessor1", "demo-assessor-2026")
    sid = sittings.list_for_assessor(demo.db, a1, demo.day)[0].id
    pack = packs.pack_for_sitting(demo.db, a1, sid)
    with demo.db.read() as s:  # in a circuit, an assessor scores their own stations only
        observed = set(access.observed_stations(s, sid, a1.account_id, pack))
    criteria = [(station, c) for station, c in pack.criteria() if station in observed]
    out = []
    for i in range(clicks):
        station, c = criteria[i % len(criteria)]
        t = time.perf_counter()
        scoring.record_level(demo.db, a1, sid, station, c.id, 1 + i % 4)
        out.append((time.perf_counter() - t) * 1000)
        time.sleep(0.1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clicks", type=int, default=300)
    parser.add_argument("--sittings", type=int, default=5000)
    args = parser.parse_args()

    from tests.bench._centre import big_centre

    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        demo = big_centre(Path(tmp) / "big.db", args.sittings)
        setup_s = time.perf_counter() - t
        commits = service_commits(demo, args.clicks)
        gui = gui_clicks(demo, args.clicks)
        demo.db.dispose()
        floor = commits_floor(args.clicks, 0.1, Path(tmp))
    result = {
        "sittings": args.sittings,
        "clicks": args.clicks,
        "setup_s": round(setup_s, 2),
        "service_commit_p50_ms": round(statistics.median(commits), 3),
        "service_commit_p99_ms": round(pct(commits, 99), 3),
        **gui,
        "floor_p50_ms": round(statistics.median(floor), 3),
        "floor_p99_ms": round(pct(floor, 99), 3),
    }
    result["commit_p99_over_floor"] = round(result["commit_p99_ms"] / result["floor_p99_ms"], 2)
    print(json.dumps(result))


def commits_floor(n: int, gap: float, folder: Path) -> list[float]:
    """A bare SQLite commit with the database's settings, at the clicks' pace, on the same disk."""
    from tests.bench.commit_floor import commits

    return commits(n, gap, folder)


def gui_clicks(demo, clicks: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    from tests.bench._gui_scoring import run

    return run(demo, clicks)


if __name__ == "__main__":
    main()
