"""The floor under the scoring benchmark: what this machine gives before any of our code runs.

At the scoring benchmark's pace (one commit every 100 ms, the machine idle in between):
a bare SQLite commit of one small row (WAL, synchronous=FULL: one fsync), and a bare
round trip between two Python threads (a click handed to the write worker and back).
Prints one JSON object on its last line.

    python tests/bench/commit_floor.py [--n 300] [--gap-ms 100]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import threading
import time
from pathlib import Path


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q / 100 * (len(values) - 1)))]


def commits(n: int, gap: float, folder: Path | None = None) -> list[float]:
    """One small row per transaction, timed from BEGIN to the end of COMMIT."""
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        conn = sqlite3.connect(Path(tmp) / "floor.db", isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        out = []
        for _ in range(n):
            t = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO t (v) VALUES (?)", ("x" * 120,))
            conn.execute("COMMIT")
            out.append((time.perf_counter() - t) * 1000)
            time.sleep(gap)
        conn.close()
    return out


def round_trips(n: int, gap: float) -> list[float]:
    ask, answer = threading.Event(), threading.Event()
    stop = False

    def worker() -> None:
        while True:
            ask.wait()
            ask.clear()
            if stop:
                return
            answer.set()

    thread = threading.Thread(target=worker)
    thread.start()
    out = []
    for _ in range(n):
        t = time.perf_counter()
        ask.set()
        answer.wait()
        answer.clear()
        out.append((time.perf_counter() - t) * 1000)
        time.sleep(gap)
    stop = True
    ask.set()
    thread.join()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--gap-ms", type=float, default=100)
    args = parser.parse_args()
    gap = args.gap_ms / 1000
    c = commits(args.n, gap)
    r = round_trips(args.n, gap)
    print(
        json.dumps(
            {
                "n": args.n,
                "gap_ms": args.gap_ms,
                "sqlite_commit_p50_ms": round(pct(c, 50), 3),
                "sqlite_commit_p99_ms": round(pct(c, 99), 3),
                "thread_round_trip_p50_ms": round(pct(r, 50), 3),
                "thread_round_trip_p99_ms": round(pct(r, 99), 3),
            }
        )
    )


if __name__ == "__main__":
    main()
