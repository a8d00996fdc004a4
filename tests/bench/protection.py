"""Encryption at rest, what it costs: commits, a backup and an audit verify.

Commits of one small row through the app's own engine (WAL, synchronous=FULL, BEGIN
IMMEDIATE), into a plain and an encrypted database in the same run, taken in turn at the
same pace so the machine's moods fall on both alike. Then a centre of 30,000 candidates,
encrypted, its trail made whole (every generated row entered as the app's writes enter
one): a backup as ``naas_centre.backup.take`` makes it (copy, integrity check, audit verify
of the copy) and an audit verify of the live file, which must hold. Prints one JSON object on its last line.

    python tests/bench/protection.py [--n 300] [--gap-ms 50] [--candidates 30000]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import func, select, text

from db import cipher
from db.engine import Database
from db.migrate import open_read_only
from naas_centre.backup import take
from naas_centre.services import audit
from tests.bench._centre import big_centre
from tests.bench._trail import complete_trail
from tests.bench.commit_floor import pct

PASSPHRASE = "a passphrase for the benchmark only"


def _commit_ms(db: Database) -> float:
    t = time.perf_counter()
    with db.write() as s:
        s.execute(text("INSERT INTO t (v) VALUES (:v)"), {"v": "x" * 120})
    return (time.perf_counter() - t) * 1000


def commits(n: int, gap: float, folder: Path) -> tuple[list[float], list[float]]:
    plain_path, enc_path = folder / "plain.db", folder / "encrypted.db"
    cipher.unlock(enc_path, PASSPHRASE)
    dbs = [Database(plain_path, "bench"), Database(enc_path, "bench")]
    for db in dbs:
        with db.write() as s:
            s.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))
        for _ in range(10):  # warm: the pool's connection made, the key derived
            _commit_ms(db)
    plain: list[float] = []
    encrypted: list[float] = []
    for i in range(n):
        order = (0, 1) if i % 2 == 0 else (1, 0)
        for which in order:
            (plain if which == 0 else encrypted).append(_commit_ms(dbs[which]))
            time.sleep(gap)  # the pace of scoring: the machine idle between clicks
    for db in dbs:
        db.dispose()
    return plain, encrypted


def _audited_rows(db: Database) -> int:
    """The rows ``audit.verify`` compares with their latest entries."""
    with db.read() as s:
        return sum(
            int(s.scalar(select(func.count()).select_from(m)) or 0) for m in (*audit.AUDITED, *audit.COVERED)
        )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--gap-ms", type=float, default=50)
    ap.add_argument("--candidates", type=int, default=30000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        plain, encrypted = commits(args.n, args.gap_ms / 1000, folder)
        centre = folder / "centre" / "big.db"
        centre.parent.mkdir()
        cipher.unlock(centre, PASSPHRASE)
        cipher.unlock_centre(PASSPHRASE)
        made = big_centre(centre, sittings=args.candidates)
        t = time.perf_counter()
        adopted = complete_trail(made.db)
        adopt_s = time.perf_counter() - t
        made.db.dispose()
        # The backup as the app takes it: copy, integrity check, audit verify of the copy.
        t = time.perf_counter()
        taken = take.take(centre, folder / "backups")
        backup_s = time.perf_counter() - t
        copy_encrypted = not taken.path.read_bytes()[:16].startswith(b"SQLite format 3")
        t = time.perf_counter()
        db = open_read_only(centre)
        try:
            verified = audit.verify(db)
        finally:
            db.dispose()
        verify_s = time.perf_counter() - t
        db = open_read_only(centre)
        try:
            rows = _audited_rows(db)
        finally:
            db.dispose()
    result = {
        "commits_each": args.n,
        "gap_ms": args.gap_ms,
        "plain_commit_p50_ms": round(pct(plain, 50), 2),
        "plain_commit_p99_ms": round(pct(plain, 99), 2),
        "encrypted_commit_p50_ms": round(pct(encrypted, 50), 2),
        "encrypted_commit_p99_ms": round(pct(encrypted, 99), 2),
        "encrypted_over_plain_p99": round(pct(encrypted, 99) / pct(plain, 99), 2),
        "candidates": args.candidates,
        "backup_30k_s": round(backup_s, 2),
        "backup_encrypted": copy_encrypted,
        "backup_records": sum(taken.records.values()),
        "backup_entries": taken.entries,
        "trail_adopted": adopted,
        "trail_adopt_s": round(adopt_s, 2),
        "verify_30k_s": round(verify_s, 2),
        "verify_ok": verified.ok,
        "verify_entries": verified.entries,
        "verify_rows": rows,
        "verify_problem": verified.problem,
        "load_1m": round(os.getloadavg()[0], 2),  # other work on the machine, as the run ended
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
